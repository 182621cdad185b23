/**
 * Arbitrary bodies on every JSON route of the reference API and the gateway: each answer is one
 * of the documented statuses (never a 500 or a hang), and the server keeps serving.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createServerApp } from '../src/app.js';

const ROUTES = ['/message', '/compress', '/compress/auto', '/decompress', '/scan', '/session', '/v1/chat/completions'];
const ALLOWED = new Set([200, 201, 400, 401, 403, 404, 413, 415, 422, 502, 503]);

/** Bodies near the shapes the routes expect, and plain garbage. */
const body = fc.oneof(
  fc.string(),
  fc.json(),
  fc.record({ type: fc.constantFrom('HELLO', 'DATA', 'PING', 'CLOSE', 'PONG', 'ACCEPT', 'hello'), session_id: fc.option(fc.string()), payload: fc.option(fc.jsonValue()), timestamp: fc.oneof(fc.nat(), fc.double(), fc.string()) }).map((o) => JSON.stringify(o)),
  fc.record({ content: fc.oneof(fc.string(), fc.jsonValue()), algorithm: fc.option(fc.constantFrom('m2m', 'brotli', 'tokennative', 'none', 'zstd')) }).map((o) => JSON.stringify(o)),
  fc.record({ data: fc.oneof(fc.string(), fc.constantFrom('#M2M|1|AAAA', '#M2M[v3.0]|DATA:!!!', '#TK|C|////', '#M2M|1|IgABAAAAAAAAAAAAAAAAAAAAAAAGZ3B0LTRvAQECCtejOz4AAABuYFWk')) }).map((o) => JSON.stringify(o)),
  fc.record({ model: fc.string(), messages: fc.array(fc.record({ role: fc.string(), content: fc.oneof(fc.string(), fc.jsonValue()) })) }).map((o) => JSON.stringify(o)),
);

describe('reference API and gateway under arbitrary bodies', () => {
  it('answers with a documented status and stays up', async () => {
    // The upstream is a closed port: a request that passes every check gets 502, not a hang.
    const { app } = createServerApp({ upstream: 'http://127.0.0.1:9/v1', upstreamTimeoutMs: 2000, blocking: true, maxBodyBytes: 64 * 1024 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), body, fc.boolean(), async (route, text, json) => {
        const res = await app.fetch(new Request(`http://server${route}`, { method: 'POST', headers: json ? { 'content-type': 'application/json' } : {}, body: text }));
        await res.arrayBuffer();
        expect(ALLOWED.has(res.status), `${route} ${text.slice(0, 200)} → ${res.status}`).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect((await app.fetch(new Request('http://server/health'))).status).toBe(200);
  });
});
