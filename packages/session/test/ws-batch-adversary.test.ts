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
import type { Transport } from '../src/transport/types.js';
import { WebSocketTransport, type WebSocketLike, type WebSocketTransportOptions } from '../src/transport/websocket.js';

const PROTOCOL = 'm2m.batch.v1';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A batch as the protocol defines it, built here independently of ws-batch.ts. */
function batchOf(entries: Uint8Array[]): Buffer {
  const out = Buffer.alloc(entries.reduce((n, e) => n + 4 + e.length, 0));
  let at = 0;
  for (const e of entries) {
    out.writeUInt32BE(e.length, at);
    out.set(e, at + 4);
    at += 4 + e.length;
  }
  return out;
}

/** The entries of a received batch (test-side parser). */
function entriesOf(batch: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < batch.length; ) {
    const len = batch.readUInt32BE(at);
    out.push(new Uint8Array(batch.subarray(at + 4, at + 4 + len)));
    at += 4 + len;
  }
  return out;
}

const message = (i: number, size = 20) => new Uint8Array(size).fill(i & 0xff);

/** Our server transport (as listen builds it) on a raw `ws` client that offers `m2m.batch.v1`. */
async function serverTransport(options: WebSocketTransportOptions = {}): Promise<{ server: WebSocketTransport; client: WebSocket; raw: WebSocket }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false) });
  await new Promise((r) => wss.once('listening', r));
  cleanup.push(() => new Promise((r) => wss.close(r)));
  const accepted = new Promise<[WebSocketTransport, WebSocket]>((r) =>
    wss.once('connection', (ws) => r([new WebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true, defer: process.nextTick, yieldTo: setImmediate, ...options }), ws])),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, [PROTOCOL]);
  cleanup.push(() => client.terminate());
  await new Promise((r) => client.once('open', r));
  const [server, raw] = await accepted;
  return { server, client, raw };
}

/** Reads as the session's read loop does: every waiting message without a promise, then awaits. */
function pollingReader(t: Transport): { count: () => number; done: Promise<unknown> } {
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
    client.send(batchOf(Array.from({ length: n }, (_, i) => new Uint8Array([i & 0xff]))));
    await until(() => reader.count() === n, 10_000);
    expect(reader.count()).toBe(n);
    expect(takenAtFirstTurn).toBeGreaterThanOrEqual(0);
    // Unbatched, a socket read (64 KiB) is at most ~10,000 such messages per turn.
    expect(takenAtFirstTurn).toBeLessThan(10_000);
  });
});
