/**
 * WebSocket batching (issue 18, transport/ws-batch.ts, docs/PROTOCOL.md §6): with the
 * `m2m.batch.v1` subprotocol negotiated, a burst of session messages travels as few WebSocket
 * messages, each a run of 4-byte-length-prefixed entries; a lone message still leaves at once;
 * peers that do not negotiate it keep one session message per WebSocket message; and every bad
 * batch ends the connection with a typed error before anything of it is delivered.
 */
import type { AddressInfo } from 'node:net';
import type * as net from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, Session, type Server } from '../src/index.js';
import { platform } from '../src/platform/index.node.js';
import { ByteBudget, ConnectionAccount } from '../src/transport/budget.js';
import type { Transport } from '../src/transport/types.js';
import { WebSocketTransport, type WebSocketLike } from '../src/transport/websocket.js';
import { NodeWebSocketTransport } from '../src/transport/websocket-node.js';
import { BatchReader, BatchWriter, checkBatch } from '../src/transport/ws-batch.js';
import { webSocketWriteBatch } from '../src/transport/write-batch.js';
import { filledMessage, lengthPrefixed, splitLengthPrefixed, take } from './fixtures/length-prefixed.js';

const PROTOCOL = 'm2m.batch.v1';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const message = (i: number, size = 100) => filledMessage(i, size);

/** Reads until the transport ends; resolves with what arrived and the error it ended with. */
async function drain(t: Transport): Promise<{ got: Uint8Array[]; error: unknown }> {
  const got: Uint8Array[] = [];
  try {
    for await (const m of t) got.push(m);
    return { got, error: undefined };
  } catch (error) {
    return { got, error };
  }
}

/** A raw `ws` server that selects `m2m.batch.v1` (or not) and records every message it receives. */
async function rawServer(select: boolean): Promise<{ url: string; received: Buffer[]; sockets: Promise<WebSocket> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (select && offered.has(PROTOCOL) ? PROTOCOL : false) });
  await new Promise((r) => wss.once('listening', r));
  cleanup.push(() => new Promise((r) => wss.close(r)));
  const received: Buffer[] = [];
  const sockets = new Promise<WebSocket>((resolve) =>
    wss.on('connection', (ws) => {
      cleanup.push(() => ws.terminate());
      ws.on('message', (data) => received.push(data as Buffer));
      resolve(ws);
    }),
  );
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, received, sockets };
}

/** Our server transport on a raw `ws` client that offers `m2m.batch.v1` (or nothing). */
async function serverTransport(offer: boolean, options: ConstructorParameters<typeof NodeWebSocketTransport>[1] = {}): Promise<{ server: NodeWebSocketTransport; client: WebSocket }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false) });
  await new Promise((r) => wss.once('listening', r));
  cleanup.push(() => new Promise((r) => wss.close(r)));
  const accepted = new Promise<NodeWebSocketTransport>((r) => wss.once('connection', (ws) => r(new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true, defer: process.nextTick, ...options }))));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, offer ? [PROTOCOL] : []);
  cleanup.push(() => client.terminate());
  await new Promise((r) => client.once('open', r));
  return { server: await accepted, client };
}

