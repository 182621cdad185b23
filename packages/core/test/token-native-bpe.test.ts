/**
 * TokenNative's own byte-pair merge (src/wire/token-native-bpe.ts): the same ids as js-tiktoken's
 * `encode(text, 'all')`, and work bounded by the input's size where js-tiktoken's merge is
 * quadratic to cubic in a piece's length (random 60-letter words cost ~55 ms per KiB there).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compress, decompress } from '@m2m/core';
import { tokenizer } from '../src/wire/token-native.js';
import { bpeEncode, bpeEncodeOrdinary, bpeWork } from '../src/wire/token-native-bpe.js';

/** A deterministic generator (mulberry32), so a failure names its input. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomWords(seed: number, bytes: number, wordLength: number, alphabet = 'abcdefghijklmnopqrstuvwxyz'): string {
  const r = rng(seed);
  const words: string[] = [];
  let size = 0;
  while (size < bytes) {
    let w = '';
    for (let i = 0; i < wordLength; i++) w += alphabet[Math.floor(r() * alphabet.length)];
    words.push(w);
    size += w.length + 1;
  }
  return words.join(' ').slice(0, bytes);
}

describe('TokenNative BPE', () => {
  beforeAll(() => void tokenizer('cl100k_base').encode('warm'));

  it.each(['cl100k_base', 'o200k_base'] as const)('%s: the same ids as js-tiktoken on chat JSON, unicode, special tokens and long random words', (name) => {
    const t = tokenizer(name);
    const texts = [
      '',
      'Hello, world!',
      JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Summarise the M2M protocol in one line, naïvely — 東京 😀 ' + 'x'.repeat(40) }] }),
      'a<|endoftext|>b <|fim_prefix|> c',
      'lone \ud800 surrogates \udc00x and a pair \ud83d\ude00',
      '    indented\n\n\tcode();  // 12345678901234567890',
      randomWords(1, 1500, 60),
      randomWords(2, 800, 33, 'aeiouxyzq'),
      randomWords(3, 600, 40, 'ÀéîõüßЖжλ'),
    ];
    for (const text of texts) {
      expect(bpeEncode(t, text), text.slice(0, 40)).toEqual(t.encode(text, 'all'));
      // Token counting's mode: special-token text as ordinary text.
      expect(bpeEncodeOrdinary(t, text), text.slice(0, 40)).toEqual(t.encode(text, [], []));
    }
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })), (text) => {
        expect(bpeEncode(t, text)).toEqual(t.encode(text, 'all'));
      }),
      { numRuns: 150 },
    );
  });

  it('64 KiB of random 60-letter words: rank lookups stay proportional to the input (work counted, not timed)', () => {
    const t = tokenizer('cl100k_base');
    const per = (text: string) => {
      bpeWork.lookups = 0;
      const encoded = compress(text, 'tokennative');
      expect(decompress(encoded)).toBe(text);
      return bpeWork.lookups / text.length;
    };
    // Baseline: short words. Long random words may cost a small constant more per byte, never a
    // factor that grows with the word's length (js-tiktoken's merge makes ~n² lookups per n-letter word).
    const short = per(randomWords(7, 64 * 1024, 5));
    const long60 = per(randomWords(8, 64 * 1024, 60));
    const long64 = per(randomWords(9, 64 * 1024, 64));
    expect(long60).toBeLessThan(4 * short + 4);
    expect(long64).toBeLessThan(4 * short + 4);
    expect(long60).toBeLessThan(12); // lookups per input byte
    // What js-tiktoken's merge would do on one such word: a lookup per pair per merge step.
    bpeWork.lookups = 0;
    const word = randomWords(10, 60, 60);
    bpeEncode(t, word);
    const ours = bpeWork.lookups;
    const pieces = t.encode(word, 'all').length;
    const theirs = ((60 - pieces) * 60) / 2; // at least n/2 pairs scanned in each of (n - tokens) merges
    expect(ours * 5).toBeLessThan(theirs);
  });
});
