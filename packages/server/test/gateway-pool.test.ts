/**
 * Gateways as a pool (issue 19): two gateways, each with its own HTTP listener, in front of one
 * stub upstream, share one per-key limit of 20/s through a real nats-server with JetStream: 60
 * concurrent requests split across them get 20 through, not 40, and every refusal is seed 000's
 * 429 with Retry-After. A gateway whose NATS goes away keeps serving with its own local limit and
 * says so once in its log. Clocks are fixed so that no run can straddle a one-second window.
 * The pool's API key list is shared the same way: a key given to one gateway works on all.
 */
import { connect as natsConnect } from '@nats-io/transport-node';
import { SharedKeyList } from '@m2m/session/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, natsServerPath, startNatsServer, type NatsNode } from '../../session/test/fixtures/nats-server.js';
import type { PoolRateLimiter } from '../src/gateway/pool-rate-limit.js';
import { startServer, type RequestLogger, type RunningServer } from '../src/node.js';
import { startStubUpstream, type StubUpstream } from './stub-upstream.js';

const bin = natsServerPath();
if (!bin) console.warn('gateway-pool.test.ts skipped: nats-server is not installed (apt-get install nats-server)');

const KEY = 'sk-pool-key';
const hello = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Say hello' }] });
const post = (url: string, key = KEY) => fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: hello });

/** Polls `f` until it returns `want` (the broker delivers list changes asynchronously). */
async function eventually<T>(f: () => Promise<T>, want: T, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v === want || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A logger that keeps its records. */
function memoryLogger(): RequestLogger & { lines: Array<{ level: string; msg?: string }> } {
  const lines: Array<{ level: string; msg?: string }> = [];
  const at = (level: string) => (_obj: Record<string, unknown>, msg?: string) => void lines.push({ level, ...(msg !== undefined ? { msg } : {}) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

describe.skipIf(!bin)('gateway pool sharing one rate limit through NATS', () => {
  let nats: NatsNode;
  let upstream: StubUpstream;
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: true });
    upstream = await startStubUpstream();
  });
  afterAll(async () => {
    for (const s of servers) await s.close(100);
    await upstream?.close();
    await nats?.stop();
  });

  it('60 concurrent requests split over two gateways with a shared 20/s key limit: exactly 20 go through', async () => {
    const t = 1_700_000_000_250; // one fixed instant: all 60 fall in one window, 750 ms before its end
    // A generous NATS timeout: on a loaded machine a slow answer must not hand a decision to the local fallback.
    const pool = { servers: nats.address, bucket: 'gw-pool-a', timeoutMs: 10_000, now: () => t };
    for (let i = 0; i < 2; i++) servers.push(await startServer({ port: 0, upstream: upstream.url, apiKeys: [KEY], rateLimitPerSecond: 20, rateLimitShared: pool }));
    const [a, b] = servers as [RunningServer, RunningServer];
    expect(a.port).not.toBe(b.port);
    // Warm-up with another key: a bucket just created can leave the first lookups unanswered for
    // a while, and the gateways would rightly decide those alone (the test is about the count).
    await a.rateLimiter!.take('warm-up');
    await b.rateLimiter!.take('warm-up');
    const before = upstream.requests.length;
    const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => post((i % 2 ? a : b).url)));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    expect(upstream.requests.length - before).toBe(20);
    // Both gateways took part in the refusals (the count is the pool's, not each one's).
    expect(new Set(replies.map((r, i) => (r.status === 429 ? i % 2 : -1)).filter((x) => x >= 0)).size).toBe(2);
    for (const r of replies.filter((x) => x.status === 429)) {
      expect(r.headers.get('retry-after')).toBe('1');
      expect(await r.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/rate/i) as unknown, details: { retry_after_ms: 750, limit: '20/s' }, retry_after_ms: 750 } });
    }
    await Promise.all(replies.filter((r) => r.status === 200).map((r) => r.arrayBuffer()));
    for (const gw of [a, b]) expect((gw.rateLimiter as PoolRateLimiter).degraded).toBe(false);
  }, 30_000);

  it('a gateway whose NATS goes away keeps serving with its local limit and logs it once', async () => {
    const own = await startNatsServer({ jetstream: true });
    const logger = memoryLogger();
    const t = 1_700_000_000_100;
    const gw = await startServer({ port: 0, upstream: upstream.url, apiKeys: [KEY], rateLimitPerSecond: 3, rateLimitShared: { servers: own.address, bucket: 'gw-pool-b', timeoutMs: 300, now: () => t }, logger });
    servers.push(gw);
    expect((await post(gw.url)).status).toBe(200); // counted in NATS
    await own.stop();
    // The local token bucket (3/s, burst 3, clock fixed) decides now: 3 more, then 429.
    const after: number[] = [];
    for (let i = 0; i < 6; i++) after.push((await post(gw.url)).status);
    expect(after).toEqual([200, 200, 200, 429, 429, 429]);
    const warnings = logger.lines.filter((l) => l.level !== 'info');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/shared rate limit unavailable.*local limit of 3\/s/);
  }, 30_000);

  it('shares the API key list: a key given to one gateway works on the other, a removed one stops working there; the broker never sees a key', async () => {
    const nc = await natsConnect({ servers: nats.address });
    const seen: string[] = [];
    nc.subscribe('>', { callback: (_e, m) => void seen.push(m.subject + new TextDecoder().decode(m.data)) });
    const list = { servers: nats.address, bucket: 'gw-keys' };
    const a = await startServer({ port: 0, upstream: upstream.url, apiKeys: ['sk-only-on-a'], apiKeysShared: list });
    const b = await startServer({ port: 0, upstream: upstream.url, apiKeys: ['sk-only-on-b'], apiKeysShared: list });
    servers.push(a, b);
    expect((await post(b.url, 'sk-only-on-a')).status).toBe(200); // loaded at B's start
    expect(await eventually(async () => (await post(a.url, 'sk-only-on-b')).status, 200)).toBe(200); // followed by A's watch
    expect((await post(a.url, 'sk-unknown')).status).toBe(401);
    const admin = new SharedKeyList({ connection: nc, bucket: 'gw-keys' });
    await admin.start();
    await admin.add('sk-added-later');
    expect(await eventually(async () => (await post(b.url, 'sk-added-later')).status, 200)).toBe(200);
    await admin.remove('sk-only-on-a');
    expect(await eventually(async () => (await post(b.url, 'sk-only-on-a')).status, 401)).toBe(401);
    expect((await post(a.url, 'sk-only-on-a')).status).toBe(200); // A's own list is its own
    await nc.flush();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.join('\n')).not.toMatch(/sk-only-on|sk-added-later/);
    await admin.close();
    await nc.close();
  }, 30_000);
});

describe('a gateway started while its NATS is unreachable', () => {
  it('serves its own keys and limit, and says so once', async () => {
    const upstream = await startStubUpstream();
    const logger = memoryLogger();
    const dead = `127.0.0.1:${await freePort()}`;
    const gw = await startServer({ port: 0, upstream: upstream.url, apiKeys: [KEY], apiKeysShared: { servers: dead, timeoutMs: 300 }, rateLimitPerSecond: 2, rateLimitShared: { servers: dead, timeoutMs: 300, now: () => 1_700_000_000_000 }, logger });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(gw.url)).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect((await post(gw.url, 'sk-other')).status).toBe(401);
      const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.msg);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(/shared API key list unavailable at start/);
      expect(warnings[1]).toMatch(/shared rate limit unavailable/);
    } finally {
      await gw.close(100);
      await upstream.close();
    }
  }, 20_000);
});
