import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@m2m/source', '--conditions=@m2m/platform-source', 'packages/cli/src/main.ts', ...args], { cwd: root, encoding: 'utf8' });

it('explains an error code', () => {
  const r = run('errors', 'explain', 'AEAD_DECRYPTION_FAILED');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('AEAD_DECRYPTION_FAILED (3102)');
});

it('encodes and inspects a frame, and fails with the error code on bad input', () => {
  const enc = run('frame', 'encode', '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}');
  expect(enc.status).toBe(0);
  const ins = run('frame', 'inspect', enc.stdout.trim());
  expect(JSON.parse(ins.stdout).routing.model).toBe('gpt-4o');
  const bad = run('frame', 'decode', '00');
  expect(bad.status).toBe(1);
  expect(bad.stdout).toContain('Invalid M2M prefix');
});