const settle = () => new Promise((r) => setImmediate(r));
async function until(done: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

describe('sending over a batched WebSocket', () => {
  it('a burst of 500 messages travels as a few WebSocket messages, whole and in order', async () => {
    const peer = await rawServer(true);
    const client = await platform.openWebSocket(peer.url, {});
    expect((client as NodeWebSocketTransport).batched).toBe(true);
    await peer.sockets;
    const sent = Array.from({ length: 500 }, (_, i) => message(i, 50 + (i % 200)));
    for (const m of sent) await client.send(m);
    await until(() => peer.received.reduce((n, b) => n + splitLengthPrefixed(b).length, 0) >= 500);
    // About 75 KiB of messages in batches of at most 64 KiB.
    expect(peer.received.length).toBeGreaterThanOrEqual(2);
    expect(peer.received.length).toBeLessThanOrEqual(4);
    expect(peer.received.every((b) => b.length <= 64 * 1024)).toBe(true);
    expect(peer.received.flatMap(splitLengthPrefixed)).toEqual(sent);
    await client.close();
  });

  it('a lone message is on the wire before setImmediate (no timer), as a batch of one', async () => {
    const peer = await rawServer(true);
    // The transport as the Node dialer builds it, over a `ws` client whose socket is in reach.
    const ws = new WebSocket(peer.url, [PROTOCOL]);
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const client = new NodeWebSocketTransport(ws as unknown as WebSocketLike, { batch: webSocketWriteBatch(ws), nodeBuffers: true, defer: process.nextTick });
    expect(client.batched).toBe(true);
    await peer.sockets;
    const socket = (ws as unknown as { _socket: net.Socket })._socket;
    const before = socket.bytesWritten;
    await client.send(message(9, 20));
    await settle();
    // 20 bytes, the 4-byte length, a 2-byte header and a 4-byte mask (client frames are masked).
    expect(socket.bytesWritten - before).toBe(30);
    await until(() => peer.received.length === 1);
    expect(splitLengthPrefixed(peer.received[0])).toEqual([message(9, 20)]);
    await client.close();
  });

  it('what send took before close() leaves before the close frame', async () => {
    const peer = await rawServer(true);
    const client = await platform.openWebSocket(peer.url, {});
    const ws = await peer.sockets;
    const closed = new Promise((r) => ws.once('close', r));
    for (let i = 0; i < 300; i++) void client.send(message(i, 30));
    await client.close();
    await closed;
    expect(peer.received.flatMap(splitLengthPrefixed)).toEqual(Array.from({ length: 300 }, (_, i) => message(i, 30)));
  });

  it('a message larger than a batch goes alone, unchanged', async () => {
    const { server, client } = await serverTransport(true);
    const reply = new NodeWebSocketTransport(client as unknown as WebSocketLike, { nodeBuffers: true });
    expect(reply.batched).toBe(true);
    const big = new Uint8Array(200_000).map((_, i) => i % 251);
    void server.send(message(1, 10));
    void server.send(big);
    void server.send(message(2, 10));
    const got = await take(reply, 3);
    expect(got.length).toBe(3);
    expect(got[0]).toEqual(message(1, 10));
    expect(Buffer.from(big).equals(got[1])).toBe(true);
    expect(got[2]).toEqual(message(2, 10));
  });
});

/** A `ws` client seen through the browser's WebSocket API only (no pause, no write callback, ArrayBuffers). */
function browserShaped(ws: WebSocket): WebSocketLike {
  return {
    get binaryType() {
      return ws.binaryType;
    },
    set binaryType(t: string) {
      ws.binaryType = t as 'arraybuffer';
    },
    get readyState() {
      return ws.readyState;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get protocol() {
      return ws.protocol;
    },
    send: (data: Uint8Array) => ws.send(data),
    close: (code?: number, reason?: string) => ws.close(code, reason),
    addEventListener: (type: string, listener: (event: { data?: unknown; code?: number; message?: string }) => void) => ws.addEventListener(type as 'message', listener as never),
  };
}

describe('a browser-shaped WebSocket (no pause, no write callback): browsers do not batch', () => {
  it('dialing as browsers do (no subprotocol) to a server that batches for clients that offer it: one session message per WebSocket message, both ways', async () => {
    const peer = await rawServer(true);
    const ws = new WebSocket(peer.url);
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const client = new WebSocketTransport(browserShaped(ws));
    const server = await peer.sockets;
    expect(server.protocol).toBe('');
    const sent = Array.from({ length: 300 }, (_, i) => message(i, 60));
    await Promise.all(sent.map((m) => client.send(m)));
    await until(() => peer.received.length >= 300);
    expect(peer.received.map((b) => new Uint8Array(b))).toEqual(sent);
    server.send(message(1, 7));
    server.send(message(2, 3000));
    expect(await take(client, 2)).toEqual([message(1, 7), message(2, 3000)]);
    await client.close();
  });

  it('a session with our server (listen, which batches for clients that offer it) runs unbatched: 200 echoes, one WebSocket message each', async () => {
    let serverBatched: boolean | undefined;
    const server = await listen({
      transport: 'ws',
      onSession: async (s) => {
        serverBatched = (s.transport as NodeWebSocketTransport).batched;
        for await (const m of s) await s.send(m.content);
      },
    });
    cleanup.push(() => server.close());
    const ws = new WebSocket(server.url);
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    let frames = 0;
    ws.on('message', () => frames++);
    const client = await Session.client(new WebSocketTransport(browserShaped(ws)));
    const afterHandshake = frames;
    for (let i = 0; i < 200; i++) void client.send(`{"echo":${i}}`);
    const got: string[] = [];
    for await (const m of client) if (got.push(m.content) === 200) break;
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => `{"echo":${i}}`));
    expect(serverBatched).toBe(false);
    expect(frames - afterHandshake).toBe(200);
    await client.close();
  });

  it('WebSocketTransport refuses a WebSocket that negotiated m2m.batch.v1 (CONFIG_ERROR): its peer sends batches it does not read', async () => {
    const peer = await rawServer(true);
    const ws = new WebSocket(peer.url, [PROTOCOL]);
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    expect(ws.protocol).toBe(PROTOCOL);
    let error: unknown;
    try {
      new WebSocketTransport(browserShaped(ws));
    } catch (e) {
      error = e;
    }
    expect(isSdkError(error) && error.code).toBe('CONFIG_ERROR');
  });
});

