/**
 * Text → the scanner's words. Undoes what attackers do to slip past keyword filters: Unicode
 * compatibility forms and diacritics (NFKD, marks dropped), lookalike letters (./confusables.ts),
 * invisible characters (./invisible.ts), case and camelCase, leetspeak, letters spaced or
 * punctuated apart ("i g n o r e", "i.g.n.o.r.e"), words split ("ign ore") or run together
 * ("ignoreallprevious"). Every step is a single pass: time is linear in the text.
 * @module
 */
import { CONFUSABLES } from './confusables.js';
import { isInvisible } from './invisible.js';
import type { WordTrie } from './segmenter.js';
import type { Unscrambler } from './typoglycemia.js';

/** The words of every segment, in order, with per-word facts the rules use. */
export interface WordStream {
  words: string[];
  /** Index of the segment each word came from. */
  segment: number[];
  /** 1 when the word sat inside quotes or backticks. */
  quoted: number[];
  /** Sentence number of each word (a sentence ends at . ! ? ; : or a line break). */
  sentence: number[];
}

/** Creates an empty stream. */
export function emptyStream(): WordStream {
  return { words: [], segment: [], quoted: [], sentence: [] };
}

const MAX_MARK_RUN = 8;
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '|': 'l', '!': 'i', '+': 't', '€': 'e', '¡': 'i' };
const LEET_SYMBOLS = new Set(['@', '$', '|', '!', '+', '€', '¡']);

function isMark(c: number): boolean {
  return (c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe20 && c <= 0xfe2f);
}

/**
 * Keeps at most a few combining marks per base character. Unicode normalisation reorders
 * a run of marks with an insertion sort (quadratic: 64 Ki alternating marks take seconds in
 * V8/ICU), so long runs are cut before `normalize` sees them.
 */
export function capCombiningRuns(text: string): string {
  const re = /\p{M}{9,}/gu;
  if (!re.test(text)) return text;
  re.lastIndex = 0;
  return text.replace(re, (run) => Array.from(run.slice(0, 2 * MAX_MARK_RUN)).slice(0, MAX_MARK_RUN).join(''));
}

const URL_STOP = new Set([' ', '\t', '\n', '\r', '"', "'", '`', ')', ']', '>', '}']);
const EMAIL_LOCAL = /[A-Za-z0-9._%+-]/;
const EMAIL_DOMAIN = /[A-Za-z0-9.-]/;

/**
 * Replaces each URL with the word `url` and each e-mail address with `emailaddress`, so the
 * parts of an address do not count as words between a verb and its object. Hand-written
 * scans (bounded per candidate) instead of one regular expression, which would backtrack
 * on the dots of a long domain.
 */
