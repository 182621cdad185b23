/**
 * Runs once per `vitest run` (vitest.config.ts `globalSetup`): builds the `m2m` command that
 * spawn tests run and the bomb probe (scripts/test-bin.ts), and hands their paths to the tests
 * as `inject('m2mBin')` and `inject('bombProbe')`.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildBombProbe, buildCliTestBin } from './test-bin.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the bundled `m2m` command: `spawn(process.execPath, [inject('m2mBin'), ...args])`. */
    m2mBin: string;
    /** Path of reliability/lib/bomb-probe.ts bundled: `spawn(process.execPath, [inject('bombProbe'), kase])`. */
    bombProbe: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'm2m-test-bin-'));
  const [m2mBin, bombProbe] = await Promise.all([buildCliTestBin(dir), buildBombProbe(dir)]);
  project.provide('m2mBin', m2mBin);
  project.provide('bombProbe', bombProbe);
  return () => rmSync(dir, { recursive: true, force: true });
}
