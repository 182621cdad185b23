/**
 * Attacker tests for the keep-view rule (codec/slab.ts `holdsOnlyOwn`): a received view is kept
 * as it is only when its buffer holds nothing but its owner's bytes; a view of someone else's
 * buffer (the NATS client's read buffer with other subjects' messages, a socket read with other
 * frames, Node's shared Buffer pool) is copied before the application can reach it through
 * `.buffer`, and bytes in shared memory (a SharedArrayBuffer another thread can write) are
 * decoded from a private copy, so what the application got cannot change after it was checked.
 * Before, a view was kept whenever its buffer was at most 8 KiB (Node's pool is 8 KiB, most
 * socket reads are smaller) or the view was half of it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NatsTransport, type NatsPort } from '@m2m/session/nats';
import { decodeOwnedMessageBinary, decodeMessageBinary, encodeMessageBinary } from '../src/codec/binary-codec.js';
import { dataFrame, Session, type SessionData, type Transport } from '../src/index.js';
import { memoryTransportPair } from '../src/transport/memory.js';
import type { Message } from '../src/message.js';
import { encodeFrame, randomToken, sessionSubject } from '../src/transport/nats-frames.js';
import { nodeBuffersPair } from './fixtures/ws-node-pair.js';

const encoder = new TextEncoder();
const SECRET = encoder.encode('SECRET-OF-ANOTHER-SESSION-7f3a9c');

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = haystack.indexOf(needle[0]); i !== -1 && i + needle.length <= haystack.length; i = haystack.indexOf(needle[0], i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Everything reachable through `bytes.buffer`, as an attacker holding `bytes` reads it. */
const reachable = (bytes: Uint8Array) => new Uint8Array(bytes.buffer);

/** A DATA message whose content is an M2M frame of `n` bytes. */
function dataMessage(n = 200): { message: Message; frame: Uint8Array } {
  const frame = new Uint8Array(n).fill(0x2a);
  frame.set([0x23, 0x4d, 0x32, 0x4d, 0x7c, 0x31, 0x7c]);
  return { message: { type: 'DATA', sessionId: 's', timestamp: 1, payload: { kind: 'data', value: { algorithm: 'm2m', content: frame } } }, frame };
}
const contentOf = (m: Message) => (m.payload as { value: { content: Uint8Array } }).value.content;

describe('the session codec keeps a frame view only of a buffer that holds nothing else', () => {
  it('a message in a small buffer that also holds another session\'s bytes: the frame is copied', () => {
    const bytes = encodeMessageBinary(dataMessage().message);
    // A socket read (or NATS read buffer) of 1 KiB: this message, then another session's.
    const read = new Uint8Array(1024);
    read.set(bytes, 16);
    read.set(SECRET, 16 + bytes.length + 8);
    const got = decodeOwnedMessageBinary(read.subarray(16, 16 + bytes.length));
    expect(contentOf(got)).toEqual(dataMessage().frame);
    expect(contains(reachable(contentOf(got)), SECRET)).toBe(false);
  });

  it('a message that is most of its buffer: the rest is still not reachable', () => {
    const bytes = encodeMessageBinary(dataMessage(600).message);
    const read = new Uint8Array(bytes.length + SECRET.length);
    read.set(bytes);
    read.set(SECRET, bytes.length);
    const got = decodeOwnedMessageBinary(read.subarray(0, bytes.length));
    expect(contains(reachable(contentOf(got)), SECRET)).toBe(false);
  });

  it('a message in Node\'s shared Buffer pool: the frame is copied out of the pool', () => {
    const other = Buffer.from(SECRET); // some other code's bytes in the pool
    const pooled = Buffer.from(encodeMessageBinary(dataMessage().message));
    expect(pooled.buffer).toBe(other.buffer); // the premise: both are slices of the 8 KiB pool
    const got = decodeOwnedMessageBinary(pooled);
    expect(contentOf(got).buffer).not.toBe(pooled.buffer);
    expect(contains(reachable(contentOf(got)), SECRET)).toBe(false);
  });

  it('a message with a buffer of its own: the frame stays a view of it (no copy)', () => {
    const bytes = encodeMessageBinary(dataMessage().message).slice();
    expect(contentOf(decodeOwnedMessageBinary(bytes)).buffer).toBe(bytes.buffer);
  });
});

