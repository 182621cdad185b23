/**
 * Limits of the reference API that the reference itself lacks: HTTP sessions expire when idle
 * and are capped (REJECT SERVER_BUSY / 503 when full), and request bodies are bounded while read.
 */
import { defaultCapabilities } from '@m2m/session';
import { encodeMessageJson } from '@m2m/session/json';
import { describe, expect, it } from 'vitest';
import { createServerApp } from '../src/app.js';
import { SessionTable } from '../src/reference/session-table.js';

const hello = encodeMessageJson({ type: 'HELLO', payload: { kind: 'capabilities', value: defaultCapabilities({ agentId: 'limits-test' }) }, timestamp: 1 });
const post = (app: ReturnType<typeof createServerApp>['app'], path: string, body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.fetch(new Request(`http://server${path}`, { method: 'POST', headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit));

describe('HTTP session table', () => {
  it('drops sessions idle past the timeout, and only those', () => {
    let now = 1_000_000;
    const table = new SessionTable({ idleTimeoutMs: 1000, now: () => now });
    const a = table.create();
    const b = table.create();
    table.add(a);
    now += 600;
    table.add(b);
    now += 500; // a idle 1100 ms, b 500 ms
    expect(table.get(a.id)).toBeUndefined();
    expect(table.get(b.id)?.id).toBe(b.id);
    now += 900; // b was used 900 ms ago
    expect(table.size).toBe(1);
    now += 200;
    expect(table.size).toBe(0);
  });

  it('is capped: a full table refuses, with a retry hint until the oldest expires', () => {
    let now = 0;
    const table = new SessionTable({ maxSessions: 2, idleTimeoutMs: 10_000, now: () => now });
    expect(table.add(table.create())).toBe(true);
    now += 4000;
    expect(table.add(table.create())).toBe(true);
    expect(table.add(table.create())).toBe(false);
    expect(table.retryAfterMs()).toBe(6000);
  });
});

describe('reference routes under limits', () => {
  it('HELLO on a full server: HTTP 503 and REJECT SERVER_BUSY with retry_after_ms; POST /session 503', async () => {
    const { app } = createServerApp({ maxSessions: 2 });
    for (let i = 0; i < 2; i++) expect(JSON.parse(await (await post(app, '/message', hello)).text()).type).toBe('ACCEPT');
    const res = await post(app, '/message', hello);
    expect(res.status).toBe(503);
    const body = JSON.parse(await res.text()) as { type: string; payload: { code: string; retry_after_ms: number } };
    expect(body.type).toBe('REJECT');
    expect(body.payload.code).toBe('SERVER_BUSY');
    expect(body.payload.retry_after_ms).toBeGreaterThan(0);
    expect((await post(app, '/session', '{}')).status).toBe(503);
  });

  it('a body over the limit gets 413 while it is read; a body that never ends is not read to its end', async () => {
    const { app } = createServerApp({ maxBodyBytes: 1024 });
    const big = await post(app, '/compress', JSON.stringify({ content: 'x'.repeat(2000) }));
    expect(big.status).toBe(413);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(512).fill(0x20));
      },
    });
    const res = await post(app, '/message', endless);
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('Failed to buffer the request body: length limit exceeded');
    expect(pulled).toBeLessThan(10);
  });

  it('the gateway on app.fetch (edge runtimes): a body past the limit is 413 LIMIT_EXCEEDED while read', async () => {
    const { app } = createServerApp({ upstream: 'http://127.0.0.1:9/v1', maxBodyBytes: 1024 });
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(512).fill(0x20));
      },
    });
    const res = await post(app, '/v1/chat/completions', endless);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('LIMIT_EXCEEDED');
    expect(pulled).toBeLessThan(10);
  });

  it('415 without content-type, 422 without timestamp, 400 for non-JSON (axum texts)', async () => {
    const { app } = createServerApp();
    expect((await post(app, '/compress', '{"content":"x"}', {})).status).toBe(415);
    const noTs = await post(app, '/message', '{"type":"PING"}');
    expect(noTs.status).toBe(422);
    expect(await noTs.text()).toContain('missing field `timestamp`');
    const notJson = await post(app, '/message', 'not json');
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toMatch(/^Failed to parse the request body as JSON/);
  });

  it('ACCEPT carries the negotiated capabilities (not an echo), and DATA is answered with the decoded content', async () => {
    const { app, sessions } = createServerApp();
    const caps = defaultCapabilities({ agentId: 'narrow-client' });
    caps.compression = { ...caps.compression, algorithms: ['brotli', 'm2m'], streaming: false, encodings: ['O200kBase'], preferredEncoding: 'O200kBase', maxPayload: 4096 };
    const narrowHello = encodeMessageJson({ type: 'HELLO', payload: { kind: 'capabilities', value: caps }, timestamp: 1 });
    const narrow = JSON.parse(await (await post(app, '/message', narrowHello)).text()) as { payload: { agent_id: string; compression: Record<string, unknown> } };
    expect(narrow.payload.agent_id).toBe(sessions.capabilities.agentId);
    // The server's order (m2m before brotli), only what the client has; streaming ANDed; the smaller limit.
    expect(narrow.payload.compression).toMatchObject({ algorithms: ['m2m', 'brotli'], encodings: ['O200kBase'], preferred_encoding: 'O200kBase', streaming: false, max_payload: 4096 });
    const accept = JSON.parse(await (await post(app, '/message', hello)).text()) as { session_id: string; payload: { agent_id: string; agent_type: string } };
    expect(accept.payload.agent_type).toBe('m2m-server');
    const data = encodeMessageJson({ type: 'DATA', sessionId: accept.session_id, payload: { kind: 'data', value: { algorithm: 'brotli', content: '#M2M[v3.0]|DATA:G0AA+C0K7AbtHp0WFnC6lRj6WmSPbWu+0cDVmVzrsHT1bZGWMrrgkBOB21tgEtRD8JHKTwgXfpEyWfpgheCq8Ds=' } }, timestamp: 2 });
    const reply = JSON.parse(await (await post(app, '/message', data)).text()) as { type: string; payload: { algorithm: string; content: string } };
    expect(reply).toMatchObject({ type: 'DATA', payload: { algorithm: 'none', content: '{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]}' } });
    const stats = JSON.parse(await (await app.fetch(new Request(`http://server/session/${accept.session_id}`))).text()) as { messages_received: number; messages_sent: number; state: string };
    expect(stats).toMatchObject({ state: 'Established', messages_received: 2, messages_sent: 2 });
  });
});
