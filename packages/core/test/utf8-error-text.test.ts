/**
 * utf8ErrorText (wire/bytes.ts) gives the texts of Rust's `Utf8Error` (`core::str::from_utf8`):
 * the offending sequence's start, and how many bytes of it were valid before the bad one.
 */
import { describe, expect, it } from 'vitest';
import { utf8ErrorText } from '../src/wire/bytes.js';

const text = (...bytes: number[]) => utf8ErrorText(Uint8Array.from(bytes));

describe('utf8ErrorText', () => {
  it('names a bad lead byte, an overlong or out-of-range second byte, and a bad later byte', () => {
    expect(text(0x41, 0xff)).toBe('invalid utf-8 sequence of 1 bytes from index 1');
    expect(text(0xc0, 0x80)).toBe('invalid utf-8 sequence of 1 bytes from index 0');
    expect(text(0xe0, 0x80, 0x80)).toBe('invalid utf-8 sequence of 1 bytes from index 0'); // overlong
    expect(text(0xed, 0xa0, 0x80)).toBe('invalid utf-8 sequence of 1 bytes from index 0'); // surrogate
    expect(text(0xf0, 0x8f, 0x80, 0x80)).toBe('invalid utf-8 sequence of 1 bytes from index 0'); // overlong
    expect(text(0xf4, 0x90, 0x80, 0x80)).toBe('invalid utf-8 sequence of 1 bytes from index 0'); // past U+10FFFF
    expect(text(0xe2, 0x82, 0x41)).toBe('invalid utf-8 sequence of 2 bytes from index 0');
    expect(text(0x61, 0xf0, 0x9f, 0x98, 0x41)).toBe('invalid utf-8 sequence of 3 bytes from index 1');
  });

  it('names a sequence cut short by the end', () => {
    expect(text(0xc3)).toBe('incomplete utf-8 byte sequence from index 0');
    expect(text(0x61, 0xe2, 0x82)).toBe('incomplete utf-8 byte sequence from index 1');
    expect(text(0xf0, 0x9f, 0x98)).toBe('incomplete utf-8 byte sequence from index 0');
  });

  it('skips valid sequences of every width before the bad one', () => {
    expect(text(0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0x80)).toBe('invalid utf-8 sequence of 1 bytes from index 9');
  });
});
