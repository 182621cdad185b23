import { describe, expect, it } from 'vitest';
import { encodeFrame, decodeFrame, isSdkError } from '@m2m/core';
import { resolveLimits } from '@m2m/core/internal';

// resolveLimits (wire/limits.ts) hands back what it resolved, so a session resolves its limits
// once instead of per frame; a resolved object must be frozen for that to be sound.
describe('resolveLimits', () => {
  it('returns its own result as it is, frozen, with the defaults filled in', () => {
    const once = resolveLimits({ maxJsonDepth: 5 });
    expect(Object.isFrozen(once)).toBe(true);
    expect(resolveLimits(once)).toBe(once);
    expect(once.maxJsonDepth).toBe(5);
    expect(once.maxMessageBytes).toBe(resolveLimits().maxMessageBytes);
    expect(() => ((once as { maxJsonDepth: number }).maxJsonDepth = 100)).toThrow(TypeError);
  });

  it('still checks a caller object every time (a plain object is not taken as resolved)', () => {
    const partial: Record<string, unknown> = { maxJsonDepth: 5 };
    resolveLimits(partial);
    partial.maxJsonDepth = -1;
    let code: string | undefined;
    try {
      resolveLimits(partial);
    } catch (e) {
      code = isSdkError(e) ? e.code : undefined;
    }
    expect(code).toBe('CONFIG_ERROR');
  });

  it('a resolved object works as the frame options: its depth limit holds', () => {
    const deep = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] });
    const shallow = resolveLimits({ maxJsonDepth: 2 });
    expect(() => encodeFrame(deep, { limits: shallow })).toThrow(/depth|maxJsonDepth/i);
    const frame = encodeFrame(deep, { limits: resolveLimits({ maxJsonDepth: 8 }) });
    expect(decodeFrame(frame, { limits: resolveLimits({ maxJsonDepth: 8 }) }).payload).toBe(deep);
  });
});