describe('interoperating with peers that do not negotiate batching', () => {
  it('our client and a server that does not select m2m.batch.v1: one session message per WebSocket message', async () => {
    const peer = await rawServer(false);
    const client = await platform.openWebSocket(peer.url, {});
    expect((client as NodeWebSocketTransport).batched).toBe(false);
    await peer.sockets;
    const sent = Array.from({ length: 50 }, (_, i) => message(i, 40));
    for (const m of sent) await client.send(m);
    await until(() => peer.received.length >= 50);
    expect(peer.received.map((b) => new Uint8Array(b))).toEqual(sent);
    await client.close();
  });

  it("our client and a server that selects the first subprotocol offered (ws's default, as an older SDK's server): m2m, unbatched", async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    cleanup.push(() => new Promise((r) => wss.close(r)));
    let frames = 0;
    const serverSession = new Promise<Session | undefined>((resolve) =>
      wss.once('connection', (ws) => {
        expect(ws.protocol).toBe('m2m');
        ws.on('message', () => frames++);
        // The server of an SDK without batching: one session message per WebSocket message.
        resolve(Session.server(new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true, batched: false })));
      }),
    );
    const client = await connect(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const server = (await serverSession)!;
    expect((client.transport as NodeWebSocketTransport).batched).toBe(false);
    const before = frames;
    for (let i = 0; i < 50; i++) await client.send(`{"n":${i}}`);
    const got: string[] = [];
    for await (const m of server) if (got.push(m.content) === 50) break;
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `{"n":${i}}`));
    expect(frames - before).toBe(50);
    await client.close();
  });

  it('a session from our client to a server that does not select it works unbatched', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => false });
    await new Promise((r) => wss.once('listening', r));
    cleanup.push(() => new Promise((r) => wss.close(r)));
    let frames = 0;
    const serverSession = new Promise<Session | undefined>((resolve) =>
      wss.once('connection', (ws) => {
        ws.on('message', () => frames++);
        resolve(Session.server(new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true, defer: process.nextTick })));
      }),
    );
    const client = await connect(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const server = (await serverSession)!;
    expect((client.transport as NodeWebSocketTransport).batched).toBe(false);
    const before = frames;
    for (let i = 0; i < 100; i++) await client.send(`{"n":${i}}`);
    const got: string[] = [];
    for await (const m of server) if (got.push(m.content) === 100) break;
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `{"n":${i}}`));
    // One WebSocket message per DATA.
    expect(frames - before).toBe(100);
    await client.close();
  });

  it('a raw ws client without the subprotocol gets one session message per WebSocket message from our server', async () => {
    const server = await listen({ transport: 'ws', onSession: async (s) => { for await (const m of s) await s.send(m.content); } });
    cleanup.push(() => server.close());
    const ws = new WebSocket(server.url);
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    expect(ws.protocol).toBe('');
    let frames = 0;
    ws.on('message', () => frames++);
    const client = await Session.client(new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true }));
    const afterHandshake = frames;
    for (let i = 0; i < 100; i++) void client.send(`{"echo":${i}}`);
    const got: string[] = [];
    for await (const m of client) if (got.push(m.content) === 100) break;
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `{"echo":${i}}`));
    expect(frames - afterHandshake).toBe(100);
    await client.close();
  });
});