export function collapseAddresses(text: string): string {
  if (!text.includes('://') && !text.includes('@') && !text.includes('www.')) return text;
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ((c === 'h' || c === 'H') && (text.startsWith('://', i + 4) || text.startsWith('://', i + 5)) && /^https?:\/\//i.test(text.slice(i, i + 8))) {
      let j = i;
      while (j < text.length && !URL_STOP.has(text[j]) && j - i < 4096) j++;
      out += text.slice(last, i) + ' url ';
      last = j;
      i = j - 1;
    } else if (c === 'w' && text.startsWith('www.', i) && (i === 0 || /\s/.test(text[i - 1]))) {
      let j = i;
      while (j < text.length && !URL_STOP.has(text[j]) && j - i < 4096) j++;
      out += text.slice(last, i) + ' url ';
      last = j;
      i = j - 1;
    } else if (c === '@' && i > last) {
      let a = i;
      while (a > last && i - a < 64 && EMAIL_LOCAL.test(text[a - 1])) a--;
      let b = i + 1;
      while (b < text.length && b - i < 255 && EMAIL_DOMAIN.test(text[b])) b++;
      while (b > i + 1 && text[b - 1] === '.') b--; // a sentence's full stop is not part of the domain
      const dot = text.lastIndexOf('.', b - 1);
      if (a < i && dot > i + 1 && b - dot > 2) {
        out += text.slice(last, a) + ' emailaddress ';
        last = b;
        i = b - 1;
      }
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

function isQuote(c: number): boolean {
  return c === 0x22 || c === 0x60 || c === 0x201c || c === 0x201d || c === 0xab || c === 0xbb || c === 0x300c || c === 0x300d;
}

/**
 * Appends the words of `text` (segment number `segment`) to `out`, and returns the folded
 * text (letters, digits and spaces) for detectors.
 */
export function normalizeInto(text: string, segment: number, out: WordStream, lexicon: ReadonlySet<string>, trie: WordTrie, unscrambler?: Unscrambler): string {
  const s = collapseAddresses(capCombiningRuns(text)).normalize('NFKD');
  const raw: string[] = [];
  const quotedFlags: number[] = [];
  const sentences: number[] = [];
  let sentence = out.sentence.length ? out.sentence[out.sentence.length - 1] + 1 : 0;
  let word = '';
  // A run of plain lower-case ASCII letters is sliced out of `s` at once (`wordStart`), the
  // common case; any other character switches the word to character-by-character building.
  let wordStart = -1;
  let leet = false;
  let inQuote = false;
  let prevLower = false;
  let prevLetter = false;
  const flush = (end: number): void => {
    if (wordStart >= 0) word = s.slice(wordStart, end);
    wordStart = -1;
    if (word) {
      raw.push(leet ? unleet(word, lexicon) : word);
      quotedFlags.push(inQuote ? 1 : 0);
      sentences.push(sentence);
    }
    word = '';
    leet = false;
  };
  const materialize = (end: number): void => {
    if (wordStart >= 0) {
      word = s.slice(wordStart, end);
      wordStart = -1;
    }
  };
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    // Fast path: ASCII lower-case letters are most of any text.
    if (c >= 0x61 && c <= 0x7a) {
      if (wordStart < 0 && word === '') wordStart = i;
      else if (wordStart < 0) word += s[i];
      prevLower = prevLetter = true;
      continue;
    }
    const at = i;
    if (c === 0x20) {
      // A space (the commonest separator) only ends the word.
      flush(at);
      prevLower = prevLetter = false;
      continue;
    }
    materialize(at);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
      }
    }
    if (c >= 0x80 && (isInvisible(c) || isMark(c))) continue;
    let ch: string;
    const folded = c < 0x80 ? undefined : CONFUSABLES.get(c);
    if (folded !== undefined) ch = folded;
    else if (c < 0x80) ch = s[i];
    else ch = String.fromCodePoint(c).toLowerCase();
    const upper = c >= 0x41 && c <= 0x5a;
    if (upper) {
      // camelCase boundary: "IgnorePrevious" reads as two words.
      if (prevLower) flush(at);
      ch = ch.toLowerCase();
    }
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 0x61 && code <= 0x7a) {
      word += ch;
      prevLower = !upper;
      prevLetter = true;
      continue;
    }
    if (ch.length > 1 && /^[a-z]+$/.test(ch)) {
      word += ch;
      prevLower = true;
      prevLetter = true;
      continue;
    }
    if ((code >= 0x30 && code <= 0x39) || LEET_SYMBOLS.has(ch)) {
      // A leet symbol ends a word when nothing letter-like follows ("now!").
      if (LEET_SYMBOLS.has(ch) && !(i + 1 < s.length && /[A-Za-z0-9]/.test(s[i + 1]))) {
        flush(at);
        prevLower = prevLetter = false;
        continue;
      }
      word += ch;
      leet = true;
      prevLower = false;
      continue;
    }
    if ((c === 0x27 || c === 0x2019 || c === 0x2bc) && prevLetter && i + 1 < s.length && /[A-Za-z]/.test(s[i + 1])) continue; // don't → dont
    flush(at);
    if (isQuote(c)) inQuote = !inQuote;
    else if (c === 0x2e || c === 0x21 || c === 0x3f || c === 0x3b || c === 0x3a || c === 0x0a) sentence++;
    prevLower = prevLetter = false;
  }
  flush(s.length);
  const before = out.words.length;
  rejoin(raw, quotedFlags, sentences, lexicon, trie, unscrambler, out, segment);
  return out.words.slice(before).join(' ');
}

