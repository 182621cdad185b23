/**
 * Write batching in the transports (issue 18): the messages of one burst leave in one socket
 * write, a lone message still leaves before the event loop polls again (no timer), and the
 * HTTP adapter's framed POST bodies are read with the same limits as single ones
 * (packages/session/src/transport/write-batch.ts, length-prefixed.ts, http-server.ts).
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { isSdkError } from '@m2m/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect, listen, type Session } from '../src/index.js';
import { httpTransport } from '../src/http.js';
import { HttpClientTransport } from '../src/transport/http-client.js';
import { httpHandler, type HttpServerTransport } from '../src/transport/http-server.js';
import { joinFrames } from '../src/transport/http-frames.js';
import { LengthPrefixedReader } from '../src/transport/length-prefixed.js';
import { TcpTransport } from '../src/transport/tcp.js';
import { WebSocketTransport, type WebSocketLike } from '../src/transport/websocket.js';
import { webSocketWriteBatch } from '../src/transport/write-batch.js';
import { filledMessage, take } from './fixtures/length-prefixed.js';

/** `http://` servers are dialed through `@m2m/session/http`. */
const dialerFor = (url: string) => (url.startsWith('http') ? { transport: httpTransport } : {});

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const message = (i: number, size = 100) => filledMessage(i, size);

/** A connected TCP pair: our transport on the client socket, the server's on the accepted one. */
async function tcpPair(): Promise<{ client: TcpTransport; socket: net.Socket; server: TcpTransport }> {
  let accepted!: (t: TcpTransport) => void;
  const got = new Promise<TcpTransport>((r) => (accepted = r));
  const srv = net.createServer((s) => accepted(new TcpTransport(s)));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const socket = net.connect((srv.address() as AddressInfo).port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const client = new TcpTransport(socket);
  const server = await got;
  cleanup.push(() => new Promise((r) => srv.close(r)), () => socket.destroy(), () => server.abort());
  return { client, socket, server };
}

/** Counts the write system calls node:net makes for a socket (one per `_write` or `_writev`). */
function countWrites(socket: net.Socket): () => number {
  const s = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const write = vi.spyOn(s, '_write');
  const writev = vi.spyOn(s, '_writev');
  return () => write.mock.calls.length + writev.mock.calls.length;
}

describe('TCP write batching', () => {
  it('sends a burst of 200 messages in a few writes, whole and in order', async () => {
    const { client, socket, server } = await tcpPair();
    const writes = countWrites(socket);
    const sent = Array.from({ length: 200 }, (_, i) => message(i, 60 + i));
    await Promise.all(sent.map((m) => client.send(m)));
    const got = await take(server, 200);
    expect(got).toEqual(sent);
    // 200 messages of ≤ 264 bytes (about 32 KiB) in batches cut at node:net's 16 KiB mark.
    expect(writes()).toBeLessThanOrEqual(6);
  });

  it('a lone message is written before the event loop polls again (no timer)', async () => {
    const { client, socket } = await tcpPair();
    const before = socket.bytesWritten;
    await client.send(message(1, 50));
    await new Promise((r) => setImmediate(r));
    expect(socket.bytesWritten - before).toBe(54);
  });

  it('a large message goes with its prefix, unchanged', async () => {
    const { client, server } = await tcpPair();
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    void client.send(message(7, 10));
    void client.send(big);
    const got = await take(server, 2);
    expect(got[0]).toEqual(message(7, 10));
    expect(big.equals(got[1])).toBe(true);
  });
});

describe('WebSocket write batching (ws)', () => {
  it('sends a burst in a few socket writes; a lone message leaves before setImmediate', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const accepted = new Promise<WebSocketTransport>((r) => wss.on('connection', (ws) => r(new WebSocketTransport(ws as unknown as WebSocketLike))));
    const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    await new Promise((r) => ws.once('open', r));
    cleanup.push(() => new Promise((r) => wss.close(r)), () => ws.terminate());
    const client = new WebSocketTransport(ws as unknown as WebSocketLike, { batch: webSocketWriteBatch(ws) });
    const server = await accepted;
    const socket = (ws as unknown as { _socket: net.Socket })._socket;
    const writes = countWrites(socket);
    const sent = Array.from({ length: 200 }, (_, i) => message(i, 80));
    await Promise.all(sent.map((m) => client.send(m)));
    expect(await take(server, 200)).toEqual(sent);
    expect(writes()).toBeLessThanOrEqual(2);

    const before = socket.bytesWritten;
    await client.send(message(9, 20));
    await new Promise((r) => setImmediate(r));
    // 20 bytes, a 2-byte header and a 4-byte mask (client frames are masked).
    expect(socket.bytesWritten - before).toBe(26);
  });
});

describe('LengthPrefixedReader', () => {
  it('reads messages split anywhere across chunks, each into its own buffer', () => {
    const messages = [message(1, 3), message(2, 0), message(3, 70), message(4, 5)];
    const body = Buffer.from(joinFrames(messages));
    for (const cut of [1, 2, 3, 5, 9, 77]) {
      const reader = new LengthPrefixedReader();
      const got: Uint8Array[] = [];
      for (let at = 0; at < body.length; at += cut) {
        reader.push(body.subarray(at, at + cut));
        for (let m = reader.take(); m; m = reader.take()) got.push(m);
      }
      expect(got).toEqual(messages);
      expect(got.every((m) => m.buffer !== body.buffer)).toBe(true);
      expect(reader.buffered).toBe(0);
    }
  });
});

