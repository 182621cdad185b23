/**
 * UTF-8 byte length of a string, counted natively where the platform can (Node's
 * `Buffer.byteLength` is about 40 times faster than a JavaScript loop on chat-sized text).
 * @module
 */
import { platform } from '#platform';

/**
 * The number of bytes `utf8Encode(text)` would produce, without encoding; a lone surrogate
 * counts 3 bytes (the U+FFFD it becomes). Never throws.
 * @example `utf8ByteLength('héllo') // 6`
 */
export function utf8ByteLength(text: string): number {
  return platform.utf8Length(text);
}
