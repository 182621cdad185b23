/**
 * `JSON.stringify` of SDK errors on Node (errors/json-hook.ts): a program that imports only the
 * main entries and logs `JSON.stringify({ err })` gets the code, the retry advice and the whole
 * cause chain, with secrets redacted, without importing `@m2m/core/errors` first. This file
 * imports nothing but `@m2m/core` (each test file has its own module graph), so it would see
 * the bare `{ name, code, message }` if the Node side of the `#inspect-hook` seam stopped
 * installing the serializer.
 */
import { describe, expect, it } from 'vitest';
import { CryptoError, M2MError } from '@m2m/core';

describe('JSON.stringify of SDK errors on Node', () => {
  it('writes code, retry advice, details and the cause chain with the main entry alone', () => {
    const aead = new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' });
    const crypto = new M2MError('Crypto', {}, { cause: aead });
    const e = new M2MError('Network', { reason: 'upstream failed' }, { cause: crypto });
    const logged = JSON.parse(JSON.stringify({ level: 'error', err: e })) as { err: Record<string, unknown> & { cause?: Record<string, unknown> & { cause?: Record<string, unknown> } } };
    expect(logged.err).toMatchObject({ name: 'M2MError', code: 'NETWORK_ERROR', retryable: true, details: { reason: 'upstream failed' } });
    expect(logged.err.cause).toMatchObject({ code: 'CRYPTO_ERROR', retryable: false });
    expect(logged.err.cause?.cause).toMatchObject({ name: 'CryptoError', code: 'AEAD_DECRYPTION_FAILED', reason: 'DecryptionFailed' });
  });

  it("keeps a peer's retry hint and redacts secret-named details and bytes", () => {
    const busy = JSON.parse(JSON.stringify(new M2MError('Rejected', { code: 'SERVER_BUSY', message: 'busy', retryAfterMs: 1500 }))) as Record<string, unknown>;
    expect(busy).toMatchObject({ code: 'REJECTED', retryAfterMs: 1500 });
    const text = JSON.stringify(new M2MError('Internal', { reason: 'wrapped', psk: 'hunter2', blob: new Uint8Array(32).fill(7) } as never));
    expect(text).toContain('INTERNAL_ERROR');
    expect(text).not.toMatch(/hunter2|7,7/);
  });
});
