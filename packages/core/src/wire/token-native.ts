/**
 * TokenNative `#TK|<id>|<base64 of varint token ids>`: text as tiktoken ids (cl100k_base or
 * o200k_base; `L` maps to cl100k as in the reference).
 * @module
 */
import type { Tiktoken } from 'js-tiktoken/lite';
import { M2MError } from '../errors/base.js';
import { platform } from '#platform';
import { base64Decode, base64Encode, Base64Error } from './base64.js';
import { checkLimit, resolveLimits, type Limits } from './limits.js';

/** Prefix of the TokenNative format. */
export const TOKEN_NATIVE_PREFIX = '#TK|';

/** Tokenizer encodings, with the reference's spellings. */
export type TokenizerEncoding = 'Cl100kBase' | 'O200kBase' | 'LlamaBpe' | 'Heuristic';

const cache = new Map<string, Tiktoken>();

/**
 * @internal The shared js-tiktoken instance of an encoding, built on first use (the rank tables
 * load lazily so importing the codec stays cheap). Token counting (`tokens/count.ts`) shares it.
 * @throws M2MError Tokenizer when the rank table is not available (browsers: not preloaded).
 */
export function tokenizer(name: 'cl100k_base' | 'o200k_base'): Tiktoken {
  let t = cache.get(name);
  if (!t) {
    const ranks = platform.loadTokenizerRanks(name);
    if (!ranks) throw new M2MError('Tokenizer', { reason: `${name} is not loaded (call preloadTokenizer in browsers)` });
    const TiktokenClass = platform.tiktoken();
    t = new TiktokenClass(ranks as ConstructorParameters<typeof Tiktoken>[0]);
    cache.set(name, t);
  }
  return t;
}

function idChar(enc: TokenizerEncoding): string {
  return enc === 'O200kBase' ? 'O' : enc === 'LlamaBpe' ? 'L' : 'C';
}

/**
 * Encodes text as TokenNative (`Hello, world!` → `#TK|C|sk0L/Q4A`).
 * @throws M2MError of kind Tokenizer when the rank table cannot be loaded.
 */
export function encodeTokenNative(content: string, encoding: TokenizerEncoding = 'Cl100kBase'): string {
  const t = tokenizer(encoding === 'O200kBase' ? 'o200k_base' : 'cl100k_base');
  const ids = t.encode(content, 'all');
  const bytes: number[] = [];
  for (const id of ids) {
    let v = id >>> 0;
    while (v >= 0x80) {
      bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    bytes.push(v);
  }
  return `${TOKEN_NATIVE_PREFIX}${idChar(encoding)}|${base64Encode(Uint8Array.from(bytes))}`;
}

/**
 * Decodes TokenNative text, with the reference's messages (`Invalid token-native format`,
 * `Missing tokenizer ID`, `Missing encoded data`, `Base64 decode failed: ...`,
 * `Truncated VarInt data`, `VarInt overflow`, `Detokenization failed: ...`).
 * @throws M2MError of kind Decompression (or LimitExceeded).
 */
export function decodeTokenNative(text: string, limits?: Partial<Limits>): string {
  const l = resolveLimits(limits);
  checkLimit('maxMessageBytes', text.length, l.maxMessageBytes);
  const fail = (reason: string, cause?: unknown) => new M2MError('Decompression', { reason }, cause === undefined ? undefined : { cause });
  if (!text.startsWith(TOKEN_NATIVE_PREFIX)) throw fail('Invalid token-native format');
  const rest = text.slice(TOKEN_NATIVE_PREFIX.length);
  const bar = rest.indexOf('|');
  const idPart = bar < 0 ? rest : rest.slice(0, bar);
  if (idPart.length === 0) throw fail('Missing tokenizer ID');
  if (bar < 0) throw fail('Missing encoded data');
  const id = idPart[0];
  let bytes: Uint8Array;
  try {
    bytes = base64Decode(rest.slice(bar + 1));
  } catch (e) {
    if (e instanceof Base64Error) throw fail(`Base64 decode failed: ${e.message}`, e);
    throw e;
  }
  const ids: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (i >= bytes.length) throw fail('Truncated VarInt data');
      const b = bytes[i++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
      if (shift > 35) throw fail('VarInt overflow');
    }
    ids.push(result >>> 0);
  }
  const t = tokenizer(id === 'O' ? 'o200k_base' : 'cl100k_base');
  // Decoding a long id list can exceed the limit; each token is at most a few hundred bytes.
  if (ids.length * 128 > l.maxDecompressedBytes * 4) checkLimit('maxDecompressedBytes', ids.length, l.maxDecompressedBytes);
  let out: string;
  try {
    out = decodeStrict(t, ids);
  } catch (e) {
    throw fail(`Detokenization failed: ${(e as Error).message}`, e);
  }
  checkLimit('maxDecompressedBytes', out.length, l.maxDecompressedBytes);
  return out;
}

function decodeStrict(t: Tiktoken, ids: number[]): string {
  // js-tiktoken replaces invalid UTF-8 with U+FFFD and maps unknown ids to nothing; the
  // reference fails on both, so decode per token to bytes and validate.
  const parts: Uint8Array[] = [];
  const inner = t as unknown as { textMap: Map<number, Uint8Array>; inverseSpecialTokens: Record<number, Uint8Array> };
  let total = 0;
  for (const id of ids) {
    const piece = inner.textMap.get(id) ?? inner.inverseSpecialTokens[id];
    if (!piece) throw new Error(`Invalid token for decoding: ${id}`);
    parts.push(piece);
    total += piece.length;
  }
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(all);
}
