import { describe, expect, it } from 'vitest';
import { NatsLink, type NatsConnectionLike } from '../src/transport/nats-link.js';

/** A fake NATS connection that records what reaches the client's publish. */
function fakeConnection() {
  const published: Array<{ subject: string; data: number; reply?: string }> = [];
  let drained = false;
  const nc: NatsConnectionLike = {
    info: { max_payload: 1 << 20 },
    publish: (subject, data, options) => {
      if (drained) throw new Error('connection draining');
      published.push({ subject, data: data[0], reply: options?.reply });
    },
    subscribe: () => ({ unsubscribe: () => undefined }),
    status: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<{ type: string }>>(() => undefined) }) }),
    closed: () => new Promise(() => undefined),
    flush: async () => undefined,
    drain: async () => void (drained = true),
    close: async () => undefined,
    isClosed: () => false,
  };
  return { nc, published };
}

describe('NatsLink (fake connection)', () => {
  it('hands the publishes of one event-loop turn to the client together, in order', async () => {
    const { nc, published } = fakeConnection();
    const link = new NatsLink(nc);
    link.publish('a', Uint8Array.of(1), 'r');
    link.publish('b', Uint8Array.of(2), 'r');
    await Promise.resolve();
    // Not yet: a session awaiting each send runs on microtasks, which would cost a write each.
    expect(published).toEqual([]);
    await new Promise((r) => setImmediate(r));
    link.publish('c', Uint8Array.of(3), 'r');
    expect(published.map((p) => p.subject)).toEqual(['a', 'b']);
    expect(link.pace()).toBeUndefined(); // 1 byte queued: no need to wait
    await new Promise((r) => setImmediate(r));
    expect(published).toEqual([
      { subject: 'a', data: 1, reply: 'r' },
      { subject: 'b', data: 2, reply: 'r' },
      { subject: 'c', data: 3, reply: 'r' },
    ]);
  });

  it('makes senders wait for the next turn once 512 KiB are queued (so timers and reads run between turns)', async () => {
    const { nc, published } = fakeConnection();
    const link = new NatsLink(nc);
    const big = new Uint8Array(64 * 1024);
    // 7 × 64 KiB + (64 KiB - 1): one byte short of the pace, no wait yet.
    for (let i = 0; i < 7; i++) link.publish(`s${i}`, big, 'r');
    link.publish('s7', big.subarray(1), 'r');
    expect(link.pace()).toBeUndefined();
    link.publish('s8', new Uint8Array(1), 'r');
    const turn = link.pace();
    expect(turn).toBeInstanceOf(Promise);
    await turn;
    expect(published.map((p) => p.subject)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8']);
    expect(link.pace()).toBeUndefined();
  });

  it('drain hands over what is queued before the client drains', async () => {
    const { nc, published } = fakeConnection();
    const link = new NatsLink(nc);
    link.publish('bye', Uint8Array.of(2), 'r');
    await link.drain();
    expect(published.map((p) => p.subject)).toEqual(['bye']);
    expect(link.draining).toBe(true);
  });

  it('a publish the client refuses ends the session end that sent it', async () => {
    const { nc } = fakeConnection();
    const link = new NatsLink(nc);
    const end = link.open('_M2M.AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB', true, { probeIntervalMs: 0 });
    await link.drain(); // from now on the fake client refuses publishes
    await end.send(Uint8Array.of(1)); // queued: the refusal comes when the turn hands it over
    await new Promise((r) => setImmediate(r));
    await expect(end[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'NETWORK_ERROR', message: expect.stringContaining('connection draining') });
  });
});
