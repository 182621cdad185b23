/**
 * Strict UTF-8 decoding on the platform's fastest checked path: on Node, inputs of 256 bytes or
 * more are validated with simdutf and copied as latin1 or UTF-8 (about twice a fatal
 * TextDecoder at 64 KiB); shorter ones, and browsers, use a fatal TextDecoder.
 * @module
 */
import { platform } from '#platform';

/**
 * Decodes UTF-8 strictly, as `utf8DecodeStrict` does, on the fastest path the platform has.
 * @returns the text, or `undefined` when the bytes are not valid UTF-8.
 */
export function utf8DecodeFast(bytes: Uint8Array): string | undefined {
  return platform.utf8Decode(bytes);
}
