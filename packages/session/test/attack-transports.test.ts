/**
 * Attacks on the transports' fast paths (transport/ws-direct.ts, ws-mask.ts, tcp.ts coalescing,
 * nats-transport.ts unzeroed BATCH runs): frames a hostile or odd peer writes byte by byte, and
 * whether anything the application receives (or its `.buffer`) exposes bytes the peer never
 * wrote (stale heap from `Buffer.allocUnsafe`'s pool or unzeroed allocations).
 */
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { NatsTransport, type NatsPort } from '@m2m/session/nats';
import type { WebSocketLike } from '../src/transport/websocket.js';
import { NodeWebSocketTransport } from '../src/transport/websocket-node.js';
import { frameHeaderSize, writeBinaryFrameHeader, xorMask } from '../src/transport/ws-mask.js';
import { TcpTransport } from '../src/transport/tcp.js';
import { encodeCredit, INITIAL_WINDOW, NatsKind, natsMessageCost, randomToken, sessionMessagesOf, sessionSubject } from '../src/transport/nats-frames.js';
import { NatsLink } from '../src/transport/nats-link.js';
import { fakeBroker } from './fixtures/fake-nats-broker.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const PROTOCOL = 'm2m.batch.v1';
/** A byte no payload here contains (payloads use 0..0x7f), written over memory the test frees or leaves. */
const MARK = 0xa5;
const MARK_RUN = 32;
const payload = (length: number, seed: number) => new Uint8Array(length).map((_, i) => (i * 7 + seed) & 0x7f);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `bytes`' whole backing store holds a run of MARK bytes (stale memory the peer never wrote). */
function exposesMark(bytes: Uint8Array): boolean {
  const all = new Uint8Array(bytes.buffer);
  let run = 0;
  for (const b of all) {
    run = b === MARK ? run + 1 : 0;
    if (run >= MARK_RUN) return true;
  }
  return false;
}

/** Leaves MARK bytes in the current `Buffer.allocUnsafe` pool with room after them, as any other code of the process would. */
function markBufferPool(): void {
  // Start a fresh pool when less than half is left, so what comes next is carved after the marks.
  while (Buffer.allocUnsafe(8).byteOffset > Buffer.poolSize / 4) Buffer.allocUnsafe(512);
  for (let i = 0; i < 4; i++) Buffer.allocUnsafe(64).fill(MARK);
}

/** One masked (client) frame: `opcode`, FIN as given, the payload masked with `key`. */
function clientFrame(data: Uint8Array, key: Uint8Array, opcode = 2, fin = true): Uint8Array {
  const h = frameHeaderSize(data.length, true);
  const out = new Uint8Array(h + data.length);
  writeBinaryFrameHeader(out, 0, data.length, key);
  out[0] = (fin ? 0x80 : 0) | opcode;
  out.set(data, h);
  xorMask(out, h, h + data.length, key);
  return out;
}

async function wsServer(select: boolean, options: Record<string, unknown> = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1 << 20, handleProtocols: (offered) => (select && offered.has(PROTOCOL) ? PROTOCOL : false) });
  await new Promise((r) => wss.once('listening', r));
  cleanup.push(() => new Promise((r) => wss.close(r)));
  const accepted = new Promise<NodeWebSocketTransport>((r) => wss.once('connection', (ws) => r(new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true, maxMessageBytes: 1 << 20, ...options }))));
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, accepted };
}

/** A plain ws client whose socket the test writes raw frames to. */
async function rawClient(url: string, protocols: string[] = []) {
  const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
  cleanup.push(() => ws.terminate());
  await new Promise((r) => ws.once('open', r));
  const socket = (ws as unknown as { _socket: net.Socket })._socket;
  socket.setNoDelay(true);
  return { ws, socket };
}

