/**
 * The WebSocket transport over `ws` on Node (`nodeBuffers`): messages arrive as views of the
 * socket's chunks and are copied into the message slab, so each holds at most a slab; large
 * ones arrive whole; a text frame is still refused.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { isSdkError } from '@m2m/core';
import { SLAB_BYTES } from '../src/codec/slab.js';
import { WebSocketTransport } from '../src/transport/websocket.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

async function pair(): Promise<{ server: WebSocketTransport; client: WebSocket }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  cleanup.push(() => wss.close());
  await new Promise((r) => wss.once('listening', r));
  const accepted = new Promise<WebSocketTransport>((resolve) => wss.once('connection', (ws) => resolve(new WebSocketTransport(ws as never, { nodeBuffers: true }))));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  cleanup.push(() => client.terminate());
  await new Promise((r) => client.once('open', r));
  return { server: await accepted, client };
}

it('small messages arrive in order as copies that pin at most a slab; a large one arrives whole', async () => {
  const { server, client } = await pair();
  const large = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
  for (let i = 0; i < 300; i++) client.send(new Uint8Array(200).fill(i & 0xff));
  client.send(large);
  const it = server[Symbol.asyncIterator]();
  for (let i = 0; i < 300; i++) {
    const r = await it.next();
    expect(r.done).toBe(false);
    expect(r.value.length).toBe(200);
    expect(r.value.every((b: number) => b === (i & 0xff))).toBe(true);
    expect(r.value.buffer.byteLength).toBeLessThanOrEqual(SLAB_BYTES);
  }
  const last = await it.next();
  expect(last.value).toEqual(large);
});

it('a text frame ends the connection with InvalidMessage and close code 1003', async () => {
  const { server, client } = await pair();
  const closed = new Promise<number>((r) => client.once('close', (code) => r(code)));
  client.send('not binary');
  const why = await server.ended;
  expect(isSdkError(why) && why.code).toBe('INVALID_MESSAGE');
  expect(await closed).toBe(1003);
});
