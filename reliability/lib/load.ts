/**
 * Load and fault scenarios on loopback, shared by the short tests and `pnpm stress`.
 * @module
 */
import * as net from 'node:net';
import { isSdkError } from '@m2m/core';
import { HandshakeState, KeyPair } from '@m2m/crypto';
import { allowKeys, binaryCodec, connect, defaultCapabilities, listen, Session, type Server, type Transport } from '@m2m/session';
import { ManualClock, memoryTransportPair } from '@m2m/session/testing';
import { encodeCapabilities } from '@m2m/session/internal';
import { watchEventLoop } from './event-loop.js';

const serverKey = KeyPair.generate();
/** Every client pins the server's key (secure by default: an unverified connect() is refused). */
const pinServer = allowKeys([serverKey.publicKey]);

/** What a load run measured. */
export interface LoadResult {
  transport: string;
  sessions: number;
  messagesPerSession: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  handshakeSeconds: number;
  seconds: number;
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
}

const percentile = (xs: Float64Array, n: number, p: number) => {
  const s = xs.subarray(0, n).sort();
  return s[Math.min(n - 1, Math.floor((p / 100) * n))] ?? 0;
};

/** Unacknowledged messages a client may have in flight (flow control, as an agent would use). */
const WINDOW = 50;
/** The server acknowledges every ACK_EVERY-th message (and the last). */
const ACK_EVERY = 10;

/**
 * `sessions` encrypted sessions (Noise XX) each send `messages` DATA messages to one server,
 * keeping at most 50 unacknowledged (the server acknowledges every tenth). The server checks
 * order per session; latency is the round trip from `send()` to the acknowledgement.
 */
