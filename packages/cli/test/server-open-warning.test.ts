/**
 * `m2m server --bind-all --upstream URL` without `--api-key` is an open gateway to a paid
 * upstream: it starts (the reference allows it) but logs a warning; without an upstream, a note that
 * the gateway is off (packages/cli/src/commands/server.ts).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, inject, it } from 'vitest';
import { GATEWAY_OFF, openGatewayWarning } from '../src/commands/server.js';

const root = resolve(import.meta.dirname, '../../..');
// The m2m command bundled from the sources once per run (scripts/test-bin.ts): a child starts in
// a fraction of `--import tsx`'s time.
const NODE_ARGS = [inject('m2mBin')];

describe('open gateway warning', () => {
  it('warns for a gateway bound beyond loopback without API keys', () => {
    expect(openGatewayWarning({ host: '0.0.0.0', upstream: 'http://127.0.0.1:8000/v1' })).toContain('--api-key');
    expect(openGatewayWarning({ host: '10.0.0.5', upstream: 'http://u/v1', apiKeys: [] })).toContain('10.0.0.5');
  });

  it('stays quiet when the gateway is keyed, loopback-only or off', () => {
    expect(openGatewayWarning({ host: '0.0.0.0', upstream: 'http://u/v1', apiKeys: ['k'] })).toBeUndefined();
    for (const host of ['127.0.0.1', '::1', 'localhost', undefined]) expect(openGatewayWarning({ host, upstream: 'http://u/v1' }), String(host)).toBeUndefined();
    expect(openGatewayWarning({ host: '0.0.0.0' })).toBeUndefined();
  });

  it('logs it as a pino warn line after the listening line', async () => {
    const child = spawn(process.execPath, [...NODE_ARGS, 'server', '--port', '0', '--bind-all', '--upstream', 'http://127.0.0.1:1/v1'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      expect(JSON.parse((await lines.next()).value as string)).toMatchObject({ msg: 'm2m server listening' });
      const warn = JSON.parse((await lines.next()).value as string) as { level: number; msg: string; host: string };
      expect(warn.level).toBe(40);
      expect(warn.host).toBe('0.0.0.0');
      expect(warn.msg).toContain('without an API key');
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('says at start that the gateway is off without an upstream (its /v1 routes answer 404 with a body that says so)', async () => {
    const child = spawn(process.execPath, [...NODE_ARGS, 'server', '--port', '0'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const first = JSON.parse((await lines.next()).value as string) as { url: string; gateway: string };
      expect(first.gateway).toBe('off');
      expect(JSON.parse((await lines.next()).value as string)).toMatchObject({ level: 30, msg: GATEWAY_OFF });
      const off = await fetch(`${first.url}/v1/models`);
      expect(off.status).toBe(404);
      expect(((await off.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'CONFIG_ERROR', message: expect.stringContaining('the gateway is off') });
      // Other unknown paths keep the reference's empty 404.
      const other = await fetch(`${first.url}/nope`);
      expect([other.status, await other.text()]).toEqual([404, '']);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
