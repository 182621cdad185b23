/**
 * `m2m errors list|explain|decode`.
 * @module
 */
import { catalogEntry, errorCatalog, M2MError } from '@m2m/core';
import { parse } from '../args.js';
import { paint, readInput, toJson, type Io } from '../io.js';
import { decodeLog, parseSince } from '../log-decoder.js';

/** Runs `errors <sub>`; returns the exit code. */
export function errorsCommand(io: Io, argv: string[]): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, code: { type: 'string', multiple: true }, since: { type: 'string' } });
  const [sub, arg] = positionals;
  if (sub === 'list') {
    if (values.json) io.out(toJson(errorCatalog.map((e) => ({ id: e.id, code: e.code, title: e.title, retryable: e.retryable }))));
    else for (const e of errorCatalog) io.out(`${String(e.id).padEnd(5)} ${e.code.padEnd(32)} ${e.title}`);
    return 0;
  }
  if (sub === 'explain') {
    if (!arg) throw new M2MError('Config', { reason: 'usage: m2m errors explain CODE|ID' });
    const e = catalogEntry(arg.toUpperCase()) ?? errorCatalog.find((x) => String(x.id) === arg);
    if (!e) {
      // An unknown code is a usage error, like any other bad argument (exit 2).
      io.err(`unknown error code ${arg}; see m2m errors list`);
      return 2;
    }
    if (values.json) io.out(toJson(e));
    else {
      io.out(`${paint(io, 'bold', e.code)} (${e.id}) ${e.errorClass}/${e.kind}${e.reason ? `/${e.reason}` : ''}: ${e.title}`);
      io.out(e.description);
      io.out(`Retryable: ${e.retryable ? 'yes' : 'no'}; HTTP ${e.httpStatus}; category ${e.category}`);
      io.out(`Remedy: ${e.remedy}`);
    }
    return 0;
  }
  if (sub === 'decode') {
    // A log is a file (or stdin), never literal text.
    const text = readInput(io, arg === undefined || arg === '-' || arg.startsWith('@') ? (arg ?? '-') : `@${arg}`, 'log');
    const since = values.since !== undefined ? parseSince(values.since) : undefined;
    if (values.since !== undefined && !since) throw new M2MError('Config', { reason: `--since takes an ISO date or a duration like 15m, not ${values.since}` });
    const codes = values.code?.map((c) => c.toUpperCase());
    const log = decodeLog(text);
    const shown = log.errors.filter((e) => (!codes || codes.includes(e.code)) && (!since || (e.time !== undefined && e.time >= since)));
    const counts = new Map<string, number>();
    for (const e of shown) counts.set(e.code, (counts.get(e.code) ?? 0) + 1);
    if (values.json) {
      for (const e of shown) io.out(JSON.stringify({ line: e.line, time: e.time?.toISOString(), code: e.code, retryable: e.retryable, chain: e.chain }));
      io.out(JSON.stringify({ summary: { errors: shown.length, byCode: Object.fromEntries(counts), linesRead: log.lines, linesSkipped: log.skipped } }));
      return 0;
    }
    for (const e of shown) {
      const when = e.time ? e.time.toISOString() : `line ${e.line}`;
      const retry = e.retryable === undefined ? '' : e.retryable ? paint(io, 'yellow', ' retryable') : paint(io, 'dim', ' not retryable');
      io.out(`${paint(io, 'dim', when)} ${paint(io, 'red', e.code)}${retry}`);
      e.chain.forEach((c, i) => io.out(i === 0 ? `  ${c.message}` : paint(io, 'dim', `  Caused by: ${c.code ? `[${c.code}] ` : ''}${c.message}`)));
    }
    const byCode = [...counts].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ×${n}`).join(', ');
    io.out(`${shown.length} error${shown.length === 1 ? '' : 's'}${byCode ? `: ${byCode}` : ''}; ${log.lines} lines read, ${log.skipped} skipped (not JSON or cut off)`);
    return 0;
  }
  throw new M2MError('Config', { reason: 'usage: m2m errors list | explain CODE | decode [FILE|-] [--json] [--code CODE] [--since 15m|ISO]' });
}
