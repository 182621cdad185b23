/**
 * The WebSocket transport over `ws` on Node (`nodeBuffers`): messages arrive as views of the
 * socket's chunks and are copied into the message slab, so each holds at most a slab; large
 * ones arrive whole; a text frame is still refused.
 */
import { afterEach, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { SLAB_BYTES } from '../src/codec/slab.js';
import { nodeBuffersPair } from './fixtures/ws-node-pair.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

const pair = () => nodeBuffersPair(cleanup);

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
