/**
 * Attacker review of the gateway hop, gateway B's side (peer-listener.ts), against a peer gateway
 * that sends what no gateway A does (a compromised site, or its bug): B forwarded any `path` and
 * every header of the hop's request to its upstream, with B's own upstream key attached. So a
 * peer reached any upstream endpoint with B's key (`/files`, `/../admin`), chose the `host`, and
 * added `transfer-encoding` beside the `content-length` B sets (a desynchronised request on B's
 * pooled keep-alive connection). B now forwards only what A's gateway routes do: POST
 * `/chat/completions` and GET `/models`, with `accept`, `content-type` and `authorization`.
 */
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, type Session } from '@m2m/session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/node.js';
import { startStubUpstream, type StubUpstream } from './stub-upstream.js';

const keyA = KeyPair.generate();
const keyB = KeyPair.generate();
let upstream: StubUpstream;
let b: RunningServer;
let a: Session;

beforeAll(async () => {
  upstream = await startStubUpstream();
  b = await startServer({ port: 0, upstream: upstream.url, upstreamApiKey: 'sk-site-b', m2mListen: { port: 0, staticKey: keyB, peerKeys: [keyA.publicKey] } });
  a = await connect(`tcp://127.0.0.1:${b.peerListener!.port}`, { secure: { staticKey: keyA, verifyPeer: allowKeys([keyB.publicKey]) } });
});
afterAll(async () => {
  await a?.close().catch(() => undefined);
  await b?.close(100);
  await upstream?.close();
});

/** One exchange: the request head (and body), then every message up to `end` or `failure`. */
async function exchange(head: object, body?: string): Promise<Array<Record<string, unknown> | string>> {
  await a.send(JSON.stringify({ m2m_gateway: 'request', ...head }));
  if (body !== undefined) await a.send(body);
  const out: Array<Record<string, unknown> | string> = [];
  const inbox = a[Symbol.asyncIterator]();
  for (;;) {
    const { value, done } = await inbox.next();
    if (done) return out;
    const v = value.content.startsWith('{"m2m_gateway":') ? (JSON.parse(value.content) as Record<string, unknown>) : value.content;
    out.push(v);
    if (typeof v === 'object' && (v.m2m_gateway === 'end' || v.m2m_gateway === 'failure' || v.m2m_gateway === 'error')) return out;
  }
}

describe('peer listener against a hostile peer gateway', () => {
  it('refuses a path the gateway does not route; nothing reaches the upstream', async () => {
    const before = upstream.requests.length;
    for (const [method, path] of [['GET', '/files'], ['GET', '/../admin'], ['POST', '/models'], ['GET', '/chat/completions'], ['GET', '/models?x=1'], ['POST', '/chat/completions/../../files']] as const) {
      const replies = await exchange({ method, path, headers: {} }, method === 'POST' ? '{"model":"m","messages":[]}' : undefined);
      expect(replies.at(-1), `${method} ${path}`).toMatchObject({ m2m_gateway: 'failure', status: 404 });
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('forwards only accept and content-type (and its own key), never the peer\'s host, framing or other headers', async () => {
    const before = upstream.requests.length;
    const replies = await exchange(
      { method: 'POST', path: '/chat/completions', headers: { host: 'evil.example', 'transfer-encoding': 'chunked', 'x-forwarded-for': '10.0.0.1', cookie: 'a=b', authorization: 'Bearer sk-peer', accept: 'application/json', 'content-type': 'application/json' } },
      '{"model":"m","messages":[]}',
    );
    expect(replies.at(-1)).toMatchObject({ m2m_gateway: 'end' });
    const got = upstream.requests.slice(before);
    expect(got).toHaveLength(1);
    const h = got[0]!.headers;
    expect(h.host).not.toBe('evil.example');
    expect(h['transfer-encoding']).toBeUndefined();
    expect(h['x-forwarded-for']).toBeUndefined();
    expect(h.cookie).toBeUndefined();
    expect(h.authorization).toBe('Bearer sk-site-b');
    expect(h['content-length']).toBe(String(Buffer.byteLength('{"model":"m","messages":[]}')));
    expect(got[0]!.body.toString()).toBe('{"model":"m","messages":[]}');
  });
});
