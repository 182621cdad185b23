/**
 * Server limits over NATS, as on TCP (docs/PROTOCOL.md §6.1): a HELLO past
 * `maxHandshakeMessageBytes` is dropped before anything is held, a handshake that does not finish
 * within `handshakeTimeoutMs` is ended, a full handshake table ends its oldest entry, and every
 * session end draws on one `maxBufferedBytes` budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, Session, type Server } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';
import { NatsTransport, type NatsPort } from '@m2m/session/nats';
import { ByteBudget, ConnectionAccount, DEFAULT_CONNECTION_ALLOWANCE } from '../src/transport/budget.js';
import { encodeFrame, NATS_MESSAGE_COST, NatsKind, randomToken, sessionSubject } from '../src/transport/nats-frames.js';
import { natsServerPath, startNatsServer, type NatsNode } from './fixtures/nats-server.js';

const serverKey = KeyPair.generate();
const clientKey = KeyPair.generate();
const secureServer = { pattern: 'XX', staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } as const;
const secureClient = { pattern: 'XX', staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } as const;

async function endedWith(t: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _ of t) {
      // drain
    }
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('NATS session ends share a server budget (fake connection)', () => {
  it('an end that would pass maxBufferedBytes is ended before holding more; the others keep working', async () => {
    const port: NatsPort = { maxPayload: 1 << 20, publish: () => undefined, release: () => undefined };
    const budget = new ByteBudget(256 * 1024);
    const peer = sessionSubject(randomToken(), randomToken());
    const hoarder = new NatsTransport(port, sessionSubject(randomToken(), randomToken()), peer, true, { probeIntervalMs: 0, account: new ConnectionAccount(budget) });
    const other = new NatsTransport(port, sessionSubject(randomToken(), randomToken()), peer, true, { probeIntervalMs: 0, account: new ConnectionAccount(budget) });
    const chunk = encodeFrame(new Uint8Array(16 * 1024));
    let taken = 0;
    for (let i = 0; i < 60 && hoarder.bufferedBytes < 1 << 20; i++) {
      hoarder.deliver({ data: chunk, reply: peer });
      if (budget.held > 0) taken = budget.held;
    }
    // Ended at the budget (256 KiB + its own 64 KiB), long before its 1 MiB window.
    expect(await endedWith(hoarder)).toMatchObject({ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('maxBufferedBytes') });
    expect(taken).toBeLessThanOrEqual(256 * 1024 + DEFAULT_CONNECTION_ALLOWANCE);
    expect(taken).toBeGreaterThan(256 * 1024);
    expect(budget.held).toBe(0); // given back when it ended
    // The other end draws on the same budget and is served.
    for (let i = 0; i < 10; i++) other.deliver({ data: chunk, reply: peer });
    expect(budget.held).toBe(10 * (chunk.length > NATS_MESSAGE_COST ? chunk.length : NATS_MESSAGE_COST));
    const it = other[Symbol.asyncIterator]();
    expect((await it.next()).value?.length).toBe(16 * 1024);
    expect(budget.held).toBe(9 * chunk.length);
    await other.close();
    expect(budget.held).toBe(0);
  });
});

const bin = natsServerPath();
if (!bin) console.warn('nats-server-limits.test.ts skipped: nats-server is not installed (apt-get install nats-server)');

describe.skipIf(!bin)('NATS listener limits (one nats-server)', () => {
  let node: NatsNode;
  let raw: NatsConnection;
  beforeAll(async () => {
    node = await startNatsServer();
    raw = await natsConnect({ servers: node.address });
  });
  afterAll(async () => {
    await raw?.close();
    await node?.stop();
  });

  /** A real XX HELLO (what Session.client sends first), taken from a memory pair. */
  async function hello(): Promise<Uint8Array> {
    const [a, b] = memoryTransportPair();
    void Session.client(a, { secure: secureClient }).catch(() => undefined);
    const first = await b[Symbol.asyncIterator]().next();
    await a.close();
    return first.value as Uint8Array;
  }

  /** A raw peer with its own session subject: what it receives, by kind. */
  function rawPeer() {
    const subject = sessionSubject(randomToken(), randomToken());
    const kinds: number[] = [];
    const sub = raw.subscribe(subject, { callback: (_e, m) => void kinds.push(m.data[0]) });
    return { subject, kinds, stop: () => sub.unsubscribe() };
  }

  const until = async (cond: () => boolean, ms = 5000) => {
    for (const end = Date.now() + ms; !cond() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
  };

  it('drops a HELLO past maxHandshakeMessageBytes unanswered, before holding it', async () => {
    const errors: unknown[] = [];
    const server = await listen({ transport: 'nats', servers: node.address, subject: 'm2m.limits.big', secure: secureServer, serverLimits: { maxHandshakeMessageBytes: 4096 }, onHandshakeError: (e) => errors.push(e) });
    const peer = rawPeer();
    await raw.flush();
    raw.publish('m2m.limits.big', encodeFrame(new Uint8Array(5000)), { reply: peer.subject });
    await until(() => errors.length > 0);
    await raw.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(errors).toEqual([expect.objectContaining({ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('maxHandshakeMessageBytes') })]);
    expect(peer.kinds).toEqual([]); // no answer at all
    expect(server.counters.failedHandshakes).toBe(1);
    expect(server.sessions.size).toBe(0);
    peer.stop();
    await server.close();
  });

  it('ends a handshake that does not finish within handshakeTimeoutMs, and the oldest one when the table is full', async () => {
    const server = await listen({ transport: 'nats', servers: node.address, subject: 'm2m.limits.slow', secure: secureServer, serverLimits: { handshakeTimeoutMs: 600, maxPendingHandshakes: 1 } });
    const h = await hello();
    const first = rawPeer();
    const second = rawPeer();
    await raw.flush();
    // Two HELLOs that never send AUTH: the second evicts the first (a BYE follows its ACCEPT).
    raw.publish('m2m.limits.slow', encodeFrame(h), { reply: first.subject });
    await until(() => first.kinds.length > 0);
    raw.publish('m2m.limits.slow', encodeFrame(h), { reply: second.subject });
    await until(() => first.kinds.includes(NatsKind.BYE));
    expect(first.kinds.filter((k) => k !== NatsKind.CREDIT)).toEqual([NatsKind.FRAME, NatsKind.BYE]); // ACCEPT, then BYE
    expect(server.counters.evictedPending).toBe(1);
    // The second times out: ended (BYE) at the deadline, counted.
    await until(() => second.kinds.includes(NatsKind.BYE));
    expect(second.kinds.filter((k) => k !== NatsKind.CREDIT)).toEqual([NatsKind.FRAME, NatsKind.BYE]);
    expect(server.counters.handshakeTimeouts).toBe(1);
    expect(server.counters.accepted).toBe(0);
    // A real client still gets in.
    const s = await connect(server.url, { secure: secureClient, signal: AbortSignal.timeout(10_000) });
    await s.close();
    expect(server.counters.accepted).toBe(1);
    first.stop();
    second.stop();
    await server.close();
  });

  it('ends a session that hoards past maxBufferedBytes with LIMIT_EXCEEDED; another session is served', async () => {
    const hoarded: Server = await listen({
      transport: 'nats', servers: node.address, subject: 'm2m.limits.hoard', secure: secureServer, serverLimits: { maxBufferedBytes: 256 * 1024 },
      onSession: (s) => {
        // The first session is never read; later ones are echoed.
        if (hoarded.counters.accepted === 1) return;
        void (async () => {
          for await (const m of s) await s.send(m.content);
        })().catch(() => undefined);
      },
    });
    const a = await connect(hoarded.url, { secure: secureClient, signal: AbortSignal.timeout(10_000) });
    const content = JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'z'.repeat(16_000) }] });
    const ended = endedWith(a);
    let sendError: unknown;
    for (let i = 0; i < 100 && !sendError; i++) await a.send(content).catch((e: unknown) => (sendError = e));
    const e = (await ended) as { code?: string; cause?: { code?: string } } | undefined;
    // The server ended it (its budget, not the 2 MiB window): the client learns from the BYE.
    expect(e?.code).toBe('SESSION_CLOSED');
    expect(hoarded.bufferedBytes).toBeLessThanOrEqual(256 * 1024 + 2 * DEFAULT_CONNECTION_ALLOWANCE);
    const b = await connect(hoarded.url, { secure: secureClient, signal: AbortSignal.timeout(10_000) });
    await b.send(content);
    expect((await b[Symbol.asyncIterator]().next()).value?.content).toBe(content);
    await b.close();
    await hoarded.close();
  });
});
