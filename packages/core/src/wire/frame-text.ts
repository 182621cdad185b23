/**
 * The text form of a frame: `#M2M|1|` + strict base64 of everything after the prefix
 * (docs/PROTOCOL.md §1, after the example).
 * @module
 */
import { M2MError } from '../errors/base.js';
import { base64Decode, base64Encode, Base64Error } from './base64.js';
import { decompressionError } from './frame-error.js';
import { PREFIX_LEN } from './frame-layout.js';
import { M2M_PREFIX, M2M_PREFIX_BYTES } from './header.js';
import { checkLimit, resolveLimits, type Limits } from './limits.js';

/** The text form of a binary frame. */
export function frameBytesToText(frame: Uint8Array): string {
  return M2M_PREFIX + base64Encode(frame.subarray(PREFIX_LEN));
}

/**
 * The binary frame of a text form, without decoding it further.
 * @throws M2MError: InvalidMessage (not a string), LimitExceeded (`maxMessageBytes`),
 *   Decompression (`Invalid M2M prefix`, `Base64 decode failed: ...`).
 */
export function frameTextToBytes(text: string, limits?: Partial<Limits>): Uint8Array {
  if (typeof text !== 'string') throw new M2MError('InvalidMessage', { reason: 'decodeFrameText expects a string' });
  checkLimit('maxMessageBytes', text.length, resolveLimits(limits).maxMessageBytes);
  if (!text.startsWith(M2M_PREFIX)) throw decompressionError('Invalid M2M prefix');
  let body: Uint8Array;
  try {
    body = base64Decode(text.slice(PREFIX_LEN));
  } catch (e) {
    if (e instanceof Base64Error) throw decompressionError(`Base64 decode failed: ${e.message}`, e);
    throw e;
  }
  const out = new Uint8Array(PREFIX_LEN + body.length);
  out.set(M2M_PREFIX_BYTES, 0);
  out.set(body, PREFIX_LEN);
  return out;
}
