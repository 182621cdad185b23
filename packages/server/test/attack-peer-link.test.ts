/**
 * Attacker review of the gateway hop (peer-link.ts) against a malformed or hostile peer gateway
 * (authenticated, but broken or compromised): a `response` head whose status or headers a web
 * Response refuses (status 99 or 1000, a string status, 204 with a body, a header value with CR LF) threw a bare RangeError/
 * TypeError out of the forwarder, and the pooled session was never released: after
 * `maxSessions` such answers every later request waited for a session for ever.
 */
import { KeyPair } from '@m2m/crypto';
import { allowKeys, listen, type Server } from '@m2m/session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerForwarder } from '../src/gateway/peer-link.js';
import { createServerApp } from '../src/app.js';

const keyA = KeyPair.generate();
const keyB = KeyPair.generate();
let hostile: Server;
/** What the hostile peer answers next, as a `response` head. */
const heads = [
  { m2m_gateway: 'response', status: 99, headers: {} },
  { m2m_gateway: 'response', status: 1000, headers: {} },
  { m2m_gateway: 'response', status: 200, headers: { 'content-type': 'application/json', 'x-evil': 'a\r\nset-cookie: pwned=1' } },
  { m2m_gateway: 'response', status: '200', headers: [] },
  { m2m_gateway: 'response', status: 204, headers: {} },
];
let next = 0;

beforeAll(async () => {
  hostile = await listen({
    transport: 'tcp',
    secure: { staticKey: keyB, verifyPeer: allowKeys([keyA.publicKey]) },
    onSession: (s) =>
      void (async () => {
        for await (const m of s) {
          if (!m.content.startsWith('{"m2m_gateway":"request"')) continue;
          await s.send(JSON.stringify(heads[next++ % heads.length]));
          await s.send('{"ok":true}');
          await s.send('{"m2m_gateway":"end"}');
        }
      })().catch(() => undefined),
  });
});
afterAll(() => hostile.close());

describe('peer link against a malformed response head', () => {
  it('each answer is a typed UPSTREAM_ERROR and the pooled session is given back (maxSessions 1)', async () => {
    const forward = peerForwarder({ address: hostile.url, staticKey: keyA, peerPublicKey: keyB.publicKey, maxSessions: 1, timeoutMs: 5000 });
    const { app } = createServerApp({ upstream: forward });
    try {
      for (let i = 0; i < heads.length * 2; i++) {
        const res = await Promise.race([
          app.fetch(new Request('http://gw/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' })),
          new Promise<'hang'>((r) => setTimeout(r, 4000, 'hang')),
        ]);
        expect(res, `request ${i} waited for a session that was never given back`).not.toBe('hang');
        const r = res as Response;
        expect(r.status).toBe(502);
        const body = (await r.json()) as { error: { code: string } };
        expect(body.error.code).toBe('UPSTREAM_ERROR');
        expect(r.headers.get('set-cookie')).toBeNull();
      }
    } finally {
      await forward.close();
    }
  });
});

describe('peer link against a peer that does not answer', () => {
  it('a request waiting for a pooled session ends when its client goes away (no waiter left behind)', async () => {
    const silent = await listen({ transport: 'tcp', secure: { staticKey: keyB, verifyPeer: allowKeys([keyA.publicKey]) }, onSession: (s) => void (async () => { for await (const _ of s); })().catch(() => undefined) });
    const forward = peerForwarder({ address: silent.url, staticKey: keyA, peerPublicKey: keyB.publicKey, maxSessions: 1, timeoutMs: 3000 });
    try {
      const first = forward({ method: 'GET', path: '/models', headers: {} }, new AbortController().signal);
      first.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200)); // the one session is taken
      const gone = new AbortController();
      const t0 = performance.now();
      const second = forward({ method: 'GET', path: '/models', headers: {} }, gone.signal);
      setTimeout(() => gone.abort(), 100);
      await expect(second).rejects.toMatchObject({ code: 'ABORTED' });
      // At once, not when the first exchange times out (3 s) and hands its session over.
      expect(performance.now() - t0).toBeLessThan(1500);
      await expect(first).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    } finally {
      await forward.close();
      await silent.close();
    }
  });
});
