/**
 * Characters that render as nothing (zero-width, bidi controls, soft hyphen, variation
 * selectors, tag characters): removed before matching, since attackers put them inside words
 * to split keywords without changing what a reader (or a model) sees.
 * @module
 */

/** Whether code point `c` is invisible formatting. */
export function isInvisible(c: number): boolean {
  return (
    c === 0x00ad || c === 0x034f || c === 0x061c || c === 0x115f || c === 0x1160 || c === 0x17b4 || c === 0x17b5 || c === 0x180e ||
    (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c === 0x3164 || c === 0xfeff ||
    (c >= 0xfe00 && c <= 0xfe0f) || c === 0xffa0 || (c >= 0xe0000 && c <= 0xe007f) || (c >= 0xe0100 && c <= 0xe01ef) || (c >= 0x1bca0 && c <= 0x1bca3)
  );
}

/** Whether `c` is an explicit bidi embedding / override / isolate (the "Trojan Source" controls). */
export function isBidiControl(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/** Whether `c` is a Unicode tag character (U+E0000..U+E007F), which can smuggle hidden ASCII. */
export function isTagChar(c: number): boolean {
  return c >= 0xe0000 && c <= 0xe007f;
}
