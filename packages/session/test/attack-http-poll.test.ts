/**
 * Attacks on the HTTP adapter's server side (transport/http-server.ts) through its long poll: a
 * poll whose client went away (a proxy's idle cut, a killed page, a reset) must not take the
 * messages queued after it left. They belong to the connection's next poll; taken by the dead
 * one, they were written to a closed socket and the session lost them (the SDK client then
 * fails on the sequence gap; a reference client just never sees them).
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { httpHandler, type HttpServerTransport } from '../src/transport/http-server.js';
import { CONNECTION_HEADER, FRAMES_CONTENT_TYPE, SEQUENCE_HEADER } from '../src/transport/http-frames.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function serve(): Promise<{ port: number; admitted: Promise<HttpServerTransport> }> {
  let admit!: (t: HttpServerTransport) => void;
  const admitted = new Promise<HttpServerTransport>((r) => (admit = r));
  const handler = httpHandler({ admit, maxMessageBytes: 1 << 20 });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => handler.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(async () => {
    await handler.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { port: (server.address() as AddressInfo).port, admitted };
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** One request; `abortAfterMs` destroys it (the client going away) before any answer. */
function ask(port: number, method: string, headers: Record<string, string>, body?: Uint8Array, abortAfterMs?: number): Promise<Answer | 'aborted'> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/message', headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', (e) => (abortAfterMs !== undefined ? resolve('aborted') : reject(e)));
    if (abortAfterMs !== undefined) setTimeout(() => req.destroy(), abortAfterMs);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openConnection(port: number, admitted: Promise<HttpServerTransport>): Promise<{ id: string; conn: HttpServerTransport }> {
  // A first POST that expects no reply (a DATA-typed MessagePack array) opens the connection.
  const first = await ask(port, 'POST', { 'content-type': 'application/octet-stream', accept: FRAMES_CONTENT_TYPE }, new Uint8Array([0x94, 0x02, 0xc0, 0x00, 0xc0]));
  if (first === 'aborted') throw new Error('first POST aborted');
  const id = String(first.headers[CONNECTION_HEADER]);
  return { id, conn: await admitted };
}

it('a message queued after a long poll was abandoned goes to the next poll, not to the dead one', async () => {
  const { port, admitted } = await serve();
  const { id, conn } = await openConnection(port, admitted);
  // The poll waits (nothing queued), and its client goes away.
  expect(await ask(port, 'GET', { [CONNECTION_HEADER]: id, accept: FRAMES_CONTENT_TYPE }, undefined, 100)).toBe('aborted');
  await sleep(100);
  await conn.send(new Uint8Array([1, 2, 3]));
  const next = await Promise.race([ask(port, 'GET', { [CONNECTION_HEADER]: id, accept: FRAMES_CONTENT_TYPE }), sleep(3000).then(() => 'nothing within 3 s' as const)]);
  expect(next).not.toBe('nothing within 3 s');
  const a = next as Answer;
  expect(a.status).toBe(200);
  expect(a.headers[SEQUENCE_HEADER]).toBe('0');
  expect([...a.body]).toEqual([0, 0, 0, 3, 1, 2, 3]);
}, 10_000);

it('many abandoned polls leave no waiter behind for the connection to wake', async () => {
  const { port, admitted } = await serve();
  const { id, conn } = await openConnection(port, admitted);
  for (let i = 0; i < 20; i++) expect(await ask(port, 'GET', { [CONNECTION_HEADER]: id, accept: FRAMES_CONTENT_TYPE }, undefined, 20)).toBe('aborted');
  await sleep(100);
  // Every message still reaches the live poll, in order, from sequence number 0.
  const live = ask(port, 'GET', { [CONNECTION_HEADER]: id, accept: FRAMES_CONTENT_TYPE });
  await sleep(50);
  await conn.send(new Uint8Array([7]));
  const a = (await live) as Answer;
  expect(a.status).toBe(200);
  expect(a.headers[SEQUENCE_HEADER]).toBe('0');
  expect([...a.body]).toEqual([0, 0, 0, 1, 7]);
}, 10_000);
