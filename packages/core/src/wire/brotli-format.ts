/**
 * The `#M2M[v3.0]|DATA:` format: Brotli (quality 11, window 22) of any text, base64-encoded.
 * @module
 */
import { M2MError } from '../errors/base.js';
import { platform } from '#platform';
import { BrotliLimitError } from '../platform/types.js';
import { base64Decode, base64Encode, Base64Error } from './base64.js';
import { utf8DecodeStrict, utf8Encode, utf8ErrorText } from './bytes.js';
import { checkLimit, resolveLimits, type Limits } from './limits.js';

/** Prefix of the Brotli format. */
export const BROTLI_PREFIX = '#M2M[v3.0]|DATA:';

/**
 * Encodes text in the Brotli format (quality 11 by default, window 22).
 * Throws nothing for a string (a lone surrogate is encoded as U+FFFD, as TextEncoder does).
 */
export function encodeBrotliText(content: string, quality = 11): string {
  return BROTLI_PREFIX + base64Encode(platform.brotliCompress(utf8Encode(content), Math.max(0, Math.min(11, quality)), 22));
}

/**
 * Decodes the Brotli format, with the reference's messages.
 * @throws M2MError: InvalidMessage `Invalid Brotli wire format` (or not a string); Decompression
 *   `Base64 decode error: ...`, `Invalid Data`, `Invalid UTF-8: ...`; LimitExceeded.
 */
export function decodeBrotliText(text: string, limits?: Partial<Limits>): string {
  if (typeof text !== 'string') throw new M2MError('InvalidMessage', { reason: 'decodeBrotliText expects a string' });
  const l = resolveLimits(limits);
  checkLimit('maxMessageBytes', text.length, l.maxMessageBytes);
  if (!text.startsWith(BROTLI_PREFIX)) throw new M2MError('InvalidMessage', { reason: 'Invalid Brotli wire format' });
  let bytes: Uint8Array;
  try {
    bytes = base64Decode(text.slice(BROTLI_PREFIX.length));
  } catch (e) {
    if (e instanceof Base64Error) throw new M2MError('Decompression', { reason: `Base64 decode error: ${e.message}` }, { cause: e });
    throw e;
  }
  let raw: Uint8Array;
  try {
    raw = platform.brotliDecompress(bytes, l.maxDecompressedBytes);
  } catch (e) {
    if (e instanceof BrotliLimitError) throw new M2MError('LimitExceeded', { limit: 'maxDecompressedBytes', actual: l.maxDecompressedBytes + 1, max: l.maxDecompressedBytes }, { cause: e });
    throw new M2MError('Decompression', { reason: 'Invalid Data' }, { cause: e });
  }
  const s = utf8DecodeStrict(raw);
  if (s === undefined) throw new M2MError('Decompression', { reason: `Invalid UTF-8: ${utf8ErrorText(raw)}` });
  return s;
}
