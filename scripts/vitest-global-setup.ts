/**
 * Runs once per `vitest run` (vitest.config.ts `globalSetup`): builds the `m2m` command that
 * spawn tests run (scripts/test-bin.ts) and hands its path to them as `inject('m2mBin')`.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildCliTestBin } from './test-bin.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the bundled `m2m` command: `spawn(process.execPath, [inject('m2mBin'), ...args])`. */
    m2mBin: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'm2m-test-bin-'));
  project.provide('m2mBin', await buildCliTestBin(dir));
  return () => rmSync(dir, { recursive: true, force: true });
}
