/**
 * An attacker's review of WebSocket batching (`m2m.batch.v1`, transport/ws-batch.ts,
 * docs/PROTOCOL.md §6): hostile peers on real loopback sockets, as a raw `ws` client against our
 * transport and server, and as a raw TCP server answering our dialer's upgrade by hand. Small
 * limits keep every attack small; each test asserts what the attack must not achieve.
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { connect, listen, Session } from '../src/index.js';
import { platform } from '../src/platform/index.node.js';
import { ConnectionAccount } from '../src/transport/budget.js';
import type { WebSocketLike } from '../src/transport/websocket.js';
import { NodeWebSocketTransport, type NodeWebSocketTransportOptions } from '../src/transport/websocket-node.js';
import { filledMessage, lengthPrefixed, splitLengthPrefixed } from './fixtures/length-prefixed.js';

const PROTOCOL = 'm2m.batch.v1';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const message = (i: number, size = 20) => filledMessage(i, size);

/** Our server transport (as listen builds it) on a raw `ws` client that offers `m2m.batch.v1`. */
async function serverTransport(options: NodeWebSocketTransportOptions = {}): Promise<{ server: NodeWebSocketTransport; client: WebSocket; raw: WebSocket }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false) });
  await new Promise((r) => wss.once('listening', r));
  cleanup.push(() => new Promise((r) => wss.close(r)));
  const accepted = new Promise<[NodeWebSocketTransport, WebSocket]>((r) =>
    wss.once('connection', (ws) => r([new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true, defer: process.nextTick, yieldTo: setImmediate, ...options }), ws])),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, [PROTOCOL]);
  cleanup.push(() => client.terminate());
  await new Promise((r) => client.once('open', r));
  const [server, raw] = await accepted;
  return { server, client, raw };
}

/** Reads as the session's read loop does: every waiting message without a promise, then awaits. */
function pollingReader(t: NodeWebSocketTransport): { count: () => number; done: Promise<unknown> } {
  let n = 0;
  const it = t[Symbol.asyncIterator]();
  const done = (async () => {
    for (;;) {
      let m = it.poll?.();
      if (m === undefined) {
        const r = await it.next();
        if (r.done) return undefined;
        m = r.value;
      }
      n++;
    }
  })().catch((e: unknown) => e);
  return { count: () => n, done };
}

async function until(done: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

describe('a batch of many entries does not hold the event loop', () => {
  it('100,000 one-byte entries in one batch: other callbacks run before the last entry is read', async () => {
    const { server, client, raw } = await serverTransport({ maxMessageBytes: 1024 * 1024 });
    const reader = pollingReader(server);
    const n = 100_000;
    // What the reader has taken when the event loop next gets a turn after the batch arrived.
    let takenAtFirstTurn = -1;
    raw.on('message', () => setImmediate(() => (takenAtFirstTurn = reader.count())));
    client.send(lengthPrefixed(Array.from({ length: n }, (_, i) => new Uint8Array([i & 0xff]))));
    await until(() => reader.count() === n, 10_000);
    expect(reader.count()).toBe(n);
    expect(takenAtFirstTurn).toBeGreaterThanOrEqual(0);
    // Unbatched, a socket read (64 KiB) is at most ~10,000 such messages per turn.
    expect(takenAtFirstTurn).toBeLessThan(10_000);
  });
});

describe('hostile clients against our server transport', () => {
  it('a text frame under the subprotocol: INVALID_MESSAGE, closed 1003, nothing after it delivered', async () => {
    const { server, client } = await serverTransport();
    const closed = new Promise<number>((r) => client.once('close', (c) => r(c)));
    client.send(lengthPrefixed([message(1)]));
    client.send(lengthPrefixed([message(2)]).toString('latin1'));
    client.send(lengthPrefixed([message(3)]));
    const got: Uint8Array[] = [];
    let error: unknown;
    try {
      for await (const m of server) got.push(m);
    } catch (e) {
      error = e;
    }
    expect(got.length).toBeLessThanOrEqual(1);
    expect(isSdkError(error) && error.code).toBe('INVALID_MESSAGE');
    expect(await closed).toBe(1003);
  });

  it('a batch in continuation frames (one byte each) arrives whole; past 16,384 fragments the connection ends', async () => {
    const { server, client } = await serverTransport();
    const entries = Array.from({ length: 20 }, (_, i) => message(i, 10));
    const batch = lengthPrefixed(entries);
    // `ws` sends a message in fragments with `fin: false` on all but the last.
    for (let i = 0; i < batch.length; i++) client.send(batch.subarray(i, i + 1), { binary: true, fin: i === batch.length - 1 });
    const it = server[Symbol.asyncIterator]();
    for (const e of entries) expect((await it.next()).value).toEqual(e);
    const closed = new Promise<number>((r) => client.once('close', (c) => r(c)));
    for (let i = 0; i < 17_000; i++) client.send(new Uint8Array([0]), { binary: true, fin: false });
    expect(await closed).toBe(1008);
    const end = await it.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSdkError(end)).toBe(true);
  });
});

