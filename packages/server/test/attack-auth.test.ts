/**
 * Attacker review of API key handling: guessing keys was not rate limited. The limit is per key,
 * checked after the key, so every wrong guess got its 401 at once, as fast as the client could
 * ask. Failed checks now count against the client's address bucket (`addr:<ip>`), so guessing
 * runs into 429 RATE_LIMITED; a client with a valid key keeps its own bucket. The error body
 * never carries the key that was tried.
 */
import { describe, expect, it } from 'vitest';
import { startServer } from '../src/node.js';
import { startStubUpstream } from './stub-upstream.js';

describe('gateway API keys under guessing', () => {
  it('wrong keys run into the rate limit; a valid key is still served; no key echoed', async () => {
    const upstream = await startStubUpstream({ record: false });
    const gw = await startServer({ port: 0, upstream: upstream.url, apiKeys: ['sk-right-key'], rateLimitPerSecond: 2 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        const guess = `sk-guess-${i}-${'z'.repeat(20)}`;
        const res = await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${guess}` } });
        const text = await res.text();
        expect(text).not.toContain(guess);
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 2)).toEqual([401, 401]);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
      const ok = await fetch(`${gw.url}/v1/models`, { headers: { authorization: 'Bearer sk-right-key' } });
      expect(ok.status).toBe(200);
    } finally {
      await gw.close(100);
      await upstream.close();
    }
  });
});
