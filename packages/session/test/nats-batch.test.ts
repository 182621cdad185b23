import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NatsTransport, type NatsPort } from '@m2m/session/nats';
import { NatsLink } from '../src/transport/nats-link.js';
import { fakeBroker } from './fixtures/fake-nats-broker.js';
import { SLAB_BYTES } from '../src/codec/slab.js';
import { batchedLength, encodeBatch, encodeFrame, INITIAL_WINDOW, NATS_MESSAGE_COST, NatsKind, randomToken, sessionMessagesOf, sessionSubject } from '../src/transport/nats-frames.js';

// BATCH messages (docs/PROTOCOL.md §6.1): two NatsLinks over a fake in-process broker, and a
// NatsTransport fed malformed batches directly.


/** A sender end `a` bound to a receiver end `b` (bound by a's first message). */
function pair(maxPayload: number) {
  const broker = fakeBroker(maxPayload);
  const b = new NatsLink(broker.connection()).open('m2m.unused', false, { probeIntervalMs: 0 });
  const a = new NatsLink(broker.connection()).open(b.subject, true, { probeIntervalMs: 0 });
  return { a, b, seen: broker.seen };
}

const message = (i: number, size: number) => new Uint8Array(size).fill(i % 251).map((v, j) => (j < 4 ? (i >> (8 * j)) & 255 : v));
const turn = () => new Promise((r) => setImmediate(r));

describe('NATS BATCH messages', () => {
  it('sends the whole messages of one turn as BATCHes within max_payload, pieces alone, in order', async () => {
    const { a, b, seen } = pair(4096);
    const sizes = [20, 20, 20, 10_000, 30, 1000, 1000, 1000, 1000, 1000, 4095, 40, 40];
    const sent = sizes.map((s, i) => message(i, s));
    for (const m of sent) await a.send(m);
    await turn();
    // 3 small ones in a BATCH; the large one as PART, PART, FRAME; then batches up to 4096
    // bytes (1 + 34 + 4 × 1004 = 4051), a message alone as a FRAME.
    expect(seen.map((d) => d[0])).toEqual([NatsKind.BATCH, NatsKind.PART, NatsKind.PART, NatsKind.FRAME, NatsKind.BATCH, NatsKind.FRAME, NatsKind.FRAME, NatsKind.BATCH]);
    expect(seen.map((d) => (d[0] === NatsKind.PART ? 0 : sessionMessagesOf(d).length))).toEqual([3, 0, 0, 1, 5, 1, 1, 2]);
    for (const d of seen) expect(d.length).toBeLessThanOrEqual(4096);
    const it = b[Symbol.asyncIterator]();
    for (const m of sent) expect((await it.next()).value).toEqual(m);
    // Sends of later turns start new batches, still in order.
    await a.send(message(100, 5));
    await turn();
    await a.send(message(101, 5));
    await a.send(message(102, 5));
    expect((await it.next()).value).toEqual(message(100, 5));
    expect((await it.next()).value).toEqual(message(101, 5));
    expect((await it.next()).value).toEqual(message(102, 5));
    const carrying = seen.filter((d) => d[0] === NatsKind.FRAME || d[0] === NatsKind.BATCH); // not b's CREDITs
    expect(carrying.slice(-2).map((d) => d[0])).toEqual([NatsKind.FRAME, NatsKind.BATCH]);
    await a.close();
    await b.close();
  });

  it('reports batched messages as in flight, in order, until a CREDIT acknowledges them; received ones stay intact', async () => {
    const { a, b } = pair(1 << 20);
    const sent = [20, 300, 5, 9000].map((s, i) => message(i, s));
    for (const m of sent) await a.send(m);
    expect(a.inFlight.messages).toEqual(sent);
    expect(a.inFlight.bytes).toBe(20 + 300 + 5 + 9000);
    await turn();
    const it = b[Symbol.asyncIterator]();
    const got: Uint8Array[] = [];
    for (let i = 0; i < sent.length; i++) got.push((await it.next()).value as Uint8Array);
    // A later batch does not write over the messages of an earlier one.
    for (let i = 0; i < 4; i++) await a.send(message(50 + i, 300).fill(0xee, 4));
    await turn();
    expect(got).toEqual(sent);
    // b grants credit within 5 ms of consuming: the first four are acknowledged, the rest not yet read.
    await new Promise((r) => setTimeout(r, 30));
    expect(a.inFlight.messages.map((m) => m.length)).toEqual([300, 300, 300, 300]);
    await a.close();
    await b.close();
  });

  it('counts each batched message against the window as a FRAME: a sender waits for credit, the receiver holds at most the window', async () => {
    const { a, b } = pair(1 << 20);
    const n = 3000; // at 512 each, 2048 fill the first window (1 MiB)
    let sentCount = 0;
    const sending = (async () => {
      for (let i = 0; i < n; i++) {
        await a.send(message(i, 8));
        sentCount++;
      }
    })();
    for (let i = 0; i < 20; i++) await turn();
    expect(sentCount).toBe(INITIAL_WINDOW / NATS_MESSAGE_COST);
    expect(b.bufferedBytes).toBe(INITIAL_WINDOW);
    const it = b[Symbol.asyncIterator]();
    for (let i = 0; i < n; i++) expect((await it.next()).value).toEqual(message(i, 8));
    await sending;
    await a.close();
    await b.close();
  });
});

