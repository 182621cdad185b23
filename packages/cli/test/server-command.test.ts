/**
 * `m2m server` as a process: --help names every flag, the gateway forwards with one JSON log
 * line per request, SIGTERM shuts it down cleanly, and `m2m connect --transport rest` talks to it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, inject, it } from 'vitest';
import { startStubUpstream } from '../../server/test/stub-upstream.js';

const root = resolve(import.meta.dirname, '../../..');
// The m2m command bundled from the sources once per run (scripts/test-bin.ts): a child starts in
// a fraction of `--import tsx`'s time.
const NODE_ARGS = [inject('m2mBin')];
const env = { ...process.env, NO_COLOR: '1' };

describe('m2m server', () => {
  it('--help lists every flag', () => {
    const r = spawnSync(process.execPath, [...NODE_ARGS, 'server', '--help'], { cwd: root, encoding: 'utf8', env });
    expect(r.status).toBe(0);
    for (const flag of ['--port', '--host', '--bind-all', '--blocking', '--threshold', '--no-security', '--upstream', '--upstream-timeout', '--api-key', '--rate-limit', '--rate-limit-nats', '--rate-limit-bucket', '--api-key-nats', '--api-key-bucket', '--m2m-listen', '--m2m-upstream', '--peer-key', '--identity', '--max-body', '--max-buffered-body']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('refuses a bad flag value with a config error (exit 2)', () => {
    for (const [args, says] of [
      [['--rate-limit', 'fast'], 'rate limit must look like'],
      [['--rate-limit', '5/s', '--rate-limit-nats', 'http://x/y'], '--rate-limit-nats must be'],
      // Not hex: this was INVALID_MESSAGE "Invalid hex character" (exit 1).
      [['--m2m-upstream', '127.0.0.1:1', '--peer-key', 'zz'], '--peer-key must be 64 hex characters'],
      [['--max-buffered-body', '1.5'], '--max-buffered-body must be an integer'],
      [['--max-buffered-body', '64MiB'], '--max-buffered-body must be an integer'],
    ] as const) {
      const r = spawnSync(process.execPath, [...NODE_ARGS, 'server', ...args], { cwd: root, encoding: 'utf8', env });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('CONFIG_ERROR');
      expect(r.stderr).toContain(says);
    }
  });

  it('--max-buffered-body sets the shared body budget: at 0, a body past its own 64 KiB allowance gets 503 SERVER_BUSY; a small one is served', async () => {
    const child = spawn(process.execPath, [...NODE_ARGS, 'server', '--port', '0', '--max-buffered-body', '0'], { cwd: root, env });
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const first = JSON.parse((await lines.next()).value as string) as { url: string };
      const post = (content: string) => fetch(`${first.url}/compress`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content }) });
      const big = await post(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(200 * 1024) }] }));
      expect(big.status).toBe(503);
      expect(big.headers.get('retry-after')).not.toBeNull();
      expect(await big.text()).toContain('Server busy');
      const small = await post('{"model":"m","messages":[]}');
      expect(small.status).toBe(200);
      await small.text();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('serves the gateway and the reference API, logs JSON lines, and exits 0 on SIGTERM', async () => {
    const upstream = await startStubUpstream();
    const child = spawn(process.execPath, [...NODE_ARGS, 'server', '--port', '0', '--upstream', upstream.url, '--api-key', 'k1', '--rate-limit', '100/s'], { cwd: root, env });
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const first = JSON.parse((await lines.next()).value as string) as { url: string; msg: string };
      expect(first.msg).toBe('m2m server listening');
      const res = await fetch(`${first.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k1', 'content-type': 'application/json' }, body: '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}' });
      expect(res.status).toBe(200);
      await res.text();
      const log = JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
      expect(log).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200, msg: 'request' });
      expect(JSON.stringify(log)).not.toContain('k1');
      const rest = spawnSync(process.execPath, [...NODE_ARGS, 'connect', first.url, '--transport', 'rest'], { cwd: root, encoding: 'utf8', env, input: '{"model":"gpt-4o","messages":[]}\n' });
      expect(rest.status).toBe(0);
      expect(rest.stdout.trim()).toBe('{"model":"gpt-4o","messages":[]}');
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await upstream.close();
    }
  });
});
