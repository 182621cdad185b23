/**
 * What a peer can make a NATS session end hold, measured by the counted budget (and the heap).
 *
 * FRAMEs: the window once counted wire bytes only, so a 2 MiB window admitted two million empty
 * FRAMEs (one byte each), each held as an object and a view: 1 M of them held 153 MB before the
 * window check ended the session. Each FRAME or PART now counts at least NATS_MESSAGE_COST.
 *
 * PARTs: PART messages are counted as consumed on arrival (so a message larger than the window cannot
 * stall), which leaves `maxMessageBytes` as their only bound. Held as one view per PART, empty
 * or one-byte PARTs cost a JS object each that the byte count did not see: a peer could grow the
 * heap without limit while `bufferedBytes` stayed near 0. Pieces are now copied into one buffer.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { NatsTransport, type NatsPort } from '@m2m/session/nats';
import { encodeFrame, INITIAL_WINDOW, NATS_MESSAGE_COST, NatsKind, randomToken, sessionSubject } from '../src/transport/nats-frames.js';

const peer = sessionSubject(randomToken(), randomToken());
const own = sessionSubject(randomToken(), randomToken());
const port: NatsPort = { maxPayload: 1 << 20, publish: () => undefined, release: () => undefined };

// A collection before each reading, so garbage does not count as held.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

describe('NATS FRAME flood (fake connection)', () => {
  it('a million empty FRAMEs: refused once the window is spent; the counted budget bounds what is held', async () => {
    let released = false;
    const t = new NatsTransport({ ...port, release: () => void (released = true) }, own, peer, true, { probeIntervalMs: 0 });
    const empty = encodeFrame(new Uint8Array(0));
    const before = heapAfterGc();
    // Nobody reads, and before the first CREDIT a peer may use the initial window (1 MiB).
    let accepted = 0;
    let heldBytes = 0;
    let heap = 0;
    for (let i = 0; i < 1_000_000 && !released; i++) {
      if (t.bufferedBytes + NATS_MESSAGE_COST > INITIAL_WINDOW) heap = heapAfterGc() - before; // all it will ever hold
      t.deliver({ data: empty, reply: peer });
      if (!released) {
        accepted++;
        heldBytes = t.bufferedBytes;
      }
    }
    expect(released).toBe(true);
    // Each empty FRAME counts NATS_MESSAGE_COST: 1 MiB / 512 = 2048 held, the next one ends the
    // session (before it is held) instead of holding the other 997,951.
    expect(accepted).toBe(INITIAL_WINDOW / NATS_MESSAGE_COST);
    expect(heldBytes).toBe(INITIAL_WINDOW);
    // The counted budget bounds the real cost (about 240 B each); counted as wire bytes, 1 M of
    // these held 153 MB.
    expect(heap).toBeGreaterThan(0);
    expect(heap).toBeLessThan(heldBytes);
    let error: unknown;
    try {
      for await (const _ of t) {
        // the held frames, then the error
      }
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});

describe('NATS PART reassembly (fake connection)', () => {
  it('a flood of empty and one-byte PARTs holds about the bytes they carry', () => {
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0, maxMessageBytes: 1 << 20 });
    const empty = encodeFrame(new Uint8Array(0), NatsKind.PART);
    const one = encodeFrame(Uint8Array.of(7), NatsKind.PART);
    const before = heapAfterGc();
    for (let i = 0; i < 300_000; i++) t.deliver({ data: i % 2 ? one : empty, reply: peer });
    const held = heapAfterGc() - before;
    expect(t.bufferedBytes).toBe(150_000);
    // 150 KB carried; one view per PART held 20+ MB here.
    expect(held).toBeLessThan(8 * 1024 * 1024);
    t.close();
  });

  it('pieces still join into the message in order', async () => {
    const t = new NatsTransport(port, own, peer, true, { probeIntervalMs: 0 });
    t.deliver({ data: encodeFrame(Uint8Array.of(1, 2), NatsKind.PART), reply: peer });
    t.deliver({ data: encodeFrame(new Uint8Array(0), NatsKind.PART), reply: peer });
    t.deliver({ data: encodeFrame(Uint8Array.of(3, 4, 5), NatsKind.PART), reply: peer });
    t.deliver({ data: encodeFrame(Uint8Array.of(6)), reply: peer });
    t.deliver({ data: encodeFrame(Uint8Array.of(9)), reply: peer });
    const got: number[][] = [];
    for await (const m of t) {
      got.push([...m]);
      if (got.length === 2) break;
    }
    expect(got).toEqual([[1, 2, 3, 4, 5, 6], [9]]);
    t.close();
  });
});
