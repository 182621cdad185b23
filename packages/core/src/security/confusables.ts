/**
 * Lookalike letters folded to the Latin letter they imitate, for matching only. NFKD already
 * folds fullwidth, mathematical and circled letters; this covers the Cyrillic, Greek and other
 * letters that Unicode keeps distinct but that render like Latin ones (a subset of Unicode's
 * confusables table, chosen for the letters attackers use to dodge keyword filters).
 * @module
 */

const PAIRS: ReadonlyArray<readonly [string, string]> = [
  // Cyrillic, lower and upper case.
  ['аАɑα', 'a'], ['вВʙ', 'b'], ['сСϲς', 'c'], ['ԁ', 'd'], ['еЕёЁєЄεΕ', 'e'], ['һҺ', 'h'], ['іІїЇιΙӏ', 'i'], ['јЈϳ', 'j'],
  ['кКκΚ', 'k'], ['мМΜ', 'm'], ['нНηΗ', 'h'], ['оОοΟσ', 'o'], ['рРρΡ', 'p'], ['ԛ', 'q'], ['ѕЅ', 's'], ['тТτΤ', 't'],
  ['уУγυ', 'y'], ['хХχΧ', 'x'], ['ԝ', 'w'], ['ν', 'v'], ['ΒβЬь', 'b'], ['ΝпП', 'n'], ['Ζ', 'z'], ['ɡ', 'g'], ['ɩ', 'i'],
  ['ʀ', 'r'], ['ꜱ', 's'], ['ᴀ', 'a'], ['ᴄ', 'c'], ['ᴅ', 'd'], ['ᴇ', 'e'], ['ɢ', 'g'], ['ʜ', 'h'], ['ɪ', 'i'], ['ᴊ', 'j'],
  ['ᴋ', 'k'], ['ʟ', 'l'], ['ᴍ', 'm'], ['ɴ', 'n'], ['ᴏ', 'o'], ['ᴘ', 'p'], ['ᴛ', 't'], ['ᴜ', 'u'], ['ᴠ', 'v'], ['ᴡ', 'w'], ['ʏ', 'y'], ['ᴢ', 'z'],
  ['ⅼ', 'l'], ['ı', 'i'], ['ȷ', 'j'], ['ø', 'o'], ['đ', 'd'], ['ł', 'l'], ['ß', 's'], ['æ', 'ae'], ['œ', 'oe'],
];

/** Code point → folded Latin text. */
export const CONFUSABLES: ReadonlyMap<number, string> = (() => {
  const m = new Map<number, string>();
  for (const [chars, latin] of PAIRS) for (const ch of chars) m.set(ch.codePointAt(0) as number, latin);
  return m;
})();
