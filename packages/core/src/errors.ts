/**
 * `@m2m/core/errors`: tools around the error model that applications reach for at their edges:
 * building the error of a code (`createError`), carrying errors between processes
 * (`serializeError` / `deserializeError`, with the public view that hides details), HTTP error
 * bodies (`toErrorResponse`), one-line chains for logs (`formatErrorChain`) and a retry loop that
 * follows each code's retry advice (`withRetry`). An entry of its own so that browser pages that
 * only throw and catch errors do not carry them (bench/startup.ts); the error classes, the
 * catalog and the type guards are in the main entry.
 * @module
 */
export { createError } from './errors/create.js';
export { serializeError, deserializeError, isSerializedSdkError, publicCode, AUTHENTICATION_FAILURE_CODES, type SerializedError, type SerializeOptions, type ErrorView } from './errors/serialize.js';
export { formatErrorChain, type FormatChainOptions } from './errors/format.js';
export { toErrorResponse, type ErrorResponseBody } from './errors/response.js';
export { withRetry, type RetryOptions } from './errors/retry.js';