describe('ws: nothing received exposes memory the peer never wrote', () => {
  it.each([false, true])('a message split over socket reads (batched: %s) is not a view of Buffer\'s shared pool', async (batched) => {
    const { url, accepted } = await wsServer(batched);
    const { socket } = await rawClient(url, batched ? [PROTOCOL] : []);
    const server = await accepted;
    expect(server.batched).toBe(batched);
    const message = payload(300, 1);
    let body = message;
    if (batched) {
      body = new Uint8Array(4 + message.length);
      new DataView(body.buffer).setUint32(0, message.length);
      body.set(message, 4);
    }
    const frame = clientFrame(body, Uint8Array.of(1, 2, 3, 4));
    socket.write(frame.subarray(0, 100));
    await sleep(20);
    markBufferPool();
    socket.write(frame.subarray(100));
    const got = (await server[Symbol.asyncIterator]().next()).value as Uint8Array;
    expect(got).toEqual(message);
    expect(exposesMark(got)).toBe(false);
    await server.close();
  });

  it('a message in fragments (joined by ws) is not a view of Buffer\'s shared pool', async () => {
    const { url, accepted } = await wsServer(false);
    const { socket } = await rawClient(url);
    const server = await accepted;
    const key = Uint8Array.of(5, 6, 7, 8);
    const [a, b] = [payload(100, 1), payload(150, 2)];
    socket.write(clientFrame(a, key, 2, false));
    await sleep(20);
    markBufferPool();
    socket.write(clientFrame(b, key, 0, true));
    const got = (await server[Symbol.asyncIterator]().next()).value as Uint8Array;
    expect(got).toEqual(Uint8Array.from([...a, ...b]));
    expect(exposesMark(got)).toBe(false);
    await server.close();
  });
});

describe('ws: close after a burst', () => {
  it.each([false, true])('messages sent before close (batched: %s) reach the peer before the close frame', async (batched) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (batched && offered.has(PROTOCOL) ? PROTOCOL : false) });
    await new Promise((r) => wss.once('listening', r));
    cleanup.push(() => new Promise((r) => wss.close(r)));
    const received: Buffer[] = [];
    const closed = new Promise<number>((r) => wss.once('connection', (ws) => (ws.on('message', (d) => received.push(d as Buffer)), ws.on('close', (code) => r(code)))));
    const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, batched ? [PROTOCOL] : [], { perMessageDeflate: false });
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const client = new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true });
    expect(client.batched).toBe(batched);
    const sent = [payload(10, 1), payload(200, 2), payload(3, 3)];
    const sends = sent.map((m) => client.send(m));
    await client.close();
    await Promise.allSettled(sends);
    expect(await closed).toBe(1000);
    const entries: Uint8Array[] = [];
    for (const m of received) {
      if (!batched) entries.push(new Uint8Array(m));
      else for (let at = 0; at < m.length; at += 4 + m.readUInt32BE(at)) entries.push(new Uint8Array(m.subarray(at + 4, at + 4 + m.readUInt32BE(at))));
    }
    // Each send that resolved was delivered: none may resolve and be dropped.
    const results = await Promise.allSettled(sends);
    const resolved = results.filter((r) => r.status === 'fulfilled').length;
    expect(entries.length).toBeGreaterThanOrEqual(resolved);
    expect(entries).toEqual(sent.slice(0, entries.length));
  });
});

/** Reads `n` messages from `t`, or what ended it. */
async function take(t: AsyncIterable<Uint8Array>, n: number): Promise<{ got: Uint8Array[]; error: unknown }> {
  const got: Uint8Array[] = [];
  try {
    for await (const m of t) {
      got.push(m); // as handed over: its `.buffer` is what the attacks scan
      if (got.length === n) break;
    }
  } catch (error) {
    return { got, error };
  }
  return { got, error: undefined };
}

