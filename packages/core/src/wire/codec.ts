/**
 * The codec engine: compress with a chosen algorithm, decompress by prefix detection, and the
 * reference's automatic algorithm choice.
 * @module
 */
import { M2MError } from '../errors/base.js';
import { BROTLI_PREFIX, decodeBrotliText, encodeBrotliText } from './brotli-format.js';
import { decodeFrameText, encodeFrameText, type DecodeFrameOptions, type EncodeFrameOptions } from './frame.js';
import { M2M_PREFIX } from './header.js';
// Browser builds get a TokenNative that refuses (wire/token-native.browser.ts: no rank tables).
import { decodeTokenNative, encodeTokenNative, TOKEN_NATIVE_PREFIX } from '#token-native';
import type { TokenizerEncoding } from './token-native.js';

/** Compression algorithms, spelled as on the session wire. */
export type Algorithm = 'none' | 'm2m' | 'tokennative' | 'brotli';

/** All algorithms, in the reference's default preference order. */
export const ALGORITHMS: readonly Algorithm[] = ['m2m', 'tokennative', 'brotli', 'none'];

/** The reference's display names (`Algorithm::name`). */
export const ALGORITHM_NAMES: Readonly<Record<Algorithm, string>> = { none: 'NONE', m2m: 'M2M', tokennative: 'TOKEN_NATIVE', brotli: 'BROTLI' };

/** Options of {@link compress}. */
export interface CompressOptions extends EncodeFrameOptions {
  /** Tokenizer for TokenNative (default Cl100kBase). */
  encoding?: TokenizerEncoding;
}

/**
 * Compresses content with an algorithm: `m2m` gives the frame text form, `tokennative`
 * `#TK|...`, `brotli` `#M2M[v3.0]|DATA:...`, `none` the content itself.
 * @throws M2MError: InvalidCodec for an unknown algorithm; the codec's own errors.
 * @example `compress('{"model":"gpt-4o","messages":[]}', 'm2m')` → `#M2M|1|...`
 */
export function compress(content: string, algorithm: Algorithm, options: CompressOptions = {}): string {
  if (typeof content !== 'string') throw new M2MError('Compression', { reason: 'content must be a string' });
  switch (algorithm) {
    case 'm2m':
      return encodeFrameText(content, options);
    case 'tokennative':
      return encodeTokenNative(content, options.encoding);
    case 'brotli':
      return encodeBrotliText(content);
    case 'none':
      return content;
    default:
      throw new M2MError('InvalidCodec', { reason: `unknown algorithm ${JSON.stringify(algorithm)}` });
  }
}

/**
 * The algorithm of a text, by prefix in the reference's order: `#M2M|1|`, `#TK|`,
 * `#M2M[v3.0]|`; anything else is `none` (passthrough).
 */
export function detectAlgorithm(text: string): Algorithm {
  if (typeof text !== 'string') return 'none';
  if (text.startsWith(M2M_PREFIX)) return 'm2m';
  if (text.startsWith(TOKEN_NATIVE_PREFIX)) return 'tokennative';
  if (text.startsWith('#M2M[v3.0]|')) return 'brotli';
  return 'none';
}

/**
 * Decompresses any codec text by its prefix; unknown content is returned unchanged.
 * M2M frames are decoded under `options` (protection, minSecurity, limits).
 * @throws M2MError of the detected codec.
 */
export function decompress(text: string, options: DecodeFrameOptions = {}): string {
  if (typeof text !== 'string') throw new M2MError('InvalidMessage', { reason: 'decompress expects a string' });
  switch (detectAlgorithm(text)) {
    case 'm2m':
      return decodeFrameText(text, options).payload;
    case 'tokennative':
      return decodeTokenNative(text, options.limits);
    case 'brotli':
      return decodeBrotliText(text, options.limits);
    default:
      return text;
  }
}

/** 1 − distinct char 4-grams / (chars − 3); 0 below 100 bytes (the reference's heuristic). */
export function repetitionRatio(content: string, byteLength: number): number {
  if (byteLength < 100) return 0;
  const chars = Array.from(content);
  if (chars.length < 4) return 0;
  const grams = new Set<string>();
  for (let i = 0; i + 4 <= chars.length; i++) grams.add(chars[i] + chars[i + 1] + chars[i + 2] + chars[i + 3]);
  return 1 - grams.size / (chars.length - 3);
}

/**
 * The reference's automatic choice (`compress_auto`): under 100 bytes none; over 1024 brotli;
 * LLM-API JSON m2m; repetitive text brotli; other JSON m2m; else none.
 */
export function selectAlgorithm(content: string): Algorithm {
  const length = new TextEncoder().encode(content).length;
  if (length < 100) return 'none';
  if (length > 1024) return 'brotli';
  let json: unknown;
  let isJson = false;
  try {
    json = JSON.parse(content);
    isJson = true;
  } catch {
    isJson = false;
  }
  if (isJson && typeof json === 'object' && json !== null && !Array.isArray(json) && ('messages' in json || 'model' in json || 'choices' in json)) return 'm2m';
  if (repetitionRatio(content, length) > 0.3) return 'brotli';
  if (isJson) return 'm2m';
  return 'none';
}

export { BROTLI_PREFIX };
