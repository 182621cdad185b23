/**
 * `m2m errors decode`: the error chains of a log, per error with its inferred links marked,
 * filtered by any code of the chain and by time, then counts per code.
 * @module
 */
import { M2MError } from '@m2m/core';
import { paint, readInput, terminalSafe, type Io } from '../io.js';
import { decodeLog, parseSince, type ChainLink, type FoundError, type LogFormat } from '../log-decoder.js';
import { isCatalogCode, similarCodes } from './similar-codes.js';

/** The options `errors decode` reads. */
export interface DecodeValues {
  json?: boolean;
  code?: string[];
  since?: string;
  format?: string;
}

const FORMATS: readonly LogFormat[] = ['auto', 'json', 'text'];

function codeLabel(l: ChainLink): string {
  if (l.candidates) return `[${l.candidates.join('|')}] `;
  return l.code ? `[${l.code}] ` : '';
}

/** A link as text; an inferred link says so. The outer link's code is on the line above, unless ambiguous. */
function linkText(io: Io, l: ChainLink, outer: boolean): string {
  const name = l.name && !l.code ? `${l.name}: ` : '';
  const label = outer && !l.candidates ? '' : codeLabel(l);
  // Everything here came from the log, which may hold a peer's text: never raw on a terminal.
  const text = terminalSafe(`${label}${name}${l.message || (l.name ? `[${l.name}]` : '(no message)')}`);
  return l.inferred ? `${text} ${paint(io, 'cyan', '(inferred from the message)')}` : text;
}

function jsonOf(e: FoundError): string {
  return JSON.stringify({
    line: e.line,
    ...(e.endLine !== e.line ? { endLine: e.endLine } : {}),
    time: e.time?.toISOString(),
    format: e.format,
    code: e.code,
    codes: e.codes,
    retryable: e.retryable,
    inferred: e.inferred,
    ...(e.partial ? { partial: true } : {}),
    chain: e.chain,
  });
}

/**
 * Runs `errors decode FILE|-`; returns the exit code.
 * @throws M2MError Config for a bad `--format` or `--since`; Io when the file cannot be read.
 */
export function decodeCommand(io: Io, arg: string | undefined, values: DecodeValues): number {
  const format = (values.format ?? 'auto').toLowerCase() as LogFormat;
  if (!FORMATS.includes(format)) throw new M2MError('Config', { reason: `--format takes auto, json or text, not ${values.format}` });
  const since = values.since !== undefined ? parseSince(values.since) : undefined;
  if (values.since !== undefined && !since) throw new M2MError('Config', { reason: `--since takes an ISO date or a duration like 15m, not ${values.since}` });
  // A log is a file (or stdin), never literal text.
  const text = readInput(io, arg === undefined || arg === '-' || arg.startsWith('@') ? (arg ?? '-') : `@${arg}`, 'log');
  const codes = values.code?.map((c) => c.toUpperCase());
  const log = decodeLog(text, { format });
  // --code matches any link of the chain: the cause is usually the code worth searching for.
  const wanted = (e: FoundError) => !codes || e.codes.some((c) => codes.includes(c)) || e.chain.some((l) => l.candidates?.some((c) => codes.includes(c)));
  const shown = log.errors.filter((e) => wanted(e) && (!since || (e.time !== undefined && e.time >= since)));
  // A mistyped --code finds nothing and reads like a clean log: say so (codes from outside the
  // catalog, such as ECONNRESET, are fine when the log has them).
  for (const c of codes ?? []) {
    if (isCatalogCode(c) || log.errors.some((e) => e.codes.includes(c))) continue;
    const near = similarCodes(c);
    io.err(`note: --code ${c} is no m2m error code${near.length ? `; did you mean ${near.join(', ')}?` : ' (m2m errors list)'}`);
  }
  const counts = new Map<string, number>();
  for (const e of shown) counts.set(e.code, (counts.get(e.code) ?? 0) + 1);
  const inferred = shown.filter((e) => e.inferred).length;
  if (values.json) {
    for (const e of shown) io.out(jsonOf(e));
    io.out(JSON.stringify({ summary: { errors: shown.length, withInferredLinks: inferred, byCode: Object.fromEntries(counts), linesRead: log.lines, records: log.records, partial: log.partial, otherLines: log.other } }));
    return 0;
  }
  for (const e of shown) {
    const where = e.endLine !== e.line ? `lines ${e.line}-${e.endLine}` : `line ${e.line}`;
    const when = e.time ? `${e.time.toISOString()} ${where}` : where;
    const retry = e.retryable === undefined ? '' : e.retryable ? paint(io, 'yellow', ' retryable') : paint(io, 'dim', ' not retryable');
    const cut = e.partial ? paint(io, 'yellow', ' (cut off: links may be missing)') : '';
    const ambiguous = e.chain[0]?.candidates ? paint(io, 'dim', ` (or another of ${e.chain[0].candidates.length} codes with this message)`) : '';
    io.out(`${paint(io, 'dim', when)} ${paint(io, 'red', terminalSafe(e.code))}${ambiguous}${retry} ${paint(io, 'dim', `[${e.format}]`)}${cut}`);
    e.chain.forEach((l, i) => io.out(i === 0 ? `  ${linkText(io, l, true)}` : paint(io, 'dim', `  Caused by: ${linkText(io, l, false)}`)));
  }
  const byCode = terminalSafe([...counts].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ×${n}`).join(', '));
  io.out(
    `${shown.length} error${shown.length === 1 ? '' : 's'}${byCode ? `: ${byCode}` : ''}; ${inferred} with links inferred from catalog messages; ` +
      `${log.lines} lines read, ${log.records} JSON records, ${log.partial} cut or partial, ${log.other} other lines`,
  );
  return 0;
}
