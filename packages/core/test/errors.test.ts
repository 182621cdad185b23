import { describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { CryptoError, M2MError, catalogEntry, errorCatalog, isCryptoError, isM2MError } from '@m2m/core';
import { createError, deserializeError, formatErrorChain, serializeError, toErrorResponse, withRetry } from '@m2m/core/errors';
import { closeReasonInfo, explainError, explainedCatalog, rejectionCodeInfo } from '@m2m/core/explain';
import { errSerializer } from '@m2m/core/logging';
import { explainedCodes } from '../src/errors/catalog-docs.js';
import { localizeError, supportedLocales } from '@m2m/core/localize';
import { wrapCrypto } from '@m2m/core/internal';
import { translations } from '../src/errors/messages.js';

describe('error catalog', () => {
  it('has unique codes and numeric ids', () => {
    const codes = errorCatalog.map((e) => e.code);
    const ids = errorCatalog.map((e) => e.id);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of codes) expect(c).toMatch(/^[A-Z][A-Z0-9_]+$/);
  });

  it('covers every reference M2MError variant and CryptoError sub-kind', () => {
    const kinds = new Set(errorCatalog.filter((e) => e.errorClass === 'M2MError').map((e) => e.kind));
    for (const k of ['Compression', 'Decompression', 'InvalidCodec', 'Protocol', 'NegotiationFailed', 'SessionNotEstablished', 'SessionExpired', 'InvalidMessage', 'CapabilityMismatch', 'ModelNotLoaded', 'ModelNotFound', 'Tokenizer', 'Config', 'Json', 'Network', 'Upstream', 'Server', 'Inference', 'ModelLoad', 'Io', 'Crypto', 'SecurityThreat', 'ContentBlocked', 'Rejected', 'Closed', 'Timeout', 'LimitExceeded', 'ReplayDetected'])
      expect(kinds.has(k as never), k).toBe(true);
    const crypto = new Set(errorCatalog.filter((e) => e.errorClass === 'CryptoError').map((e) => `${e.kind}/${e.reason}`));
    for (const k of ['Aead/InvalidKey', 'Aead/EncryptionFailed', 'Aead/DecryptionFailed', 'Aead/DataTooShort', 'Hmac/InvalidKey', 'Hmac/VerificationFailed', 'Hmac/DataTooShort', 'Key/Empty', 'Key/TooShort', 'Keyring/KeyNotFound', 'Keyring/DerivationFailed', 'Keyring/NoDefaultKey', 'Nonce/RngFailure', 'Nonce/Exhausted', 'Exchange/InvalidPublicKey', 'Exchange/GenerationFailed', 'Exchange/LowOrderPoint', 'Id/Empty', 'Id/TooLong', 'Id/InvalidChars'])
      expect(crypto.has(k), k).toBe(true);
  });

  it('constructs every code with createError', () => {
    for (const entry of errorCatalog) {
      const e = createError(entry.code, { reason: 'r', detail: 'd', idKind: 'Agent', stage: 'HELLO', message: 1 });
      expect(e.code).toBe(entry.code);
      expect(e.id).toBe(entry.id);
      expect(e.kind).toBe(entry.kind);
      expect(isM2MError(e) || isCryptoError(e)).toBe(true);
      expect(e.message.length).toBeGreaterThan(0);
    }
  });

  it('is frozen, in id order, and one set of entries with catalogEntry and explainedCatalog (built lazily in catalog.ts, listed by catalog-list.ts)', () => {
    expect(Object.isFrozen(errorCatalog)).toBe(true);
    for (let i = 1; i < errorCatalog.length; i++) expect(errorCatalog[i].id).toBeGreaterThan(errorCatalog[i - 1].id);
    for (const entry of errorCatalog) {
      expect(catalogEntry(entry.code)).toBe(entry);
      expect(Object.isFrozen(entry)).toBe(true);
    }
    expect(explainedCatalog.map((e) => e.code)).toEqual(errorCatalog.map((e) => e.code));
    expect(new M2MError('Timeout', { operation: 'HELLO', ms: 5 }).code).toBe(errorCatalog.find((e) => e.errorClass === 'M2MError' && e.kind === 'Timeout')?.code);
  });

  it('rejects unknown codes with a typed error', () => {
    expect(() => createError('NOPE')).toThrowError(/unknown error code/);
  });

  it('has all six languages for every code', () => {
    expect(supportedLocales).toEqual(['en', 'es', 'fr', 'de', 'ja', 'zh']);
    for (const entry of errorCatalog) {
      const t = translations[entry.code];
      expect(t, entry.code).toBeDefined();
      for (const s of t) expect(s.length).toBeGreaterThan(0);
    }
  });
});

