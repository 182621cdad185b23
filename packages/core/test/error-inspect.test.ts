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

describe('util.inspect of SDK errors with a non-SDK cause', () => {
  const key = new Uint8Array(32).fill(7);

  it('redacts secret-named fields and byte arrays of an Error cause, keeping name, message, code and stack', () => {
    const cause = Object.assign(new TypeError('lib failed'), { key, privateKey: 'SECRETHEX', code: 'ELIB', attempt: 3 });
    const text = inspect(new CryptoError('Aead', 'DecryptionFailed', {}, { cause }), { depth: 10 });
    expect(text).not.toContain('SECRETHEX');
    expect(text).not.toMatch(/\b7, 7\b/);
    expect(text).toMatch(/\[cause\]: TypeError: lib failed/);
    expect(text).toContain("code: 'ELIB'");
    expect(text).toContain('attempt: 3');
    expect(text).toContain("privateKey: '[REDACTED]'");
    expect(text).toContain('[REDACTED]');
    // The stack of the cause is still printed (its first frame is this file).
    expect(text).toContain('error-inspect.test.ts');
    // The cause itself is untouched.
    expect(cause.privateKey).toBe('SECRETHEX');
  });

  it('redacts a plain-object cause and byte arrays under non-secret names', () => {
    const e = new M2MError('Network', { reason: 'x' }, { cause: { psk: 'PSKPLAIN', arr: new Uint8Array(4), credentials: 'CREDPLAIN', authorization: 'Bearer AUTHPLAIN', cookie: 'COOKIEPLAIN', note: 'kept' } });
    const text = inspect(e, { depth: 10 });
    for (const secret of ['PSKPLAIN', 'CREDPLAIN', 'AUTHPLAIN', 'COOKIEPLAIN']) expect(text).not.toContain(secret);
    expect(text).toContain('[REDACTED 4 bytes]');
    expect(text).toContain("note: 'kept'");
  });

  it('sanitizes every link of a nested cause chain, through SDK and non-SDK errors', () => {
    const inner = Object.assign(new Error('innermost'), { seed: 'SEEDPLAIN', material: key });
    const middle = new M2MError('Config', { reason: 'mid' }, { cause: inner });
    const outer = new M2MError('Network', { reason: 'out' }, { cause: Object.assign(new Error('wrapper', { cause: middle }), { token: 'TOKENPLAIN' }) });
    const text = inspect(outer, { depth: Infinity });
    expect(text).not.toContain('SEEDPLAIN');
    expect(text).not.toContain('TOKENPLAIN');
    expect(text).not.toMatch(/\b7, 7\b/);
    expect(text).toMatch(/\[cause\]: Error: wrapper/);
    expect(text).toMatch(/\[cause\]: M2MError: Config error: mid/);
    expect(text).toMatch(/\[cause\]: Error: innermost/);
    expect(text).toContain('[REDACTED 32 bytes]');
  });

  it('prints a cyclic cause chain without looping and without secrets', () => {
    const a = Object.assign(new Error('a'), { password: 'PWPLAIN' });
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const text = inspect(new M2MError('Network', { reason: 'cyc' }, { cause: a }), { depth: Infinity });
    expect(text).not.toContain('PWPLAIN');
    expect(text).toMatch(/\[cause\]: (<ref \*1> )?Error: a/);
    expect(text).toMatch(/\[cause\]: Error: b/);
    expect(text).toContain('Circular');
  });
});
