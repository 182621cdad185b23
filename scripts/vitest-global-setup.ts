/**
 * Runs once per `vitest run` (vitest.config.ts `globalSetup`): builds the `m2m` command that
 * spawn tests run, the bomb probe, the conformance runner and the examples (scripts/test-bin.ts),
 * and hands their paths to the tests as `inject('m2mBin')`, `inject('bombProbe')` and
 * `inject('programs')[file]`.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildBombProbe, buildCliTestBin, buildProgram } from './test-bin.js';

/** The other programs tests spawn. */
const PROGRAMS = ['scripts/conformance.ts', 'examples/demo.ts', 'examples/node-agent-ws.ts', 'examples/route-by-header.ts', 'examples/pino-errors.ts', 'examples/rust-peer.ts', 'packages/session/test/fixtures/secure-server.ts'];

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the bundled `m2m` command: `spawn(process.execPath, [inject('m2mBin'), ...args])`. */
    m2mBin: string;
    /** Path of reliability/lib/bomb-probe.ts bundled: `spawn(process.execPath, [inject('bombProbe'), kase])`. */
    bombProbe: string;
    /** Bundled programs by their source path (`scripts/conformance.ts`, `examples/demo.ts`, …): run with `node`. */
    programs: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'm2m-test-bin-'));
  const [m2mBin, bombProbe, ...built] = await Promise.all([buildCliTestBin(dir), buildBombProbe(dir), ...PROGRAMS.map((f) => buildProgram(dir, f))]);
  project.provide('m2mBin', m2mBin);
  project.provide('bombProbe', bombProbe);
  project.provide('programs', Object.fromEntries(PROGRAMS.map((f, i) => [f, built[i]])));
  return () => rmSync(dir, { recursive: true, force: true });
}