describe('REJECT codes and CLOSE reasons', () => {
  it("an error's retry advice is what @m2m/core/explain documents for its code or reason", () => {
    const rejections = Object.entries(rejectionCodeInfo);
    const reasons = Object.entries(closeReasonInfo);
    expect(rejections.filter(([, v]) => v.retryable).length).toBeGreaterThan(0);
    expect(reasons.filter(([, v]) => v.retryable).length).toBeGreaterThan(0);
    for (const [code, info] of rejections) expect([code, new M2MError('Rejected', { code: code as never, message: 'x' }).retryable]).toEqual([code, info.retryable]);
    for (const [reason, info] of reasons) expect([reason, new M2MError('Closed', { reason: reason as never, message: 'x' }).retryable]).toEqual([reason, info.retryable]);
  });
});

describe('messages match the reference display format', () => {
  it('renders reference texts', () => {
    expect(new M2MError('Decompression', { reason: 'Invalid M2M prefix' }).message).toBe('Decompression error: Invalid M2M prefix');
    const aead = new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' });
    expect(wrapCrypto(aead).message).toBe('Crypto error: AEAD: Decryption failed: authentication tag mismatch');
    expect(new CryptoError('Key', 'TooShort', { got: 16, min: 32 }).message).toBe('Key: Key too short: got 16 bytes, need at least 32');
    expect(new CryptoError('Id', 'Empty', { idKind: 'Agent' }).message).toBe('ID validation: Agent ID cannot be empty');
  });

  it('retryable follows the reference and the REJECT code', () => {
    expect(new M2MError('Network', { reason: 'x' }).retryable).toBe(true);
    expect(new M2MError('Decompression', { reason: 'x' }).retryable).toBe(false);
    const busy = new M2MError('Rejected', { code: 'SERVER_BUSY', retryAfterMs: 250, message: 'full' });
    expect(busy.retryable).toBe(true);
    expect(busy.retryAfterMs).toBe(250);
    expect(busy.httpStatus).toBe(503);
    expect(new M2MError('Rejected', { code: 'VERSION_MISMATCH', message: 'v' }).retryable).toBe(false);
  });

  it('SESSION_CLOSED does not blame the peer: it also stands for a lost connection and a local close', () => {
    expect(new M2MError('Closed', { reason: 'ERROR', message: 'connection lost' }).message).toBe('Session closed: ERROR: connection lost');
  });

  it('a last slot left empty takes its separator along (no "Session closed: SERVER_SHUTDOWN: ")', () => {
    expect(new M2MError('Closed', { reason: 'SERVER_SHUTDOWN', message: '' }).message).toBe('Session closed: SERVER_SHUTDOWN');
    expect(new CryptoError('Aead', 'DecryptionFailed', {}).message).toBe('AEAD: Decryption failed');
    // A slot in the middle keeps its text around it.
    expect(new M2MError('Closed', { reason: '' as 'NORMAL', message: 'bye' }).message).toBe('Session closed: : bye');
  });

  it('CRYPTO_ERROR carries its cause\'s category, retry advice and status, as docs/ERRORS.md says', () => {
    const row = errorCatalog.find((e) => e.code === 'CRYPTO_ERROR')!;
    const wrapped = wrapCrypto(new CryptoError('Aead', 'DecryptionFailed', { detail: 'tag' }));
    expect([wrapped.category, wrapped.httpStatus]).toEqual(['security', 401]);
    expect([wrapped.category, wrapped.httpStatus]).not.toEqual([row.category, row.httpStatus]);
    expect(explainError(row.code)?.description).toMatch(/category, retry advice and HTTP status/);
  });

  it('@m2m/core/explain has a description and a remedy for every code, and none for a code the catalog lacks', () => {
    expect([...explainedCodes].sort()).toEqual(errorCatalog.map((e) => e.code).sort());
    expect(explainedCatalog.map((e) => e.code)).toEqual(errorCatalog.map((e) => e.code));
    for (const e of explainedCatalog) {
      expect(e.description.length, e.code).toBeGreaterThan(10);
      expect(e.remedy.length, e.code).toBeGreaterThan(3);
      expect(e).toMatchObject(errorCatalog.find((x) => x.code === e.code)!);
    }
    expect(explainError('NOPE')).toBeUndefined();
    expect(explainError(new CryptoError('Aead', 'DecryptionFailed'))?.code).toBe('AEAD_DECRYPTION_FAILED');
    expect(explainError(new Error('x'))).toBeUndefined();
    // The main entry's catalog carries no prose: browser bundles stay without it (bench/startup.ts).
    expect(Object.keys(errorCatalog[0])).not.toContain('description');
  });

  it('brands survive duplicate package copies', () => {
    const e = new M2MError('Io', { reason: 'x' });
    const foreignCopy = Object.assign(Object.create(null), { [Symbol.for('@m2m/core/M2MError')]: true });
    expect(isM2MError(foreignCopy)).toBe(true);
    expect(isM2MError(new Error('x'))).toBe(false);
    expect(isM2MError(e)).toBe(true);
  });
});