describe('ws server: frames a client writes by hand', () => {
  it('refuses an unmasked frame from a client (RFC 6455 §5.1) with a typed error, delivering nothing of it', async () => {
    const { url, accepted } = await wsServer(false);
    const { ws, socket } = await rawClient(url);
    const server = await accepted;
    const closed = new Promise<number>((r) => ws.once('close', r));
    const data = payload(50, 1);
    const frame = new Uint8Array(2 + data.length);
    frame[0] = 0x82;
    frame[1] = data.length;
    frame.set(data, 2);
    socket.write(frame);
    const { got, error } = await take(server, 1);
    expect(got).toEqual([]);
    expect(error).toMatchObject({ name: 'M2MError' });
    expect(await closed).toBe(1002);
  });

  it('reads frames masked with an all-zero key as sent', async () => {
    const { url, accepted } = await wsServer(false);
    const { socket } = await rawClient(url);
    const server = await accepted;
    const sent = [payload(5, 1), payload(126, 2), payload(70_000, 3)];
    for (const m of sent) socket.write(clientFrame(m, new Uint8Array(4)));
    const { got, error } = await take(server, sent.length);
    expect(error).toBeUndefined();
    expect(got).toEqual(sent);
    await server.close();
  });

  it('delivers data frames, a ping, a fragmented message and a close split at every byte position, in order', async () => {
    const { url, accepted } = await wsServer(false, { highWaterMark: 10_000 });
    const { ws, socket } = await rawClient(url);
    const server = await accepted;
    const pongs: Buffer[] = [];
    ws.on('pong', (d) => pongs.push(d));
    const key = Uint8Array.of(0x9e, 0x01, 0xff, 0x37);
    const a = payload(126, 1);
    const b = payload(3, 2);
    const c1 = payload(40, 3);
    const c2 = payload(7, 4);
    const wire = Uint8Array.from([
      ...clientFrame(a, key),
      ...clientFrame(payload(5, 9), key, 0x9), // ping
      ...clientFrame(c1, key, 2, false),
      ...clientFrame(Uint8Array.of(1, 2), key, 0x9), // ping between fragments
      ...clientFrame(c2, key, 0, true),
      ...clientFrame(b, key),
    ]);
    const positions = wire.length;
    for (let p = 1; p < positions; p++) {
      socket.write(wire.subarray(0, p));
      await sleep(1);
      socket.write(wire.subarray(p));
    }
    const want: Uint8Array[] = [];
    for (let p = 1; p < positions; p++) want.push(a, Uint8Array.from([...c1, ...c2]), b);
    const { got, error } = await take(server, want.length);
    expect(error).toBeUndefined();
    expect(got.length).toBe(want.length);
    const differs = got.findIndex((m, i) => !Buffer.from(m).equals(Buffer.from(want[i])));
    expect(differs).toBe(-1);
    await sleep(20);
    expect(pongs.length).toBe(2 * (positions - 1));
    expect(pongs.every((p, i) => Buffer.from(p).equals(Buffer.from(i % 2 === 0 ? payload(5, 9) : Uint8Array.of(1, 2))))).toBe(true);
    await server.close();
  });

  it.each([125, 126, 65535, 65536, 200_000])('reads a %i-byte frame split inside its header and payload', async (length) => {
    const { url, accepted } = await wsServer(false);
    const { socket } = await rawClient(url);
    const server = await accepted;
    const m = payload(length, length & 0xff);
    const frame = clientFrame(m, Uint8Array.of(1, 0x80, 0x7f, 0xfe));
    for (const cut of [1, 2, 3, 5, 9, 13, 15, frame.length - 3]) {
      socket.write(frame.subarray(0, cut));
      await sleep(2);
      socket.write(frame.subarray(cut));
    }
    const { got, error } = await take(server, 8);
    expect(error).toBeUndefined();
    expect(got.every((g) => Buffer.from(g).equals(Buffer.from(m)))).toBe(true);
    await server.close();
  });

  it('ends with a typed error, no crash, for garbage bytes', async () => {
    const { url, accepted } = await wsServer(false);
    const { socket } = await rawClient(url);
    const server = await accepted;
    // Reserved opcode 0x3 with RSV bits, then noise.
    socket.write(Uint8Array.from([0xf3, 0xff, ...payload(200, 5)]));
    const { got, error } = await take(server, 1);
    expect(got).toEqual([]);
    expect(error).toMatchObject({ name: 'M2MError' });
  });
});

