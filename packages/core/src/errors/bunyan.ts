/**
 * `bunyanSerializers`: bunyan serializers that write the whole typed error chain.
 * @module
 */
import { serializeError, type SerializedError } from './serialize.js';

/** A bunyan serializer: a function from a field's value to what is logged. */
export type BunyanSerializer = (value: unknown) => unknown;

function serializeErrorField(value: unknown): SerializedError | unknown {
  // bunyan calls serializers on whatever the field holds; leave non-errors as they are.
  return value instanceof Error ? serializeError(value, { view: 'internal', stack: true }) : value;
}

/**
 * Serializers for bunyan's `err` and `error` fields: every link of the cause chain with code,
 * kind, details and stack (bunyan's `stdSerializers.err` keeps the outer error only, ES2022
 * causes being invisible to it). Secrets never appear.
 *
 * @example
 * ```ts
 * const log = bunyan.createLogger({ name: 'app', serializers: { ...bunyan.stdSerializers, ...bunyanSerializers } });
 * log.error(err, 'could not open frame'); // "err":{"code":"CRYPTO_ERROR",…,"cause":{"code":"AEAD_DECRYPTION_FAILED",…}}
 * ```
 */
export const bunyanSerializers: Readonly<{ err: BunyanSerializer; error: BunyanSerializer }> = Object.freeze({
  err: serializeErrorField,
  error: serializeErrorField,
});
