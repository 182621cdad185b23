/**
 * An application that detaches the buffer of a received message (transfers it: `structuredClone`
 * or `postMessage` with a transfer list) must not end its session or change other messages: a
 * received message is a view of a buffer it may share with the messages around it (a NATS run,
 * a connection's or session's slab: codec/slab.ts), so those buffers cannot be transferred; a
 * detach that happens anyway (a runtime that ignores the mark) ends the session with a typed error.
 */
import { describe, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { connect, listen, Session, type SessionData } from '@m2m/session';
import { NatsLink } from '../src/transport/nats-link.js';
import { fakeBroker } from './fixtures/fake-nats-broker.js';

const turn = () => new Promise((r) => setImmediate(r));

/** A client and a server session over two NatsLinks on the fake broker. */
async function natsPair(inboxCapacity = 64) {
  const broker = fakeBroker(1 << 20);
  const serverEnd = new NatsLink(broker.connection()).open('m2m.unused', false, { probeIntervalMs: 0 });
  const clientEnd = new NatsLink(broker.connection()).open(serverEnd.subject, true, { probeIntervalMs: 0 });
  const [client, server] = await Promise.all([Session.client(clientEnd), Session.server(serverEnd, { inboxCapacity })]);
  return { client, server: server! };
}

const json = (i: number) => JSON.stringify({ i, text: 'x'.repeat(100 + (i % 7)) });

describe('a received message whose buffer the application transfers', () => {
  it('NATS: a message of a received run (BATCH) is transferred; the rest of the run and the session are untouched', async () => {
    // A small inbox: the session has read only part of the run when the application transfers.
    const { client, server } = await natsPair(2);
    const n = 20;
    // One turn: the messages leave in one BATCH and arrive as one run.
    await Promise.all(Array.from({ length: n }, (_, i) => client.send(json(i))));
    const it = server[Symbol.asyncIterator]();
    const got: SessionData[] = [];
    for (let i = 0; i < n; i++) {
      const r = await it.next();
      expect(r.done).toBe(false);
      const d = r.value as SessionData;
      got.push(d);
      if (i === 2) {
        const content = d.payload.content as Uint8Array;
        expect(content).toBeInstanceOf(Uint8Array);
        const before = new Uint8Array(content);
        // What an application does to hand the bytes to a worker without copying them.
        const moved = structuredClone(content, { transfer: [content.buffer] });
        expect(moved).toEqual(before);
      }
    }
    expect(got.map((d) => d.content)).toEqual(Array.from({ length: n }, (_, i) => json(i)));
    // The messages handed over earlier are intact (they share the run's buffer).
    expect(got.every((d) => (d.payload.content as Uint8Array).length > 0)).toBe(true);
    // The session goes on both ways.
    await server.send(json(99));
    const back = await client[Symbol.asyncIterator]().next();
    expect((back.value as SessionData).content).toBe(json(99));
    await client.send(json(100));
    expect(((await it.next()).value as SessionData).content).toBe(json(100));
    await client.close();
    await turn();
  });

  it('NATS: a run detached anyway (a byte stream takes the buffer whatever its mark) ends the session with a typed error', async () => {
    const { client, server } = await natsPair(2);
    const n = 20;
    await Promise.all(Array.from({ length: n }, (_, i) => client.send(json(i))));
    const it = server[Symbol.asyncIterator]();
    const first = (await it.next()).value as SessionData;
    const content = first.payload.content as Uint8Array;
    // A readable byte stream's enqueue detaches the buffer it is given (no transfer list to refuse).
    new ReadableStream({ type: 'bytes', start: (c) => c.enqueue(content as Uint8Array<ArrayBuffer>) });
    expect(content.length).toBe(0); // detached
    let error: unknown;
    try {
      for (;;) if ((await it.next()).done) break;
    } catch (e) {
      error = e;
    }
    // Each error of the chain is the SDK's, and the cause says what happened.
    expect(isSdkError(error)).toBe(true);
    const cause = (error as Error).cause;
    expect(isSdkError(cause)).toBe(true);
    expect((cause as { code: string }).code).toBe('IO_ERROR');
    expect((cause as Error).message).toMatch(/detached/);
    await client.close();
  });

  for (const transport of ['tcp', 'ws'] as const) {
    it(`${transport}: a message carved from the connection's slab is transferred; the messages around it and the session are untouched`, async () => {
      const server = await listen({ transport, inboxCapacity: 2 });
      try {
        const accepted = server[Symbol.asyncIterator]().next();
        const client = await connect(server.url);
        const session = (await accepted).value as Session;
        const n = 20;
        await Promise.all(Array.from({ length: n }, (_, i) => client.send(json(i))));
        const it = session[Symbol.asyncIterator]();
        const got: SessionData[] = [];
        for (let i = 0; i < n; i++) {
          const d = (await it.next()).value as SessionData;
          got.push(d);
          if (i === 1) {
            const content = d.payload.content as Uint8Array;
            const { port1, port2 } = new MessageChannel();
            port1.postMessage(content, [content.buffer]);
            port1.close();
            port2.close();
          }
        }
        expect(got.map((d) => d.content)).toEqual(Array.from({ length: n }, (_, i) => json(i)));
        expect(got.every((d) => (d.payload.content as Uint8Array).length > 0)).toBe(true);
        await session.send(json(99));
        expect(((await client[Symbol.asyncIterator]().next()).value as SessionData).content).toBe(json(99));
        await client.close();
      } finally {
        await server.close();
      }
    });
  }
});
