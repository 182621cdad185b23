/**
 * Argument parsing on node:util's parseArgs, with typed errors for unknown options.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { M2MError } from '@m2m/core';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

/** Parses `argv` against `options`. @throws M2MError of kind Config with the parser's message. */
export function parse<T extends Options>(argv: string[], options: T): Parsed<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new M2MError('Config', { reason: (e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '') }, { cause: e });
  }
}
