/**
 * The HTTP client puts response batches back in order by their sequence numbers: what it holds
 * for a batch that arrived early is bounded (a server that sends far-away or repeated numbers is
 * refused with INVALID_MESSAGE instead of being buffered forever), and two batches are never
 * delivered interleaved, even while the inbox is full.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { HttpClientTransport } from '../src/transport/http-client.js';
import { joinFrames } from '../src/transport/http-frames.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A client of `url` that sends one message and reads the first answer ([1]); returns its iterator. */
async function sendAndReadFirst(url: string): Promise<AsyncIterator<Uint8Array>> {
  const client = new HttpClientTransport(url);
  cleanup.push(() => client.close());
  await client.send(new Uint8Array([9]));
  const it = client[Symbol.asyncIterator]();
  expect((await it.next()).value).toEqual(new Uint8Array([1]));
  return it;
}

const framed = (res: ServerResponse, seq: number, messages: Uint8Array[]) => {
  res.writeHead(200, { 'x-m2m-connection': 'c1', 'x-m2m-seq': String(seq), 'content-type': 'application/x-m2m-frames' });
  res.end(joinFrames(messages));
};

it('refuses batches numbered far ahead instead of holding each one forever', async () => {
  let gets = 0;
  const url = await serve((req, res) => {
    req.resume();
    if (req.method === 'POST') return framed(res, 0, [new Uint8Array([1])]);
    if (req.method === 'GET') return framed(res, 1_000_000 + 10 * gets++, [new Uint8Array(1000)]);
    res.writeHead(204).end();
  });
  const it = await sendAndReadFirst(url);
  const e = await it.next().catch((err: unknown) => err);
  expect(isSdkError(e) && e.code).toBe('INVALID_MESSAGE');
  expect(gets).toBeLessThan(10);
}, 5000);

it('refuses a batch numbered before what was already delivered (a replay)', async () => {
  let gets = 0;
  const url = await serve((req, res) => {
    req.resume();
    if (req.method === 'POST') return framed(res, 0, [new Uint8Array([1]), new Uint8Array([2])]);
    if (req.method === 'GET' && gets++ === 0) return framed(res, 1, [new Uint8Array([2])]);
    if (req.method === 'GET') return setTimeout(() => res.writeHead(204, { 'x-m2m-connection': 'c1' }).end(), 50);
    res.writeHead(204).end();
  });
  const it = await sendAndReadFirst(url);
  expect((await it.next()).value).toEqual(new Uint8Array([2]));
  const e = await it.next().catch((err: unknown) => err);
  expect(isSdkError(e) && e.code).toBe('INVALID_MESSAGE');
}, 5000);

it('delivers two batches in order while the inbox is full (no interleaving)', async () => {
  // The first POST's response carries 0; the poll's carries 1..100 and waits for inbox room;
  // meanwhile a second POST's response carries 101..200.
  const batch = (from: number) => Array.from({ length: 100 }, (_, i) => new Uint8Array([(from + i) & 0xff, (from + i) >> 8]));
  let gets = 0;
  let posts = 0;
  const url = await serve((req, res) => {
    req.resume();
    if (req.method === 'POST') return posts++ === 0 ? framed(res, 0, [new Uint8Array([0, 0])]) : framed(res, 101, batch(101));
    if (req.method === 'GET' && gets++ === 0) return framed(res, 1, batch(1));
    if (req.method === 'GET') return setTimeout(() => res.writeHead(204, { 'x-m2m-connection': 'c1' }).end(), 1000);
    res.writeHead(204).end();
  });
  const client = new HttpClientTransport(url, { highWaterMark: 4 });
  cleanup.push(() => client.close());
  await client.send(new Uint8Array([9]));
  await new Promise((r) => setTimeout(r, 200)); // the poll's batch is in; the inbox is full
  await client.send(new Uint8Array([9]));
  await new Promise((r) => setTimeout(r, 200)); // the second POST's batch is in too
  const got: number[] = [];
  for await (const m of client) {
    got.push(m[0] | (m[1] << 8));
    if (got.length === 201) break;
  }
  expect(got).toEqual(Array.from({ length: 201 }, (_, i) => i));
});
