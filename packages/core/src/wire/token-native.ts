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
import { bpeEncode } from './token-native-bpe.js';

/** Prefix of the TokenNative format. */
export const TOKEN_NATIVE_PREFIX = '#TK|';

/** Tokenizer encodings, with the reference's spellings. */
export type TokenizerEncoding = 'Cl100kBase' | 'O200kBase' | 'LlamaBpe' | 'Heuristic';

const cache = new Map<string, Tiktoken>();

/**
 * @internal The shared js-tiktoken instance of an encoding, built on first use (the rank tables
 * load lazily so importing the codec stays cheap). Token counting (`tokens/count.ts`) shares it.
 * @throws M2MError Tokenizer when the rank table is not available (browser builds load none).
 */
export function tokenizer(name: 'cl100k_base' | 'o200k_base'): Tiktoken {
  let t = cache.get(name);
  if (!t) {
    const ranks = platform.loadTokenizerRanks(name);
    if (!ranks) throw new M2MError('Tokenizer', { reason: `${name} rank table is not available on this platform (browser builds load none; negotiate another algorithm)` });
    const TiktokenClass = platform.tiktoken();
    t = new TiktokenClass(ranks as ConstructorParameters<typeof Tiktoken>[0]);
    cache.set(name, t);
  }
  return t;
}

/**
 * Runs of letters, punctuation or whitespace longer than this are encoded in blocks of this many
 * characters (js-tiktoken's own merge took 80 s on 16 KiB of `a`; our merge, token-native-bpe.ts,
 * is linear-ish, and the blocks keep the ids this encoder has always produced for such runs;
 * `tokens/count.ts` cuts runs the same way for counting). Text without such runs encodes exactly
 * as the reference's; a long run gets other (still valid) ids, and decodes to the same text.
 */
const MAX_RUN_BLOCK = 64;
/** Made on first use: compiling a Unicode-property pattern costs ~0.8 ms of every cold import (bench/startup.ts). */
let longRun: RegExp | undefined;
const LONG_RUN_SOURCE = `[\\p{L}\\p{M}]{${MAX_RUN_BLOCK + 1},}|[^\\s\\p{L}\\p{N}]{${MAX_RUN_BLOCK + 1},}|\\s{${MAX_RUN_BLOCK + 1},}`;
const blockIds = new Map<string, number[]>();

/** A block boundary at or before `at` that does not split a surrogate pair. */
function blockEnd(text: string, at: number): number {
  const c = text.charCodeAt(at - 1);
  return c >= 0xd800 && c <= 0xdbff ? at - 1 : at;
}

/** The token ids of `content`, long runs in blocks (see {@link MAX_RUN_BLOCK}). */
function encodeIds(t: Tiktoken, content: string): number[] {
  if (content.length <= MAX_RUN_BLOCK) return bpeEncode(t, content);
  const LONG_RUN = (longRun ??= new RegExp(LONG_RUN_SOURCE, 'gu'));
  LONG_RUN.lastIndex = 0;
  if (!LONG_RUN.test(content)) return bpeEncode(t, content);
  LONG_RUN.lastIndex = 0;
  const out: number[] = [];
  const add = (ids: readonly number[]) => {
    for (const id of ids) out.push(id);
  };
  let from = 0;
  for (const m of content.matchAll(LONG_RUN)) {
    // The run's first block stays with the text before it (a leading space belongs to the word).
    let cut = blockEnd(content, m.index + MAX_RUN_BLOCK);
    add(bpeEncode(t, content.slice(from, cut)));
    const end = m.index + m[0].length;
    while (end - cut > MAX_RUN_BLOCK) {
      const next = blockEnd(content, cut + MAX_RUN_BLOCK);
      const block = content.slice(cut, next);
      // Hostile input repeats itself; a bounded memo makes repeats cost a lookup.
      let ids = blockIds.get(block);
      if (ids === undefined) {
        ids = bpeEncode(t, block);
        if (blockIds.size >= 4096) blockIds.clear();
        blockIds.set(block, ids);
      }
      add(ids);
      cut = next;
    }
    from = cut;
  }
  if (from < content.length) add(bpeEncode(t, content.slice(from)));
  return out;
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
  const ids = encodeIds(t, content);
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
 * `Truncated VarInt data`, `VarInt overflow`, `Detokenization failed: ...`). The text's UTF-8
 * size is summed before it is allocated: more than `maxDecompressedBytes` is refused there.
 * @throws M2MError of kind Decompression, LimitExceeded (`maxDecompressedBytes`), or
 *   InvalidMessage (not a string).
 */
export function decodeTokenNative(text: string, limits?: Partial<Limits>): string {
  if (typeof text !== 'string') throw new M2MError('InvalidMessage', { reason: 'decodeTokenNative expects a string' });
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
  // Three linear passes and no id list: the varints are checked first (their errors come
  // before any detokenization error, as in the reference), then the text's size is summed and
  // bounded, then exactly that many bytes are filled. Each is one flat loop (this runs per byte).
  let run = 0; // continuation bytes in a row
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] & 0x80) {
      if (++run > 5) throw fail('VarInt overflow');
    } else run = 0;
  }
  if (run > 0) throw fail('Truncated VarInt data');
  const t = tokenizer(id === 'O' ? 'o200k_base' : 'cl100k_base');
  try {
    return detokenize(t, bytes, l.maxDecompressedBytes);
  } catch (e) {
    if (e instanceof M2MError) throw e;
    throw fail(`Detokenization failed: ${(e as Error).message}`, e);
  }
}

/**
 * Token ids (already validated varints) to text, refusing more than `maxBytes` of UTF-8 before
 * the output is allocated (one token can be over a hundred bytes of text).
 */
function detokenize(t: Tiktoken, bytes: Uint8Array, maxBytes: number): string {
  // js-tiktoken replaces invalid UTF-8 with U+FFFD and maps unknown ids to nothing; the
  // reference fails on both, so decode per token to bytes and validate.
  const inner = t as unknown as { textMap: Map<number, Uint8Array>; inverseSpecialTokens: Record<number, Uint8Array> };
  const piece = (id: number): Uint8Array => {
    const p = inner.textMap.get(id) ?? inner.inverseSpecialTokens[id];
    if (!p) throw new Error(`Invalid token for decoding: ${id}`);
    return p;
  };
  // Two passes over the ids: the output's size is checked before it is allocated.
  let total = 0;
  forEachTokenId(bytes, (id) => {
    total += piece(id).length;
    if (total > maxBytes) throw new M2MError('LimitExceeded', { limit: 'maxDecompressedBytes', actual: total, max: maxBytes });
  });
  const all = new Uint8Array(total);
  let o = 0;
  forEachTokenId(bytes, (id) => {
    const p = piece(id);
    all.set(p, o);
    o += p.length;
  });
  return new TextDecoder('utf-8', { fatal: true }).decode(all);
}

/** Calls `each` with every token id as the reference reads them: varints of up to six bytes, bits past 31 dropped (`as u32`). */
function forEachTokenId(bytes: Uint8Array, each: (id: number) => void): void {
  for (let i = 0, id = 0, shift = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (shift < 35) id |= (b & 0x7f) << shift;
    if (b & 0x80) {
      shift += 7;
      continue;
    }
    each(id >>> 0);
    id = 0;
    shift = 0;
  }
}
