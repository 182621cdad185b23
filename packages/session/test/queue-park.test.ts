/**
 * queue-park.ts `ParkingQueue.park` and the session's read loop built on it (session.ts `#pump`): a message
 * delivered to an idle session is handled inside the delivery, without a promise, and that never
 * recurses from one session into another nor lets the receiver's failures reach the sender.
 */
import { describe, expect, it } from 'vitest';
import { ParkingQueue } from '../src/queue-park.js';
import { AsyncQueue } from '../src/queue.js';
import type { PollingIterator, Transport } from '../src/transport/types.js';
import { Session } from '../src/session.js';
import { memoryTransportPair } from '../src/testing.js';

const REQUEST = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });

describe('ParkingQueue.park', () => {
  it('hands the next item to the parked consumer inside offer, once, taken as poll takes it', () => {
    const taken: number[] = [];
    const q = new ParkingQueue<number>({ sizeOf: () => 1, onTake: (n) => taken.push(n) });
    const seen: Array<number | undefined> = [];
    expect(q.park((item) => seen.push(item))).toBe(true);
    q.offer(1);
    expect(seen).toEqual([1]); // handed over before offer returned
    expect(taken).toEqual([1]);
    expect(q.size).toBe(0);
    expect(q.bytes).toBe(0);
    q.offer(2); // not parked any more: stored
    expect(seen).toEqual([1]);
    expect(q.size).toBe(1);
    expect(q.bytes).toBe(1);
  });

  it('refuses to park while an item waits or after the end, and wakes a parked consumer at the end from a microtask', async () => {
    const q = new ParkingQueue<number>();
    q.offer(1);
    expect(q.park(() => undefined)).toBe(false);
    expect(q.poll()).toBe(1);
    let woken = 0;
    expect(q.park(() => woken++)).toBe(true);
    q.end();
    expect(woken).toBe(0);
    await Promise.resolve();
    expect(woken).toBe(1);
    expect(q.park(() => woken++)).toBe(false);
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it('stores an item offered to a parked consumer while another wake runs, and wakes it from a microtask (no recursion between consumers)', async () => {
    const a = new ParkingQueue<number>();
    const b = new ParkingQueue<number>();
    const order: string[] = [];
    b.park((item) => order.push(`b woken with ${item}, polls ${b.poll()}`));
    a.park((item) => {
      order.push(`a got ${item}`);
      b.offer(2); // b is parked, but a wake is running: stored, b's wake waits for a microtask
      order.push(`a done, b holds ${b.size}`);
    });
    a.offer(1);
    expect(order).toEqual(['a got 1', 'a done, b holds 1']);
    await Promise.resolve();
    expect(order).toEqual(['a got 1', 'a done, b holds 1', 'b woken with undefined, polls 2']);
  });
});

describe('Session read loop on a parked transport queue', () => {
  async function pair() {
    const [a, b] = memoryTransportPair();
    const server = Session.server(b);
    const client = await Session.client(a);
    return { client, server: (await server)! };
  }

  it('an idle session has a DATA in its inbox when the sender`s send returns, without a microtask turn', async () => {
    const { client, server } = await pair();
    const got: string[] = [];
    server.on('data', (d) => got.push(d.content));
    void client.send(REQUEST);
    expect(got).toEqual([REQUEST]);
    const it = server[Symbol.asyncIterator]();
    expect((await it.next()).value.content).toBe(REQUEST);
    await client.close();
  });

  it('two sessions answering each other from data listeners run 5,000 rounds without growing the stack', async () => {
    const { client, server } = await pair();
    const rounds = 5_000;
    let count = 0;
    // Each inbox is drained too (a full inbox stops its session reading).
    const drain = (s: Session) => void (async () => {
      for await (const _ of s);
    })().catch(() => undefined);
    drain(server);
    drain(client);
    const done = new Promise<void>((resolve) => {
      server.on('data', (d) => void server.send(d.content));
      client.on('data', (d) => {
        if (++count === rounds) resolve();
        else void client.send(d.content);
      });
    });
    await client.send(REQUEST);
    await done;
    expect(count).toBe(rounds);
    await client.close();
  });

  it('a data listener that throws ends the receiving session, not the sender`s send', async () => {
    const { client, server } = await pair();
    server.on('data', () => {
      throw new Error('listener bug');
    });
    await expect(client.send(REQUEST)).resolves.toBeUndefined();
    const info = await server.closed;
    expect(info.reason).toBe('ERROR');
    expect((info.error?.cause as Error | undefined)?.message).toBe('listener bug');
  });

  it('a close listener that throws on the receiving side reaches neither the sender`s send nor the producer (an unhandled rejection, as from the async read loop before)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { client, server } = await pair();
      const bug = new Error('close listener bug');
      server.on('data', () => {
        throw new Error('listener bug');
      });
      server.on('close', () => {
        throw bug;
      });
      // Handled inside the client's send (the server's read loop is parked): the server's
      // listener error must not come back out of it.
      await expect(client.send(REQUEST)).resolves.toBeUndefined();
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([bug]);
      expect(server.state).toBe('CLOSED');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('AsyncQueue readers waiting together', () => {
  it('serves several waiting readers in the order they asked, then ends the rest', async () => {
    const q = new ParkingQueue<number>();
    const p1 = q.next();
    const p2 = q.next();
    const p3 = q.next();
    expect(q.park(() => undefined)).toBe(false); // a reader waits: nothing parks
    q.offer(1);
    q.offer(2);
    const p4 = q.next();
    q.offer(3);
    q.offer(4);
    expect(await Promise.all([p1, p2, p3, p4])).toEqual([1, 2, 3, 4].map((value) => ({ value, done: false })));
    const p5 = q.next();
    const p6 = q.next();
    q.end();
    expect(await Promise.all([p5, p6])).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
  });

  it('rejects every waiting reader with the error the queue ended with', async () => {
    const q = new ParkingQueue<number>();
    const waits = [q.next(), q.next(), q.next()];
    const error = new Error('gone');
    q.end(error);
    for (const w of waits) await expect(w).rejects.toBe(error);
  });
});

/**
 * Browsers: the transports' plain AsyncQueue (queue-park.ts is Node-only) gives iterators without
 * `park`, and the read loop waits on `next` instead (session.ts `#pump`).
 */
describe('read loop without park (the browser build)', () => {
  it('a plain AsyncQueue iterator offers no park; a ParkingQueue one does', () => {
    expect((new AsyncQueue<number>()[Symbol.asyncIterator]() as PollingIterator<number>).park).toBeUndefined();
    expect(typeof (new ParkingQueue<number>()[Symbol.asyncIterator]() as PollingIterator<number>).park).toBe('function');
  });

  /** A memory transport whose iterator cannot park, as a browser transport's (`next` as given). */
  function unparked(t: Transport, next?: (it: PollingIterator<Uint8Array>, call: number) => Promise<IteratorResult<Uint8Array>>): Transport {
    return {
      kind: t.kind,
      remoteAddress: t.remoteAddress,
      send: (data) => t.send(data),
      close: () => t.close(),
      [Symbol.asyncIterator]: () => {
        const it = t[Symbol.asyncIterator]() as PollingIterator<Uint8Array>;
        let calls = 0;
        return { next: () => (next ? next(it, ++calls) : it.next()), poll: () => it.poll?.(), return: () => it.return!() };
      },
    };
  }

  it('delivers every DATA in order and ends the session when the transport ends', async () => {
    const [a, b] = memoryTransportPair();
    const serverP = Session.server(unparked(b));
    const client = await Session.client(unparked(a));
    const server = (await serverP)!;
    const got: string[] = [];
    server.on('data', (d) => got.push(d.content));
    const sent = Array.from({ length: 200 }, (_, i) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `m${i}` }] }));
    // Read while sending: the server's inbox (64) and the transport's (64) fill otherwise.
    const reading = (async () => {
      const read: string[] = [];
      for await (const d of server) {
        read.push(d.content);
        if (read.length === sent.length) break;
      }
      return read;
    })();
    for (const m of sent) await client.send(m);
    const read = await reading;
    expect(read).toEqual(sent);
    expect(got).toEqual(sent);
    await b.close();
    expect((await client.closed).by).toBe('transport');
  });

  it('closes the session with the error when the transport\'s next rejects', async () => {
    const [a, b] = memoryTransportPair();
    const serverP = Session.server(unparked(b));
    // The handshake takes ACCEPT with the first next; the read loop's first next fails.
    const failing = unparked(a, (it, call) => (call === 1 ? it.next() : Promise.reject(new Error('socket broke'))));
    const client = await Session.client(failing);
    await serverP;
    const info = await client.closed;
    expect(info.reason).toBe('ERROR');
    expect(info.by).toBe('transport');
    expect((info.error?.cause as Error | undefined)?.message).toBe('socket broke');
  });
});
