import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { SharedRateLimiter } from '@m2m/session/nats';
import { natsServerPath, startNatsServer, type NatsNode } from './fixtures/nats-server.js';

const bin = natsServerPath();
if (!bin) console.warn('nats-rate-limit.test.ts skipped: nats-server is not installed (apt-get install nats-server)');

describe('SharedRateLimiter', () => {
  it('needs a positive rate and a NATS target', () => {
    expect(() => new SharedRateLimiter({ perSecond: 0, servers: 'x:1' })).toThrow(expect.objectContaining({ code: 'CONFIG_ERROR' }));
    expect(() => new SharedRateLimiter({ perSecond: 5 })).toThrow(expect.objectContaining({ code: 'CONFIG_ERROR' }));
  });
});

describe.skipIf(!bin)('SharedRateLimiter over JetStream key-value', () => {
  let node: NatsNode;
  beforeAll(async () => {
    node = await startNatsServer({ jetstream: true });
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('two gateways share one 20/s key limit: 60 concurrent requests split across them get 20, not 40', async () => {
    const t = 1_700_000_000_250; // one fixed instant: every request falls in the same window
    const a = new SharedRateLimiter({ perSecond: 20, servers: node.address, bucket: 'rate-a', now: () => t });
    const b = new SharedRateLimiter({ perSecond: 20, servers: node.address, bucket: 'rate-a', now: () => t });
    // Warm-up with another key: a bucket just created can leave the first lookups unanswered for a while.
    await a.take('warm-up');
    await b.take('warm-up');
    const decisions = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).take('api-key-1')));
    expect(decisions.every((d) => d.shared)).toBe(true);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
    for (const d of decisions.filter((x) => !x.allowed)) expect(d.retryAfterMs).toBe(750);
    // Another key has its own count.
    expect((await a.take('api-key-2')).allowed).toBe(true);
    await Promise.all([a.close(), b.close()]);
  }, 30_000);

  it('a rate under 1/s counts one request per longer window (30/min: one per 2 s), not zero', async () => {
    let t = 1_700_000_000_500; // 500 ms into a 2 s window (windows start at multiples of 2 s)
    const a = new SharedRateLimiter({ perSecond: 0.5, servers: node.address, bucket: 'rate-slow', now: () => t });
    expect(a.windowMs).toBe(2000);
    expect(await a.take('k')).toMatchObject({ allowed: true, shared: true });
    expect(await a.take('k')).toEqual({ allowed: false, retryAfterMs: 1500, shared: true });
    t += 1500; // the next window
    expect(await a.take('k')).toMatchObject({ allowed: true, shared: true });
    await a.close();
  }, 30_000);

  it('stores digests, never the API key itself', async () => {
    const nc: NatsConnection = await natsConnect({ servers: node.address });
    const seen: string[] = [];
    nc.subscribe('>', { callback: (_e, m) => void seen.push(m.subject + new TextDecoder().decode(m.data)) });
    const a = new SharedRateLimiter({ perSecond: 5, connection: nc, bucket: 'rate-b' });
    expect((await a.take('sk-very-secret-key')).allowed).toBe(true);
    await nc.flush();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.join('\n')).not.toContain('sk-very-secret-key');
    await nc.close();
  });

  it('keeps serving with the local limit when NATS is gone, and says so once', async () => {
    const js = await startNatsServer({ jetstream: true });
    const lines: string[] = [];
    // A fixed clock: the timed-out NATS calls below must not carry the takes into a new window.
    const t = 1_700_000_000_100;
    const a = new SharedRateLimiter({ perSecond: 3, servers: js.address, bucket: 'rate-c', log: (l) => lines.push(l), timeoutMs: 300, now: () => t });
    expect(await a.take('k')).toMatchObject({ allowed: true, shared: true });
    await js.stop();
    const after = [];
    for (let i = 0; i < 5; i++) after.push(await a.take('k'));
    expect(after.every((d) => !d.shared)).toBe(true);
    expect(after.filter((d) => d.allowed).length).toBeLessThanOrEqual(3);
    expect(after.filter((d) => d.allowed).length).toBeGreaterThan(0);
    expect(a.degraded).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('local limit of 3/s');
    await a.close();
  }, 30_000);
});