describe('NATS BATCH messages, malformed', () => {
  const peer = sessionSubject(randomToken(), randomToken());
  const own = sessionSubject(randomToken(), randomToken());
  const port: NatsPort = { maxPayload: 1 << 20, publish: () => undefined, release: () => undefined };
  const u32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24];

  /** Delivers `data` to a fresh end and returns what it yielded and how it ended. */
  async function feed(...messages: Uint8Array[]): Promise<{ got: number; error: unknown }> {
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0 });
    for (const data of messages) t.deliver({ data, reply: peer });
    let got = 0;
    try {
      for await (const _ of t) got++;
    } catch (error) {
      return { got, error };
    }
    return { got, error: undefined };
  }

  it('accepts a well-formed batch of two', async () => {
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0 });
    t.deliver({ data: Uint8Array.of(NatsKind.BATCH, ...u32(1), 7, ...u32(2), 8, 9), reply: peer });
    const it = t[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual(Uint8Array.of(7));
    expect((await it.next()).value).toEqual(Uint8Array.of(8, 9));
    await t.close();
  });

  it('hands over copies of batched messages that pin at most a slab each, not views of the client\'s buffer', async () => {
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0 });
    const sizes = [100, 3000, 5000, 9000, 7];
    const read = new Uint8Array(1 << 16); // as a client's read buffer, larger than the batch
    read[0] = NatsKind.BATCH;
    let at = 1;
    sizes.forEach((n, i) => {
      read.set(u32(n), at);
      read.fill(i + 1, at + 4, at + 4 + n);
      at += 4 + n;
    });
    t.deliver({ data: read.subarray(0, at), reply: peer });
    read.fill(0xff); // the client may reuse or keep its buffer: nothing received may change
    const it = t[Symbol.asyncIterator]();
    for (const [i, n] of sizes.entries()) {
      const m = (await it.next()).value as Uint8Array;
      expect(m).toEqual(new Uint8Array(n).fill(i + 1));
      expect(m.buffer).not.toBe(read.buffer);
      expect(m.buffer.byteLength).toBeLessThanOrEqual(Math.max(SLAB_BYTES, n + 4));
    }
    await t.close();
  });

  it.each([
    ['empty', [NatsKind.BATCH]],
    ['one message only', [NatsKind.BATCH, ...u32(1), 7]],
    ['a length past the end', [NatsKind.BATCH, ...u32(1), 7, ...u32(1000), 1, 2, 3]],
    ['a length of 2^32 - 1', [NatsKind.BATCH, ...u32(1), 7, ...u32(0xffffffff), 1]],
    ['a truncated length', [NatsKind.BATCH, ...u32(1), 7, ...u32(1), 8, 2, 0]],
    ['a zero-length message', [NatsKind.BATCH, ...u32(1), 7, ...u32(0), ...u32(1), 8]],
  ])('ends with INVALID_MESSAGE and yields nothing for a batch with %s', async (_name, bytes) => {
    const { got, error } = await feed(Uint8Array.from(bytes));
    expect(got).toBe(0);
    expect(error).toMatchObject({ code: 'INVALID_MESSAGE' });
  });

  it('ends with INVALID_MESSAGE for a batch between the pieces of a message', async () => {
    const { got, error } = await feed(encodeFrame(Uint8Array.of(1), NatsKind.PART), Uint8Array.of(NatsKind.BATCH, ...u32(1), 7, ...u32(1), 8));
    expect(got).toBe(0);
    expect(error).toMatchObject({ code: 'INVALID_MESSAGE' });
  });

  it('ends with LIMIT_EXCEEDED, holding none of it, for a batch of more messages than the window admits', async () => {
    // 1 MiB of 1-byte messages: about 210 000 of them, 512 each against a 1 MiB window.
    const huge = new Uint8Array(1 << 20);
    huge[0] = NatsKind.BATCH;
    for (let at = 1; at + 5 <= huge.length; at += 5) huge[at] = 1;
    const { got, error } = await feed(huge.subarray(0, 1 + 5 * Math.floor((huge.length - 1) / 5)));
    expect(got).toBe(0);
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('ends with LIMIT_EXCEEDED for a batched message over maxMessageBytes, after the messages before it (an AUTH batched with it completes the handshake)', async () => {
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0, maxMessageBytes: 4 });
    t.deliver({ data: Uint8Array.of(NatsKind.BATCH, ...u32(1), 7, ...u32(2), 8, 9, ...u32(5), 1, 2, 3, 4, 5, ...u32(1), 6), reply: peer });
    const it = t[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual(Uint8Array.of(7));
    expect((await it.next()).value).toEqual(Uint8Array.of(8, 9));
    await expect(it.next()).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    await t.close();
  });

  it('ends with LIMIT_EXCEEDED, holding nothing, when the first batched message is over maxMessageBytes', async () => {
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0, maxMessageBytes: 4 });
    t.deliver({ data: Uint8Array.of(NatsKind.BATCH, ...u32(5), 1, 2, 3, 4, 5, ...u32(1), 7), reply: peer });
    expect(t.bufferedBytes).toBe(0);
    await expect(t[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    await t.close();
  });
});

