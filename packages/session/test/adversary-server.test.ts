/**
 * Starvation, leaks and buffers on the server side (issue 13): each attack runs against
 * `listen()` on loopback, its cost is asserted (bytes held, heap growth, sessions retained, CPU
 * spent), and a legitimate client still completes a session afterwards. Small counts; the
 * full-size versions are in reliability/attacks/server.ts (`pnpm stress`).
 */
import * as net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { isSdkError } from '@m2m/core';
import { connect, listen, Session, WebSocketTransport, type ListenOptions, type Server, type WebSocketLike } from '@m2m/session';
import { httpTransport } from '@m2m/session/http';
import { TcpTransport } from '../src/transport/tcp.js';

/** `http://` servers are dialed through `@m2m/session/http`. */
const dialerFor = (url: string) => (url.startsWith('http') ? { transport: httpTransport } : {});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const heapAfterGc = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await settle(10);
  }
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
};
const MiB = 1024 * 1024;
const req = (i: number) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `hello ${i}` }] });
/** Content that neither Brotli nor TokenNative shrinks much, sent with algorithm `none`. */
const noise = (bytes: number) => {
  let s = '';
  let x = 12345;
  while (s.length < bytes) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += x.toString(36);
  }
  return s.slice(0, bytes);
};

const servers: Server[] = [];
const sockets: Array<net.Socket | WebSocket> = [];
async function serve(options: ListenOptions): Promise<Server> {
  const s = await listen({ onSession: echo, ...options });
  servers.push(s);
  return s;
}
afterEach(async () => {
  for (const s of sockets.splice(0)) {
    if (s instanceof WebSocket) s.terminate();
    else s.destroy();
  }
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function echo(s: Session): Promise<void> {
  try {
    for await (const m of s) await s.send(m.content);
  } catch {
    // the attacks end sessions with errors; the server must shrug them off
  }
}

/** A legitimate client: handshake, one echo round trip, close. */
async function legitimateRoundTrip(url: string): Promise<string> {
  const s = await connect(url, dialerFor(url));
  try {
    const it = s[Symbol.asyncIterator]();
    await s.send(req(7));
    return (await it.next()).value?.content ?? '';
  } finally {
    await s.close();
  }
}

function rawTcp(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
    sockets.push(s);
  });
}
function rawWs(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    sockets.push(ws);
  });
}
/** Resolves with the ms until `socket` closed, or `Infinity` if it is still open after `ms`. */
function closedWithin(socket: net.Socket | WebSocket, ms: number): Promise<number> {
  const start = Date.now();
  const closed = socket instanceof WebSocket ? socket.readyState === WebSocket.CLOSED : socket.destroyed || socket.readableEnded;
  if (closed) return Promise.resolve(0);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(Number.POSITIVE_INFINITY), ms);
    socket.once('close', () => {
      clearTimeout(t);
      resolve(Date.now() - start);
    });
  });
}
/** A client session over a socket this test holds, so it can stop reading at will. */
async function clientOverOwnSocket(port: number, options: Parameters<typeof Session.client>[1] = {}) {
  const socket = await rawTcp(port);
  const session = await Session.client(new TcpTransport(socket), options);
  return { socket, session };
}
async function clientOverOwnWebSocket(url: string, options: Parameters<typeof Session.client>[1] = {}) {
  const ws = await rawWs(url);
  const session = await Session.client(new WebSocketTransport(ws as unknown as WebSocketLike), options);
  return { ws, session };
}
/** Sends until one send has waited `stallMs` (the peer stopped taking data); returns how many went out. */
async function sendUntilStalled(session: Session, content: string, max: number, stallMs = 400): Promise<number> {
  for (let i = 0; i < max; i++) {
    const sent = session.send(content, { algorithm: 'none' }).then(() => true, () => false);
    const r = await Promise.race([sent, settle(stallMs).then(() => 'stalled' as const)]);
    if (r !== true) return i;
  }
  return max;
}

