import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { inspectFrame } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, binaryCodec, connect, dataFrame, listen, type DataPayload, type Server, type Session } from '@m2m/session';
import { agentSubject, natsInFlight } from '@m2m/session/nats';
import { decodeCredit, INITIAL_WINDOW, NatsKind, parseNatsUrl, sessionMessagesOf } from '../src/transport/nats-frames.js';
import { natsServerPath, startNatsServer, type NatsNode } from './fixtures/nats-server.js';

const bin = natsServerPath();
if (!bin) console.warn('nats.test.ts skipped: nats-server is not installed (apt-get install nats-server)');

const serverKey = KeyPair.generate();
const clientKey = KeyPair.generate();
const req = (i: number, who = 'c') => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `${who} secret ${i}` }] });
const secureServer = { pattern: 'XX', staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } as const;
const secureClient = { pattern: 'XX', staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } as const;

describe('nats URL and subjects', () => {
  it('parses nats://host:port/subject and refuses wildcards and the reserved prefix', () => {
    expect(parseNatsUrl('nats://127.0.0.1:4333/m2m.echo')).toEqual({ servers: ['127.0.0.1:4333'], subject: 'm2m.echo' });
    expect(parseNatsUrl('nats://host/agent.a-1')).toEqual({ servers: ['host:4222'], subject: 'agent.a-1' });
    expect(parseNatsUrl('nats://a:1,b,[::1]:3/x')).toEqual({ servers: ['a:1', 'b:4222', '[::1]:3'], subject: 'x' });
    for (const bad of ['nats://h:1/a.*', 'nats://h:1/a.>', 'nats://h:1/_M2M.x.y', 'nats://h:1/', 'ws://h:1/a', 'nats://h:1/a..b', 'nats://h:99999/a', 'nats://h:1,/a', 'nats://u@h:1/a', 'nats://h:1/a%zz']) {
      expect(() => parseNatsUrl(bad), bad).toThrow(expect.objectContaining({ code: 'CONFIG_ERROR' }));
    }
    expect(agentSubject('agent_7')).toBe('agent.agent_7');
    expect(() => agentSubject('a.b')).toThrow(expect.objectContaining({ code: 'CONFIG_ERROR' }));
  });
});

