/**
 * The Node WebSocket transport's shortcuts past `ws` (transport/ws-direct.ts): its own frames,
 * read by a plain `ws` peer byte for byte (masked with a fresh key each, the caller's bytes left
 * as they were), and the server's faster unmasking, under payloads split over socket reads,
 * fragmented messages and control frames; `ws` keeps the frames when its shape differs or it
 * has frames of its own queued.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { WebSocketLike } from '../src/transport/websocket.js';
import { NodeWebSocketTransport } from '../src/transport/websocket-node.js';
import { directFrames, unmaskFaster } from '../src/transport/ws-direct.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const PROTOCOL = 'm2m.batch.v1';
const LENGTHS = [1, 31, 32, 125, 126, 127, 1000, 65535, 65536, 70_000, 300_000];
const filled = (length: number, seed: number) => new Uint8Array(length).map((_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);

async function wsServer(select: boolean): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1 << 20, handleProtocols: (offered) => (select && offered.has(PROTOCOL) ? PROTOCOL : false) });
  await new Promise((r) => wss.once('listening', r));
  cleanup.push(() => new Promise((r) => wss.close(r)));
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` };
}

async function open(url: string, protocols: string[] = []): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
  cleanup.push(() => ws.terminate());
  await new Promise((r) => ws.once('open', r));
  return ws;
}

/** The same arrays, byte for byte (toEqual on hundreds of kilobytes is slow): the first difference is reported. */
function expectSameList(got: Uint8Array[], want: Uint8Array[]): void {
  expect(got.map((m) => m.length)).toEqual(want.map((m) => m.length));
  const differs = got.findIndex((m, i) => !Buffer.from(m.buffer, m.byteOffset, m.length).equals(Buffer.from(want[i].buffer, want[i].byteOffset, want[i].length)));
  expect(differs, `message ${differs} differs`).toBe(-1);
}

/** Records what a client writes to its socket. */
function tapWrites(ws: WebSocket): Uint8Array[] {
  const socket = (ws as unknown as { _socket: { write: (...a: unknown[]) => boolean } })._socket;
  const writes: Uint8Array[] = [];
  const write = socket.write.bind(socket);
  socket.write = (...a: unknown[]) => {
    writes.push(Uint8Array.from(a[0] as Uint8Array));
    return write(...a);
  };
  return writes;
}

describe('our frames, read by a plain ws server', () => {
  it('one message per frame: every length arrives whole, the caller keeps its bytes, each frame has a new key', async () => {
    const { wss, url } = await wsServer(false);
    const received: Buffer[] = [];
    wss.on('connection', (ws) => ws.on('message', (data) => received.push(data as Buffer)));
    const ws = await open(url);
    const writes = tapWrites(ws);
    const transport = new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true, maxMessageBytes: 1 << 20 });
    expect(transport.batched).toBe(false);
    const sent = LENGTHS.map((n, i) => filled(n, i));
    for (const m of sent) await transport.send(m);
    await until(() => received.length === sent.length);
    expectSameList(received, sent);
    // What the caller sent is not masked in place.
    expectSameList(sent, LENGTHS.map((n, i) => filled(n, i)));
    // Each frame is masked (RFC 6455 §5.3) with its own key.
    const keys = writes.map((w) => {
      expect(w[1] & 0x80).toBe(0x80);
      const at = (w[1] & 0x7f) === 127 ? 10 : (w[1] & 0x7f) === 126 ? 4 : 2;
      return Buffer.from(w.subarray(at, at + 4)).toString('hex');
    });
    expect(keys.length).toBe(sent.length);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('batched: a burst of messages of every length arrives whole and in order, the caller keeps its bytes', async () => {
    const { wss, url } = await wsServer(true);
    const received: Buffer[] = [];
    wss.on('connection', (ws) => ws.on('message', (data) => received.push(data as Buffer)));
    const ws = await open(url, [PROTOCOL]);
    const transport = new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true, maxMessageBytes: 1 << 20 });
    expect(transport.batched).toBe(true);
    const sent = [...LENGTHS, ...LENGTHS.slice(0, 6)].map((n, i) => filled(n, i));
    await Promise.all(sent.map((m) => transport.send(m)));
    await until(() => received.reduce((n, b) => n + b.length, 0) === sent.reduce((n, m) => n + 4 + m.length, 0));
    const entries: Uint8Array[] = [];
    for (const batch of received) {
      for (let at = 0; at < batch.length; ) {
        const len = batch.readUInt32BE(at);
        entries.push(batch.subarray(at + 4, at + 4 + len));
        at += 4 + len;
      }
    }
    expectSameList(entries, sent);
    expectSameList(sent, [...LENGTHS, ...LENGTHS.slice(0, 6)].map((n, i) => filled(n, i)));
  });

  it('a server sends unmasked frames a plain ws client reads', async () => {
    const { wss, url } = await wsServer(false);
    const accepted = new Promise<NodeWebSocketTransport>((r) => wss.once('connection', (ws) => r(new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true }))));
    const ws = await open(url);
    const received: Buffer[] = [];
    ws.on('message', (data) => received.push(data as Buffer));
    const server = await accepted;
    const sent = LENGTHS.slice(0, 9).map((n, i) => filled(n, i));
    for (const m of sent) await server.send(m);
    await until(() => received.length === sent.length);
    expectSameList(received, sent);
  });
});

