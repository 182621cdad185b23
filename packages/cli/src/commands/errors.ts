/**
 * `m2m errors list|explain|decode`.
 * @module
 */
import { errorCatalog, M2MError } from '@m2m/core';
import { explainedCatalog, explainError } from '@m2m/core/explain';
import { parse } from '../args.js';
import { paint, toJson, type Io } from '../io.js';
import { decodeCommand } from './errors-decode.js';
import { explainOtherName } from './explain-other.js';
import { similarCodes } from './similar-codes.js';

/** Runs `errors <sub>`; returns the exit code. */
export function errorsCommand(io: Io, argv: string[]): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, code: { type: 'string', multiple: true }, since: { type: 'string' }, format: { type: 'string' } }, 2);
  const [sub, arg] = positionals;
  if (sub === 'list') {
    if (values.json) io.out(toJson(errorCatalog.map((e) => ({ id: e.id, code: e.code, title: e.title, retryable: e.retryable }))));
    else for (const e of errorCatalog) io.out(`${String(e.id).padEnd(5)} ${e.code.padEnd(32)} ${e.title}`);
    return 0;
  }
  if (sub === 'explain') {
    if (!arg) throw new M2MError('Config', { reason: 'usage: m2m errors explain CODE|ID' });
    let e = explainError(arg.toUpperCase()) ?? explainedCatalog.find((x) => String(x.id) === arg);
    // A CLOSE reason, REJECT code, threat type, reference name or Node system error from a log line.
    const other = e ? undefined : explainOtherName(arg);
    if (other) {
      if (values.json && !other.code) {
        io.out(toJson({ kind: other.kind, name: other.name, text: other.lines.join(' ') }));
        return 0;
      }
      if (!values.json) for (const line of other.lines) io.out(line);
      if (!other.code) return 0;
      e = explainError(other.code);
    }
    if (!e) {
      // An unknown code is a usage error, like any other bad argument (exit 2).
      const near = similarCodes(arg);
      io.err(`unknown error code ${arg}; ${near.length ? `did you mean ${near.join(', ')}? ` : ''}see m2m errors list`);
      return 2;
    }
    if (values.json) io.out(toJson(e));
    else {
      io.out(`${paint(io, 'bold', e.code)} (${e.id}) ${e.errorClass}/${e.kind}${e.reason ? `/${e.reason}` : ''}: ${e.title}`);
      io.out(e.description);
      io.out(`Message: ${e.message}`);
      io.out(`Retryable: ${e.retryable ? 'yes' : 'no'}; HTTP ${e.httpStatus}; category ${e.category}`);
      io.out(`Remedy: ${e.remedy}`);
    }
    return 0;
  }
  if (sub === 'decode') return decodeCommand(io, arg, values);
  throw new M2MError('Config', { reason: 'usage: m2m errors list | explain CODE | decode [FILE|-] [--format auto|json|text] [--json] [--code CODE] [--since 15m|ISO]' });
}
