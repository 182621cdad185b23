/**
 * Attacker review of `listen({ transport: 'http' })` without `allowOrigins` (documented as "same
 * origin only", transport/http-cors.ts): a page of any origin can make a browser send a *simple*
 * cross-origin POST (content type `text/plain`, a form type, or none) without a preflight. The
 * browser hides the answer from the page, but the server processed it: a HELLO in the `binary`
 * codec's bytes opened a session (`onSession` ran with the page's capabilities and agent id), so every
 * browser that visits the page opens sessions on an internal server. With `allowOrigins` set,
 * such requests were already refused unprocessed (CorsPolicy.admits); the default now refuses
 * them too (403), while requests the SDK's clients send (`application/octet-stream`,
 * `application/x-m2m-frames`, `application/json`, which browsers preflight) and requests
 * without an `Origin` (non-browser clients) are served as before.
 */
import { afterEach, expect, it } from 'vitest';
import { decodeMessageBinary, defaultCapabilities, encodeMessageBinary, listen, type Server } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// A page's `fetch(url, { method: 'POST', mode: 'no-cors', body: bytes })` sends any bytes as text/plain.
const hello = encodeMessageBinary({ type: 'HELLO', payload: { kind: 'capabilities', value: defaultCapabilities({ agentId: 'cross-site-page' }) }, timestamp: Date.now() }) as Uint8Array<ArrayBuffer>;

async function start(): Promise<{ endpoint: string; sessions: string[] }> {
  const sessions: string[] = [];
  const server = await listen({
    transport: 'http',
    onSession: async (s) => {
      sessions.push(s.peerCapabilities?.agentId ?? '?');
      for await (const m of s) void m;
    },
  });
  servers.push(server);
  return { endpoint: `${server.url}/message`, sessions };
}

it('a simple cross-origin POST (what any page can send without a preflight) opens no session', async () => {
  const { endpoint, sessions } = await start();
  for (const contentType of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
    const headers: Record<string, string> = { origin: 'http://evil.example.test' };
    if (contentType) headers['content-type'] = contentType;
    const res = await fetch(endpoint, { method: 'POST', headers, body: hello });
    await res.arrayBuffer();
    expect([contentType, res.status]).toEqual([contentType, 403]);
  }
  await new Promise((r) => setTimeout(r, 300));
  expect(sessions).toEqual([]);
});

it('serves what the SDK and non-browser clients send: no Origin, or a preflighted content type', async () => {
  const { endpoint, sessions } = await start();
  const plain = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: hello });
  expect(plain.status).toBe(200);
  expect(decodeMessageBinary(new Uint8Array(await plain.arrayBuffer())).type).toBe('ACCEPT');
  const octets = await fetch(endpoint, { method: 'POST', headers: { origin: 'http://evil.example.test', 'content-type': 'application/octet-stream' }, body: hello });
  expect(octets.status).toBe(200);
  expect(decodeMessageBinary(new Uint8Array(await octets.arrayBuffer())).type).toBe('ACCEPT');
  await new Promise((r) => setTimeout(r, 300));
  expect(sessions).toEqual(['cross-site-page', 'cross-site-page']);
  // Ends both connections now (the server's close would wait for clients that never poll).
  for (const r of [plain, octets]) await fetch(endpoint, { method: 'DELETE', headers: { 'x-m2m-connection': r.headers.get('x-m2m-connection') ?? '' } });
});
