/**
 * What `m2m --version` tells a new user: the version of the installed package.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

const run = async (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: () => '', color: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('m2m --version', () => {
  const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V', 'version']) {
    it(`${flag} prints the package version and exits 0`, async () => {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`m2m ${version}`);
      expect(r.err).toBe('');
    });
  }
});
