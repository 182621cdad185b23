/**
 * The `rest` transport (`connect(url, { transport: restTransport })`) completes HELLO/DATA/PING/CLOSE
 * against the Rust reference server binary and against this package's server.
 */
import { connect } from '@m2m/session';
import { RestClientTransport, restTransport } from '@m2m/session/http';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/node.js';
import { startRustServer, type RustServer } from './rust-server.js';

const REQUEST = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hello from the rest transport"}]}';

let ours: RunningServer;
let rust: RustServer | undefined;
let rustMissing = '';

beforeAll(async () => {
  ours = await startServer({ port: 0 });
  const r = await startRustServer();
  if (typeof r === 'string') {
    rustMissing = r;
    console.warn(`skipping Rust interop: ${r}`);
  } else rust = r;
});
afterAll(async () => {
  await ours?.close(100);
  await rust?.stop();
});

async function roundTrip(url: string) {
  const session = await connect(url, { transport: restTransport, signal: AbortSignal.timeout(5000) });
  const seen: string[] = [];
  const reader = (async () => {
    for await (const d of session) seen.push(d.content);
  })();
  expect(session.state).toBe('ESTABLISHED');
  expect(session.codec).toBe('json');
  expect(session.id).toMatch(/^[0-9a-f-]{36}$/);
  await session.send(REQUEST);
  await session.send('plain text line', { algorithm: 'none' });
  const rtt = await session.ping();
  expect(rtt).toBeGreaterThanOrEqual(0);
  await session.close();
  const closed = await session.closed;
  await reader;
  return { seen, closed, session };
}

describe('rest transport', () => {
  it('HELLO/DATA/PING/CLOSE against our server: DATA answered with the decoded content', async () => {
    const { seen, closed } = await roundTrip(ours.url);
    expect(seen).toEqual([REQUEST, 'plain text line']);
    expect(closed.reason).toBe('NORMAL');
    expect(ours.sessions.size).toBe(0);
  });

  it('HELLO/DATA/PING/CLOSE against the Rust reference server binary', async (ctx) => {
    if (!rust) return ctx.skip(rustMissing);
    const { seen, closed, session } = await roundTrip(rust.url);
    // The reference echoes every DATA (its reply never parses), so the client reads its own content back.
    expect(seen).toEqual([REQUEST, 'plain text line']);
    expect(closed.reason).toBe('NORMAL');
    expect(session.peerCapabilities?.agentId).toBeDefined();
  });

  it('a DATA for a session the Rust server does not know ends the session with the REJECT', async (ctx) => {
    if (!rust) return ctx.skip(rustMissing);
    const session = await connect(rust.url, { transport: restTransport });
    // Closing on the server side behind the client's back: a raw CLOSE with its session id.
    const res = await fetch(`${rust.url}/message`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'CLOSE', session_id: session.id, timestamp: 1 }) });
    expect(res.status).toBe(200);
    await session.send(REQUEST).catch(() => undefined);
    const closed = await session.closed;
    expect(closed.error?.code).toMatch(/PROTOCOL_ERROR|REJECTED/);
  });

  it('reads replies only up to the limit, with or without a declared length', async () => {
    const big = Buffer.alloc(256 * 1024, 0x20);
    const srv = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.headers['x-chunked']) {
          res.writeHead(200, { 'content-type': 'application/json' });
          for (let i = 0; i < 64; i++) res.write(big); // 16 MiB, chunked, unless the client stops reading
          res.end();
        } else res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(big.length) }).end(big);
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    try {
      for (const headers of [{}, { 'x-chunked': '1' }] as Record<string, string>[]) {
        const t = new RestClientTransport(url, { maxMessageBytes: 64 * 1024, headers });
        await expect(t.send(new TextEncoder().encode('{}'))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'responseBytes', max: 64 * 1024 } });
        await expect(t[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
      }
    } finally {
      srv.closeAllConnections();
      srv.close();
    }
  });

  it('refuses a non-http URL for the rest transport', async () => {
    await expect(connect('ws://127.0.0.1:1', { transport: restTransport })).rejects.toMatchObject({ code: 'CONFIG_ERROR' });
  });
});