describe.skipIf(!bin)('nats transport (one nats-server)', () => {
  let node: NatsNode;
  let spy: NatsConnection;
  const seen: Array<{ subject: string; data: Uint8Array }> = [];
  beforeAll(async () => {
    node = await startNatsServer();
    spy = await natsConnect({ servers: node.address });
  });
  afterAll(async () => {
    await spy?.close();
    await node?.stop();
  });

  it('carries an XX session both ways in order, and the broker sees AEAD frames only', async () => {
    // The spy sees every message on the broker (and would answer no-responders checks: unsubscribed at the end).
    const tap = spy.subscribe('>', { callback: (_e, m) => void seen.push({ subject: m.subject, data: m.data.slice() }) });
    await spy.flush();
    const got: string[] = [];
    const server = await listen({
      transport: 'nats', servers: node.address, subject: 'm2m.test.echo', secure: secureServer,
      onSession: (s) => void (async () => {
        for await (const m of s) {
          got.push(m.content);
          await s.send(m.content.replace('"c secret', '"s secret'));
        }
      })(),
    });
    expect(server.url).toBe(`nats://${node.address}/m2m.test.echo`);
    const session = await connect(server.url, { secure: secureClient, signal: AbortSignal.timeout(10_000) });
    expect(session.encrypted).toBe(true);
    const n = 200;
    const back: string[] = [];
    const reader = (async () => {
      for await (const m of session) if (back.push(m.content) === n) break;
    })();
    for (let i = 0; i < n; i++) await session.send(req(i));
    await reader;
    expect(got).toEqual(Array.from({ length: n }, (_, i) => req(i)));
    expect(back).toEqual(Array.from({ length: n }, (_, i) => req(i, 's')));
    await session.close();
    await server.close();
    await spy.flush();
    tap.unsubscribe();

    // The spy saw the HELLO on the listen subject and everything else on _M2M.<token>.<token>.
    expect(seen.filter((m) => m.subject === 'm2m.test.echo')).toHaveLength(1);
    const sessionSubjects = new Set(seen.filter((m) => m.subject.startsWith('_M2M.')).map((m) => m.subject));
    expect(sessionSubjects.size).toBe(2);
    for (const s of sessionSubjects) expect(s).toMatch(/^_M2M\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    const text = new TextDecoder();
    let data = 0;
    for (const m of seen) {
      // No plaintext secret anywhere on the broker.
      expect(text.decode(m.data)).not.toContain('secret');
      for (const bytes of sessionMessagesOf(m.data)) {
        const msg = binaryCodec.decode(bytes);
        if (msg.type !== 'DATA') continue;
        data++;
        expect(inspectFrame(dataFrame((msg.payload as { value: DataPayload }).value)!).security).toBe('aead');
      }
    }
    expect(data).toBe(2 * n);
    // Sends of one turn went as BATCH messages: fewer NATS messages than DATA messages.
    expect(seen.some((m) => m.data[0] === NatsKind.BATCH)).toBe(true);
  });

  it('fails fast with a typed error when nobody listens on the subject (no responders)', async () => {
    const t0 = Date.now();
    const e = await connect(`nats://${node.address}/m2m.nobody`, { secure: secureClient, signal: AbortSignal.timeout(10_000) }).catch((x: unknown) => x);
    // The transport's NETWORK_ERROR, possibly as the cause of the session's end.
    const chain: Array<{ code?: string; message: string }> = [];
    for (let x = e as { code?: string; message: string; cause?: unknown } | undefined; x; x = x.cause as typeof x) chain.push(x);
    const network = chain.find((x) => x.code === 'NETWORK_ERROR')?.message;
    expect(network).toContain('no server answers on m2m.nobody (no responders');
    // The one message sent was the HELLO: not application data lost in flight.
    expect(network).not.toContain('not acknowledged');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('a plaintext connect to a subject nobody listens on says the same, naming the subject', async () => {
    const e = await connect(`nats://${node.address}/m2m.nobody.plain`, { signal: AbortSignal.timeout(10_000) }).catch((x: unknown) => x);
    const chain: Array<{ code?: string; message: string }> = [];
    for (let x = e as { code?: string; message: string; cause?: unknown } | undefined; x; x = x.cause as typeof x) chain.push(x);
    const network = chain.find((x) => x.code === 'NETWORK_ERROR')?.message;
    expect(network).toContain('no server answers on m2m.nobody.plain (no responders');
    expect(network).not.toContain('not acknowledged');
  });

  it('carries messages larger than max_payload in pieces and keeps a slow reader within its window', async () => {
    let opened!: (s: Session) => void;
    const serverSide = new Promise<Session>((r) => (opened = r));
    const server: Server = await listen({ transport: 'nats', servers: node.address, subject: 'm2m.test.slow', secure: secureServer, onSession: (s) => opened(s) });
    const session = await connect(server.url, { secure: secureClient, signal: AbortSignal.timeout(10_000) });
    const serverSession = await serverSide;
    // Random hex: Brotli cannot shrink it below the limit.
    const noise = (n: number) => randomBytes(n / 2).toString('hex');
    const big = JSON.stringify({ model: 'x', messages: [{ role: 'user', content: noise(3 * INITIAL_WINDOW) }] });
    // Larger than max_payload (1 MiB here): it travels in pieces and arrives whole.
    await session.send(big);
    const first = await serverSession[Symbol.asyncIterator]().next();
    expect(first.value?.content).toBe(big);

    // The server does not read: the client's sends stall once the window (and the session inbox) is full.
    const chunk = JSON.stringify({ model: 'x', messages: [{ role: 'user', content: noise(60_000) }] });
    let sent = 0;
    const sender = (async () => {
      for (let i = 0; i < 200; i++) {
        await session.send(chunk);
        sent++;
      }
    })();
    sender.catch(() => undefined); // awaited below; a failed assertion must not leave it unhandled
    // Wait until the sender has stalled for good (no progress for 500 ms) while the server does not read.
    let stalledAt = -1;
    for (let t = 0; t < 40 && stalledAt !== sent; t++) {
      stalledAt = sent;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(sent).toBe(stalledAt);
    expect(stalledAt).toBeLessThan(200);
    // What the sender holds unacknowledged is at most the receiver's window (2 MiB) plus one message.
    const inFlight = natsInFlight(session.transport)!;
    expect(inFlight.bytes).toBeLessThanOrEqual(2 * INITIAL_WINDOW + 64 * 1024);
    expect(inFlight.messages.length).toBeGreaterThan(0);
    // Reading resumes the flow; everything arrives.
    let read = 0;
    for await (const _ of serverSession) if (++read === 200) break;
    await sender;
    expect(sent).toBe(200);
    await session.close();
    await server.close();
  });

  it('grants credit in CREDIT messages that name a sane window', () => {
    const credits = seen.filter((m) => m.data[0] === NatsKind.CREDIT);
    expect(credits.length).toBeGreaterThan(0);
    for (const c of credits) expect(decodeCredit(c.data).window).toBeGreaterThanOrEqual(INITIAL_WINDOW);
  });

  it('applies server limits to HELLOs over NATS (REJECT SERVER_BUSY past maxSessions)', async () => {
    const server = await listen({ transport: 'nats', servers: node.address, subject: 'm2m.test.busy', secure: secureServer, serverLimits: { maxSessions: 1, retryAfterMs: 250 } });
    const first = await connect(server.url, { secure: secureClient, signal: AbortSignal.timeout(10_000) });
    const second = await connect(server.url, { secure: secureClient, signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
    expect(second).toMatchObject({ code: 'REJECTED' });
    expect(server.counters.rejected.SERVER_BUSY).toBe(1);
    await first.close();
    await server.close();
  });
});

describe.skipIf(!bin)('nats transport when the broker dies', () => {
  it('ends open sessions with NETWORK_ERROR (NATS connection lost)', async () => {
    const own = await startNatsServer();
    const server = await listen({ transport: 'nats', servers: own.address, subject: 'm2m.test.lost', secure: secureServer });
    const session = await connect(server.url, { secure: secureClient, signal: AbortSignal.timeout(10_000) });
    const ended = (async () => {
      try {
        for await (const _ of session) {
          // nothing arrives
        }
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    await own.stop();
    const e = (await ended) as { code?: string; cause?: { code?: string; message?: string } };
    expect(e?.code).toBe('SESSION_CLOSED');
    expect(e.cause).toMatchObject({ code: 'NETWORK_ERROR' });
    // A stopping broker drops the server process's connection and may answer the client's next
    // publish with no-responders before it closes the client's own: either is the session's end.
    expect(e.cause?.message).toMatch(/NATS connection (lost|closed)|NATS: the peer is gone/);
    await server.close();
  });
});
