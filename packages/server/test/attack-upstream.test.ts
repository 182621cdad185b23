/**
 * Attacker review of the gateway against a hostile upstream: answers no OpenAI server gives. A
 * `101 Switching Protocols` to a plain POST (node:http hands the socket to an `upgrade` listener
 * and emits no `response`) left the client's request hanging for ever: no answer, no upstream
 * timeout (the socket's idle timer went with the socket), the connection held.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/node.js';
import { createServerApp } from '../src/app.js';

let upstream: Server;
let base: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  // Answers every request with 101, then keeps the connection open and silent.
  upstream = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: evil\r\n\r\n'));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => upstream.close(() => r()));
});

const chat = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' };

describe('gateway against an upstream that answers 101', () => {
  it('node:http forwarder (startServer): UPSTREAM_ERROR at once, the upstream socket closed', async () => {
    let gw: RunningServer | undefined;
    try {
      gw = await startServer({ port: 0, upstream: base, upstreamTimeoutMs: 20_000 });
      const res = await fetch(`${gw.url}/v1/chat/completions`, { ...chat, signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(502);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UPSTREAM_ERROR');
      for (let i = 0; i < 100 && sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(sockets.size).toBe(0);
    } finally {
      await gw?.close(100);
    }
  });

  it('fetch forwarder (createServerApp): a typed 5xx answer, never a hang', async () => {
    const { app } = createServerApp({ upstream: base, upstreamTimeoutMs: 20_000 });
    const res = await Promise.race([app.fetch(new Request('http://gw/v1/chat/completions', chat)), new Promise<'hang'>((r) => setTimeout(r, 5000, 'hang'))]);
    expect(res).not.toBe('hang');
    expect((res as Response).status).toBeGreaterThanOrEqual(500);
    expect(((await (res as Response).json()) as { error: { code: string } }).error.code).toMatch(/^UPSTREAM_/);
  });
});
