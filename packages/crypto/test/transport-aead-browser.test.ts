/**
 * `aeadProtection` on the browser side of the `#transport-aead` seam (transport-aead.browser.ts:
 * no kept plaintext buffer, so no `openTransient`): AEAD frames still decode to what was sent,
 * through `open`, with the same errors for a changed frame; and both sides agree.
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';

vi.mock('#transport-aead', async (importOriginal) => ({ ...((await importOriginal()) as object), ...(await import('../src/transport-aead.browser.js')) }));

const { aeadProtection } = await import('../src/protection.js');
const node = await vi.importActual<typeof import('../src/transport-aead.js')>('../src/transport-aead.js');
const { decodeFrame, encodeFrame, isM2MError } = await import('@m2m/core');

describe('aeadProtection with the browser build of #transport-aead', () => {
  const key = new Uint8Array(32).fill(7);

  it('has no openTransient here, and Node has one', () => {
    expect(aeadProtection(key).openTransient).toBeUndefined();
    expect(node.keptOpener(key, () => new Uint8Array(0))).toBeTypeOf('function');
  });

  it('decodes its AEAD frames through open, small and over 16 KiB', () => {
    fc.assert(
      fc.property(fc.constantFrom(10, 200, 17_000), fc.nat(25), (size, c) => {
        const json = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: String.fromCharCode(97 + c).repeat(size) }] });
        const p = aeadProtection(key);
        expect(decodeFrame(encodeFrame(json, { protection: p }), { protection: p }).payload).toBe(json);
      }),
      { numRuns: 20 },
    );
  });

  it('refuses a changed frame as Node does', () => {
    const p = aeadProtection(key);
    const frame = encodeFrame('{"model":"m","messages":[]}', { protection: p });
    frame[frame.length - 1] ^= 1;
    try {
      decodeFrame(frame, { protection: p });
      expect.unreachable();
    } catch (e) {
      expect(isM2MError(e) && e.code).toBe('CRYPTO_ERROR');
    }
  });
});
