/**
 * A linear JSON syntax check that allocates nothing per character and never throws, run before
 * `JSON.parse` on log lines: a failed `JSON.parse` costs 10-20 µs (the SyntaxError it throws),
 * so a log of short broken records (`{}}` lines) took about 5 s per MiB (hrev's probe,
 * packages/cli/test/log-decoder-time.test.ts).
 * @module
 */

const OBJECT = 1;
const ARRAY = 2;

// The text being checked and the read position, module state so the helpers are plain functions.
let s = '';
let n = 0;
let i = 0;
const stack: number[] = [];

function skipSpace(): void {
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
}

function digits(): boolean {
  const start = i;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  return i > start;
}

function string(): boolean {
  i++; // the opening quote
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      i++;
      return true;
    }
    if (c < 32) return false;
    if (c === 92) {
      const e = s.charCodeAt(i + 1);
      if (e === 117 /* u */) {
        if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) return false;
        i += 6;
      } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) i += 2;
      else return false;
    } else i++;
  }
  return false;
}

function number(): boolean {
  if (s.charCodeAt(i) === 45 /* - */) i++;
  if (s.charCodeAt(i) === 48 /* 0 */) i++;
  else if (!digits()) return false;
  if (s.charCodeAt(i) === 46 /* . */) {
    i++;
    if (!digits()) return false;
  }
  const e = s.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = s.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    if (!digits()) return false;
  }
  return true;
}

function literal(word: string): boolean {
  if (!s.startsWith(word, i)) return false;
  i += word.length;
  return true;
}

/** True when `text` is one JSON text (RFC 8259): what `JSON.parse` accepts. */
export function isJsonText(text: string): boolean {
  s = text;
  n = text.length;
  i = 0;
  stack.length = 0;
  try {
    return check();
  } finally {
    s = ''; // the line is not kept past the call
  }
}

function check(): boolean {
  // Each turn reads one value (a scalar, an empty container, or the opening of a container),
  // then, after a whole value, the closers and the comma before the next one.
  for (;;) {
    skipSpace();
    const c = s.charCodeAt(i);
    let opened = false;
    if (c === 123 /* { */ || c === 91 /* [ */) {
      i++;
      skipSpace();
      if (s.charCodeAt(i) === (c === 123 ? 125 : 93)) i++;
      else {
        stack.push(c === 123 ? OBJECT : ARRAY);
        opened = true;
      }
    } else if (c === 34) {
      if (!string()) return false;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      if (!number()) return false;
    } else if (c === 116) {
      if (!literal('true')) return false;
    } else if (c === 102) {
      if (!literal('false')) return false;
    } else if (c === 110) {
      if (!literal('null')) return false;
    } else return false;
    if (!opened) {
      for (;;) {
        skipSpace();
        if (stack.length === 0) return i === n;
        const d = s.charCodeAt(i);
        const top = stack[stack.length - 1];
        i++;
        if (d === 44 /* , */) break;
        if (!((d === 125 && top === OBJECT) || (d === 93 && top === ARRAY))) return false;
        stack.pop();
      }
    }
    // Inside an object the next value is preceded by its key.
    if (stack[stack.length - 1] === OBJECT) {
      skipSpace();
      if (s.charCodeAt(i) !== 34 || !string()) return false;
      skipSpace();
      if (s.charCodeAt(i) !== 58 /* : */) return false;
      i++;
    }
  }
}