describe('ws client: our frames and ws\'s own, interleaved', () => {
  it('keeps order with ws.send of a Blob (queued in ws\'s sender), pings and close; nothing after the close frame', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    cleanup.push(() => new Promise((r) => wss.close(r)));
    const received: Uint8Array[] = [];
    const closed = new Promise<void>((r) => wss.once('connection', (ws) => (ws.on('message', (d) => received.push(new Uint8Array(d as Buffer))), ws.on('close', () => r()))));
    const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: false });
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const socket = (ws as unknown as { _socket: { write: (b: Uint8Array, ...rest: unknown[]) => boolean } })._socket;
    const writes: Uint8Array[] = [];
    const write = socket.write.bind(socket);
    socket.write = (b: Uint8Array, ...rest: unknown[]) => (writes.push(Uint8Array.from(b)), write(b, ...rest));
    const client = new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true });
    const caller = payload(300, 7);
    const copy = Uint8Array.from(caller);
    const sends = [client.send(payload(10, 1))];
    ws.send(new Blob([payload(20, 2)])); // ws reads the Blob asynchronously: its sender queues what follows
    sends.push(client.send(caller));
    ws.ping(Uint8Array.of(1));
    sends.push(client.send(payload(5, 3)));
    await Promise.all(sends);
    await client.close();
    await closed;
    expect(received).toEqual([payload(10, 1), payload(20, 2), caller, payload(5, 3)]);
    expect(caller).toEqual(copy);
    // The frames on the wire, parsed (a header and its payload may be separate writes, and a
    // masked payload's first byte can look like any opcode): no data frame after the close frame.
    const opcodes = frameOpcodes(Buffer.concat(writes));
    const closeAt = opcodes.indexOf(0x8);
    expect(closeAt).toBeGreaterThan(-1);
    expect(opcodes.slice(closeAt + 1).filter((op) => op <= 2)).toEqual([]);
    await expect(client.send(payload(1, 1))).rejects.toMatchObject({ name: 'M2MError' });
  });
});

/** Opcodes of the RFC 6455 frames in `wire`, in order (§5.2: 7-bit, 16-bit or 64-bit lengths, a 4-byte mask when set). */
function frameOpcodes(wire: Uint8Array): number[] {
  const ops: number[] = [];
  for (let at = 0; at + 2 <= wire.length; ) {
    const op = wire[at] & 0x0f;
    let len = wire[at + 1] & 0x7f;
    let head = 2;
    if (len === 126) [len, head] = [(wire[at + 2] << 8) | wire[at + 3], 4];
    else if (len === 127) [len, head] = [Number(new DataView(wire.buffer, wire.byteOffset + at + 2, 8).getBigUint64(0)), 10];
    if (wire[at + 1] & 0x80) head += 4;
    ops.push(op);
    at += head + len;
  }
  return ops;
}

describe('NATS: nothing received exposes memory the peer never wrote', () => {
  const peer = sessionSubject(randomToken(), randomToken());
  const own = sessionSubject(randomToken(), randomToken());
  const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24];

  /** A client read buffer: the message at `at`, MARK around it (another session's MSG on the same connection). */
  function inRead(message: Uint8Array, readSize: number, at: number): Uint8Array {
    const read = new Uint8Array(readSize).fill(MARK);
    read.set(message, at);
    return read.subarray(at, at + message.length);
  }

  it('a BATCH copied into unzeroed memory leaves none of it unwritten', async () => {
    const stale: Uint8Array[] = [];
    const port: NatsPort = {
      maxPayload: 1 << 20,
      publish: () => undefined,
      release: () => undefined,
      // What freed memory may hold: MARK everywhere.
      allocateUninitialized: (n) => {
        const b = new Uint8Array(n).fill(MARK);
        stale.push(b);
        return b;
      },
    };
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0 });
    const sizes = [1, 100, 3000, 5000, 9000, 7, 8188];
    const messages = sizes.map((n, i) => payload(n, i));
    const batch = Uint8Array.from([NatsKind.BATCH, ...messages.flatMap((m) => [...u32(m.length), ...m])]);
    t.deliver({ data: inRead(batch, batch.length + 300, 150), reply: peer });
    const { got, error } = await take(t, messages.length);
    expect(error).toBeUndefined();
    expect(stale.length).toBeGreaterThan(0);
    expect(got.length).toBe(messages.length);
    for (const [i, m] of got.entries()) expect(Buffer.from(m).equals(Buffer.from(messages[i]))).toBe(true);
    expect(got.filter(exposesMark)).toEqual([]);
    await t.close();
  });
});

