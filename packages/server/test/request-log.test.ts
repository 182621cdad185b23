/**
 * One log record per request: the reference's routes through the app's middleware, unknown paths
 * through notFound, /v1 routes from the gateway itself (so they skip the middleware). As an
 * operator reads `startServer`'s (and `m2m server`'s) lines: a failed request names its error
 * code (what `m2m errors explain` and docs/ERRORS.md take), and a 5xx (the server's or its
 * upstream's failure) is logged at error level, so a level filter finds it.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createServerApp } from '../src/app.js';
import type { Forwarder } from '../src/gateway/forward.js';
import { startServer, type RequestLogger } from '../src/node.js';

describe('request log', () => {
  it('logs every request exactly once with its path and status', async () => {
    const seen: Array<{ method: string; path: string; status: number }> = [];
    const upstream: Forwarder = async () => new Response('{"object":"list","data":[]}', { status: 200, headers: { 'content-type': 'application/json' } });
    const { app } = createServerApp({ upstream, onRequest: ({ method, path, status }) => seen.push({ method, path, status }) });
    const call = async (path: string, method = 'GET') => (await app.fetch(new Request(`http://gw${path}`, { method }))).status;
    expect(await call('/health')).toBe(200);
    expect(await call('/session/does-not-exist')).toBe(404);
    expect(await call('/nope')).toBe(404);
    expect(await call('/v1/models')).toBe(200);
    expect(await call('/v1/nope')).toBe(404);
    expect(seen).toEqual([
      { method: 'GET', path: '/health', status: 200 },
      { method: 'GET', path: '/session/does-not-exist', status: 404 },
      { method: 'GET', path: '/nope', status: 404 },
      { method: 'GET', path: '/v1/models', status: 200 },
      { method: 'GET', path: '/v1/nope', status: 404 },
    ]);
  });
});

type Line = { level: string; msg?: string } & Record<string, unknown>;
function memoryLogger(): RequestLogger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg?: string) => void lines.push({ ...obj, level, ...(msg !== undefined ? { msg } : {}) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  const port = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as { port: number }).port)));
  await new Promise((r) => probe.close(r));
  return port;
}

describe('request log lines', () => {
  it('an unreachable upstream: error level, status 502, code UPSTREAM_ERROR; a wrong key: info, 401, UNAUTHORIZED; a success: info without code', async () => {
    const logger = memoryLogger();
    const server = await startServer({ port: 0, upstream: `http://127.0.0.1:${await closedPort()}/v1`, apiKeys: ['team-key'], logger });
    try {
      const chat = (key: string) => fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}' });
      expect((await chat('team-key')).status).toBe(502);
      expect((await chat('wrong')).status).toBe(401);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server.close(100);
    }
    const requests = logger.lines.filter((l) => l.msg === 'request');
    expect(requests.map((l) => [l.level, l.status, l.code])).toEqual([
      ['error', 502, 'UPSTREAM_ERROR'],
      ['info', 401, 'UNAUTHORIZED'],
      ['info', 200, undefined],
    ]);
    expect(String(requests[0].error)).toMatch(/ECONNREFUSED/);
  });
});

describe('request log: whose status it is', () => {
  it("marks a status the upstream answered (upstream: true), so the upstream refusing the gateway's key reads apart from the gateway refusing the client's", async () => {
    const logger = memoryLogger();
    // The upstream refuses every request as a provider does with a revoked key.
    const upstream: Forwarder = async () => new Response('{"error":{"message":"Incorrect API key provided"}}', { status: 401, headers: { 'content-type': 'application/json' } });
    const server = await startServer({ port: 0, upstream, apiKeys: ['team-key'], logger });
    try {
      const models = (key: string) => fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      expect((await models('team-key')).status).toBe(401);
      expect((await models('wrong')).status).toBe(401);
    } finally {
      await server.close(100);
    }
    const requests = logger.lines.filter((l) => l.msg === 'request');
    expect(requests.map((l) => [l.status, l.code, l.upstream])).toEqual([
      [401, undefined, true],
      [401, 'UNAUTHORIZED', undefined],
    ]);
  });
});
