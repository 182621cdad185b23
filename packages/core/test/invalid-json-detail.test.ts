/**
 * The frame encoder marks "not JSON" structurally (`details.invalidJson`, the parser's text), so
 * the session maps it to JSON_INVALID without matching message text (session-core.ts notJson).
 */
import { describe, expect, it } from 'vitest';
import { encodeFrame, isM2MError } from '../src/index.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('invalid JSON detail', () => {
  it.each([
    ['not json', 'expected ident at line 1 column 2'],
    ['{"a":', 'EOF while parsing a value at line 1 column 5'],
  ])('%j: Compression error whose details.invalidJson is the parser text, reason unchanged', (input, text) => {
    const e = thrown(() => encodeFrame(input));
    expect(isM2MError(e) && e.kind === 'Compression').toBe(true);
    const details = (e as { details: { reason: string; invalidJson?: string } }).details;
    expect(details.invalidJson).toBe(text);
    expect(details.reason).toBe(`Invalid JSON: ${text}`);
  });

  it('a non-string input is marked too', () => {
    const e = thrown(() => encodeFrame(5 as never)) as { details: { reason: string; invalidJson?: string } };
    expect(e.details).toEqual({ reason: 'Invalid JSON: input is not a string', invalidJson: 'input is not a string' });
  });

  it('other Compression errors carry no mark', () => {
    const e = thrown(() => encodeFrame('{"model":"m","messages":[]}', { compression: 'nope' as never })) as { details: Record<string, unknown> };
    expect(e.details.invalidJson).toBeUndefined();
  });
});