describe('encodeBatch into an uninitialised buffer (what NatsLink passes)', () => {
  it('writes every byte: the same BATCH as into a zeroed one, whatever the buffer held', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 2, maxLength: 20 }), fc.integer({ min: 1, max: 255 }), (messages, junk) => {
        const bytes = 1 + messages.reduce((n, m) => n + batchedLength(m.length), 0);
        const dirty = new Uint8Array(bytes).fill(junk);
        expect(encodeBatch(messages, bytes, dirty)).toEqual(encodeBatch(messages, bytes));
        expect(sessionMessagesOf(dirty)).toEqual(messages);
      }),
    );
  });

  it('refuses a buffer or a count that does not match the messages (nothing uninitialised is sent)', () => {
    const messages = [Uint8Array.of(1, 2), Uint8Array.of(3)];
    const bytes = 1 + batchedLength(2) + batchedLength(1);
    expect(() => encodeBatch(messages, bytes, new Uint8Array(bytes + 1))).toThrow(expect.objectContaining({ code: 'INTERNAL_ERROR' }));
    expect(() => encodeBatch(messages, bytes + 1, new Uint8Array(bytes + 1))).toThrow(expect.objectContaining({ code: 'INTERNAL_ERROR' }));
    expect(() => encodeBatch(messages, bytes - 1, new Uint8Array(bytes - 1))).toThrow(expect.objectContaining({ code: 'INTERNAL_ERROR' }));
  });
});

describe('a received BATCH read as the session reads it (runs opened as they are taken)', () => {
  const peer = sessionSubject(randomToken(), randomToken());
  const own = sessionSubject(randomToken(), randomToken());
  const port: NatsPort = { maxPayload: 1 << 20, publish: () => undefined, release: () => undefined };
  // One delivery: a FRAME, a BATCH of several messages, or a message in PARTs and a last FRAME.
  const delivery = fc.oneof(
    fc.record({ kind: fc.constant('frame' as const), messages: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 1 }) }),
    // Small ones fill runs of up to a slab; large ones end a run or go alone. At most 8 × 12 ×
    // 9000 bytes in all: within the first window (1 MiB), since nothing is read before the last.
    fc.record({ kind: fc.constant('batch' as const), messages: fc.array(fc.oneof(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 2000, max: 9000 })), { minLength: 2, maxLength: 12 }) }),
    fc.record({ kind: fc.constant('parts' as const), messages: fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 1 }) }),
  );

  it('yields every message once, in order, intact and pinning at most a slab, through poll and next alike, also after a BYE; counts return to zero', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(delivery, { minLength: 1, maxLength: 8 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 64 }), fc.boolean(), async (deliveries, reads, bye) => {
        let held = 0;
        const account = { hold: (n: number) => void (held += n), release: (n: number) => void (held -= n), close: () => undefined };
        const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0, account });
        const it = t[Symbol.asyncIterator]();
        const expected: Uint8Array[] = [];
        let serial = 0;
        const numbered = (n: number) => {
          const m = new Uint8Array(n).fill(++serial & 255);
          m[0] = serial >> 8;
          return m;
        };
        for (const d of deliveries) {
          const messages = d.messages.map(numbered);
          expected.push(...messages);
          if (d.kind === 'frame') t.deliver({ data: encodeFrame(messages[0]), reply: peer });
          else if (d.kind === 'batch') t.deliver({ data: encodeBatch(messages, 1 + messages.reduce((n, m) => n + batchedLength(m.length), 0)), reply: peer });
          else {
            const m = messages[0];
            const cut = m.length >> 1;
            if (cut > 0) t.deliver({ data: encodeFrame(m.subarray(0, cut), NatsKind.PART), reply: peer });
            t.deliver({ data: encodeFrame(m.subarray(cut)), reply: peer });
          }
        }
        if (bye) t.deliver({ data: Uint8Array.of(NatsKind.BYE), reply: peer });
        const got: Uint8Array[] = [];
        for (let i = 0; got.length < expected.length; i++) {
          const m = reads[i % reads.length] ? it.poll!() : (await it.next()).value;
          expect(m).toBeDefined();
          got.push(m as Uint8Array);
        }
        expect(it.poll!()).toBeUndefined();
        // Compared as bytes (toEqual walks large arrays element by element: far too slow here).
        expect(got.map((m) => m.length)).toEqual(expected.map((m) => m.length));
        got.forEach((m, i) => expect(Buffer.compare(m, expected[i])).toBe(0));
        for (const m of got) expect(m.buffer.byteLength <= SLAB_BYTES || m.length * 2 >= m.buffer.byteLength).toBe(true);
        expect(t.bufferedBytes).toBe(0);
        if (bye) {
          expect((await it.next()).done).toBe(true);
          expect(held).toBe(0);
        } else {
          expect(held).toBe(0);
          await t.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
