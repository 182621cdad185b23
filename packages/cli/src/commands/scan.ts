/**
 * `m2m scan`: the security scanner on text, a file (read as bytes, so invalid UTF-8 is seen)
 * or stdin. Exit code 1 when the result says block, 0 otherwise.
 * @module
 */
import { readFileSync } from 'node:fs';
import { M2MError } from '@m2m/core';
import { scan, type ScanInput } from '@m2m/core/scan';
import { parse } from '../args.js';
import { paint, readInput, type Io } from '../io.js';

const USAGE = 'usage: m2m scan TEXT|@file|- [--json] [--threshold 0..1]';

/** Runs `scan`; returns the exit code (1 when blocked). @throws M2MError CONFIG_ERROR / IO_ERROR. */
export function scanCommand(io: Io, argv: string[]): number {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, threshold: { type: 'string', short: 't' } }, 1);
  if (positionals.length !== 1) throw new M2MError('Config', { reason: USAGE });
  const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new M2MError('Config', { reason: `--threshold takes a number from 0 to 1, not ${values.threshold}` });
  const arg = positionals[0];
  let input: ScanInput;
  if (arg.startsWith('@')) {
    try {
      input = new Uint8Array(readFileSync(arg.slice(1)));
    } catch (e) {
      throw new M2MError('Io', { reason: `cannot read ${arg.slice(1)}: ${(e as Error).message}` }, { cause: e });
    }
  } else input = readInput(io, arg, 'text to scan');
  const result = scan(input, { threshold });
  if (values.json) {
    // The reference CLI's JSON shape (snake_case should_block), with our threat fields.
    io.out(JSON.stringify({ safe: result.safe, confidence: result.confidence, should_block: result.shouldBlock, threats: result.threats }, null, 2));
    return result.shouldBlock ? 1 : 0;
  }
  if (result.safe) io.out(`${paint(io, 'green', 'SAFE')} (confidence: ${result.confidence.toFixed(2)})`);
  else {
    io.out(`${paint(io, 'red', 'UNSAFE')} (confidence: ${result.confidence.toFixed(2)})`);
    io.out('');
    io.out('Detected threats:');
    for (const t of result.threats) {
      io.out(`  - ${t.name} (${t.category}, ${t.severity}) confidence: ${t.confidence.toFixed(2)}`);
      io.out(paint(io, 'dim', `    ${t.description}`));
    }
  }
  if (result.shouldBlock) {
    io.out('');
    io.out(paint(io, 'red', `BLOCKED: confidence ${result.confidence.toFixed(2)} reaches the threshold ${(threshold ?? 0.8).toFixed(2)}`));
    return 1;
  }
  return 0;
}
