/**
 * Wrong arguments a JavaScript caller can pass past the types get CONFIG_ERROR naming what was
 * expected, not node's bare RangeError/TypeError or an INTERNAL_ERROR from deep inside the codec.
 */
import { decodeFrame, encodeFrame, isSdkError, type FrameProtection } from '@m2m/core';
import { withRetry } from '@m2m/core/errors';
import { aeadProtection, randomBytes } from '@m2m/crypto';
import { describe, expect, it } from 'vitest';

const codeOf = async (f: () => unknown): Promise<{ code?: string; message: string }> => {
  try {
    await f();
  } catch (e) {
    return { code: isSdkError(e) ? e.code : undefined, message: (e as Error).message };
  }
  return { message: 'no error' };
};

describe('caller mistakes outside the types', () => {
  it.each([-1, 1.5, Number.NaN, 2 ** 60])('randomBytes(%s) is CONFIG_ERROR', async (n) => {
    const r = await codeOf(() => randomBytes(n));
    expect(r.code).toBe('CONFIG_ERROR');
    expect(r.message).toContain('randomBytes needs a byte count');
  });

  it('randomBytes(0) and randomBytes(70000) still work', () => {
    expect(randomBytes(0)).toHaveLength(0);
    expect(randomBytes(70_000)).toHaveLength(70_000);
  });

  it('withRetry given a number is CONFIG_ERROR, not a TypeError on the first call', async () => {
    const r = await codeOf(() => withRetry(5 as unknown as () => number));
    expect(r.code).toBe('CONFIG_ERROR');
    expect(r.message).toContain('withRetry takes a function to call, got number');
  });

  it.each<[string, unknown]>([
    ['a string', 'aead'],
    ['an object without a mode', {}],
    ['an unknown mode', { mode: 'rot13' }],
    ['null', null],
  ])('encodeFrame and decodeFrame with %s as protection are CONFIG_ERROR', async (_, protection) => {
    const json = '{"model":"m","messages":[]}';
    for (const call of [() => encodeFrame(json, { protection: protection as FrameProtection }), () => decodeFrame(encodeFrame(json), { protection: protection as FrameProtection })]) {
      const r = await codeOf(call);
      expect(r.code).toBe('CONFIG_ERROR');
      expect(r.message).toContain('protection must be a FrameProtection');
    }
  });

  it('a real protection still round-trips', () => {
    const p = aeadProtection(randomBytes(32));
    const json = '{"model":"m","messages":[]}';
    expect(decodeFrame(encodeFrame(json, { protection: p }), { protection: p }).payload).toBe(json);
  });
});
