/**
 * Attacker review of the gateway's method handling: Hono answers HEAD with the GET route, and the
 * gateway took every method but GET for a POST, so `HEAD /v1/models` read a body that is never
 * there and answered 400 INVALID_REQUEST ("body is not JSON"), and would have sent a POST
 * upstream. HEAD is now asked upstream as the GET it stands for; other methods are the typed 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/node.js';
import { startStubUpstream, type StubUpstream } from './stub-upstream.js';

let upstream: StubUpstream;
let gw: RunningServer;
beforeAll(async () => {
  upstream = await startStubUpstream();
  gw = await startServer({ port: 0, upstream: upstream.url });
});
afterAll(async () => {
  await gw.close(100);
  await upstream.close();
});

describe('gateway methods', () => {
  it('HEAD /v1/models: the GET answer without a body, asked upstream as GET', async () => {
    const before = upstream.requests.length;
    const res = await fetch(`${gw.url}/v1/models`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.text()).toBe('');
    expect(upstream.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
  });

  it('other methods on gateway paths: 404 ROUTE_NOT_FOUND, nothing upstream', async () => {
    const before = upstream.requests.length;
    for (const [method, path] of [['PUT', '/v1/chat/completions'], ['DELETE', '/v1/models'], ['PATCH', '/v1/chat/completions'], ['OPTIONS', '/v1/models'], ['GET', '/v1/chat/completions']]) {
      const res = await fetch(`${gw.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ROUTE_NOT_FOUND');
    }
    expect(upstream.requests.length).toBe(before);
  });
});
