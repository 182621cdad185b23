/**
 * Attacker review of API key checking: the check compared the presented key with every configured
 * key byte by byte over the longer of the two, so its cost was the presented key's size times the
 * number of keys: one request carrying a 15 KB bearer token against 1,000 keys held the event loop
 * for about 0.7 s (an unauthenticated request, answered 401); 200 keys and 8 KB here. Keys are now compared as SHA-256
 * digests: one hash of what was presented, then 32 bytes per key, in time independent of where
 * they differ.
 */
import { describe, expect, it } from 'vitest';
import { ApiKeys } from '../src/gateway/auth.js';

const keys = Array.from({ length: 200 }, (_, i) => `sk-team-${i}-${'k'.repeat(40)}`);

describe('ApiKeys.check cost', () => {
  it('an 8 KB wrong key against 200 keys costs about what it costs against one key', () => {
    const ak = new ApiKeys(keys);
    const long = `sk-${'x'.repeat(8_000)}`;
    const headers = new Headers({ authorization: `Bearer ${long}` });
    // A ratio of CPU times in this process (not a speed): against 200 keys vs against one.
    const one = new ApiKeys([keys[0]!]);
    const cost = (a: ApiKeys) => {
      const t0 = process.cpuUsage();
      for (let i = 0; i < 5; i++) expect(() => a.check(headers)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
      const d = process.cpuUsage(t0);
      return d.user + d.system;
    };
    cost(one); // warm up
    cost(ak);
    const ratios: number[] = [];
    for (let r = 0; r < 3; r++) ratios.push(cost(ak) / Math.max(1, cost(one)));
    // Before: ~200× (the presented key read once per configured key). After: 32-byte digest compares add a little.
    expect(Math.min(...ratios)).toBeLessThan(5);
  });

  it('still accepts each configured key and refuses near misses', () => {
    const ak = new ApiKeys(keys);
    for (const k of [keys[0]!, keys[100]!, keys[199]!]) expect(ak.check(new Headers({ authorization: `Bearer ${k}` }))).toBe(k);
    for (const k of [`${keys[0]!}x`, keys[0]!.slice(0, -1), '', 'sk-team-1']) expect(() => ak.check(new Headers({ 'x-api-key': k || ' ' }))).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });
});