function unleet(token: string, lexicon: ReadonlySet<string>): string {
  const number = !/[a-z]/.test(token) && !/[@$|!€]/.test(token);
  let a = '';
  let b = '';
  for (const ch of token) {
    a += LEET[ch] ?? ch;
    b += ch === '1' ? 'l' : (LEET[ch] ?? ch);
  }
  // A number stays a number unless it spells a word the rules know ("537" → "set").
  if (lexicon.has(a) && (!number || a.length >= 3)) return a;
  if (lexicon.has(b) && (!number || b.length >= 3)) return b;
  return !number && a.length >= 4 ? a : token;
}

const MAX_SEGMENT = 256;

/** Merges letter-by-letter runs and split fragments, and splits run-together words. */
function rejoin(raw: string[], quoted: number[], sentences: number[], lexicon: ReadonlySet<string>, trie: WordTrie, unscrambler: Unscrambler | undefined, out: WordStream, segment: number): void {
  const words = out.words;
  const q = out.quoted;
  const sn = out.sentence;
  const sg = out.segment;
  let cur = 0;
  // Runs of single letters are joined and segmented once each. Retrying one that does not
  // segment from each of its letters in turn (as this did) costs a run's length per letter:
  // 200 KB of `"a":"b",` took 17 s (hrev's probe, packages/core/test/scan-time.test.ts).
  let skipRunsBefore = 0;
  const push = (w: string, f: number): void => {
    if (w.length >= 8 && !lexicon.has(w) && /^[a-z]+$/.test(w)) {
      for (let off = 0; off < w.length; off += MAX_SEGMENT) {
        const chunk = w.slice(off, off + MAX_SEGMENT);
        const parts = trie.segment(chunk, 0);
        for (const p of parts ?? [unscrambler?.unscramble(chunk) ?? chunk]) {
          words.push(p);
          q.push(f);
          sn.push(cur);
          sg.push(segment);
        }
      }
      return;
    }
    words.push(unscrambler && !lexicon.has(w) ? (unscrambler.unscramble(w) ?? w) : w);
    q.push(f);
    sn.push(cur);
    sg.push(segment);
  };
  for (let i = 0; i < raw.length; i++) {
    const w = raw[i];
    cur = sentences[i];
    // Letters typed apart: "i g n o r e" (three or more single letters in a row).
    if (i >= skipRunsBefore && w.length === 1 && i + 2 < raw.length && raw[i + 1].length === 1 && raw[i + 2].length === 1) {
      let j = i;
      let joined = '';
      while (j < raw.length && raw[j].length === 1 && joined.length < 4096) joined += raw[j++];
      if (/^[a-z]+$/.test(joined)) {
        const parts = trie.segment(joined.slice(0, MAX_SEGMENT * 16), 0.5);
        if (parts) {
          for (const p of parts) {
            words.push(p);
            q.push(quoted[i]);
            sn.push(cur);
            sg.push(segment);
          }
          i = j - 1;
          continue;
        }
        // Too many leftover letters for the whole run: keep the words found inside it (what a
        // retry from a later letter would have found) and the other letters one by one.
        const inner = trie.segment(joined.slice(0, MAX_SEGMENT * 16), 1);
        if (inner) {
          let k = i;
          for (const p of inner) {
            if (lexicon.has(p)) {
              push(p, quoted[k]);
              k += p.length;
            } else for (const letter of p) push(letter, quoted[k++]);
          }
          i = j - 1;
          continue;
        }
        // No word anywhere in the run, so none in any part of it.
        skipRunsBefore = j;
      } else {
        // Every run starting at or before the last non-letter holds it too (one letter a token).
        let last = 0;
        for (let k = 0; k < joined.length; k++) if (!/[a-z]/.test(joined[k])) last = k;
        skipRunsBefore = i + last + 1;
      }
    }
    // A word split in two or three ("ign ore", "in struc tions").
    if (w.length <= 6 && i + 1 < raw.length && raw[i + 1].length <= 8 && !lexicon.has(w)) {
      const two = w + raw[i + 1];
      if (lexicon.has(two) && two.length >= 4) {
        push(two, quoted[i]);
        i += 1;
        continue;
      }
      if (i + 2 < raw.length && raw[i + 2].length <= 8) {
        const three = two + raw[i + 2];
        if (lexicon.has(three) && three.length >= 6) {
          push(three, quoted[i]);
          i += 2;
          continue;
        }
      }
    }
    push(w, quoted[i]);
  }
}