describe('hostile servers against our client', () => {
  /** A raw TCP server that completes the upgrade by hand with the given subprotocol answer. */
  async function handMadeServer(answer: string | undefined, after?: (s: net.Socket) => void): Promise<string> {
    const srv = net.createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', (d) => {
        const key = /Sec-WebSocket-Key: (.*)\r\n/i.exec(String(d))![1];
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${answer === undefined ? '' : `Sec-WebSocket-Protocol: ${answer}\r\n`}\r\n`);
        after?.(s);
      });
      cleanup.push(() => s.destroy());
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => srv.close(r)));
    return `ws://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  }

  it.each(['M2M.BATCH.V1', 'm2m.batch.v2', 'm2m.batch.v1, m2m.batch.v1'])('a server answering %j (not what we offered) is refused with NETWORK_ERROR', async (answer) => {
    const url = await handMadeServer(answer);
    const error = await platform.openWebSocket(url, {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSdkError(error) && error.code).toBe('NETWORK_ERROR');
  });

  it('a server that selects batching and sends a bad batch: the client ends with INVALID_MESSAGE, nothing of it delivered', async () => {
    // An unmasked server frame: binary, FIN, 12 bytes: one good entry, then a length past the end.
    const bad = lengthPrefixed([message(5, 4)]);
    const frame = Buffer.concat([Buffer.from([0x82, bad.length + 4]), bad, Buffer.from([0, 0, 0, 50])]);
    const url = await handMadeServer(PROTOCOL, (s) => setTimeout(() => s.write(frame), 20));
    const client = await platform.openWebSocket(url, {});
    expect((client as NodeWebSocketTransport).batched).toBe(true);
    const got: Uint8Array[] = [];
    let error: unknown;
    try {
      for await (const m of client) got.push(m);
    } catch (e) {
      error = e;
    }
    expect(got).toEqual([]);
    expect(isSdkError(error) && error.code).toBe('INVALID_MESSAGE');
  });
});

describe('the sender: what send resolved is not lost', () => {
  it('a session closed in the middle of a burst: every DATA it sent reaches the server before the close', async () => {
    const got: string[] = [];
    let ended!: () => void;
    const serverDone = new Promise<void>((r) => (ended = r));
    const server = await listen({
      transport: 'ws',
      onSession: async (s) => {
        try {
          for await (const m of s) got.push(m.content);
        } finally {
          ended();
        }
      },
    });
    cleanup.push(() => server.close());
    const client = await connect(server.url);
    expect((client.transport as NodeWebSocketTransport).batched).toBe(true);
    const sends = Array.from({ length: 400 }, (_, i) => client.send(`{"i":${i}}`));
    await Promise.all(sends);
    await client.close();
    await serverDone;
    expect(got).toEqual(Array.from({ length: 400 }, (_, i) => `{"i":${i}}`));
  });

  it('abort() in the middle of a burst still hands what send took to the socket first', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false) });
    await new Promise((r) => wss.once('listening', r));
    cleanup.push(() => new Promise((r) => wss.close(r)));
    const received: Buffer[] = [];
    const peerClosed = new Promise<void>((resolve) =>
      wss.once('connection', (ws) => {
        ws.on('message', (data) => received.push(data as Buffer));
        ws.on('close', () => resolve());
        ws.on('error', () => undefined);
      }),
    );
    const client = await platform.openWebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, {});
    expect((client as NodeWebSocketTransport).batched).toBe(true);
    const sent = Array.from({ length: 300 }, (_, i) => message(i, 30));
    await Promise.all(sent.map((m) => client.send(m)));
    client.abort!();
    await peerClosed;
    expect(received.flatMap(splitLengthPrefixed)).toEqual(sent);
  });

  it('an empty message is refused by send (a batch entry may not be empty), the connection stays up', async () => {
    const { server, client } = await serverTransport();
    const reply = new NodeWebSocketTransport(client as unknown as WebSocketLike, { nodeBuffers: true });
    const error = await reply.send(new Uint8Array(0)).then(
      () => undefined,
      (e: unknown) => e,
    );
    await reply.send(message(1));
    const it = server[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual(message(1));
    expect(isSdkError(error)).toBe(true);
  });
});

