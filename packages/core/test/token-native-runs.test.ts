/**
 * TokenNative encoding of long runs (letters, punctuation, whitespace): js-tiktoken's merge is
 * cubic in one piece's length (16 KiB of `a` took 80 s), so runs are encoded in blocks. The text
 * still round-trips exactly, and text without long runs gets the same ids as before.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compress, decompress } from '@m2m/core';
import { tokenizer } from '../src/wire/token-native.js';

/** The ids of a TokenNative text (its base64 varints). */
function idsOf(encoded: string): number[] {
  const bytes = Buffer.from(encoded.slice('#TK|C|'.length), 'base64');
  const ids: number[] = [];
  let v = 0;
  let shift = 0;
  for (const b of bytes) {
    v |= (b & 0x7f) << shift;
    shift += 7;
    if (b < 0x80) {
      ids.push(v >>> 0);
      v = 0;
      shift = 0;
    }
  }
  return ids;
}

describe('TokenNative on long runs', () => {
  // The rank table loads on first use: not inside a timed case.
  beforeAll(() => void tokenizer('cl100k_base').encode('warm'));

  it.each([
    ['letters', 'a'.repeat(16 * 1024)],
    ['two letters', 'ab'.repeat(8 * 1024)],
    ['accented', 'é'.repeat(8 * 1024)],
    ['punctuation', '!'.repeat(16 * 1024)],
    ['spaces', ' '.repeat(16 * 1024)],
    ['astral letters (no split surrogate pair)', 'x𝐀'.repeat(4 * 1024)],
    ['runs inside text', `say ${'q'.repeat(5000)} then ${'-'.repeat(3000)}\n${'\t'.repeat(2000)}done`],
  ])('%s: encodes without hanging and round-trips', (_name, text) => {
    // The hang guard is the test timeout; speed is `pnpm bench codec`, never asserted here.
    const encoded = compress(text, 'tokennative');
    expect(decompress(encoded)).toBe(text);
  }, 8000);

  it('text without long runs gets the ids of a plain encode', () => {
    const text = `{"model":"gpt-4o","messages":[{"role":"user","content":"Hello, wörld! ${'word '.repeat(200)}"}]}`;
    const plain = tokenizer('cl100k_base').encode(text, 'all');
    expect(idsOf(compress(text, 'tokennative'))).toEqual(plain);
  });
});