describe('receiving batches: bounded and checked', () => {
  it.each([
    { name: 'a truncated length', batch: Buffer.from([0, 0, 1]), code: 'INVALID_MESSAGE' },
    { name: 'an entry running past the batch', batch: Buffer.concat([lengthPrefixed([message(1, 5)]), Buffer.from([0, 0, 0, 9, 1, 2])]), code: 'INVALID_MESSAGE' },
    { name: 'a zero-length entry', batch: Buffer.concat([lengthPrefixed([message(1, 5)]), Buffer.from([0, 0, 0, 0])]), code: 'INVALID_MESSAGE' },
    { name: 'an empty batch', batch: Buffer.alloc(0), code: 'INVALID_MESSAGE' },
    { name: 'an entry over the message limit', batch: lengthPrefixed([message(1, 5), message(2, 1025)]), code: 'LIMIT_EXCEEDED' },
  ])('$name ends the connection with $code, nothing of the batch delivered', async ({ batch, code }) => {
    const { server, client } = await serverTransport(true, { maxMessageBytes: 1024 });
    expect(server.batched).toBe(true);
    const closed = new Promise<number>((r) => client.once('close', (c) => r(c)));
    client.send(lengthPrefixed([message(7, 3)]));
    client.send(batch);
    client.send(lengthPrefixed([message(8, 3)]));
    const { got, error } = await drain(server);
    // The good batch before may have been read; nothing of the bad one nor after it.
    expect(got.length).toBeLessThanOrEqual(1);
    if (got.length) expect(got[0]).toEqual(message(7, 3));
    expect(isSdkError(error) && error.code).toBe(code);
    expect([1002, 1009]).toContain(await closed);
  });

  it('a batch over the WebSocket limit (64 KiB, or the message limit + 4) is refused from its header with LIMIT_EXCEEDED', async () => {
    const { server, client } = await serverTransport(true, { maxMessageBytes: 1024 });
    client.send(lengthPrefixed(Array.from({ length: 700 }, (_, i) => message(i, 100))));
    const { got, error } = await drain(server);
    expect(got).toEqual([]);
    expect(isSdkError(error) && error.code).toBe('LIMIT_EXCEEDED');
  });

  it('13,000 one-byte entries in one batch: reading pauses at the high-water mark, all arrive in order', async () => {
    const account = new ConnectionAccount(undefined);
    const { server, client } = await serverTransport(true, { highWaterMark: 8, account });
    const entries = Array.from({ length: 13_000 }, (_, i) => new Uint8Array([i & 0xff]));
    const batch = lengthPrefixed(entries);
    client.send(batch);
    await until(() => account.held > 0);
    await new Promise((r) => setTimeout(r, 50));
    // Nobody reads yet: the entries stay bytes (counted as such), not 13,000 arrays.
    expect(account.held).toBeGreaterThanOrEqual(batch.length);
    expect(account.held).toBeLessThan(batch.length + 16 * 512);
    let n = 0;
    for await (const m of server) {
      expect(m).toEqual(entries[n]);
      if (++n === entries.length) break;
    }
    expect(account.held).toBe(0);
  });

  it('many small batches nobody reads pass a 256 KiB budget: LIMIT_EXCEEDED', async () => {
    const budget = new ByteBudget(256 * 1024);
    const { server, client } = await serverTransport(true, { highWaterMark: 8, account: new ConnectionAccount(budget, 16 * 1024) });
    for (let i = 0; i < 4000; i++) client.send(lengthPrefixed([new Uint8Array([i & 0xff, i >> 8])]));
    const why = await Promise.race([server.ended, new Promise((r) => setTimeout(() => r('still open after 5 s'), 5000))]);
    expect(isSdkError(why) && why.code).toBe('LIMIT_EXCEEDED');
    expect(budget.used).toBe(0);
  });

  it('a peer that closes right after a burst: every entry is still delivered, then the end', async () => {
    const { server, client } = await serverTransport(true, { highWaterMark: 4 });
    const sent = Array.from({ length: 100 }, (_, i) => message(i, 10));
    client.send(lengthPrefixed(sent));
    client.close();
    // `ended` settles once the last entry is taken (ws-batch-adversary.test.ts): wait for the socket.
    await new Promise((r) => client.once('close', r));
    const { got, error } = await drain(server);
    expect(error).toBeUndefined();
    expect(got).toEqual(sent);
  });
});

