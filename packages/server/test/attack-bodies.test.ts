/**
 * Attacker review: many connections each send most of a big request body and go quiet. Each body
 * was bounded (`maxBodyBytes`) but their sum was not: 40 connections × 9 MiB held 360 MiB in the
 * server (the gateway's `/v1` and the reference routes alike). Bodies now draw on one budget
 * (`maxBufferedBodyBytes`, gateway/body-budget.ts) beyond 64 KiB each; past it a request gets
 * SERVER_BUSY (503, Retry-After), small requests are still served, and the budget comes back
 * when the hoarders go.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/node.js';
import { startStubUpstream, type StubUpstream } from './stub-upstream.js';

const MiB = 1024 * 1024;
let upstream: StubUpstream;
let gw: RunningServer;

beforeAll(async () => {
  upstream = await startStubUpstream({ record: false });
  gw = await startServer({ port: 0, upstream: upstream.url, maxBodyBytes: 4 * MiB, maxBufferedBodyBytes: 8 * MiB });
});
afterAll(async () => {
  await gw.close(100);
  await upstream.close();
});

/** A raw connection that declares `declared` bytes of body, sends `sent` of them, and waits; `reply` is what came back. */
function hoard(path: string, declared: number, sent: number): { socket: Socket; reply: () => string } {
  const { port } = new URL(gw.url);
  const socket = connect(Number(port), '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(`POST ${path} HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  for (let n = 0; n < sent; n += chunk.length) socket.write(chunk);
  return { socket, reply: () => text };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  for (let t = 0; t < ms && !cond(); t += 20) await new Promise((r) => setTimeout(r, 20));
}

const chat = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });

describe.each(['/v1/chat/completions', '/compress'])('%s: request bodies held at once are bounded in bytes', (path) => {
  it('past the budget: 503 SERVER_BUSY with Retry-After; small requests served; the budget comes back', async () => {
    const hoarders = Array.from({ length: 8 }, () => hoard(path, 3 * MiB, 2 * MiB));
    try {
      // 16 MiB offered against 8 MiB: at least four must be refused while the others wait.
      await until(() => hoarders.filter((h) => h.reply().startsWith('HTTP/1.1 503')).length >= 4);
      const busy = hoarders.filter((h) => h.reply().startsWith('HTTP/1.1 503'));
      expect(busy.length).toBeGreaterThanOrEqual(4);
      expect(busy.length).toBeLessThan(8);
      for (const h of busy) expect(h.reply().toLowerCase()).toContain('retry-after: 1');
      if (path.startsWith('/v1')) for (const h of busy) expect(h.reply()).toContain('"code":"SERVER_BUSY"');
      // A small request still goes through.
      const small = path.startsWith('/v1')
        ? await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat })
        : await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"content":"{\\"model\\":\\"m\\",\\"messages\\":[]}"}' });
      expect(small.status).toBe(200);
    } finally {
      for (const h of hoarders) h.socket.destroy();
    }
    // Once they are gone, a body as big as both budgets' halves is read again.
    await new Promise((r) => setTimeout(r, 100));
    const big = path.startsWith('/v1') ? JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(3 * MiB) }] }) : JSON.stringify({ content: 'x'.repeat(3 * MiB), algorithm: 'none' });
    const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });
});
