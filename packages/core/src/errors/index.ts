/**
 * The error model: `M2MError`, `CryptoError`, the catalog and its tools.
 * @module
 */
export * from './enums.js';
export type * from './kinds.js';
export { errorCatalog, catalogEntry, type ErrorCatalogEntry, type ErrorCode } from './catalog.js';
export { M2MError, CryptoError, M2MBaseError, M2MErrorImpl, CryptoErrorImpl, isM2MError, isCryptoError, isSdkError, wrapCrypto, type ErrorOptions, type M2MErrorConstructor, type CryptoErrorConstructor } from './base.js';
export { createError } from './create.js';
export { serializeError, deserializeError, isSerializedSdkError, publicCode, AUTHENTICATION_FAILURE_CODES, type SerializedError, type SerializeOptions, type ErrorView } from './serialize.js';
export { formatErrorChain, type FormatChainOptions } from './format.js';
export { toErrorResponse, type ErrorResponseBody } from './response.js';
export { localizeError, localizedTitle, supportedLocales } from './localize.js';
export type { Locale } from './messages.js';
export { withRetry, type RetryOptions } from './retry.js';
export { errSerializer } from './pino.js';
export { winstonErrorFormat, type WinstonErrorFormatOptions, type WinstonFormatLike, type WinstonInfo } from './winston.js';
export { bunyanSerializers, type BunyanSerializer } from './bunyan.js';
export { errorChainAttributes, recordErrorChain, type ErrorChainAttributes, type OtelAttributeValue, type OtelSpanLike, type OtelLogRecordLike, type OtelRecordObject } from './otel.js';
export { redactDetails } from './redact.js';
