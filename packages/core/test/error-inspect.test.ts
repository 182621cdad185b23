/**
 * `util.inspect` of SDK errors (errors/inspect.ts): the header and stack Node prints, then what
 * an operator acts on (code, kind, retry advice, details, causes) without per-code constants
 * (`exposeDetails`, `id`, …) or an unset `retryAfterMs`; secrets in details never appear.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CryptoError, M2MError } from '@m2m/core';
import { wrapCrypto } from '@m2m/core/internal';

describe('util.inspect of SDK errors', () => {
  it('shows name, message, code, kind, retry advice and the cause chain, without noise', () => {
    const e = new M2MError('Network', { reason: 'HTTP POST failed' }, { cause: new Error('fetch failed') });
    const text = inspect(e);
    expect(text.split('\n')[0]).toBe('M2MError: Network error: HTTP POST failed');
    expect(text).toContain("code: 'NETWORK_ERROR'");
    expect(text).toContain("kind: 'Network'");
    expect(text).toContain('retryable: true');
    expect(text).toContain("details: { reason: 'HTTP POST failed' }");
    expect(text).toMatch(/\[cause\]: Error: fetch failed/);
    expect(text).not.toMatch(/retryAfterMs|exposeDetails|httpStatus|category|\bid: /);
    // The properties themselves are unchanged.
    expect([e.exposeDetails, e.httpStatus, e.retryAfterMs]).toEqual([false, 502, undefined]);
  });

  it("shows retryAfterMs when the peer gave one, and a CryptoError cause's reason", () => {
    const busy = inspect(new M2MError('Rejected', { code: 'SERVER_BUSY', message: 'busy', retryAfterMs: 1500 }));
    expect(busy).toContain('retryAfterMs: 1500');
    const wrapped = inspect(wrapCrypto(new CryptoError('Aead', 'DecryptionFailed', { detail: 'tag mismatch' })));
    expect(wrapped).toMatch(/\[cause\]: CryptoError: AEAD: Decryption failed: tag mismatch/);
    expect(wrapped).toContain("reason: 'DecryptionFailed'");
    expect(wrapped).toContain("code: 'AEAD_DECRYPTION_FAILED'");
  });

  it('redacts secret-named details and byte arrays, as serializeError does', () => {
    const key = new Uint8Array(32).fill(0xab);
    const e = new M2MError('Config', { reason: 'bad key', secretKey: key, material: key } as never);
    for (const text of [inspect(e), inspect(e, { depth: 10, showHidden: false }), inspect(new M2MError('Network', { reason: 'x' }, { cause: e }), { depth: 10 })]) {
      expect(text).toContain('[REDACTED]');
      expect(text).toContain('[REDACTED 32 bytes]');
      expect(text).not.toMatch(/171|0xab|\bab\b/);
    }
  });
});