describe('a peer that closes right after a large batch', () => {
  it('its unread entries stay counted in the server budget as bytes until read, then all arrive in order', async () => {
    const sessions: Session[] = [];
    // The application does not read yet.
    const server = await listen({ transport: 'ws', onSession: (s) => void sessions.push(s) });
    cleanup.push(() => server.close());
    const ws = new WebSocket(server.url, [PROTOCOL]);
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const transport = new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true, defer: process.nextTick });
    // The peer's DATA messages, as its session encodes them, kept instead of sent.
    const wire: Uint8Array[] = [];
    const send = transport.send.bind(transport);
    let keep = false;
    transport.send = (data) => (keep ? (wire.push(new Uint8Array(data)), Promise.resolve()) : send(data));
    const client = await Session.client(transport);
    await until(() => sessions.length === 1);
    keep = true;
    const n = 3000;
    for (let i = 0; i < n; i++) await client.send(`{"i":${i}}`);
    const batch = lengthPrefixed(wire);
    // Sent again in one batch straight on the socket, then the close frame (read with the batch's
    // last bytes: the server reads on to it).
    ws.send(batch);
    ws.close();
    await until(() => ws.readyState === WebSocket.CLOSED);
    // Still counted: the session has not turned 3,000 messages into objects outside the budget.
    expect(server.bufferedBytes).toBeGreaterThan(batch.length / 2);
    const got: string[] = [];
    // Gone without a CLOSE message: the session reports the lost connection after the last DATA.
    const end = await (async () => {
      for await (const m of sessions[0]) got.push(m.content);
    })().catch((e: unknown) => e);
    expect(isSdkError(end) && end.code).toBe('SESSION_CLOSED');
    expect(got).toEqual(Array.from({ length: n }, (_, i) => `{"i":${i}}`));
    await until(() => server.bufferedBytes === 0);
    expect(server.bufferedBytes).toBe(0);
  });
});

describe('subprotocol negotiation against our server', () => {
  /** A raw client offering `protocols`; resolves with what the server selected and the socket. */
  async function offer(server: { url: string }, protocols: string[]): Promise<WebSocket> {
    const ws = new WebSocket(server.url, protocols);
    cleanup.push(() => ws.terminate());
    ws.on('error', () => undefined);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return ws;
  }

  it.each([
    { offered: [] as string[], selected: '' },
    { offered: ['M2M.BATCH.V1'], selected: 'M2M.BATCH.V1' },
    { offered: ['m2m.batch.v2'], selected: 'm2m.batch.v2' },
  ])('a client offering $offered that sends batches anyway is not read as batched: typed handshake error, connection closed', async ({ offered, selected }) => {
    const errors: unknown[] = [];
    const server = await listen({ transport: 'ws', onSession: () => undefined, onHandshakeError: (e) => errors.push(e) });
    cleanup.push(() => server.close());
    const ws = await offer(server, offered);
    expect(ws.protocol).toBe(selected);
    const closed = new Promise((r) => ws.once('close', r));
    // A batch of two copies of a valid HELLO would be a HELLO and junk; read whole it is neither.
    ws.send(lengthPrefixed([message(0x7b, 30), message(0x7b, 30)]));
    await closed;
    await until(() => errors.length > 0);
    expect(isSdkError(errors[0])).toBe(true);
    expect(server.counters.accepted).toBe(0);
    expect(server.bufferedBytes).toBe(0);
  });

  it('a subprotocol listed twice is refused at the upgrade; the server keeps serving', async () => {
    const server = await listen({ transport: 'ws', onSession: async (s) => { for await (const m of s) await s.send(m.content); } });
    cleanup.push(() => server.close());
    const refused = await offer(server, [PROTOCOL, PROTOCOL]).then(
      () => 'opened',
      (e: unknown) => String(e),
    );
    expect(refused).not.toBe('opened');
    const ok = await offer(server, ['other', PROTOCOL]);
    expect(ok.protocol).toBe(PROTOCOL);
    const client = await connect(server.url);
    const it = client[Symbol.asyncIterator]();
    await client.send('{"still":"served"}');
    expect((await it.next()).value?.content).toBe('{"still":"served"}');
    await client.close();
  });
});