describe('pending connections and sessions are separate limits', () => {
  for (const transport of ['tcp', 'ws'] as const) {
    it(`${transport}: idle connections do not count toward maxSessions`, async () => {
      const server = await serve({ transport, serverLimits: { maxSessions: 20, maxPendingHandshakes: 100 } });
      // Ten connections that never send HELLO.
      await Promise.all(Array.from({ length: 10 }, () => (transport === 'tcp' ? rawTcp(server.port) : rawWs(server.url))));
      const results = await Promise.allSettled(Array.from({ length: 30 }, () => connect(server.url, dialerFor(server.url))));
      const admitted = results.filter((r) => r.status === 'fulfilled');
      const busy = results.filter((r) => r.status === 'rejected' && isSdkError(r.reason) && (r.reason.details as { code?: string }).code === 'SERVER_BUSY');
      expect(admitted.length).toBe(20);
      expect(busy.length).toBe(10);
      await Promise.all(admitted.map((r) => (r as PromiseFulfilledResult<Session>).value.close()));
      await settle(50);
      expect(await legitimateRoundTrip(server.url)).toBe(req(7));
    });
  }
  it('SERVER_BUSY never answers a HELLO while no session is open', async () => {
    const server = await serve({ transport: 'tcp', serverLimits: { maxSessions: 2 } });
    await Promise.all(Array.from({ length: 5 }, () => rawTcp(server.port)));
    expect(await legitimateRoundTrip(server.url)).toBe(req(7));
    expect(server.counters.rejected.SERVER_BUSY ?? 0).toBe(0);
  });
});

describe('idle and trickling connections before HELLO', () => {
  it('a connection trickling its HELLO is closed at the handshake deadline, counted from accept', async () => {
    const server = await serve({ transport: 'tcp', serverLimits: { handshakeTimeoutMs: 1_000 } });
    const raw = await rawTcp(server.port);
    const hello = Buffer.alloc(204, 0x7b);
    hello.writeUInt32BE(200);
    // One byte every 100 ms: traffic, but never a whole message.
    let at = 0;
    const trickle = setInterval(() => !raw.destroyed && raw.write(hello.subarray(at, ++at)), 100);
    try {
      const ms = await closedWithin(raw, 4_000);
      expect(ms).toBeGreaterThanOrEqual(800);
      expect(ms).toBeLessThan(3_000);
    } finally {
      clearInterval(trickle);
    }
    expect(server.counters.handshakeTimeouts).toBe(1);
    expect(await legitimateRoundTrip(server.url)).toBe(req(7));
  });
  for (const transport of ['ws', 'http'] as const) {
    it(`${transport}: sockets silent before their upgrade or request, or trickling headers, are closed at the deadline`, async () => {
      const server = await serve({ transport, serverLimits: { handshakeTimeoutMs: 1_000 } });
      const silent = await rawTcp(server.port);
      const trickler = await rawTcp(server.port);
      trickler.write('GET /message HTTP/1.1\r\nHost: x\r\n');
      const [a, b] = await Promise.all([closedWithin(silent, 5_000), closedWithin(trickler, 5_000)]);
      expect(a).toBeLessThan(4_000);
      expect(b).toBeLessThan(4_000);
      expect(await legitimateRoundTrip(server.url)).toBe(req(7));
    });
  }
  for (const transport of ['tcp', 'ws'] as const) {
    it(`${transport}: a flood of idle connections does not lock a legitimate client out (fair accept)`, async () => {
      const flood = transport === 'tcp' ? 200 : 60;
      const server = await serve({ transport, serverLimits: { maxPendingHandshakes: 50 } });
      const idle = [];
      for (let i = 0; i < flood; i += 20) idle.push(...(await Promise.all(Array.from({ length: 20 }, () => (transport === 'tcp' ? rawTcp(server.port) : rawWs(server.url))))));
      await settle(100);
      expect(await legitimateRoundTrip(server.url)).toBe(req(7));
      expect(server.counters.evictedPending).toBeGreaterThanOrEqual(flood - 50);
      expect(server.counters.accepted).toBe(1);
      // Evicted connections are really gone (the table holds at most maxPendingHandshakes).
      const open = (await Promise.all(idle.map((s) => closedWithin(s, 200)))).filter((ms) => ms === Number.POSITIVE_INFINITY);
      expect(open.length).toBeLessThanOrEqual(50);
    });
  }
  for (const transport of ['tcp', 'ws'] as const) {
    it(`${transport}: a first message larger than maxHandshakeMessageBytes is refused before it is buffered`, async () => {
      const errors: unknown[] = [];
      const server = await serve({ transport, serverLimits: { maxHandshakeMessageBytes: 64 * 1024 }, onHandshakeError: (e) => errors.push(e) });
      const before = server.bufferedBytes;
      if (transport === 'tcp') {
        const raw = await rawTcp(server.port);
        const head = Buffer.alloc(4);
        head.writeUInt32BE(8 * MiB);
        raw.write(head);
        raw.write(Buffer.alloc(32 * 1024));
        expect(await closedWithin(raw, 2_000)).toBeLessThan(2_000);
      } else {
        const ws = await rawWs(server.url);
        ws.send(Buffer.alloc(256 * 1024));
        expect(await closedWithin(ws, 2_000)).toBeLessThan(2_000);
      }
      // The handshake fails once the server's socket is gone too (a moment after the client's:
      // transport/tcp.ts close() awaits it, so the connection stays counted as pending till then).
      await vi.waitFor(() => expect(server.counters.failedHandshakes).toBe(1), { timeout: 2_000 });
      expect(errors.map((e) => isSdkError(e) && e.details)).toEqual([expect.objectContaining({ limit: 'maxMessageBytes', max: 64 * 1024 })]);
      expect(server.bufferedBytes).toBe(before);
      expect(await legitimateRoundTrip(server.url)).toBe(req(7));
    });
  }
  it('http: a first POST larger than maxHandshakeMessageBytes gets 413', async () => {
    const server = await serve({ transport: 'http', serverLimits: { maxHandshakeMessageBytes: 64 * 1024 } });
    const res = await fetch(`${server.url}/message`, { method: 'POST', body: new Uint8Array(256 * 1024) }).catch(() => undefined);
    expect(res === undefined || res.status === 413).toBe(true);
    expect(server.counters.accepted).toBe(0);
    expect(await legitimateRoundTrip(server.url)).toBe(req(7));
  });
});