/** A TcpTransport client connected to a raw server socket. */
async function tcpPair(limits: Record<string, number> = {}): Promise<{ client: TcpTransport; clientSocket: net.Socket; peer: net.Socket }> {
  const server = net.createServer();
  cleanup.push(() => server.close());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const peerP = new Promise<net.Socket>((r) => server.once('connection', r));
  const clientSocket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise((r) => clientSocket.once('connect', r));
  const peer = await peerP;
  cleanup.push(() => (peer.destroy(), clientSocket.destroy()));
  return { client: new TcpTransport(clientSocket, limits), clientSocket, peer };
}

/** Splits a length-prefixed byte stream into its messages. */
function unframe(stream: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at + 4 <= stream.length; ) {
    const n = stream.readUInt32BE(at);
    out.push(new Uint8Array(stream.subarray(at + 4, at + 4 + n)));
    at += 4 + n;
  }
  return out;
}

describe('tcp: coalesced small messages', () => {
  it('keeps order across small, boundary and large messages of one burst', async () => {
    const { client, peer } = await tcpPair();
    const chunks: Buffer[] = [];
    peer.on('data', (c: Buffer) => chunks.push(c));
    const sizes = [1, 1023, 1024, 5, 70_000, 2, 1023, 3000, 1, 1, 40_000, 17];
    const sent = sizes.map((n, i) => payload(n, i));
    await Promise.all(sent.map((m) => client.send(m)));
    const total = sizes.reduce((n, s) => n + 4 + s, 0);
    const deadline = Date.now() + 5000;
    while (chunks.reduce((n, c) => n + c.length, 0) < total && Date.now() < deadline) await sleep(5);
    const got = unframe(Buffer.concat(chunks));
    expect(got.length).toBe(sent.length);
    expect(got.findIndex((m, i) => !Buffer.from(m).equals(Buffer.from(sent[i])))).toBe(-1);
    await client.close();
  });

  it('buffers at most about twice node:net\'s mark plus a message while the peer reads nothing', async () => {
    const { client, clientSocket, peer } = await tcpPair({ sendTimeoutMs: 60_000 });
    peer.pause();
    const mark = clientSocket.writableHighWaterMark;
    const m = payload(1000, 1);
    let blocked = false;
    for (let i = 0; i < 200_000 && !blocked; i++) {
      const p = client.send(m);
      blocked = await Promise.race([p.then(() => false), sleep(30).then(() => true)]);
      expect(clientSocket.writableLength).toBeLessThanOrEqual(2 * mark + 4 + m.length);
    }
    expect(blocked).toBe(true);
    expect(clientSocket.writableLength).toBeLessThanOrEqual(2 * mark + 4 + m.length);
    client.close().catch(() => undefined);
  });

  it('rejects a send after close with a typed error, and the last burst leaves before the FIN', async () => {
    const { client, peer } = await tcpPair();
    const chunks: Buffer[] = [];
    peer.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise((r) => peer.once('end', r));
    const sent = [payload(3, 1), payload(500, 2)];
    const sends = sent.map((m) => client.send(m));
    await client.close();
    await Promise.all(sends);
    await ended;
    expect(unframe(Buffer.concat(chunks))).toEqual(sent);
    await expect(client.send(payload(1, 1))).rejects.toMatchObject({ name: 'M2MError', code: 'NETWORK_ERROR' });
  });

  it('ends with LIMIT_EXCEEDED, not a crash or an allocation, for a declared length of 4 GiB', async () => {
    const { client, peer } = await tcpPair({ maxMessageBytes: 1 << 16 });
    peer.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 2, 3));
    const { got, error } = await take(client, 1);
    expect(got).toEqual([]);
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('hands over no unzeroed memory the peer never wrote, for messages trickled over many reads', async () => {
    const { client, peer } = await tcpPair();
    const slow = Buffer.allocUnsafeSlow;
    // What freed memory may hold: every unzeroed allocation starts out as MARK.
    let calls = 0;
    Buffer.allocUnsafeSlow = (n: number) => (calls++, slow(n).fill(MARK));
    cleanup.push(() => (Buffer.allocUnsafeSlow = slow));
    const sizes = [1, 100, 2048, 2049, 5000, 9000, 70_000];
    const sent = sizes.map((n, i) => payload(n, i));
    const stream = Buffer.concat(sent.map((m) => Buffer.concat([Buffer.from(Uint8Array.of(m.length >>> 24, m.length >>> 16, m.length >>> 8, m.length)), Buffer.from(m)])));
    peer.setNoDelay(true);
    for (let at = 0; at < stream.length; at += 997) {
      peer.write(stream.subarray(at, at + 997));
      if (at < 20_000) await sleep(1);
    }
    const { got, error } = await take(client, sent.length);
    expect(error).toBeUndefined();
    expect(got.length).toBe(sent.length);
    for (const [i, m] of got.entries()) expect(Buffer.from(m).equals(Buffer.from(sent[i]))).toBe(true);
    expect(got.filter(exposesMark)).toEqual([]);
    expect(calls).toBeGreaterThan(0);
    await client.close();
  });
});