describe('a server before the handshake', () => {
  async function rawClient(server: Server): Promise<WebSocket> {
    const ws = new WebSocket(server.url, [PROTOCOL]);
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    expect(ws.protocol).toBe(PROTOCOL);
    return ws;
  }

  it('a batch larger than maxHandshakeMessageBytes (64 KiB) is refused: LIMIT_EXCEEDED, connection closed', async () => {
    const errors: unknown[] = [];
    const server = await listen({ transport: 'ws', onSession: () => undefined, onHandshakeError: (e) => errors.push(e) });
    cleanup.push(() => server.close());
    const ws = await rawClient(server);
    const closed = new Promise<number>((r) => ws.once('close', (c) => r(c)));
    ws.send(lengthPrefixed(Array.from({ length: 300 }, (_, i) => message(i, 250))));
    expect(await closed).toBe(1009);
    await until(() => errors.length > 0);
    expect(isSdkError(errors[0]) && errors[0].code).toBe('LIMIT_EXCEEDED');
  });

  it('an entry over a small maxHandshakeMessageBytes is refused: LIMIT_EXCEEDED', async () => {
    const errors: unknown[] = [];
    const server = await listen({ transport: 'ws', serverLimits: { maxHandshakeMessageBytes: 1024 }, onSession: () => undefined, onHandshakeError: (e) => errors.push(e) });
    cleanup.push(() => server.close());
    const ws = await rawClient(server);
    const closed = new Promise<number>((r) => ws.once('close', (c) => r(c)));
    ws.send(lengthPrefixed([message(1, 2000)]));
    expect(await closed).toBe(1009);
    await until(() => errors.length > 0);
    expect(isSdkError(errors[0]) && errors[0].code).toBe('LIMIT_EXCEEDED');
  });

  it('a flood of one-byte entries instead of a HELLO fails the handshake with a typed error', async () => {
    const errors: unknown[] = [];
    const server = await listen({ transport: 'ws', onSession: () => undefined, onHandshakeError: (e) => errors.push(e) });
    cleanup.push(() => server.close());
    const ws = await rawClient(server);
    const closed = new Promise((r) => ws.once('close', r));
    ws.send(lengthPrefixed(Array.from({ length: 10_000 }, () => new Uint8Array([0x7b]))));
    await closed;
    await until(() => errors.length > 0);
    expect(isSdkError(errors[0])).toBe(true);
    expect(server.bufferedBytes).toBe(0);
    expect(server.counters.accepted).toBe(0);
  });
});

