/**
 * An incoming stream's buffer is bounded in bytes, and chunks were counted by their UTF-8 size
 * alone: empty chunks counted nothing, so a peer could send millions of `""` chunks to a stream
 * nobody reads and the buffer never pushed back. Each chunk now counts a fixed overhead too.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { encodeStreamEnvelope } from '../src/stream/envelope.js';
import { StreamMux } from '../src/stream/stream-mux.js';

function mux(maxBufferedBytes: number): StreamMux {
  return new StreamMux({ send: async () => undefined, streamingNegotiated: () => true, maxPayload: () => 0, clock: systemClock }, { maxBufferedBytes, timeoutMs: 60_000 });
}

/** Sends messages of `perMessage` chunks to one unread stream until a receive waits (backpressure), or `max` messages. */
async function messagesUntilBackpressure(m: StreamMux, chunk: string, perMessage: number, max: number): Promise<number> {
  for (let i = 0; i < max; i++) {
    const content = encodeStreamEnvelope({ id: 's', seq: i * perMessage, op: 'data', chunks: new Array<string>(perMessage).fill(chunk) });
    const waited = await Promise.race([m.receive(content).then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 20))]);
    if (waited) return i + 1;
  }
  return max;
}

describe('incoming stream buffer and empty chunks', () => {
  it('pushes back on a flood of empty chunks', async () => {
    const m = mux(64 * 1024);
    // 2,000 messages of 1,000 empty chunks: 2 M chunks held before the fix, ~6 MB of JSON.
    const n = await messagesUntilBackpressure(m, '', 1000, 2000);
    expect(n).toBeLessThan(100);
    m.sessionEnded(undefined);
  });

  it('still takes ordinary chunks up to the byte bound', async () => {
    const m = mux(64 * 1024);
    // 100-byte chunks: the bound is about 640 of them; the first messages go through.
    const n = await messagesUntilBackpressure(m, 'x'.repeat(100), 100, 50);
    expect(n).toBeGreaterThan(4);
    expect(n).toBeLessThan(50);
    m.sessionEnded(undefined);
  });
});
