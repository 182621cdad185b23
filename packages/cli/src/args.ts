/**
 * Argument parsing on node:util's parseArgs, with typed errors for unknown options.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { M2MError } from '@m2m/core';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

/**
 * Parses `argv` against `options`. A command that reads at most `maxPositionals` arguments refuses
 * more, so `m2m analyze a.json b.json` is a usage error, not a silent analysis of the text "a.json".
 * @throws M2MError of kind Config with the parser's message (an unknown option named plainly), or
 *   naming the first extra argument.
 */
export function parse<T extends Options>(argv: string[], options: T, maxPositionals = Infinity): Parsed<T> {
  let parsed: Parsed<T>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    // node:util's text is the whole story: no cause (it printed the same line twice). Its text for
    // an unknown option ends in advice with an unbalanced quote; say it plainly instead.
    const code = (e as { code?: string }).code;
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '([^']*)'/.exec((e as Error).message) : null;
    const reason = unknown ? `unknown option ${unknown[1]} (--help lists the options; a value that starts with - goes after --)` : (e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '');
    throw new M2MError('Config', { reason });
  }
  const extra = parsed.positionals[maxPositionals];
  if (extra !== undefined) {
    const allowed = maxPositionals === 0 ? 'no arguments besides options' : `at most ${maxPositionals} argument${maxPositionals === 1 ? '' : 's'} besides options`;
    throw new M2MError('Config', { reason: `unexpected argument '${extra.slice(0, 80)}': this command takes ${allowed}` });
  }
  return parsed;
}
