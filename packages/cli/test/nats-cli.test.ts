import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/io.js';
import { keygenCommand } from '../src/commands/keys.js';
import { connectCommand, serveCommand } from '../src/commands/session.js';
import { natsServerPath, startNatsServer, type NatsNode } from '../../session/test/fixtures/nats-server.js';

const bin = natsServerPath();
if (!bin) console.warn('nats-cli.test.ts skipped: nats-server is not installed (apt-get install nats-server)');

function memoryIo(): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (l) => void outs.push(l), err: (l) => void errs.push(l), stdin: () => '', color: false };
}

async function until<T>(f: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!bin)('m2m serve --transport nats / m2m connect nats://', () => {
  let node: NatsNode;
  const dir = mkdtempSync(join(tmpdir(), 'm2m-nats-cli-'));
  beforeAll(async () => {
    node = await startNatsServer();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('two serves share a subject; connect accepts any of the pool keys and gets echoes', async () => {
    const keys: string[] = [];
    for (const name of ['s1', 's2', 'client']) {
      const io = memoryIo();
      keygenCommand(io, ['--out', join(dir, `${name}.json`), '--force']);
      keys.push(io.outs[0].split(' ')[0]);
    }
    const url = `nats://${node.address}/m2m.cli.pool`;
    const serves = ['s1', 's2'].map((name) => {
      const io = memoryIo();
      const done = serveCommand(io, ['--transport', 'nats', '--url', url, '--identity', join(dir, `${name}.json`), '--peer-key', keys[2], '--echo', '--once']);
      return { io, done };
    });
    const announced = await Promise.all(serves.map((s) => until(() => s.io.outs[0]).then((l) => JSON.parse(l) as { url: string; publicKey: string })));
    expect(announced.map((a) => a.url)).toEqual([url, url]);
    expect(announced.map((a) => a.publicKey)).toEqual(keys.slice(0, 2));

    const file = join(dir, 'req.json');
    const request = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'over NATS' }] });
    writeFileSync(file, request);
    // A client that knows neither key is refused (the serve that got it keeps serving).
    const refused = connectCommand(memoryIo(), [url, '--identity', join(dir, 'client.json'), '--peer-key', '00'.repeat(32), '--file', file]);
    await expect(refused).rejects.toThrow(/peer static key not allowed/);

    // Each serve stops after one session (--once), so two connects reach both instances in turn.
    for (let i = 0; i < 2; i++) {
      const io = memoryIo();
      const code = await connectCommand(io, [url, '--identity', join(dir, 'client.json'), '--peer-key', keys[0], '--peer-key', keys[1], '--file', file, '--wait', '500']);
      expect(code).toBe(0);
      expect(io.outs).toEqual([request]);
      expect(io.errs.join('\n')).toContain('encrypted (XX)');
      await Promise.race(serves.map((s) => s.done));
    }
    expect(await Promise.all(serves.map((s) => s.done))).toEqual([0, 0]);
    for (const s of serves) expect(s.io.outs.slice(1)).toEqual([request]);

  });

  it('serve --transport nats without --url is a Config error', async () => {
    await expect(serveCommand(memoryIo(), ['--transport', 'nats'])).rejects.toMatchObject({ code: 'CONFIG_ERROR' });
  });
});

describe.skipIf(!bin)('m2m serve --transport nats stopped while its NATS client reconnects', () => {
  it('exits on SIGTERM within a few seconds and says why (it waited for ever)', async () => {
    const { spawn } = await import('node:child_process');
    const { inject } = await import('vitest');
    const { createInterface } = await import('node:readline');
    const node = await startNatsServer();
    const serve = spawn(process.execPath, [inject('m2mBin'), 'serve', '--transport', 'nats', '--url', `nats://${node.address}/m2m.cli.gone`, '--plaintext'], { env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    serve.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    try {
      await new Promise<string>((res) => createInterface({ input: serve.stdout }).once('line', res));
      node.process.kill('SIGTERM');
      // Stopped while the client is between reconnect attempts (measured: within about a second).
      await new Promise((r) => setTimeout(r, 300));
      const exited = new Promise<number | null>((res) => serve.once('exit', (code) => res(code)));
      serve.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(r, 12_000, 'hung'))]);
      expect(code).toBe(0);
    } finally {
      serve.kill('SIGKILL');
      await node.stop();
    }
  }, 30_000);
});
