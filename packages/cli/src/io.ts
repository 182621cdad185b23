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

/**
 * All of stdin. On a terminal it first says how to end the input: `m2m errors decode` with no
 * FILE, or `-`, would otherwise sit silent and look hung.
 */
export function readStdin(stdin: { isTTY?: boolean }, err: (line: string) => void, read: () => string): string {
  if (stdin.isTTY) err('reading stdin: type or paste, then Ctrl-D on a line of its own (or give a FILE / @FILE instead)');
  return read();
}

/** The process's streams. */
export const processIo: Io = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  stdin: () => readStdin(process.stdin, (l) => process.stderr.write(`${l}\n`), () => readFileSync(0, 'utf8')),
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

/** What a terminal acts on: C0 controls but tab and line feed, DEL, C1 controls, bidirectional overrides. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a peer (or anyone else), made safe to print on a terminal: each control character a
 * terminal would act on (ESC sequences that clear the screen, set the title or write the
 * clipboard, CR that rewrites a line, C1's CSI, bidirectional overrides) becomes a visible
 * `\uXXXX`. Within JSON text this is the same JSON value (controls are only legal in strings,
 * where `\uXXXX` means the same character). Line feeds and tabs stay. Never throws.
 * @example `terminalSafe('a\u001b[2J')` → `'a\\u001b[2J'`
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