describe('sessions over batched WebSocket', () => {
  it.each([false, true])('1,000 messages arrive intact both ways (XX: %s), batched on both ends', async (encrypted) => {
    const [serverKey, clientKey] = [KeyPair.generate(), KeyPair.generate()];
    const server = await listen({
      transport: 'ws',
      ...(encrypted ? { secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } } : {}),
      onSession: async (s) => {
        expect((s.transport as NodeWebSocketTransport).batched).toBe(true);
        for await (const m of s) await s.send(m.content.toUpperCase());
      },
    });
    cleanup.push(() => server.close());
    const client = await connect(server.url, encrypted ? { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } } : {});
    expect((client.transport as NodeWebSocketTransport).batched).toBe(true);
    const sent = Array.from({ length: 1000 }, (_, i) => `{"i":${i},"text":"${'x'.repeat(i % 300)}"}`);
    const reader = (async () => {
      const got: string[] = [];
      for await (const m of client) if (got.push(m.content) === sent.length) break;
      return got;
    })();
    for (const s of sent) await client.send(s);
    expect(await reader).toEqual(sent.map((s) => s.toUpperCase()));
    await client.close();
  });
});

describe('batch codec', () => {
  /** A seeded generator, so a failure can be replayed. */
  function rng(seed: number): () => number {
    return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  }

  it('what BatchWriter packs, checkBatch passes and BatchReader gives back, entry for entry', () => {
    const batches: Uint8Array[] = [];
    const writer = new BatchWriter((b) => batches.push(b), () => undefined);
    const random = rng(7);
    const sent = Array.from({ length: 2000 }, (_, i) => message(i, 1 + Math.floor(random() * 900)));
    for (const m of sent) writer.add(m);
    writer.flush();
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((b) => b.length <= 64 * 1024)).toBe(true);
    const reader = new BatchReader();
    const got: Uint8Array[] = [];
    for (const b of batches) {
      expect(checkBatch(b, 1024)).toBeUndefined();
      reader.push(b);
      for (let e = reader.take(); e; e = reader.take()) got.push(e);
    }
    // Compared as bytes: a deep toEqual over 2,000 arrays took 6 s here and timed out under load.
    expect(got.length).toBe(sent.length);
    const differing = sent.findIndex((m, i) => !Buffer.from(m.buffer, m.byteOffset, m.length).equals(got[i]));
    expect(differing).toBe(-1);
  });

  it('a corrupted batch is either sound (its entries fill it exactly) or a typed error, never a throw', () => {
    const random = rng(11);
    for (let round = 0; round < 2000; round++) {
      const entries = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) => message(i, 1 + Math.floor(random() * 40)));
      const batch = new Uint8Array(lengthPrefixed(entries));
      // Flip a few bytes, or cut the batch short.
      if (random() < 0.5) for (let k = 0; k < 3; k++) batch[Math.floor(random() * batch.length)] ^= 1 << Math.floor(random() * 8);
      const cut = random() < 0.3 ? batch.subarray(0, Math.floor(random() * batch.length)) : batch;
      const error = checkBatch(cut, 64);
      if (error) {
        expect(['INVALID_MESSAGE', 'LIMIT_EXCEEDED']).toContain(error.code);
        continue;
      }
      let total = 0;
      for (let at = 0; at < cut.length; ) {
        const len = Buffer.from(cut.buffer, cut.byteOffset, cut.length).readUInt32BE(at);
        expect(len).toBeGreaterThan(0);
        expect(len).toBeLessThanOrEqual(64);
        at += 4 + len;
        total = at;
      }
      expect(total).toBe(cut.length);
    }
  });
});