export async function runLoad(options: { sessions: number; messages: number; transport?: 'tcp' | 'ws'; onProgress?: (delivered: number, total: number) => void }): Promise<LoadResult> {
  const { sessions, messages } = options;
  const transport = options.transport ?? 'tcp';
  const total = sessions * messages;
  const rtts = new Float64Array(Math.ceil(total / ACK_EVERY) + sessions);
  let rttCount = 0;
  let delivered = 0;
  let duplicated = 0;
  let reordered = 0;
  const server = await listen({
    transport,
    secure: { staticKey: serverKey },
    serverLimits: { maxSessions: sessions + 100, maxSessionsPerAddress: sessions + 100, maxPendingHandshakes: sessions + 100 },
    onSession: async (s) => {
      let expected = 0;
      for await (const m of s) {
        const { i } = JSON.parse(m.content) as { i: number };
        if (i < expected) duplicated++;
        else if (i > expected) reordered++;
        expected = i + 1;
        delivered++;
        if (delivered % 50_000 === 0) options.onProgress?.(delivered, total);
        if (i % ACK_EVERY === ACK_EVERY - 1 || i === messages - 1) await s.send(`{"model":"ack","ack":${i}}`);
      }
    },
  });
  const h0 = performance.now();
  const clients: Session[] = [];
  // Handshakes in waves, so the HELLO timeout measures the server, not a queue of our making.
  for (let i = 0; i < sessions; i += 100) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(100, sessions - i) }, () => connect(server.url, { secure: { staticKey: KeyPair.generate(), verifyPeer: pinServer } })))));
  }
  const handshakeSeconds = (performance.now() - h0) / 1000;
  const t0 = performance.now();
  const text = 'Summarise the attached incident timeline and list the owners of each follow-up.';
  await Promise.all(
    clients.map(async (s, c) => {
      const sentAt = new Float64Array(messages);
      let acked = -1;
      let wake: (() => void) | undefined;
      const acks = (async () => {
        for await (const m of s) {
          const { ack } = JSON.parse(m.content) as { ack: number };
          rtts[rttCount++] = performance.now() - sentAt[ack];
          acked = ack;
          wake?.();
          if (ack === messages - 1) break;
        }
      })();
      for (let i = 0; i < messages; i++) {
        while (i - acked > WINDOW) await new Promise<void>((r) => (wake = r));
        sentAt[i] = performance.now();
        await s.send(`{"model":"gpt-4o","c":${c},"i":${i},"messages":[{"role":"user","content":"${text}"}]}`);
      }
      await acks;
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((s) => s.close()));
  await server.close();
  return {
    transport,
    sessions,
    messagesPerSession: messages,
    delivered,
    lost: total - delivered,
    duplicated,
    reordered,
    handshakeSeconds,
    seconds,
    messagesPerSecond: delivered / seconds,
    p50Ms: percentile(rtts, rttCount, 50),
    p99Ms: percentile(rtts, rttCount, 99),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** How one fault scenario ended. */
export interface FaultResult {
  scenario: string;
  /** The close reason or error code each affected session ended with. */
  outcomes: string[];
  /** A fresh client's round trip right after the fault, in ms. */
  responsiveMs: number;
  /** The same round trip before the fault, in ms (reported beside it). */
  baselineMs: number;
  /**
   * The longest the event loop could not run, in ms, from the start of the fault to the end of
   * that round trip: a blocked loop shows here, a busy machine (which only slows both round
   * trips) does not.
   */
  loopBlockMs: number;
  /** The server held no session and no pending handshake afterwards. */
  freed: boolean;
  detail: string;
}

async function roundTrip(server: Server): Promise<number> {
  const t0 = performance.now();
  const s = await connect(server.url, { secure: { staticKey: KeyPair.generate(), verifyPeer: pinServer } });
  const it = s[Symbol.asyncIterator]();
  await s.send('{"model":"x","messages":[]}');
  await it.next();
  await s.close();
  return performance.now() - t0;
}

function randomText(n: number): string {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes.subarray(0, Math.min(n, 65536)));
  return Buffer.from(bytes).toString('base64').slice(0, n);
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function echoServer(extra: Parameters<typeof listen>[0] = {}) {
  const ends: string[] = [];
  const server = await listen({
    transport: 'tcp',
    secure: { staticKey: serverKey },
    timers: { helloTimeoutMs: 1_000 },
    onHandshakeError: (e) => ends.push(isSdkError(e) ? e.code : 'UNCODED'),
    onSession: (s) => {
      void (async () => {
        try {
          for await (const m of s) await s.send(m.content).catch(() => undefined);
        } catch {
          // the close below records how it ended
        }
        const info = await s.closed;
        if (info.reason === 'NORMAL') return; // the clean probe sessions
        ends.push(info.error && info.reason === 'ERROR' ? `${info.reason}/${info.error.code}` : info.reason);
      })();
    },
    ...extra,
  });
  return { server, ends };
}

function rawTcp(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

function frameOf(bytes: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(bytes.length);
  return Buffer.concat([head, bytes]);
}

/** A peer dies after sending half a message, and another after HELLO (before AUTH). */
export async function killedMidHandshake(): Promise<FaultResult> {
  const { server, ends } = await echoServer();
  const baselineMs = await roundTrip(server);
  const loop = watchEventLoop(10);
  const a = await rawTcp(server.port);
  a.write(Buffer.from([0, 0, 0, 100, 1, 2, 3]));
  a.destroy();
  const b = await rawTcp(server.port);
  const hs = new HandshakeState({ protocol: 'XX', initiator: true, s: { secret: KeyPair.generate().exportSecret(), publicKey: new Uint8Array(32) } });
  const hello = binaryCodec.encode({ type: 'HELLO', timestamp: Date.now(), payload: { kind: 'handshake', value: { protocol: hs.protocolName, message: hs.writeMessage(encodeCapabilities(defaultCapabilities())) } } });
  b.write(frameOf(hello));
  await new Promise((r) => b.once('data', r)); // the ACCEPT
  b.resetAndDestroy();
  await settle(100);
  const responsiveMs = await roundTrip(server);
  const loopBlockMs = loop.stop();
  await settle(50);
  const freed = server.sessions.size === 0;
  await server.close();
  return { scenario: 'peer killed mid-handshake (half a HELLO; after ACCEPT)', outcomes: ends.slice(0, 2), responsiveMs, baselineMs, loopBlockMs, freed, detail: `failed handshakes: ${server.counters.failedHandshakes}` };
}

/** A peer's connection is reset in the middle of a stream of DATA. */
export async function killedMidStream(): Promise<FaultResult> {
  const { server, ends } = await echoServer();
  const baselineMs = await roundTrip(server);
  const loop = watchEventLoop(10);
  const s = await connect(server.url, { secure: { staticKey: KeyPair.generate(), verifyPeer: pinServer } });
  for (let i = 0; i < 50; i++) await s.send(`{"model":"x","i":${i},"messages":[]}`);
  s.transport.abort?.();
  await settle(200);
  const responsiveMs = await roundTrip(server);
  const loopBlockMs = loop.stop();
  await settle(50);
  const freed = server.sessions.size === 0;
  await server.close();
  return { scenario: 'peer killed mid-stream (connection reset)', outcomes: ends.slice(0, 1), responsiveMs, baselineMs, loopBlockMs, freed, detail: `client saw ${(await s.closed).reason}` };
}

/** Connections that never send HELLO are dropped after the HELLO timeout. */
export async function halfOpen(count = 20): Promise<FaultResult> {
  const { server, ends } = await echoServer();
  const baselineMs = await roundTrip(server);
  const loop = watchEventLoop(10);
  const sockets = await Promise.all(Array.from({ length: count }, () => rawTcp(server.port)));
  const closed = Promise.all(sockets.map((s) => new Promise((r) => s.once('close', r))));
  const responsiveMs = await roundTrip(server); // while they hang
  const loopBlockMs = loop.stop();
  await Promise.race([closed, settle(5_000)]);
  const allClosed = sockets.every((s) => s.destroyed || s.readyState === 'closed');
  const freed = server.sessions.size === 0 && allClosed;
  await server.close();
  const codes = [...new Set(ends.slice(0, count))];
  return { scenario: `${count} half-open connections (no HELLO)`, outcomes: codes, responsiveMs, baselineMs, loopBlockMs, freed, detail: `closed by the server after the 1 s HELLO timeout: ${allClosed}` };
}

/** An established peer goes silent: PINGs go unanswered and the session ends with TIMEOUT. */
export async function silentPeer(): Promise<FaultResult> {
  const clock = new ManualClock();
  const [a, b] = memoryTransportPair();
  let cut = false;
  // The client's link goes dead after the handshake: nothing in, nothing out, socket still "open".
  const link: Transport = {
    kind: 'dead-after-handshake',
    send: (d) => (cut ? Promise.resolve() : a.send(d)),
    close: () => a.close(),
    [Symbol.asyncIterator]: () => {
      const it = a[Symbol.asyncIterator]();
      return { next: () => (cut ? new Promise<never>(() => undefined) : it.next()) };
    },
  };
  const sp = Session.server(b, { clock, secure: { staticKey: serverKey } });
  await Session.client(link, { clock, secure: { staticKey: KeyPair.generate(), verifyPeer: pinServer } });
  const server = (await sp)!;
  cut = true;
  for (let t = 0; t < 200 && server.state !== 'CLOSED'; t++) {
    clock.advance(1_000);
    await settle(0);
  }
  const info = server.state === 'CLOSED' ? await server.closed : undefined;
  return { scenario: 'established peer goes silent (fake clock: PING at 60 s, 3 missed PONGs, 5 s CLOSING)', outcomes: [info ? info.reason : 'still open'], responsiveMs: 0, baselineMs: 0, loopBlockMs: 0, freed: server.state === 'CLOSED', detail: info?.message ?? '' };
}

/** A reader that never reads: the server's sends wait instead of piling up; others are unaffected. */
export async function slowReader(): Promise<FaultResult> {
  const { server, ends } = await echoServer();
  const baselineMs = await roundTrip(server);
  const loop = watchEventLoop(10);
  const slow = await connect(server.url, { secure: { staticKey: KeyPair.generate(), verifyPeer: pinServer }, inboxCapacity: 4 });
  // Incompressible content, so each frame really is ~27 KB on the wire.
  const big = JSON.stringify({ model: 'x', messages: [{ role: 'user', content: randomText(20_000) }] });
  const rss0 = process.memoryUsage().rss;
  // The echo server answers each of these; the slow client never iterates, so replies back up.
  let sent = 0;
  // The sender lets the event loop turn between sends, as a client in its own process would: sends
  // the transport takes at once resolve without a turn, so an in-process loop of them would stall
  // this process's loop (the server's too) for as long as the kernel buffers keep taking bytes.
  const pump = (async () => {
    for (let i = 0; i < 2_000; i++) {
      await slow.send(big);
      sent++;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  })().catch(() => undefined);
  await settle(1_500);
  const responsiveMs = await roundTrip(server);
  const loopBlockMs = loop.stop();
  const rssGrowthMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
  slow.transport.abort?.();
  await pump;
  await settle(200);
  const freed = server.sessions.size === 0;
  await server.close();
  return { scenario: 'slow reader (never reads its replies)', outcomes: ends.slice(0, 2), responsiveMs, baselineMs, loopBlockMs, freed, detail: `sender stalled after ${sent} of 2000 messages; memory grew ${rssGrowthMb.toFixed(0)} MiB` };
}

/** Hundreds of HELLOs at once against a rate and session limit. */
export async function helloFlood(count = 300): Promise<FaultResult & { rejected: Record<string, number>; accepted: number }> {
  const { server } = await echoServer({ serverLimits: { newSessionsPerSecond: 50, maxSessions: 100 } });
  // The flood's own key generation (the harness's work, not the server's) happens before the watch.
  const keys = Array.from({ length: count }, () => KeyPair.generate());
  const baselineMs = await roundTrip(server);
  const loop = watchEventLoop(10);
  await settle(1_100); // the probe's rate window passes before the flood
  const results = await Promise.allSettled(keys.map((staticKey) => connect(server.url, { secure: { staticKey, verifyPeer: pinServer } })));
  const outcomes = new Set<string>();
  const opened: Session[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') opened.push(r.value);
    else outcomes.add(isSdkError(r.reason) ? `${r.reason.code}${r.reason.kind === 'Rejected' ? `/${(r.reason.details as { code: string }).code}` : ''}` : 'UNCODED');
  }
  await Promise.all(opened.map((s) => s.close()));
  await settle(1_100); // the rate window passes
  const responsiveMs = await roundTrip(server);
  const loopBlockMs = loop.stop();
  await settle(50);
  const freed = server.sessions.size === 0;
  const rejected = { ...server.counters.rejected };
  await server.close();
  return { scenario: `HELLO flood (${count} at once; limits 50/s, 100 sessions)`, outcomes: [...outcomes], responsiveMs, baselineMs, loopBlockMs, freed, detail: `accepted ${opened.length}, rejected ${JSON.stringify(rejected)}`, rejected, accepted: opened.length };
}

/** Every fault scenario, in order. */
export async function runFaults(): Promise<FaultResult[]> {
  return [await killedMidHandshake(), await killedMidStream(), await halfOpen(), await silentPeer(), await slowReader(), await helloFlood()];
}

