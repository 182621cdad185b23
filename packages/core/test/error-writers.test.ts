/**
 * The chain-keeping log writers (winston format, bunyan serializers, OpenTelemetry attributes)
 * on their own: shapes, targets, redaction. packages/cli/test/log-loggers.test.ts runs them
 * through the real libraries and decodes the result.
 */
import { describe, expect, it } from 'vitest';
import { CryptoError, deserializeError, M2MError, type SerializedError } from '@m2m/core';
import { bunyanSerializers, errorChainAttributes, recordErrorChain, winstonErrorFormat } from '@m2m/core/logging';
import { wrapCrypto } from '@m2m/core/internal';

const tamper = () => wrapCrypto(new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' }));
const LEVEL = Symbol.for('level');

describe('winstonErrorFormat', () => {
  it('turns an Error info into its message plus the serialized chain, keeping winston fields and defaultMeta', () => {
    const err = tamper();
    const info = Object.assign(err, { level: 'error', service: 'gw', [LEVEL]: 'error' });
    const out = winstonErrorFormat().transform(info as never);
    expect(out).not.toBe(info);
    expect(out.message).toBe(err.message);
    expect(out.service).toBe('gw');
    expect(out[LEVEL]).toBe('error');
    expect(out.code).toBeUndefined(); // the chain carries it, not the top level
    const chain = out.err as SerializedError;
    expect([chain.code, chain.cause?.code]).toEqual(['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']);
    expect(chain.cause?.stack).toContain('CryptoError');
    expect((deserializeError(JSON.parse(JSON.stringify(chain))) as { code: string }).code).toBe('CRYPTO_ERROR');
  });

  it('serializes errors in message and in err/error fields, and leaves other infos alone', () => {
    const f = winstonErrorFormat({ field: 'error', stack: false });
    const a = f.transform({ level: 'error', message: tamper() });
    expect((a.error as SerializedError).cause?.code).toBe('AEAD_DECRYPTION_FAILED');
    expect((a.error as SerializedError).stack).toBeUndefined();
    const b = f.transform({ level: 'warn', message: 'x', err: new M2MError('Timeout', { operation: 'HELLO', ms: 5 }) });
    expect((b.err as SerializedError).code).toBe('TIMEOUT');
    const plain = { level: 'info', message: 'fine' };
    expect(f.transform(plain)).toBe(plain);
  });
});

describe('bunyanSerializers', () => {
  it('serializes errors with their whole chain and stack, and passes other values through', () => {
    const s = bunyanSerializers.err(tamper()) as SerializedError;
    expect([s.code, s.cause?.code]).toEqual(['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']);
    expect(s.stack).toContain('M2MError');
    expect(bunyanSerializers.error('text')).toBe('text');
    expect(bunyanSerializers.err(undefined)).toBeUndefined();
  });
});

describe('OpenTelemetry attributes', () => {
  it('uses the exception.* conventions plus the codes and the serialized chain, with secrets redacted', () => {
    const err = new M2MError('Internal', { reason: 'wrapped', psk: 'hunter2', blob: new Uint8Array(32).fill(7) } as never, { cause: tamper() });
    const a = errorChainAttributes(err);
    expect(a['exception.type']).toBe('M2MError');
    expect(a['exception.message']).toBe('Internal error: wrapped');
    expect(a['m2m.error.code']).toBe('INTERNAL_ERROR');
    expect(a['m2m.error.codes']).toEqual(['INTERNAL_ERROR', 'CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']);
    expect(a['exception.stacktrace']!.match(/^caused by: /gm)).toHaveLength(2);
    const chain = JSON.parse(a['m2m.error.chain']) as SerializedError;
    expect(chain.cause?.cause?.code).toBe('AEAD_DECRYPTION_FAILED');
    expect(a['m2m.error.chain']).not.toContain('hunter2');
    expect(a['m2m.error.chain']).toContain('[REDACTED 32 bytes]');
    expect(JSON.stringify(a)).not.toMatch(/hunter2|"7,7|:7,/);
    for (const v of Object.values(a)) expect(['string', 'object']).toContain(typeof v); // strings and string[] only
  });

  it('handles non-errors and cycles', () => {
    expect(errorChainAttributes('boom')).toMatchObject({ 'exception.type': 'NonError', 'exception.message': 'boom', 'm2m.error.codes': [] });
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(errorChainAttributes(b)['exception.stacktrace']!.match(/^caused by: /gm)).toHaveLength(1);
  });

  it('records on a span as an exception event, on a log record through setAttributes, and on a plain record', () => {
    const events: Array<[string, unknown]> = [];
    recordErrorChain({ addEvent: (name: string, attrs?: unknown) => events.push([name, attrs]) }, tamper());
    expect(events[0][0]).toBe('exception');
    expect((events[0][1] as Record<string, unknown>)['m2m.error.codes']).toEqual(['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']);
    let set: Record<string, unknown> = {};
    recordErrorChain({ setAttributes: (attrs: Record<string, unknown>) => (set = attrs) }, tamper());
    expect(set['exception.type']).toBe('M2MError');
    const rec: { body: string; attributes?: Record<string, unknown> } = { body: 'x', attributes: { 'http.route': '/v1' } };
    recordErrorChain(rec, tamper());
    expect(rec.attributes).toMatchObject({ 'http.route': '/v1', 'm2m.error.code': 'CRYPTO_ERROR' });
  });
});
