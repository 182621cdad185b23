import { describe, expect, it, vi } from 'vitest';
import * as net from 'node:net';
import { isM2MError, type M2MError } from '@m2m/core';
import { connect, listen, Session, type SessionData } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';
import { httpTransport } from '@m2m/session/http';
import { jsonCodec } from '@m2m/session/json';
import { incomingStreams, openStream } from '@m2m/session/streams';

/** `http://` servers are dialed through `@m2m/session/http`. */
const dialerFor = (url: string) => (url.startsWith('http') ? { transport: httpTransport } : {});

const req = (i: number) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `message ${i}` }] });

async function rejection(p: Promise<unknown>): Promise<M2MError> {
  try {
    await p;
  } catch (e) {
    if (isM2MError(e)) return e;
    throw new Error(`non-M2MError: ${String(e)}`);
  }
  throw new Error('expected a rejection');
}

describe('Session over a memory transport', () => {
  it('takes the json codec as an object (how browsers pass it) and the server detects it from the HELLO', async () => {
    const [a, b] = memoryTransportPair();
    const serverP = Session.server(b);
    const client = await Session.client(a, { codec: jsonCodec });
    const server = (await serverP)!;
    expect([client.codec, server.codec]).toEqual(['json', 'json']);
    await client.send('{"n":1}');
    const it = server[Symbol.asyncIterator]();
    expect((await it.next()).value?.content).toBe('{"n":1}');
    await client.close();
  });
  it('handshakes, exchanges DATA both ways in order, pings and closes with a reason', async () => {
    const [a, b] = memoryTransportPair();
    const serverP = Session.server(b);
    const client = await Session.client(a, { codec: 'json' });
    const server = (await serverP)!;
    expect(server.codec).toBe('json'); // detected from the HELLO
    const got: string[] = [];
    const reader = (async () => {
      for await (const m of server) got.push(m.content);
    })();
    for (let i = 0; i < 50; i++) await client.send(req(i));
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
    const info = await client.close('CLIENT_SHUTDOWN', 'done for today');
    await reader;
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => req(i)));
    expect(info.reason).toBe('CLIENT_SHUTDOWN');
    const peer = await server.closed;
    expect(peer.error?.kind).toBe('Closed');
    expect(peer.error?.details).toEqual({ reason: 'CLIENT_SHUTDOWN', message: 'done for today' });
    const after = await rejection(server.send(req(0)));
    expect(after.kind).toBe('Closed');
  });
  it('carries the original size and a security status when asked, and neither by default', async () => {
    const [a, b] = memoryTransportPair();
    const serverP = Session.server(b);
    const client = await Session.client(a);
    const server = (await serverP)!;
    const it = server[Symbol.asyncIterator]();
    await client.send(req(1));
    await client.send(req(2), { algorithm: 'brotli', includeOriginalSize: true, securityStatus: { scanned: true, safe: false, threatType: 'PROMPT_INJECTION', confidence: 0.9 } });
    const plain = (await it.next()).value!;
    expect(plain.payload.originalSize).toBeUndefined();
    expect(plain.payload.securityStatus).toBeUndefined();
    const rich = (await it.next()).value!;
    expect(rich.content).toBe(req(2));
    expect(rich.payload.algorithm).toBe('brotli');
    expect(rich.payload.originalSize).toBe(new TextEncoder().encode(req(2)).length);
    expect(rich.payload.securityStatus).toEqual({ scanned: true, safe: false, threatType: 'PROMPT_INJECTION', confidence: 0.9 });
    await client.close();
  });
  it('holds a fast sender back while the reader is slow, losing nothing', async () => {
    const [a, b] = memoryTransportPair(4);
    const serverP = Session.server(b, { inboxCapacity: 4 });
    const client = await Session.client(a);
    const server = (await serverP)!;
    let sent = 0;
    const sender = (async () => {
      for (let i = 0; i < 40; i++) {
        await client.send(req(i));
        sent++;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toBeLessThan(40); // blocked: inbox and transport queue are full
    const got: SessionData[] = [];
    for await (const m of server) {
      got.push(m);
      if (got.length === 40) break;
    }
    await sender;
    expect(got.map((m) => m.content)).toEqual(Array.from({ length: 40 }, (_, i) => req(i)));
    await client.close();
  });
  it('ends the peer with Closed ERROR when the transport dies mid-stream', async () => {
    const [a, b] = memoryTransportPair();
    const serverP = Session.server(b);
    const client = await Session.client(a);
    const server = (await serverP)!;
    await a.close(); // the client's connection vanishes
    const info = await server.closed;
    expect(info.reason).toBe('ERROR');
    expect(info.error?.kind).toBe('Closed');
    await expect(client.closed).resolves.toBeDefined();
  });
  it('closes with ERROR when the peer sends garbage, and says so in its CLOSE', async () => {
    const [a, b] = memoryTransportPair();
    const serverP = Session.server(b);
    const client = await Session.client(a);
    const server = (await serverP)!;
    await a.send(new Uint8Array([0xc1, 0x00]));
    const info = await server.closed;
    expect(info.reason).toBe('ERROR');
    expect(info.error?.kind).toBe('InvalidMessage');
    const clientInfo = await client.closed;
    expect(clientInfo.reason).toBe('ERROR');
  });
  it('aborts a handshake with AbortSignal (the peer never answers)', async () => {
    const [a] = memoryTransportPair();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const e = await rejection(Session.client(a, { signal: ac.signal }));
    expect(e.kind).toBe('Aborted');
  });
  it('a server gives up on a connection that never sends HELLO', async () => {
    const [, b] = memoryTransportPair();
    const e = await rejection(Session.server(b, { timers: { helloTimeoutMs: 1_000 } }));
    expect(e.kind).toBe('Timeout');
  });
});

describe('connect and listen', () => {
  for (const transport of ['ws', 'tcp', 'http'] as const) {
    it(`${transport}: echoes DATA and reports the negotiated capabilities`, async () => {
      const server = await listen({ transport, onSession: async (s) => { for await (const m of s) await s.send(m.content); } });
      try {
        const s = await connect(server.url, dialerFor(server.url));
        expect(s.negotiated?.algorithm).toBe('m2m');
        const it = s[Symbol.asyncIterator]();
        await s.send(req(1));
        expect((await it.next()).value?.content).toBe(req(1));
        await s.close();
      } finally {
        await server.close();
      }
    });
  }
  it('answers REJECT SERVER_BUSY with retryAfterMs over maxSessions', async () => {
    const server = await listen({ transport: 'tcp', serverLimits: { maxSessions: 2, retryAfterMs: 750 } });
    try {
      const a = await connect(server.url, dialerFor(server.url));
      const b = await connect(server.url, dialerFor(server.url));
      const e = await rejection(connect(server.url, dialerFor(server.url)));
      expect(e.kind).toBe('Rejected');
      expect(e.details).toMatchObject({ code: 'SERVER_BUSY', retryAfterMs: 750 });
      expect(e.retryable).toBe(true);
      await a.close();
      await new Promise((r) => setTimeout(r, 50));
      const c = await connect(server.url, dialerFor(server.url)); // room again
      expect(server.counters.rejected.SERVER_BUSY).toBe(1);
      await Promise.all([b.close(), c.close()]);
    } finally {
      await server.close();
    }
  });
  it('answers REJECT SERVER_BUSY over maxSessionsPerAddress', async () => {
    const server = await listen({ transport: 'ws', serverLimits: { maxSessionsPerAddress: 1 } });
    try {
      const a = await connect(server.url, dialerFor(server.url));
      const e = await rejection(connect(server.url, dialerFor(server.url)));
      expect(e.details).toMatchObject({ code: 'SERVER_BUSY' });
      expect(e.message).toMatch(/too many sessions from/);
      await a.close();
    } finally {
      await server.close();
    }
  });
  it('answers REJECT RATE_LIMITED over newSessionsPerSecond, with the wait in retryAfterMs', async () => {
    const server = await listen({ transport: 'tcp', serverLimits: { newSessionsPerSecond: 3 } });
    try {
      const ok = await Promise.all([connect(server.url, dialerFor(server.url)), connect(server.url, dialerFor(server.url)), connect(server.url, dialerFor(server.url))]);
      const e = await rejection(connect(server.url, dialerFor(server.url)));
      expect(e.details).toMatchObject({ code: 'RATE_LIMITED' });
      expect((e.details as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
      expect((e.details as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(1000);
      await Promise.all(ok.map((s) => s.close()));
    } finally {
      await server.close();
    }
  });
  it('refuses bad URLs and unreachable ports with typed errors', async () => {
    expect((await rejection(connect('not a url'))).kind).toBe('Config');
    expect((await rejection(connect('ftp://127.0.0.1:1'))).kind).toBe('Config');
    // http: needs a dialer from @m2m/session/http, and the error says which (no dial attempted).
    const noDialer = await rejection(connect('http://127.0.0.1:1'));
    expect(noDialer.kind).toBe('Config');
    expect(noDialer.message).toContain('@m2m/session/http');
    expect(noDialer.message).toContain('httpTransport');
    expect((await rejection(connect('ws://127.0.0.1:1', { transport: httpTransport }))).message).toContain('the http transport dials http: and https: URLs, not ws:');
    const free = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => r(p));
      });
    });
    expect((await rejection(connect(`tcp://127.0.0.1:${free}`))).kind).toBe('Network');
  });
  it('server shutdown closes its sessions with SERVER_SHUTDOWN', async () => {
    const server = await listen({ transport: 'ws' });
    const s = await connect(server.url, dialerFor(server.url));
    await server.close();
    const info = await s.closed;
    expect(info.reason).toBe('SERVER_SHUTDOWN');
    expect(info.error?.kind).toBe('Closed');
  });
  it('a TCP peer announcing an oversize message is cut off with LimitExceeded', async () => {
    const server = await listen({ transport: 'tcp', maxMessageBytes: 1024 });
    try {
      const raw = net.connect(server.port, '127.0.0.1');
      await new Promise((r) => raw.once('connect', r));
      const head = Buffer.alloc(4);
      head.writeUInt32BE(1_000_000);
      raw.write(head);
      await new Promise((r) => raw.once('close', r));
      // Counted once the server's socket is gone too (transport/tcp.ts close() awaits it).
      await vi.waitFor(() => expect(server.counters.failedHandshakes).toBe(1), { timeout: 2_000 });
    } finally {
      await server.close();
    }
  });
});

