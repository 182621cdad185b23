import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { availableBackends } from '@m2m/crypto';

const root = resolve(import.meta.dirname, '..');
const conformance = (args: string[]) =>
  // scripts/conformance.ts bundled from the sources once per run (scripts/test-bin.ts).
  spawnSync(process.execPath, [inject('programs')['scripts/conformance.ts'], ...args], { cwd: root, encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'm2m-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pnpm conformance', () => {
  it('recognises a renamed copy by content and runs it under every backend', () => {
    copyFileSync(join(root, 'test-vectors/m2m-secure-sessions.json'), join(dir, 'renamed.json'));
    const r = conformance(['--backend', 'all', dir]);
    expect(r.status, r.stderr).toBe(0);
    for (const backend of availableBackends()) expect(r.stdout).toMatch(new RegExp(`^ok {2}.*renamed\\.json \\[m2m-secure-sessions/1\\] \\(backend ${backend}\\) [1-9]\\d* passed, 0 failed$`, 'm'));
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^[1-9]\d* passed, 0 failed$/);
  });

  it('counts a file it cannot interpret as failed and exits 1', () => {
    writeFileSync(join(dir, 'mystery.json'), JSON.stringify({ something: 'else' }));
    const r = conformance([join(dir, 'mystery.json')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAIL');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed');
  });

  it('refuses an unknown backend with exit 2', () => {
    const r = conformance(['--backend', 'openssl', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--backend takes one of: node, noble, sodium, all');
  });
});
