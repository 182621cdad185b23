/**
 * One log record per request: the reference's routes through the app's middleware, unknown paths
 * through notFound, /v1 routes from the gateway itself (so they skip the middleware).
 */
import { describe, expect, it } from 'vitest';
import { createServerApp } from '../src/app.js';
import type { Forwarder } from '../src/gateway/forward.js';

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
