/**
 * Many tiny WebSocket messages in one read: `ws` hands over every message of a read at once,
 * pause or not, so what they cost is counted per message (each is an object of its own, about
 * 200 bytes on V8, besides its bytes) against the connection's account and the server's budget,
 * not their few bytes alone.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { isSdkError } from '@m2m/core';
import { ByteBudget, ConnectionAccount } from '../src/transport/budget.js';
import { WebSocketTransport } from '../src/transport/websocket.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

async function burst(count: number, budget: ByteBudget): Promise<{ server: WebSocketTransport; account: ConnectionAccount }> {
  const account = new ConnectionAccount(budget, 16 * 1024);
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  cleanup.push(() => wss.close());
  await new Promise((r) => wss.once('listening', r));
  const accepted = new Promise<WebSocketTransport>((resolve) => wss.once('connection', (ws) => resolve(new WebSocketTransport(ws as never, { highWaterMark: 8, account }))));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  cleanup.push(() => client.terminate());
  await new Promise((r) => client.once('open', r));
  const server = await accepted;
  for (let i = 0; i < count; i++) client.send(new Uint8Array([i & 0xff, i >> 8]));
  return { server, account };
}

it('4,000 unread 2-byte messages (~1 MB of objects) pass a 256 KiB budget: LIMIT_EXCEEDED, not 8 KB counted', async () => {
  const { server } = await burst(4000, new ByteBudget(256 * 1024));
  // Nobody reads: the connection ends once what it holds passes the budget.
  const why = await Promise.race([server.ended, new Promise((r) => setTimeout(() => r('still open after 20 s'), 20_000))]);
  expect(isSdkError(why) && why.code).toBe('LIMIT_EXCEEDED');
});

it('a burst within the budget is delivered whole and in order, and gives back all it held', async () => {
  const budget = new ByteBudget(256 * 1024);
  const { server, account } = await burst(400, budget);
  let n = 0;
  for await (const m of server) {
    expect(m[0] | (m[1] << 8)).toBe(n);
    if (++n === 400) break;
  }
  expect(account.held).toBe(0);
  expect(budget.used).toBe(0);
});
