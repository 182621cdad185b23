/**
 * The node:http forwarder hands small answers over whole, whether the upstream declared their
 * length or sent them chunked, and streams anything past 1 MiB (what it read first included), so
 * it never holds more than that; a body that breaks while being read is an UPSTREAM_ERROR.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseBody } from '../src/gateway/forward.js';
import { nodeHttpForwarder } from '../src/gateway/forward-node.js';

let server: Server;
let base: string;
const big = 'x'.repeat(1536 * 1024);

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/v1/chunked-small') {
      res.writeHead(200, { 'content-type': 'application/json' }); // writeHead first: node sends it chunked
      res.write('{"a":');
      res.end('1}');
    } else if (req.url === '/v1/chunked-big') {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < big.length; i += 64 * 1024) res.write(big.slice(i, i + 64 * 1024));
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      setTimeout(() => res.destroy(), 20);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('nodeHttpForwarder', () => {
  const forward = () => nodeHttpForwarder({ baseUrl: base, timeoutMs: 5000 });
  const get = (path: string) => forward()({ method: 'GET', path, headers: {} }, new AbortController().signal);

  it('hands a small chunked answer over whole', async () => {
    const body = responseBody(await get('/chunked-small'));
    expect(body).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(body as Uint8Array)).toBe('{"a":1}');
  });

  it('streams an answer past 1 MiB, with every byte', async () => {
    const body = responseBody(await get('/chunked-big'));
    expect(body).toBeInstanceOf(ReadableStream);
    const text = await new Response(body as ReadableStream<Uint8Array>).text();
    expect(text.length).toBe(big.length);
    expect(text === big).toBe(true);
  });

  it('an answer that breaks while read is UPSTREAM_ERROR', async () => {
    await expect(get('/broken')).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
  });
});