describe('shared memory: decoded from a private copy', () => {
  for (const [name, decode] of [
    ['decodeOwnedMessageBinary', decodeOwnedMessageBinary],
    ['decodeMessageBinary', decodeMessageBinary],
  ] as const) {
    it(`${name}: a later write by another thread does not change what was decoded`, () => {
      const { message, frame } = dataMessage();
      const bytes = encodeMessageBinary(message);
      const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
      shared.set(bytes);
      const got = decode(shared);
      expect(contentOf(got).buffer).toBeInstanceOf(ArrayBuffer);
      shared.fill(0x41); // what another thread holding the SharedArrayBuffer can do at any time
      expect(contentOf(got)).toEqual(frame);
    });
  }

  it('a session whose transport delivers views of shared memory: the application\'s data does not change afterwards', async () => {
    // A transport over memory shared with another thread (a ring buffer) hands over views of it.
    const [a, b] = memoryTransportPair();
    const ring = new Uint8Array(new SharedArrayBuffer(4096));
    let at = 0;
    const overRing: Transport = Object.assign(Object.create(b) as Transport, {
      [Symbol.asyncIterator]: () => {
        const inner = b[Symbol.asyncIterator]();
        return {
          next: async () => {
            const r = await inner.next();
            if (r.done) return r;
            if (at + r.value.length > ring.length) at = 0;
            ring.set(r.value, at);
            const view = ring.subarray(at, at + r.value.length);
            at += r.value.length;
            return { done: false, value: view };
          },
        };
      },
      send: (bytes: Uint8Array) => b.send(bytes),
      close: () => b.close(),
    });
    const serverSide = Session.server(overRing);
    const client = await Session.client(a);
    const server = (await serverSide)!;
    const request = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'y'.repeat(150) }] });
    await client.send(request);
    const got = (await server[Symbol.asyncIterator]().next()).value as SessionData;
    const frame = dataFrame(got.payload)!;
    const before = frame.slice();
    expect(frame.buffer).toBeInstanceOf(ArrayBuffer);
    ring.fill(0x41); // the other thread overwrites the ring after delivery
    expect(dataFrame(got.payload)).toEqual(before);
    await client.close();
  });
});

describe('transports copy views of buffers that are not theirs', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  it('NATS: a message that is a view of the client\'s read buffer does not show the other subjects\' messages in it', async () => {
    const peer = sessionSubject(randomToken(), randomToken());
    const own = sessionSubject(randomToken(), randomToken());
    const port: NatsPort = { maxPayload: 1 << 20, publish: () => undefined, release: () => undefined };
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0 });
    const body = new Uint8Array(300).fill(0x33);
    const frame = encodeFrame(body);
    // What the NATS client's parser hands over: a subarray of its socket read, which holds the
    // protocol lines and, here, another session's message (its subject and payload).
    const otherLine = encoder.encode(`MSG m2m.s.other.subject 9 ${SECRET.length}\r\n`);
    const read = new Uint8Array(otherLine.length + SECRET.length + 2 + 40 + frame.length + 2);
    read.set(otherLine);
    read.set(SECRET, otherLine.length);
    const at = read.length - frame.length - 2;
    read.set(frame, at);
    t.deliver({ data: read.subarray(at, at + frame.length), reply: peer });
    const got = (await t[Symbol.asyncIterator]().next()).value as Uint8Array;
    expect(got).toEqual(body);
    expect(contains(reachable(got), SECRET)).toBe(false);
    await t.close().catch(() => undefined);
  });

  it('WebSocket (ws, Node buffers): a message does not show the other frames of its socket read', async () => {
    const { server, client } = await nodeBuffersPair(cleanup);
    // Pairs sent at once share socket reads: a message and the next one's secret.
    const it = server[Symbol.asyncIterator]();
    for (let i = 0; i < 20; i++) {
      client.send(new Uint8Array(180).fill(0x20 + i));
      client.send(SECRET);
    }
    for (let i = 0; i < 20; i++) {
      const mine = (await it.next()).value as Uint8Array;
      expect(mine.length).toBe(180);
      expect(contains(reachable(mine), SECRET)).toBe(false);
      expect((await it.next()).value).toEqual(SECRET);
    }
  });
});