describe('NATS: a BATCH whose messages changed after they were queued', () => {
  it('is not sent with bytes it did not write, and nothing of that end is sent after it', async () => {
    const broker = fakeBroker(1024);
    const b = new NatsLink(broker.connection()).open('m2m.unused', false, { probeIntervalMs: 0 });
    const a = new NatsLink(broker.connection()).open(b.subject, true, { probeIntervalMs: 0 });
    await a.send(payload(10, 1)); // binds the pair (sent alone)
    await new Promise((r) => setImmediate(r));
    const it = b[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual(payload(10, 1));
    const seenBefore = broker.seen.length;
    const first = payload(40, 2);
    void a.send(first);
    void a.send(payload(30, 3));
    // A caller breaking the Transport contract: the queued message's buffer goes away (length 0).
    structuredClone(first.buffer, { transfer: [first.buffer] });
    expect(first.length).toBe(0);
    void a.send(payload(1000, 4)).catch(() => undefined); // does not fit the open batch: queued after it
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const after = broker.seen.slice(seenBefore).filter((d) => d[0] === NatsKind.BATCH || d[0] === NatsKind.FRAME);
    // No batch with a length it does not hold, and not the later message past the lost batch.
    for (const d of after) expect(() => sessionMessagesOf(d)).not.toThrow();
    expect(after.map((d) => d[0])).toEqual([]);
    // The receiver gets nothing past the gap (the sender's BYE ends it).
    const { got } = await take(b, 1);
    expect(got).toEqual([]);
    await expect(a.send(payload(1, 1))).rejects.toMatchObject({ name: 'M2MError' });
  });
});

describe('ws client: frames a server writes by hand', () => {
  async function dialed() {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    cleanup.push(() => new Promise((r) => wss.close(r)));
    const serverSide = new Promise<net.Socket>((r) => wss.once('connection', (ws) => r((ws as unknown as { _socket: net.Socket })._socket)));
    const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: false });
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const socket = await serverSide;
    socket.setNoDelay(true);
    return { client: new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true }), socket };
  }

  it('refuses a masked frame from the server (RFC 6455 §5.1) with a typed error', async () => {
    const { client, socket } = await dialed();
    socket.write(clientFrame(payload(20, 1), Uint8Array.of(1, 2, 3, 4)));
    const { got, error } = await take(client, 1);
    expect(got).toEqual([]);
    expect(error).toMatchObject({ name: 'M2MError' });
  });

  it('a message split over reads is not a view of Buffer\'s shared pool', async () => {
    const { client, socket } = await dialed();
    const m = payload(400, 2);
    const frame = Uint8Array.from([0x82, 126, m.length >> 8, m.length & 0xff, ...m]);
    socket.write(frame.subarray(0, 50));
    await sleep(20);
    markBufferPool();
    socket.write(frame.subarray(50));
    const got = (await client[Symbol.asyncIterator]().next()).value as Uint8Array;
    expect(got).toEqual(m);
    expect(exposesMark(got)).toBe(false);
    await client.close();
  });
});