describe('no session is kept for an iterator nobody runs', () => {
  it('onSession only: closed sessions are collectable (no queue of every session ever accepted)', async () => {
    const refs: Array<WeakRef<Session>> = [];
    const server = await serve({ transport: 'tcp', onSession: (s) => {
        refs.push(new WeakRef(s));
        void echo(s);
      },
    });
    const base = await heapAfterGc();
    for (let batch = 0; batch < 10; batch++) {
      const clients = await Promise.all(Array.from({ length: 30 }, () => connect(server.url, dialerFor(server.url))));
      await Promise.all(clients.map((c) => c.close()));
    }
    await settle(100);
    const grown = (await heapAfterGc()) - base;
    expect(refs.length).toBe(300);
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    expect(alive).toBeLessThan(30);
    expect(grown).toBeLessThan(8 * MiB);
    expect(await legitimateRoundTrip(server.url)).toBe(req(7));
  });
  it('iterator only: open sessions wait for the iterator, closed ones are dropped', async () => {
    const server = await listen({ transport: 'tcp' });
    servers.push(server);
    const clients = await Promise.all(Array.from({ length: 5 }, () => connect(server.url, dialerFor(server.url))));
    await Promise.all(clients.slice(0, 3).map((c) => c.close()));
    await settle(50);
    const it = server[Symbol.asyncIterator]();
    const got = [(await it.next()).value as Session, (await it.next()).value as Session];
    expect(got.map((s) => s.state)).toEqual(['ESTABLISHED', 'ESTABLISHED']);
    expect(new Set(got.map((s) => s.id))).toEqual(new Set(clients.slice(3).map((c) => c.id)));
    const third = await Promise.race([it.next(), settle(100).then(() => 'nothing')]);
    expect(third).toBe('nothing');
    await Promise.all(clients.slice(3).map((c) => c.close()));
  });
});

