/**
 * The size of a string once written as a JSON string literal, counted without writing it. The
 * reference routes answer decompressed content inside JSON, where a control character becomes a
 * six-byte `\u0000` escape: a 16 MiB answer of NUL bytes was written as 96 MiB of JSON (445 MiB
 * held, seconds of event loop) for a 256 KiB request (server/test/attack-decompress-answer.test.ts).
 * @module
 */

/** Text that JSON writes as it is, one byte a character (printable ASCII but `"` and `\`). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * UTF-8 bytes of `JSON.stringify(text)` without its two quotes: 6 for a control character
 * (2 for `\b \f \n \r \t`) or a lone surrogate, 2 for `"` and `\`, else the character's UTF-8
 * length. Counting stops once past `stopAbove` (the result is then some count above it). One
 * pass, no allocation.
 */
export function jsonStringBytes(text: string, stopAbove = Infinity): number {
  if (PLAIN.test(text)) return text.length;
  let n = 0;
  for (let i = 0; i < text.length && n <= stopAbove; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x80) n += c === 0x22 || c === 0x5c ? 2 : 1;
    else if (c < 0x20) n += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += c >= 0xd800 && c <= 0xdfff ? 6 : 3;
  }
  return n;
}
