/**
 * Finds error chains in logs, JSON lines and text alike (`m2m errors decode`): JSON records of
 * this SDK, pino, winston, bunyan and OpenTelemetry (`log-decoder/json-record.ts`); text blocks
 * of `util.inspect`, stack traces and `formatErrorChain` (`log-decoder/text-block.ts`). Links
 * that a logger flattened to text are recovered from the catalog's message templates
 * (`log-decoder/catalog-match.ts`) and marked `inferred`. Cut records are counted, never fatal;
 * every line and block is size-bounded and every scan is linear (`LIMITS`).
 * @module
 */
import { catalogEntry } from '@m2m/core';
import { errorsInRecord } from './log-decoder/json-record.js';
import { stripLinePrefix } from './log-decoder/line-prefix.js';
import { findErrorHeader } from './log-decoder/stack-text.js';
import { TextBlock } from './log-decoder/text-block.js';
import { LIMITS, type ChainLink, type DecodedLog, type DecodeOptions, type FoundError, type RecordFormat } from './log-decoder/types.js';

import { isJsonText } from './log-decoder/json-valid.js';
export type { ChainLink, DecodedLog, DecodeOptions, FoundError, LogFormat, RecordFormat } from './log-decoder/types.js';
export { LIMITS } from './log-decoder/types.js';

/** The catalog's retry advice for the outer code (text shows no instance fields). */
function retryableOf(chain: ChainLink[]): boolean | undefined {
  const code = chain[0]?.code;
  return code && !chain[0].candidates ? catalogEntry(code)?.retryable : undefined;
}

function found(line: number, endLine: number, format: RecordFormat, chain: ChainLink[], extra: { time?: Date; retryable?: boolean; partial?: boolean }): FoundError {
  const codes: string[] = [];
  let inferred = false;
  for (const l of chain) {
    if (l.code && !codes.includes(l.code)) codes.push(l.code);
    if (l.inferred) inferred = true;
  }
  const out: FoundError = { line, endLine, format, code: chain[0]?.code ?? 'UNCODED', codes, chain, inferred };
  if (extra.time) out.time = extra.time;
  if (extra.retryable !== undefined) out.retryable = extra.retryable;
  if (extra.partial) out.partial = true;
  return out;
}

/**
 * Decodes a log's text: every error chain in it, with counts of records, cut records and other
 * lines. Never throws; time and memory grow linearly with the input.
 *
 * @example
 * ```ts
 * const { errors } = decodeLog(readFileSync('app.log', 'utf8'));
 * for (const e of errors) console.log(e.line, e.codes.join(' <- '));
 * ```
 */
export function decodeLog(text: string, options: DecodeOptions = {}): DecodedLog {
  const format = options.format ?? 'auto';
  const json = format !== 'text';
  const textual = format !== 'json';
  const result: DecodedLog = { errors: [], lines: 0, records: 0, partial: 0, other: 0 };
  let block: TextBlock | undefined;
  /** Lines a block holds as a possible multi-line message (see `Offer` in text-block.ts). */
  const held: Array<[number, string]> = [];
  /** The time a collector prefix gave the current line, for a block that starts on it. */
  let lineTime: Date | undefined;

  const closeBlock = (): void => {
    if (!block) return;
    const b = block;
    block = undefined;
    let partial = false;
    for (const e of b.finish()) {
      partial ||= e.partial;
      result.errors.push(found(b.startLine, b.endLine, e.format, e.chain, { time: b.time, partial: e.partial, retryable: retryableOf(e.chain) }));
    }
    if (partial) result.partial++;
  };

  /** A line no open block took: a JSON record (`parsed` when the caller parsed it already), an error header opening a block, or another line. */
  const fresh = (lineNo: number, line: string, parsed: unknown = NOT_PARSED): void => {
    let o = parsed;
    if (o === NOT_PARSED && json && firstChar(line) === 123 /* { */) o = parseJson(line);
    if (o === CUT) {
      result.partial++;
      return;
    }
    if (o !== NOT_PARSED) {
      if (!isRecord(o)) {
        result.other++;
        return;
      }
      result.records++;
      for (const e of errorsInRecord(o)) result.errors.push(found(lineNo, lineNo, e.format, e.chain, e));
      return;
    }
    const start = textual ? findErrorHeader(line) : undefined;
    if (!start) {
      result.other++;
      return;
    }
    closeBlock();
    block = new TextBlock(lineNo, line, start.header, start.at, lineTime);
  };

  /** Held lines were not part of a message after all: each is decoded on its own (read at most twice: linear). */
  const release = (): void => {
    for (const [n, l] of held.splice(0)) fresh(n, l);
  };

  /** One line of text: offered to the open block first, then decoded fresh. */
  const textLine = (lineNo: number, raw: string, parsed: unknown = NOT_PARSED): void => {
    if (isBlank(raw)) {
      if (block && block.offer(lineNo, raw) === 'end') {
        closeBlock();
        release();
      }
      return;
    }
    if (block) {
      const offer = block.offer(lineNo, raw);
      if (offer === 'maybe') {
        held.push([lineNo, raw]);
        return;
      }
      if (offer === 'taken') {
        held.length = 0;
        if (block.complete) closeBlock();
        return;
      }
      if (offer === 'end') closeBlock();
      else if (textual && findErrorHeader(raw)) closeBlock(); // a new error while one is open: the open one was cut
      release();
    }
    fresh(lineNo, raw, parsed);
  };

  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    const raw = text.slice(pos, end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    pos = end + 1;
    if (raw.length > LIMITS.maxLineChars) {
      result.lines++;
      result.partial++;
      continue;
    }
    if (!isBlank(raw)) result.lines++;
    // A collector's prefix on every line (timestamps, CRI, syslog) would hide frames and braces.
    const { body, time } = stripLinePrefix(raw);
    lineTime = time;
    if (json && firstChar(body) === 123 /* { */) {
      const o = parseJson(body);
      const inner = dockerLine(o);
      // Docker's json-file driver wraps each line a container wrote: read the wrapped line
      // (JSON inside it is parsed, not unwrapped again) so multi-line blocks stay whole.
      if (inner !== undefined) textLine(lineNo, inner);
      else textLine(lineNo, body, o);
    } else textLine(lineNo, body);
  }
  closeBlock();
  release();
  result.errors.sort((a, b) => a.line - b.line);
  return result;
}

const NOT_PARSED = Symbol('not parsed');
const CUT = Symbol('cut');

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

function firstChar(line: string): number {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  return line.charCodeAt(i);
}

function parseJson(line: string): unknown {
  // Checked first: a JSON.parse that fails costs 10-20 µs (its SyntaxError), 5 s per MiB of `{}}` lines.
  if (!isJsonText(line)) return CUT;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return CUT;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The line inside a Docker json-file record (`{"log":"…\n","stream":"stderr","time":…}`), if `o` is one. */
function dockerLine(o: unknown): string | undefined {
  if (!isRecord(o) || typeof o.log !== 'string' || typeof o.stream !== 'string') return undefined;
  const log = o.log;
  return log.endsWith('\r\n') ? log.slice(0, -2) : log.endsWith('\n') ? log.slice(0, -1) : log;
}

/** Parses `--since`: an ISO date or a duration back from `now` (`90s`, `15m`, `2h`, `7d`). */
export function parseSince(value: string, now = Date.now()): Date | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (m) {
    const unit = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 'ms'];
    return new Date(now - Number(m[1]) * unit);
  }
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