describe('backpressure in bytes', () => {
  for (const transport of ['tcp', 'ws'] as const) {
    it(`${transport}: a server application that never reads holds about its byte limits, not 64 messages of any size`, async () => {
      const held: Session[] = [];
      // The first session's application never reads; later ones are echoed.
      const server = await serve({ transport, onSession: (s) => (held.length ? void echo(s) : void held.push(s)) });
      const base = await heapAfterGc();
      const client = await connect(server.url, dialerFor(server.url));
      const sent = await sendUntilStalled(client, noise(256 * 1024), 200);
      const grown = (await heapAfterGc()) - base;
      // Transport (1 MiB) + session inbox (1 MiB of content and wire form) + one message in
      // flight; 64 + 64 messages of 256 KiB would be 32 MiB of bytes and 32 MiB of strings.
      expect(sent).toBeLessThan(40);
      expect(grown).toBeLessThan(12 * MiB);
      // What the server counts against its budget: the transport's mark plus one message, and
      // the session inbox's mark plus one message (content and wire form).
      expect(server.bufferedBytes).toBeLessThanOrEqual(1 * MiB + 256 * 1024 + 1 * MiB + 512 * 1024);
      // Reading resumes the flow.
      const reader = held[0][Symbol.asyncIterator]();
      for (let i = 0; i < sent; i++) expect((await reader.next()).value?.content.length).toBe(256 * 1024);
      await client.close();
      expect(await legitimateRoundTrip(server.url)).toBe(req(7));
    });
  }
  it('tcp: a client that never reads is dropped after sendTimeoutMs; the server holds one high-water mark', async () => {
    const outcome: { sent: number; error?: unknown; attacked?: boolean } = { sent: 0 };
    const server = await serve({
      transport: 'tcp',
      sendTimeoutMs: 1_000,
      onSession: async (s) => {
        if (outcome.attacked) return void echo(s);
        outcome.attacked = true;
        try {
          for await (const m of s) {
            void m;
            for (let i = 0; i < 400; i++) {
              await s.send(noise(64 * 1024), { algorithm: 'none' });
              outcome.sent++;
            }
          }
        } catch (e) {
          outcome.error = e;
        }
      },
    });
    const { socket, session } = await clientOverOwnSocket(server.port);
    socket.pause();
    await session.send(req(1));
    for (let i = 0; i < 80 && outcome.error === undefined; i++) await settle(100);
    expect(isSdkError(outcome.error) && outcome.error.kind).toBe('Timeout');
    await settle(100);
    expect(server.sessions.size).toBe(0);
    // Loopback socket buffers take a few MiB; the rest of the 25 MiB was never produced.
    expect(outcome.sent).toBeLessThan(300);
    expect(await legitimateRoundTrip(server.url)).toBe(req(7));
  });
  it('ws: a client that never reads is dropped after sendTimeoutMs', async () => {
    const outcome: { sent: number; error?: unknown; attacked?: boolean } = { sent: 0 };
    const server = await serve({
      transport: 'ws',
      sendTimeoutMs: 1_000,
      onSession: async (s) => {
        if (outcome.attacked) return void echo(s);
        outcome.attacked = true;
        try {
          for await (const m of s) {
            void m;
            for (let i = 0; i < 400; i++) {
              await s.send(noise(64 * 1024), { algorithm: 'none' });
              outcome.sent++;
            }
          }
        } catch (e) {
          outcome.error = e;
        }
      },
    });
    const { ws, session } = await clientOverOwnWebSocket(server.url);
    ws.pause();
    await session.send(req(1));
    for (let i = 0; i < 80 && outcome.error === undefined; i++) await settle(100);
    expect(isSdkError(outcome.error) && outcome.error.kind).toBe('Timeout');
    await settle(100);
    expect(server.sessions.size).toBe(0);
    expect(outcome.sent).toBeLessThan(300);
    expect(await legitimateRoundTrip(server.url)).toBe(req(7));
  });
  it('http: send() waits while the client does not poll, and fails with Timeout', async () => {
    const outcome: { sent: number; error?: unknown; attacked?: boolean } = { sent: 0 };
    const server = await serve({
      transport: 'http',
      sendTimeoutMs: 1_000,
      onSession: async (s) => {
        if (outcome.attacked) return void echo(s);
        outcome.attacked = true;
        try {
          for await (const m of s) {
            void m;
            for (let i = 0; i < 200; i++) {
              await s.send(noise(64 * 1024), { algorithm: 'none' });
              outcome.sent++;
            }
          }
        } catch (e) {
          outcome.error = e;
        }
      },
    });
    // A hand-rolled client: HELLO, one DATA, and never a GET (the JSON codec keeps it short).
    const hello = '{"type":"HELLO","payload":{"version":"3.0","agent_id":"a","agent_type":"x","compression":{"algorithms":["m2m","none"],"max_payload":0,"streaming":true,"ml_routing":false,"encodings":["Cl100kBase"],"preferred_encoding":"Cl100kBase"},"security":{"threat_detection":false,"model_version":null,"blocking_mode":false,"block_threshold":0.8},"extensions":{}},"timestamp":1}';
    const res = await fetch(`${server.url}/message`, { method: 'POST', body: hello });
    const accept = JSON.parse(await res.text()) as { session_id: string };
    const conn = res.headers.get('x-m2m-connection')!;
    const data = `{"type":"DATA","session_id":"${accept.session_id}","payload":{"algorithm":"none","content":"hi"},"timestamp":2}`;
    const posted = await fetch(`${server.url}/message`, { method: 'POST', headers: { 'x-m2m-connection': conn }, body: data });
    await posted.arrayBuffer();
    for (let i = 0; i < 40 && outcome.error === undefined; i++) await settle(100);
    expect(isSdkError(outcome.error) && outcome.error.kind).toBe('Timeout');
    // 1 MiB of 64 KiB messages queued, plus the POST response's share: far below 200.
    expect(outcome.sent).toBeLessThan(40);
    expect(await legitimateRoundTrip(server.url)).toBe(req(7));
  });
});

