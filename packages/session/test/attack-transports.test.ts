/**
 * Attacks on the transports' fast paths (transport/ws-direct.ts, ws-mask.ts, tcp.ts coalescing,
 * nats-transport.ts unzeroed BATCH runs): frames a hostile or odd peer writes byte by byte, and
 * whether anything the application receives (or its `.buffer`) exposes bytes the peer never
 * wrote (stale heap from `Buffer.allocUnsafe`'s pool or unzeroed allocations).
 */
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { NatsTransport, type NatsPort } from '@m2m/session/nats';
import type { WebSocketLike } from '../src/transport/websocket.js';
import { NodeWebSocketTransport } from '../src/transport/websocket-node.js';
import { frameHeaderSize, writeBinaryFrameHeader, xorMask } from '../src/transport/ws-mask.js';
import { TcpTransport } from '../src/transport/tcp.js';
import { NatsKind, randomToken, sessionSubject } from '../src/transport/nats-frames.js';

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
});
