/**
 * Cross-origin access to `listen({ transport: 'http' })` (transport/http-cors.ts): without
 * `allowOrigins` nothing changes (no CORS headers, a preflight gets 405, so browsers keep other
 * origins out); with it, the listed origins get preflight answers and the headers the client must
 * read exposed, other origins get nothing; a bad option is CONFIG_ERROR before anything is bound.
 * Driven with Node's fetch, which sends the `Origin` a browser would.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isSdkError } from '@m2m/core';
import { connect, listen, type ListenOptions, type Server } from '../src/index.js';
import { httpTransport } from '../src/http.js';

const PAGE = 'http://app.example.test:8080';
const servers: Server[] = [];
afterEach(async () => {
  vi.unstubAllGlobals();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: ListenOptions = {}): Promise<string> {
  const server = await listen({ transport: 'http', onSession: async (s) => { for await (const m of s) await s.send(m.content); }, ...options });
  servers.push(server);
  return `${server.url}/message`;
}

/** A browser's preflight for a POST with the client's headers. */
function preflight(endpoint: string, origin: string): Promise<Response> {
  return fetch(endpoint, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-m2m-connection' },
  });
}

describe('listen http: CORS', () => {
  it('answers no preflight and sends no CORS header by default (same origin only)', async () => {
    const endpoint = await start();
    const res = await preflight(endpoint, PAGE);
    expect(res.status).toBe(405);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const post = await fetch(endpoint, { method: 'POST', headers: { origin: PAGE, 'content-type': 'application/json' }, body: '{"type":"PING"}' });
    await post.arrayBuffer();
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers the preflight of a listed origin with the methods and headers the client uses', async () => {
    const endpoint = await start({ allowOrigins: [PAGE, 'https://other.example.test'] });
    const res = await preflight(endpoint, PAGE);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('vary')).toBe('Origin');
    const methods = res.headers.get('access-control-allow-methods')?.split(/,\s*/);
    expect(methods).toEqual(expect.arrayContaining(['GET', 'POST', 'DELETE']));
    const headers = res.headers.get('access-control-allow-headers')?.split(/,\s*/);
    expect(headers).toEqual(expect.arrayContaining(['content-type', 'x-m2m-connection']));
  });

  it('gives an origin that is not listed no CORS header (403 to its preflight)', async () => {
    const endpoint = await start({ allowOrigins: [PAGE] });
    for (const origin of ['http://evil.example.test', 'http://app.example.test:8081', 'https://app.example.test:8080']) {
      const res = await preflight(endpoint, origin);
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-methods')).toBeNull();
    }
  });

  it("with '*', answers any origin with '*'", async () => {
    const endpoint = await start({ allowOrigins: '*' });
    const res = await preflight(endpoint, 'http://anywhere.example.test');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('a session from a listed origin gets the allow and expose headers on every response', async () => {
    const endpoint = await start({ allowOrigins: [PAGE] });
    const seen: Array<{ method: string; status: number; allow: string | null; expose: string | null }> = [];
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
      const res = await realFetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), origin: PAGE } });
      seen.push({ method: init.method ?? 'GET', status: res.status, allow: res.headers.get('access-control-allow-origin'), expose: res.headers.get('access-control-expose-headers') });
      return res;
    });
    const session = await connect(endpoint.replace(/\/message$/, ''), { transport: httpTransport });
    await session.send('{"hello":"cors"}');
    for await (const m of session) {
      expect(JSON.parse(m.content)).toEqual({ hello: 'cors' });
      break;
    }
    await session.close();
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const r of seen) {
      expect(r.allow, `${r.method} ${r.status}`).toBe(PAGE);
      expect(r.expose?.split(/,\s*/)).toEqual(expect.arrayContaining(['x-m2m-connection', 'x-m2m-seq']));
    }
  });

  /** Runs one echo round trip through `connect`, every request carrying `origin` when given. */
  async function roundTrip(base: string, origin: string | undefined): Promise<string> {
    const realFetch = globalThis.fetch;
    if (origin !== undefined) vi.stubGlobal('fetch', (url: string, init: RequestInit = {}) => realFetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), origin } }));
    try {
      const session = await connect(base, { transport: httpTransport });
      await session.send('{"hello":"origin"}');
      let got = '';
      for await (const m of session) {
        got = m.content;
        break;
      }
      await session.close();
      return got;
    } finally {
      vi.unstubAllGlobals();
    }
  }

  it('with allowOrigins, refuses every request from another origin with 403 before processing it (no connection, no session)', async () => {
    const onSession = vi.fn();
    const server = await listen({ transport: 'http', allowOrigins: [PAGE], onSession });
    servers.push(server);
    const endpoint = `${server.url}/message`;
    const evil = 'http://evil.example.test';
    // A cross-site form or fetch can send this without a preflight.
    const simple = await fetch(endpoint, { method: 'POST', headers: { origin: evil, 'content-type': 'text/plain' }, body: '{"type":"PING"}' });
    expect(simple.status).toBe(403);
    expect(simple.headers.get('x-m2m-connection')).toBeNull();
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    expect(simple.headers.get('vary')).toBe('Origin');
    for (const method of ['GET', 'DELETE']) expect((await fetch(endpoint, { method, headers: { origin: evil } })).status).toBe(403);
    // A whole client session from that origin gets nowhere either.
    const e: unknown = await roundTrip(server.url, evil).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    expect(onSession).not.toHaveBeenCalled();
    expect(server.sessions.size).toBe(0);
    // The preflight refusal varies by Origin as well.
    const pre = await preflight(endpoint, evil);
    expect(pre.status).toBe(403);
    expect(pre.headers.get('vary')).toBe('Origin');
  });

  it('with allowOrigins, still serves a listed origin, a client sending no Origin, and the server\'s own origin', async () => {
    const onSession = vi.fn(async (s: Awaited<Parameters<NonNullable<ListenOptions['onSession']>>[0]>) => { for await (const m of s) await s.send(m.content); });
    const server = await listen({ transport: 'http', allowOrigins: [PAGE], onSession });
    servers.push(server);
    const own = new URL(server.url).origin;
    for (const origin of [PAGE, undefined, own]) expect(JSON.parse(await roundTrip(server.url, origin)), String(origin)).toEqual({ hello: 'origin' });
    expect(onSession).toHaveBeenCalledTimes(3);
  });

  it('without allowOrigins, processes a request from another origin as before (one a browser preflights; simple ones: attack-http-cross-site.test.ts)', async () => {
    const endpoint = await start();
    const res = await fetch(endpoint, { method: 'POST', headers: { origin: PAGE, 'content-type': 'application/json' }, body: '{"type":"PING"}' });
    await res.arrayBuffer();
    expect(res.status).not.toBe(403);
    expect(JSON.parse(await roundTrip(endpoint.replace(/\/message$/, ''), 'http://evil.example.test'))).toEqual({ hello: 'origin' });
  });

  const bad: Array<[string, Record<string, unknown>, string]> = [
    ['a string other than *', { allowOrigins: PAGE }, 'allowOrigins must be'],
    ['an origin with a trailing slash', { allowOrigins: [`${PAGE}/`] }, 'allowOrigins entries must be origins'],
    ['an origin with a path', { allowOrigins: [`${PAGE}/app`] }, 'allowOrigins entries must be origins'],
    ['a bare host', { allowOrigins: ['app.example.test'] }, 'allowOrigins entries must be origins'],
    ['another scheme', { allowOrigins: ['ftp://app.example.test'] }, 'allowOrigins entries must be origins'],
    ['a non-string entry', { allowOrigins: [42] }, 'allowOrigins entries must be origins'],
  ];
  for (const [what, options, message] of bad) {
    it(`refuses ${what} with CONFIG_ERROR`, async () => {
      const e: unknown = await listen({ transport: 'http', ...options } as ListenOptions).then(async (s) => (await s.close(), undefined), (err: unknown) => err);
      expect(isSdkError(e) && e.code).toBe('CONFIG_ERROR');
      expect((e as Error).message).toContain(message);
    });
  }

  for (const transport of ['ws', 'tcp', undefined] as const) {
    it(`refuses allowOrigins with transport ${String(transport)} (only http answers CORS) instead of ignoring it`, async () => {
      const e: unknown = await listen({ transport, allowOrigins: [PAGE] }).then(async (s) => (await s.close(), undefined), (err: unknown) => err);
      expect(isSdkError(e) && e.code).toBe('CONFIG_ERROR');
      expect((e as Error).message).toContain("applies to transport 'http' only");
    });
  }
});