describe('TCP reassembly and the buffer budget', () => {
  it('a trickled 8 MiB message costs linear work (one copy), not a copy per read', async () => {
    let failure: unknown;
    let first = true;
    const server = await serve({
      transport: 'tcp',
      onSession: (s) => {
        if (first) void s.closed.then((i) => (failure = i.error));
        else void echo(s);
        first = false;
      },
    });
    const { socket } = await clientOverOwnSocket(server.port);
    const size = 8 * MiB;
    const piece = Buffer.alloc(8 * 1024, 0x41);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(size);
    const cpu = process.cpuUsage();
    socket.write(head);
    for (let off = 0; off < size; off += piece.length) {
      if (!socket.write(piece)) await new Promise((r) => socket.once('drain', r));
      await new Promise((r) => setImmediate(r));
    }
    for (let i = 0; i < 50 && failure === undefined; i++) await settle(20);
    const used = process.cpuUsage(cpu);
    // The server got the whole message (and refused it as not a session message).
    expect(isSdkError(failure) && failure.kind).toBe('InvalidMessage');
    // Recopying the pending buffer on every 8 KiB read is ~4 GiB of copying (seconds of CPU).
    expect((used.user + used.system) / 1000).toBeLessThan(1_500);
    expect(await legitimateRoundTrip(server.url)).toBe(req(7));
  });
  it('unread DATA in session inboxes draws on maxBufferedBytes too', async () => {
    const endings: unknown[] = [];
    let seen = 0;
    const server = await serve({
      transport: 'tcp',
      serverLimits: { maxBufferedBytes: 2 * MiB },
      onSession: (s) => {
        // Three sessions whose application never reads; later ones are echoed.
        if (seen++ < 3) void s.closed.then((i) => endings.push(i.error));
        else void echo(s);
      },
    });
    const clients = await Promise.all(Array.from({ length: 3 }, () => connect(server.url, dialerFor(server.url))));
    await Promise.all(clients.map((c) => sendUntilStalled(c, noise(128 * 1024), 100)));
    await settle(100);
    expect(endings.length).toBeGreaterThanOrEqual(1);
    for (const e of endings) expect(isSdkError(e) && isSdkError(e.cause) && e.cause.details).toMatchObject({ limit: 'maxBufferedBytes' });
    expect(server.bufferedBytes).toBeLessThanOrEqual(2 * MiB + 3 * 64 * 1024);
    expect(await legitimateRoundTrip(server.url)).toBe(req(7));
    for (const c of clients) c.transport.abort?.();
  });
  it('partial messages draw on maxBufferedBytes: hoarders are cut off, others keep working', async () => {
    const endings: unknown[] = [];
    let seen = 0;
    const server = await serve({
      transport: 'tcp',
      serverLimits: { maxBufferedBytes: 1 * MiB },
      onSession: (s) => {
        if (seen++ < 4) void s.closed.then((i) => endings.push(i.error));
        else void echo(s);
      },
    });
    const hoarders = await Promise.all(Array.from({ length: 4 }, () => clientOverOwnSocket(server.port)));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(4 * MiB);
    for (const { socket } of hoarders) {
      socket.write(head);
      socket.write(Buffer.alloc(600 * 1024, 1));
    }
    const closed = await Promise.all(hoarders.map(({ socket }) => closedWithin(socket, 2_000)));
    const cut = closed.filter((ms) => ms !== Number.POSITIVE_INFINITY).length;
    expect(cut).toBeGreaterThanOrEqual(2);
    expect(cut).toBeLessThan(4);
    expect(server.bufferedBytes).toBeLessThanOrEqual(1 * MiB + 4 * 64 * 1024);
    await settle(50);
    expect(endings.length).toBe(cut);
    // The session ends as a lost connection whose cause names the budget.
    for (const e of endings) expect(isSdkError(e) && isSdkError(e.cause) && e.cause.details).toMatchObject({ limit: 'maxBufferedBytes' });
    expect(await legitimateRoundTrip(server.url)).toBe(req(7));
  });
});
