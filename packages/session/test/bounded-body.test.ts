/**
 * readBoundedBody holds a response to its bound in the bytes the caller gets, not in the bytes
 * on the wire: fetch decompresses a `content-encoding: gzip` body by itself, so its declared
 * length bounds only the compressed bytes (a 100 KB gzip of zeros is 100 MB).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { readBoundedBody } from '../src/transport/rest-client.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

it('refuses a compressed body that inflates past the bound, though its declared length is within it (LIMIT_EXCEEDED)', async () => {
  const bomb = gzipSync(new Uint8Array(64 << 20));
  expect(bomb.length).toBeLessThan(1 << 20);
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(bomb.length), 'content-type': 'application/octet-stream' });
    res.end(bomb);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const e = await readBoundedBody(res, 1 << 20, 'responseBytes').then(
    (b) => b.length,
    (err: unknown) => err,
  );
  expect(isSdkError(e) && e.code).toBe('LIMIT_EXCEEDED');
});

it('still reads a compressed body within the bound whole', async () => {
  const body = new Uint8Array(200_000).fill(7);
  const gz = gzipSync(body);
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(gz.length) });
    res.end(gz);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  expect(await readBoundedBody(res, 1 << 20)).toEqual(body);
});
