/**
 * `errSerializer`: plug the SDK's error format into pino.
 * @module
 */
import { serializeError, type SerializedError } from './serialize.js';

/**
 * A pino serializer: `pino({ serializers: { err: errSerializer } })` makes
 * `logger.error({ err })` write the whole typed chain (`m2m errors decode` reads it back).
 * Stacks are included; secrets never are.
 */
export function errSerializer(err: unknown): SerializedError {
  return serializeError(err, { view: 'internal', stack: true });
}