/** An HTTP transport server on loopback with one connection opened by a first POST. */
async function httpServer(maxMessageBytes = 1024) {
  const conns: HttpServerTransport[] = [];
  const handler = httpHandler({ admit: (t) => conns.push(t), maxMessageBytes });
  const server: HttpServer = createHttpServer(handler.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(async () => {
    await handler.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/message`;
  const first = await fetch(url, { method: 'POST', body: message(0, 10) as Uint8Array<ArrayBuffer> });
  const id = first.headers.get('x-m2m-connection')!;
  const post = (body: Uint8Array, framed = true) => fetch(url, { method: 'POST', headers: { 'x-m2m-connection': id, 'content-type': framed ? 'application/x-m2m-frames' : 'application/octet-stream' }, body: body as Uint8Array<ArrayBuffer> });
  return { conn: conns[0], post, url, id };
}

describe('HTTP framed POST bodies', () => {

  it('delivers every message of a batch, in order, after the connection opened', async () => {
    const { conn, post } = await httpServer();
    const batch = Array.from({ length: 50 }, (_, i) => message(i + 1, 20 + i));
    const res = await post(joinFrames(batch));
    expect(res.status).toBe(204);
    expect(await take(conn, 51)).toEqual([message(0, 10), ...batch]);
  });

  it('refuses a batch holding a message over the limit (413), ending the connection with LIMIT_EXCEEDED', async () => {
    const { conn, post } = await httpServer(1024);
    const res = await post(joinFrames([message(1, 10), message(2, 1025)])).catch(() => undefined);
    expect(res === undefined || res.status === 413).toBe(true);
    const e = await take(conn, 3).catch((err: unknown) => err);
    expect(isSdkError(e) && e.code).toBe('LIMIT_EXCEEDED');
  });

  it('refuses a truncated batch (400, INVALID_MESSAGE)', async () => {
    const { conn, post } = await httpServer();
    const body = joinFrames([message(1, 10), message(2, 30)]).subarray(0, 40);
    const res = await post(body).catch(() => undefined);
    expect(res === undefined || res.status === 400).toBe(true);
    const e = await take(conn, 4).catch((err: unknown) => err);
    expect(isSdkError(e) && e.code).toBe('INVALID_MESSAGE');
  });

  it('does not open a connection with a batch', async () => {
    const { url } = await httpServer();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-m2m-frames' }, body: joinFrames([message(1, 10), message(2, 10)]) as Uint8Array<ArrayBuffer> });
    expect(res.status).toBe(400);
  });
});

describe('HTTP client batching', () => {
  it('a burst of 500 sends goes in a few POSTs and arrives whole and in order', async () => {
    let arrived!: (s: Session) => void;
    const first = new Promise<Session>((r) => (arrived = r));
    const server = await listen({ transport: 'http', onSession: (s) => arrived(s) });
    cleanup.push(() => server.close());
    const client = await connect(server.url, dialerFor(server.url));
    const peer = await first;
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    cleanup.push(() => fetchSpy.mockRestore());
    const sent = Array.from({ length: 500 }, (_, i) => `{"model":"x","i":${i},"messages":[]}`);
    const got: string[] = [];
    const reading = (async () => {
      for await (const m of peer) if (got.push(m.content) === sent.length) break;
    })();
    await Promise.all(sent.map((m) => client.send(m)));
    await reading;
    expect(got).toEqual(sent);
    const posts = fetchSpy.mock.calls.filter(([, init]) => init?.method === 'POST').length;
    expect(posts).toBeGreaterThan(0);
    expect(posts).toBeLessThanOrEqual(10);
    await client.close();
  });
});

describe('HTTP response bodies', () => {
  it('a server puts at most 1 MiB of queued messages in one response; the rest comes with the next', async () => {
    const { conn, url, id } = await httpServer(1 << 20);
    const queued = Array.from({ length: 6 }, (_, i) => message(i, 400_000));
    for (const m of queued) void conn.send(m).catch(() => undefined);
    const poll = () => fetch(url, { headers: { 'x-m2m-connection': id, accept: 'application/x-m2m-frames' } });
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) sizes.push((await (await poll()).arrayBuffer()).byteLength);
    // Two 400 KB messages (plus prefixes) fit in 1 MiB, three do not.
    expect(sizes).toEqual([800_008, 800_008, 800_008]);
  });

  it('a client refuses a response body over its bound (LIMIT_EXCEEDED), without reading it', async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'x-m2m-connection': 'c1', 'x-m2m-seq': '0', 'content-type': 'application/x-m2m-frames', 'content-length': String(3 << 20) });
      res.write(Buffer.alloc(1024));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    const client = new HttpClientTransport(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { maxMessageBytes: 1024 });
    await client.send(message(1, 10));
    const e = await take(client, 1).catch((err: unknown) => err);
    expect(isSdkError(e) && e.code).toBe('LIMIT_EXCEEDED');
  });
});