describe('HTTP adapter', () => {
  it('carries a whole session: HELLO answered in the POST, DATA both ways in order, PING, CLOSE', async () => {
    const server = await listen({ transport: 'http', onSession: async (s) => { for await (const m of s) await s.send(m.content); } });
    try {
      const s = await connect(server.url, dialerFor(server.url));
      const got: string[] = [];
      const reader = (async () => {
        for await (const m of s) if (got.push(m.content) === 100) break;
      })();
      for (let i = 0; i < 100; i++) await s.send(req(i));
      await reader;
      expect(got).toEqual(Array.from({ length: 100 }, (_, i) => req(i)));
      expect(await s.ping()).toBeGreaterThanOrEqual(0);
      await s.close();
    } finally {
      await server.close();
    }
  });
  it('keeps no per-request listeners alive across hundreds of POSTs', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const server = await listen({ transport: 'http', onSession: async (s) => { for await (const m of s) void m; } });
    try {
      const s = await connect(server.url, dialerFor(server.url));
      // A listener left behind per request passes Node's default limit of 10 by the 11th.
      for (let i = 0; i < 200; i++) await s.send(req(i));
      await s.close();
    } finally {
      process.off('warning', onWarning);
      await server.close();
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  }, 60_000);
  it('answers a reference-style client (plain JSON POST, no framing) with ACCEPT in the response body', async () => {
    const server = await listen({ transport: 'http' });
    try {
      const hello = '{"type":"HELLO","payload":{"version":"3.0","agent_id":"rust","agent_type":"m2m-rust","compression":{"algorithms":["m2m","brotli","none"],"max_payload":0,"streaming":true,"ml_routing":false,"encodings":["Cl100kBase"],"preferred_encoding":"Cl100kBase"},"security":{"threat_detection":false,"model_version":null,"blocking_mode":false,"block_threshold":0.8},"extensions":{}},"timestamp":1705520400000}';
      const res = await fetch(`${server.url}/message`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: hello });
      expect(res.status).toBe(200);
      const accept = JSON.parse(await res.text()) as { type: string; session_id: string };
      expect(accept.type).toBe('ACCEPT');
      expect(accept.session_id).toMatch(/^[0-9a-f-]{36}$/);
      const ping = await fetch(`${server.url}/message`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-m2m-connection': res.headers.get('x-m2m-connection')! }, body: `{"type":"PING","session_id":"${accept.session_id}","payload":{},"timestamp":1}` });
      expect(JSON.parse(await ping.text()).type).toBe('PONG');
    } finally {
      await server.close();
    }
  });
});

describe('session ends observed late (closed promise and stream mux made on first use, issue 18)', () => {
  it('`closed` asked only after the connection was lost resolves with that end; incomingStreams() ends at once; iteration throws the Closed error', async () => {
    const [x, y] = memoryTransportPair();
    const sp = Session.server(y);
    const client = await Session.client(x);
    const server = (await sp)!;
    await client.transport.close();
    // Let both read loops see the end first.
    for (let i = 0; i < 20; i++) await Promise.resolve();
    const info = await server.closed;
    expect(info.by).toBe('transport');
    expect(isM2MError(info.error) && info.error.kind).toBe('Closed');
    const it = incomingStreams(server)[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(true);
    await expect(server[Symbol.asyncIterator]().next()).rejects.toSatisfy((e: unknown) => isM2MError(e) && e === info.error);
    expect(() => openStream(server)).toThrow(expect.objectContaining({ code: 'STREAM_CLOSED' }));
  });
});
