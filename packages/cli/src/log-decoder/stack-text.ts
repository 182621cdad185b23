/**
 * Error text that is not JSON: headers (`TypeError: msg`, `Error [ERR_X]: msg`, `CRYPTO_ERROR:
 * msg`, `Error: [CODE] msg`) and stack traces whose causes follow as `caused by:` segments
 * (pino's default serializer, Java-style logs) or `Caused by:` lines (`formatErrorChain`).
 * Everything here scans characters by hand or with anchored patterns that cannot backtrack.
 * @module
 */
import { catalogEntry } from '@m2m/core';
import { LIMITS } from './types.js';

/** A parsed error header. */
export interface ErrorHeader {
  name?: string;
  code?: string;
  message: string;
}

const isIdent = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c === 46;
const CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Splits `[CODE] message` (the form `formatErrorChain` writes) into code and message. */
export function splitCodePrefix(text: string): ErrorHeader {
  if (text.charCodeAt(0) !== 91 /* [ */) return { message: text };
  const close = text.slice(0, 68).indexOf('] ', 1);
  if (close < 0) return { message: text };
  const code = text.slice(1, close);
  return CODE.test(code) ? { code, message: text.slice(close + 2) } : { message: text };
}

/**
 * Parses an error header at `from` in `line`: an identifier that names an error class (ends in
 * `Error` or `Exception`) or is a catalog code, an optional ` [CODE]`, then `: ` and the
 * message (or nothing, when `allowBare`). Returns undefined when the text there is not a header.
 */
export function parseErrorHeader(line: string, from = 0, allowBare = true): ErrorHeader | undefined {
  let i = from;
  const limit = Math.min(line.length, from + 128);
  while (i < limit && isIdent(line.charCodeAt(i))) i++;
  if (i === from) return undefined;
  const name = line.slice(from, i);
  let code: string | undefined;
  if (line.startsWith(' [', i)) {
    const rel = line.slice(i + 2, i + 68).indexOf(']');
    if (rel < 0) return undefined;
    const close = i + 2 + rel;
    code = line.slice(i + 2, close);
    if (!CODE.test(code)) return undefined;
    i = close + 1;
  }
  if (line.charCodeAt(i) !== 58 /* : */) {
    // A name alone (`TypeError`, `Error [ERR_X]`) is an error with an empty message: Node prints
    // `new Error()` so. Only where a header may start a block, not after some other text.
    if (i === line.length && isErrorName(name) && (allowBare || code !== undefined)) return { name, ...(code !== undefined ? { code } : {}), message: '' };
    return undefined;
  }
  if (i + 1 < line.length && line.charCodeAt(i + 1) !== 32) return undefined;
  const rest = line.slice(Math.min(i + 2, line.length));
  if (isErrorName(name)) {
    const inner = splitCodePrefix(rest);
    return { name, code: code ?? inner.code, message: inner.message };
  }
  if (code === undefined && isCatalogCode(name)) return { code: name, message: rest };
  return undefined;
}

function isErrorName(name: string): boolean {
  return name.endsWith('Error') || name.endsWith('Exception');
}

function isCatalogCode(name: string): boolean {
  return name.length > 3 && name === name.toUpperCase() && catalogEntry(name) !== undefined;
}

/**
 * Looks for an error header in the first characters of a line: at its start or after a space
 * (so a timestamp or level prefix may precede it). Returns the header and where it starts.
 */
export function findErrorHeader(line: string): { header: ErrorHeader; at: number } | undefined {
  const limit = Math.min(line.length, LIMITS.maxHeaderOffset);
  let at = 0;
  while (at < line.length && line.charCodeAt(at) === 32) at++;
  const first = at;
  while (at < limit) {
    const header = parseErrorHeader(line, at, at === first);
    if (header) return { header, at };
    const space = line.indexOf(' ', at);
    if (space < 0 || space >= limit) return undefined;
    at = space + 1;
  }
  return undefined;
}

/** True for a stack frame line (`at f (file:1:2)`, `... 3 lines matching cause stack trace ...`, `... 5 more`). */
export function isFrame(trimmed: string): boolean {
  if (trimmed.startsWith('at ')) return true;
  if (!trimmed.startsWith('... ')) return false;
  const c = trimmed.charCodeAt(4);
  return c >= 48 && c <= 57;
}

/** True when a trimmed line opens a cause segment (`caused by: …`, any case). */
export function isCausedBy(trimmed: string): boolean {
  return trimmed.length >= 10 && trimmed.slice(0, 10).toLowerCase() === 'caused by:';
}

/** The header of a cause segment's text (after `caused by:`). */
export function causeHeader(rest: string): ErrorHeader {
  const text = rest.startsWith(' ') ? rest.slice(1) : rest;
  return parseErrorHeader(text) ?? splitCodePrefix(text);
}

/**
 * The links of a stack (or `formatErrorChain`) text: its first header, then one per
 * `caused by:` segment. Lines of the message before the first frame are kept with it.
 */
export function parseStackText(stack: string): ErrorHeader[] {
  const out: ErrorHeader[] = [];
  let framesSeen = false;
  let start = 0;
  while (start <= stack.length && out.length < LIMITS.maxChain) {
    let end = stack.indexOf('\n', start);
    if (end < 0) end = stack.length;
    const line = stack.slice(start, stack.charCodeAt(end - 1) === 13 ? end - 1 : end);
    start = end + 1;
    const trimmed = line.trimStart();
    if (isFrame(trimmed)) {
      framesSeen = true;
    } else if (isCausedBy(trimmed)) {
      out.push(causeHeader(trimmed.slice(10)));
      framesSeen = false;
    } else if (out.length === 0) {
      out.push(parseErrorHeader(trimmed) ?? splitCodePrefix(trimmed));
    } else if (!framesSeen && trimmed) {
      const last = out[out.length - 1];
      if (last.message.length < LIMITS.maxMatchChars) last.message += `\n${line}`;
    }
    if (end === stack.length) break;
  }
  return out;
}

const ISO_TIME = /(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)/;
/** A timestamp in a line's prefix (the text before an error header), when there is one. */
export function timeInPrefix(prefix: string): Date | undefined {
  const m = ISO_TIME.exec(prefix.slice(0, LIMITS.maxHeaderOffset));
  if (!m) return undefined;
  const d = new Date(m[1]);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
