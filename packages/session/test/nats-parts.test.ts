/**
 * PART messages are counted as consumed on arrival (so a message larger than the window cannot
 * stall), which leaves `maxMessageBytes` as their only bound. Held as one view per PART, empty
 * or one-byte PARTs cost a JS object each that the byte count did not see: a peer could grow the
 * heap without limit while `bufferedBytes` stayed near 0. Pieces are now copied into one buffer.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { NatsTransport, type NatsPort } from '@m2m/session';
import { encodeFrame, NatsKind, randomToken, sessionSubject } from '../src/transport/nats-frames.js';

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