describe('faster unmasking on the server', () => {
  it('payloads split over socket reads, fragmented messages and pings arrive as the plain ws client sent them', async () => {
    const { wss, url } = await wsServer(false);
    const accepted = new Promise<NodeWebSocketTransport>((r) => wss.once('connection', (ws) => r(new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true, maxMessageBytes: 1 << 20, highWaterMark: 1000, highWaterBytes: 1 << 24 }))));
    const ws = await open(url);
    const server = await accepted;
    const sent = LENGTHS.map((n, i) => filled(n, i));
    for (const m of sent) ws.send(m);
    // One message in three fragments, each with its own key.
    const parts = [filled(40, 1), filled(3, 2), filled(100, 3)];
    ws.send(parts[0], { fin: false });
    ws.send(parts[1], { fin: false });
    ws.send(parts[2], { fin: true });
    // A masked ping: the server's pong carries the unmasked payload back.
    const pong = new Promise<Buffer>((r) => ws.once('pong', r));
    ws.ping(filled(100, 9));
    // Split the frames over many socket writes of odd sizes (the server reads them in pieces).
    const tail = filled(5000, 4);
    ws.send(tail);
    const got: Uint8Array[] = [];
    for await (const m of server) {
      got.push(new Uint8Array(m));
      if (got.length === sent.length + 2) break;
    }
    expectSameList(got, [...sent, Uint8Array.from([...parts[0], ...parts[1], ...parts[2]]), tail]);
    expect(new Uint8Array(await pong)).toEqual(filled(100, 9));
  });

  it('a frame arriving a few bytes at a time is unmasked once, whole', async () => {
    const { wss, url } = await wsServer(false);
    const accepted = new Promise<NodeWebSocketTransport>((r) => wss.once('connection', (ws) => r(new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true }))));
    const ws = await open(url);
    const server = await accepted;
    // Build two masked frames with ws's own sender, then dribble them in 7-byte writes.
    const socket = (ws as unknown as { _socket: { write: (b: Uint8Array) => boolean; setNoDelay: (v: boolean) => void } })._socket;
    socket.setNoDelay(true);
    const frames: Uint8Array[] = [];
    const write = socket.write.bind(socket);
    socket.write = (b: Uint8Array) => (frames.push(Uint8Array.from(b)), true);
    const messages = [filled(300, 5), filled(70, 6)];
    for (const m of messages) ws.send(m);
    socket.write = write;
    const wire = Uint8Array.from(frames.flatMap((f) => [...f]));
    for (let at = 0; at < wire.length; at += 7) {
      write(wire.subarray(at, at + 7));
      await new Promise((r) => setTimeout(r, 1));
    }
    const it = server[Symbol.asyncIterator]();
    expect(new Uint8Array((await it.next()).value)).toEqual(messages[0]);
    expect(new Uint8Array((await it.next()).value)).toEqual(messages[1]);
  });
});

describe('when ws is not what the shortcuts expect', () => {
  it('directFrames and unmaskFaster leave other shapes alone', () => {
    expect(directFrames({})).toBeUndefined();
    expect(directFrames(null)).toBeUndefined();
    const socket = { write: () => true, cork: () => undefined, uncork: () => undefined };
    const sender = { _queue: [], _state: 0 };
    // permessage-deflate negotiated: frames would have to be compressed.
    expect(directFrames({ _socket: socket, _isServer: false, _sender: sender, extensions: 'permessage-deflate' })).toBeUndefined();
    expect(directFrames({ _socket: socket, _isServer: false, _sender: sender, extensions: '' })).toBeDefined();
    expect(unmaskFaster({ _receiver: {} })).toBe(false);
    expect(unmaskFaster({})).toBe(false);
  });

  it('while ws has frames of its own queued, nothing is written past it', () => {
    const written: Uint8Array[] = [];
    const socket = { write: (b: Uint8Array) => (written.push(b), true), cork: () => undefined, uncork: () => undefined };
    const sender = { _queue: [['queued']] as unknown[], _state: 0 };
    const frames = directFrames({ _socket: socket, _isServer: false, _sender: sender, extensions: '' })!;
    expect(frames.write(new Uint8Array(10), false, () => undefined)).toBe(false);
    expect(written).toEqual([]);
    sender._queue = [];
    sender._state = 1;
    expect(frames.write(new Uint8Array(10), false, () => undefined)).toBe(false);
    sender._state = 0;
    expect(frames.write(new Uint8Array(10), false, () => undefined)).toBe(true);
    expect(written.length).toBe(1);
  });
});

async function until(done: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}
