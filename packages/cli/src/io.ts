/**
 * CLI input and output: reading an argument, `@file` or `-` (stdin), writing results, colour
 * only on a terminal (and never with NO_COLOR), progress lines on stderr.
 * @module
 */
import { readFileSync } from 'node:fs';
import { M2MError } from '@m2m/core';

/** Where a command writes. Tests pass their own. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Whole stdin (only read when a command asks for `-`). */
  stdin(): string;
  /** Stdin as a stream, read line by line by `connect` (default: process.stdin). */
  stdinStream?(): NodeJS.ReadableStream;
  color: boolean;
}

/** The process's streams. */
export const processIo: Io = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  stdin: () => readFileSync(0, 'utf8'),
  stdinStream: () => process.stdin,
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
};

/** `value`, the contents of `@path`, or stdin for `-`. @throws M2MError Io / Config. */
export function readInput(io: Io, value: string | undefined, what: string): string {
  if (value === undefined) throw new M2MError('Config', { reason: `missing ${what} (give it, @file, or - for stdin)` });
  if (value === '-') return io.stdin();
  if (value.startsWith('@')) {
    try {
      return readFileSync(value.slice(1), 'utf8');
    } catch (e) {
      throw new M2MError('Io', { reason: `cannot read ${value.slice(1)}: ${(e as Error).message}` }, { cause: e });
    }
  }
  return value;
}

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1, cyan: 36 } as const;
/** Wraps text in an ANSI style when colour is on. */
export function paint(io: Io, style: keyof typeof CODES, text: string): string {
  return io.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}

/** JSON with bytes as hex. */
export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : typeof x === 'bigint' ? x.toString() : x), 2);
}