function deepChain(): M2MError {
  const foreign = new TypeError('socket hang up');
  (foreign as Error & { cause?: unknown }).cause = 'ECONNRESET';
  const aead = new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' }, { cause: foreign });
  const crypto = wrapCrypto(aead);
  const proto = new M2MError('Protocol', { reason: 'bad frame', state: 'ESTABLISHED', event: 'DATA' }, { cause: crypto });
  const closed = new M2MError('Closed', { reason: 'ERROR', message: 'tampered' }, { cause: proto });
  return new M2MError('Network', { reason: 'session lost' }, { cause: closed });
}

describe('serialize and deserialize', () => {
  it('round-trips a six-level chain through JSON', () => {
    const e = deepChain();
    const back = deserializeError(JSON.parse(JSON.stringify(serializeError(e))));
    let a: unknown = e;
    let b: unknown = back;
    let depth = 0;
    while (a !== undefined) {
      depth++;
      if (typeof a === 'string') {
        expect(b).toBe(a);
        break;
      }
      const ea = a as Error & { kind?: string; code?: string; details?: unknown };
      const eb = b as Error & { kind?: string; code?: string; details?: unknown };
      expect(eb.constructor).toBe(ea.constructor === TypeError ? Error : ea.constructor);
      expect(eb.name).toBe(ea.name);
      expect(eb.message).toBe(ea.message);
      expect(eb.kind).toBe(ea.kind);
      expect(eb.code).toBe(ea.code);
      expect(eb.details).toEqual(ea.details);
      a = ea.cause;
      b = eb.cause;
    }
    expect(depth).toBe(7);
    expect(isCryptoError(((((back as M2MError).cause as M2MError).cause as M2MError).cause as M2MError).cause)).toBe(true);
  });

  it('is cycle-safe and depth-limited', () => {
    const a = new M2MError('Io', { reason: 'a' });
    const b = new M2MError('Io', { reason: 'b' }, { cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    const s = JSON.stringify(serializeError(b));
    expect(s).toContain('circular');
  });

  it('never writes key bytes and hides private details in the public view', () => {
    const key = new Uint8Array(32).fill(0xab);
    const e = new M2MError('Config', { reason: 'bad', key, secretKey: 'hunter2' } as never);
    const internal = JSON.stringify(serializeError(e));
    expect(internal).not.toContain('171');
    expect(internal).not.toContain('hunter2');
    const pub = serializeError(wrapCrypto(new CryptoError('Hmac', 'VerificationFailed')), { view: 'public', requestId: 'req-1' });
    expect(pub.code).toBe('AUTHENTICATION_FAILED');
    expect(pub.details).toBeUndefined();
    expect(pub.request_id).toBe('req-1');
    const pubAead = serializeError(wrapCrypto(new CryptoError('Aead', 'DecryptionFailed', { detail: 'x' })), { view: 'public' });
    expect(pubAead.code).toBe(pub.code);
    expect(pubAead.message).toBe(pub.message);
    const cfg = serializeError(e, { view: 'public' });
    expect(cfg.details).toBeUndefined();
    expect(cfg.message).toBe('Configuration error');
  });

  it('deserializes unknown input into plain errors without throwing', () => {
    expect(deserializeError(null)).toBeInstanceOf(Error);
    const x = deserializeError({ name: 'M2MError', kind: 'NoSuchKind', message: 'm' }) as Error;
    expect(x.name).toBe('M2MError');
    expect(isM2MError(x)).toBe(false);
    expect(deserializeError({ name: '__proto__', message: 1 })).toBeInstanceOf(Error);
  });
});

describe('formatting and responses', () => {
  it('formats a chain with Caused by lines', () => {
    const text = formatErrorChain(wrapCrypto(new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' })));
    expect(text).toBe('M2MError [CRYPTO_ERROR]: Crypto error: AEAD: Decryption failed: authentication tag mismatch\nCaused by: [AEAD_DECRYPTION_FAILED] AEAD: Decryption failed: authentication tag mismatch');
    expect(formatErrorChain(new Error('plain', { cause: Object.assign(new Error('io'), { code: 'ECONNRESET' }) }))).toBe('Error: plain\nCaused by: [ECONNRESET] io');
    expect(formatErrorChain(Object.assign(new Error('odd'), { code: 'A]\nB' }), { codes: true })).toBe('Error: odd');
    expect(formatErrorChain(wrapCrypto(new CryptoError('Hmac', 'VerificationFailed')), { codes: false })).toBe('M2MError: Crypto error: HMAC: HMAC verification failed\nCaused by: HMAC: HMAC verification failed');
    // The head is the error's own name; a value without a usable one is headed `Error`.
    expect(formatErrorChain(new CryptoError('Hmac', 'VerificationFailed'))).toBe('CryptoError [HMAC_VERIFICATION_FAILED]: HMAC: HMAC verification failed');
    expect(formatErrorChain(new TypeError('bad'))).toBe('TypeError: bad');
    expect(formatErrorChain(Object.assign(new Error('odd name'), { name: 'x: y' }))).toBe('Error: odd name');
    expect(formatErrorChain('just text')).toBe('Error: just text');
  });

  it('builds error responses', () => {
    const { status, body } = toErrorResponse(new M2MError('Rejected', { code: 'RATE_LIMITED', retryAfterMs: 1000, message: 'slow down' }), { requestId: 'r' });
    expect(status).toBe(429);
    expect(body.error).toMatchObject({ code: 'REJECTED', retryable: true, retry_after_ms: 1000, request_id: 'r' });
  });

  it('localizes while message stays English', () => {
    const e = new M2MError('SessionExpired', {});
    expect(localizeError(e, 'de')).toBe('Sitzung abgelaufen');
    expect(localizeError(e, 'ja-JP')).toBe('セッションの有効期限が切れました');
    expect(localizeError(e, 'xx')).toBe('Session expired');
    expect(e.message).toBe('Session expired');
  });

  it('writes whole chains through pino', () => {
    const lines: string[] = [];
    const out = new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } });
    const log = pino({ serializers: { err: errSerializer } }, out);
    log.error({ err: deepChain() }, 'failed');
    const rec = JSON.parse(lines[0]);
    expect(rec.err.code).toBe('NETWORK_ERROR');
    const back = deserializeError(rec.err) as M2MError;
    expect(isM2MError(back.cause)).toBe(true);
  });
});

describe('withRetry', () => {
  it('retries retryable errors with backoff and honours retryAfterMs', async () => {
    vi.useFakeTimers();
    try {
      let n = 0;
      const delays: number[] = [];
      const p = withRetry(
        async () => {
          n++;
          if (n < 3) throw new M2MError('Rejected', { code: 'SERVER_BUSY', retryAfterMs: 500, message: 'busy' });
          return 'ok';
        },
        { maxAttempts: 5, baseDelayMs: 10, random: () => 0.5, onRetry: (_e, _a, d) => delays.push(d) },
      );
      await vi.runAllTimersAsync();
      await expect(p).resolves.toBe('ok');
      expect(n).toBe(3);
      expect(delays).toEqual([500, 500]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('throws an error whose retryAfterMs exceeds maxDelayMs instead of waiting that long (a forged REJECT could ask for a day)', async () => {
    let n = 0;
    const waits: number[] = [];
    const day = new M2MError('Rejected', { code: 'RATE_LIMITED', retryAfterMs: 86_400_000, message: 'slow down' });
    await expect(withRetry(async () => { n++; throw day; }, { maxAttempts: 5, onRetry: (_e, _a, d) => waits.push(d) })).rejects.toBe(day);
    expect(n).toBe(1);
    expect(waits).toEqual([]);
    // Within the caller's maxDelayMs it is honoured.
    vi.useFakeTimers();
    try {
      let m = 0;
      const p = withRetry(async () => { if (++m < 2) throw day; return 'ok'; }, { maxDelayMs: 86_400_000, onRetry: (_e, _a, d) => waits.push(d) });
      await vi.runAllTimersAsync();
      await expect(p).resolves.toBe('ok');
      expect(waits).toEqual([86_400_000]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not retry non-retryable errors and keeps earlier failures', async () => {
    let n = 0;
    await expect(withRetry(async () => { n++; throw new M2MError('Decompression', { reason: 'x' }); })).rejects.toThrow('Decompression error: x');
    expect(n).toBe(1);
    vi.useFakeTimers();
    try {
      const p = withRetry(async () => { throw new M2MError('Network', { reason: 'down' }); }, { maxAttempts: 3, baseDelayMs: 1 });
      const caught = p.catch((e) => e);
      await vi.runAllTimersAsync();
      const e = await caught;
      expect((e as { attempts: unknown[] }).attempts).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(withRetry(async () => 1, { signal: ac.signal })).rejects.toMatchObject({ kind: 'Aborted' });
  });
});