describe('pre-handshake limits with batching', () => {
  it('a batch frame that never completes is closed at handshakeTimeoutMs; the oldest of maxPendingHandshakes is evicted', async () => {
    const errors: unknown[] = [];
    const server = await listen({ transport: 'ws', serverLimits: { handshakeTimeoutMs: 300, maxPendingHandshakes: 2 }, onSession: () => undefined, onHandshakeError: (e) => errors.push(e) });
    cleanup.push(() => server.close());
    const sockets: WebSocket[] = [];
    const closes: Array<Promise<number>> = [];
    for (let i = 0; i < 3; i++) {
      const ws = new WebSocket(server.url, [PROTOCOL]);
      cleanup.push(() => ws.terminate());
      ws.on('error', () => undefined);
      await new Promise((r) => ws.once('open', r));
      closes.push(new Promise((r) => ws.once('close', (c) => r(c))));
      // The first fragment of a batch whose rest never comes.
      ws.send(lengthPrefixed([message(1, 100)]).subarray(0, 50), { binary: true, fin: false });
      sockets.push(ws);
    }
    await Promise.all(closes);
    await until(() => errors.length === 3);
    expect(server.counters.evictedPending).toBe(1);
    expect(server.counters.handshakeTimeouts).toBe(2);
    expect(errors.every((e) => isSdkError(e))).toBe(true);
    expect(server.bufferedBytes).toBe(0);
  });
});

describe('an echo server and a peer that closes right after a burst', () => {
  it.each([true, false])('batched %s: the echo handler\'s failed send is no unhandled rejection, the server stays up', async (batched) => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    cleanup.push(() => process.off('unhandledRejection', onUnhandled));
    const sessions: Session[] = [];
    const server = await listen({
      transport: 'ws',
      // The dead session waits this long for CLOSE when the server closes.
      timers: { closingTimeoutMs: 1000 },
      onSession: async (s) => {
        sessions.push(s);
        for await (const m of s) await s.send(m.content);
      },
    });
    cleanup.push(() => server.close());
    const ws = new WebSocket(server.url, batched ? [PROTOCOL] : []);
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const transport = new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true, defer: process.nextTick });
    const wire: Uint8Array[] = [];
    const send = transport.send.bind(transport);
    let keep = false;
    transport.send = (data) => (keep ? (wire.push(new Uint8Array(data)), Promise.resolve()) : send(data));
    const client = await Session.client(transport);
    await until(() => sessions.length === 1);
    keep = true;
    for (let i = 0; i < 3000; i++) await client.send(`{"i":${i}}`);
    // The burst and the close frame in one write.
    if (batched) ws.send(lengthPrefixed(wire));
    else for (const w of wire) ws.send(w);
    ws.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(unhandled).toEqual([]);
    // The server still serves others.
    const other = await connect(server.url);
    const it = other[Symbol.asyncIterator]();
    await other.send('{"ok":true}');
    expect((await it.next()).value?.content).toBe('{"ok":true}');
    await other.close();
  });
});

describe('a peer sending max-size batches nobody reads', () => {
  it('40 batches of 256 KiB: the connection holds about one batch beyond its inbox, the rest waits in the socket', async () => {
    const account = new ConnectionAccount(undefined);
    const max = 256 * 1024;
    const { server, client } = await serverTransport({ maxMessageBytes: max, highWaterMark: 8, highWaterBytes: 64 * 1024, account });
    // A paused socket does not see the peer go: the test ends the connection itself.
    cleanup.push(() => server.abort());
    const batch = lengthPrefixed(Array.from({ length: 64 }, (_, i) => message(i, max / 64 - 4)));
    for (let i = 0; i < 40; i++) client.send(batch);
    await until(() => account.held > 0);
    await new Promise((r) => setTimeout(r, 300));
    // Nobody reads: 10 MiB sent, at most a few batches held (the one being split, one `ws` had parsed).
    expect(account.held).toBeGreaterThan(0);
    expect(account.held).toBeLessThanOrEqual(3 * batch.length);
  });
});