describe('NATS: the ring of in-flight messages', () => {
  it('reports exactly the sent, unacknowledged messages in order through wraps and growth', async () => {
    const peer = sessionSubject(randomToken(), randomToken());
    const own = sessionSubject(randomToken(), randomToken());
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.record({ send: fc.integer({ min: 1, max: 90 }) }), fc.record({ ack: fc.integer({ min: 0, max: 200 }) })), { maxLength: 120 }), async (ops) => {
        const port: NatsPort = { maxPayload: 1 << 20, publish: () => undefined, release: () => undefined };
        const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0 });
        const model: Array<{ m: Uint8Array; end: number }> = [];
        let sent = 0;
        let consumed = 0;
        let n = 0;
        for (const op of ops) {
          if ('send' in op) {
            // Within the window (INITIAL_WINDOW / NATS_MESSAGE_COST messages): a send past it waits for credit.
            if (sent - consumed + op.send * natsMessageCost(8) > INITIAL_WINDOW) continue;
            for (let i = 0; i < op.send; i++) {
              const m = payload(1 + (n % 7), n++);
              await t.send(m);
              sent += natsMessageCost(m.length + 1);
              model.push({ m, end: sent });
            }
          } else {
            // Acknowledge up to the end of the `ack`-th record in flight (or all of them).
            const upTo = model[Math.min(op.ack, model.length - 1)]?.end ?? consumed;
            consumed = Math.max(consumed, upTo);
            t.deliver({ data: encodeCredit(INITIAL_WINDOW, consumed), reply: peer });
            while (model.length > 0 && model[0].end <= consumed) model.shift();
          }
          const inFlight = t.inFlight;
          expect(inFlight.messages).toEqual(model.map((r) => r.m));
          expect(inFlight.bytes).toBe(model.reduce((b, r) => b + r.m.length, 0));
        }
        await t.close();
      }),
      { numRuns: 30 },
    );
  });
});

describe('a peer that goes away mid-burst', () => {
  it('tcp: sends after the peer reset end with typed errors, no unhandled error', async () => {
    const { client, peer } = await tcpPair();
    peer.resetAndDestroy();
    await sleep(20);
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => client.send(payload(i % 2 ? 10 : 2000, i))));
    await sleep(20);
    const again = await Promise.allSettled([client.send(payload(5, 1))]);
    for (const r of [...results, ...again]) if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'M2MError' });
    expect(again[0].status).toBe('rejected');
    const { error } = await take(client, 1);
    if (error !== undefined) expect(error).toMatchObject({ name: 'M2MError' });
  });

  it('ws: direct frames after the peer dropped the socket end with typed errors, no unhandled error', async () => {
    const { url, accepted } = await wsServer(false);
    const ws = new WebSocket(url, { perMessageDeflate: false });
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const client = new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true });
    const server = await accepted;
    (server as unknown as { close(): Promise<void> }).close().catch(() => undefined);
    ((ws as unknown as { _socket: net.Socket })._socket).destroy();
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => client.send(payload(50 + i, i))));
    await sleep(20);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'M2MError' });
    await expect(client.send(payload(5, 1))).rejects.toMatchObject({ name: 'M2MError' });
  });
});
