/**
 * Nesting depth without recursion: of JSON text (brackets outside strings) and of free text
 * (brackets, and markup tags), in one pass each.
 * @module
 */

/** Deepest `[`/`{` nesting of JSON text, counting only brackets outside strings; stops past `stopAt`. */
export function jsonDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > stopAt) return max;
      }
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return max;
}

/**
 * Deepest nesting of free text: `(`, `[`, `{` together, `<tag>` … `</tag>` markup, and
 * `>` blockquote markers at a line start. Unmatched closers are ignored.
 */
export function textDepth(text: string): number {
  let brackets = 0;
  let tags = 0;
  let max = 0;
  let quoteRun = 0;
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b || c === 0x7b) {
      if (++brackets > max) max = brackets;
    } else if ((c === 0x29 || c === 0x5d || c === 0x7d) && brackets > 0) brackets--;
    else if (c === 0x3c) {
      const d = text.charCodeAt(i + 1);
      if (d === 0x2f) {
        if (tags > 0) tags--;
      } else if ((d >= 0x41 && d <= 0x5a) || (d >= 0x61 && d <= 0x7a)) {
        if (++tags > max) max = tags;
      }
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x3e && tags > 0) tags--;
    if (c === 0x0a) {
      lineStart = true;
      quoteRun = 0;
      continue;
    }
    if (lineStart && c === 0x3e) {
      if (++quoteRun > max) max = quoteRun;
      continue;
    }
    if (lineStart && c !== 0x20) lineStart = false;
  }
  return max;
}
