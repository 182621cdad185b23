/**
 * The log decoder in-process: catalog recognition of every code, text blocks of every shape,
 * cut and interleaved records, adversarial input, and `errors decode` options through the `Io`
 * seam (packages/cli/src/io.ts).
 */
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalogEntry, CryptoError, errorCatalog, M2MError } from '@m2m/core';
import { createError, formatErrorChain, serializeError } from '@m2m/core/errors';
import { wrapCrypto } from '@m2m/core/internal';
import type { Io } from '../src/io.js';
import { decodeLog, LIMITS } from '../src/log-decoder.js';
import { inferLinks, matchCatalog } from '../src/log-decoder/catalog-match.js';
import { main } from '../src/main.js';

/** A value for every slot name the catalog's templates use today; unknown slots render empty. */
const SAMPLE: Record<string, unknown> = {
  reason: 'bad input here',
  limit: 'messageBytes',
  actual: 20971520,
  max: 16777216,
  code: 'SERVER_BUSY',
  message: 'try again later',
  operation: 'HELLO',
  ms: 30000,
  threatType: 'prompt_injection',
  counter: 7,
  required: 'aead',
  detail: 'authentication tag mismatch',
  got: 8,
  min: 32,
  keyId: 'k-1',
  idKind: 'Agent',
  len: 200,
  value: 'a b',
  stage: 'ACCEPT',
  state: 'Idle',
  event: 'DATA',
};

const codesOf = (e: unknown): string[] => {
  const out: string[] = [];
  for (let cur = e as { code?: string; cause?: unknown } | undefined; cur; cur = cur.cause as typeof cur) if (cur.code) out.push(cur.code);
  return out;
};

function memIo(stdin: string): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l), stdin: () => stdin, color: false }, out, err };
}

const tamper = () => wrapCrypto(new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' }));

describe('catalog recognition', () => {
  it('recognises the message of EVERY catalog code, and the causes embedded in it', () => {
    expect(errorCatalog.length).toBeGreaterThan(50);
    for (const entry of errorCatalog) {
      const e = createError(entry.code, SAMPLE);
      const matches = matchCatalog(e.message).map((m) => m.code);
      expect(matches, `${entry.code}: ${e.message}`).toContain(entry.code);
      // Several codes come back together only when they share one template text.
      for (const other of matches) expect(catalogEntry(other)!.message, `${entry.code} ties with ${other}`).toBe(entry.message);
      const inferred = inferLinks(e.message);
      expect(inferred.every((l) => l.inferred)).toBe(true);
      expect(inferred.map((l) => l.code), entry.code).toEqual(codesOf(e).map((c, i) => (inferred[i]?.candidates?.includes(c) ? inferred[i].code : c)));
    }
  });

  it('recognises a message whose last slot was empty (rendered without its ": ")', () => {
    expect(matchCatalog('Session closed: SERVER_SHUTDOWN').map((m) => m.code)).toEqual(['SESSION_CLOSED']);
    expect(matchCatalog('Session closed: SERVER_SHUTDOWN')[0].values).toEqual({ reason: 'SERVER_SHUTDOWN', message: '' });
    expect(inferLinks('Crypto error: AEAD: Decryption failed').map((l) => l.code)).toEqual(['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']);
  });

  it('prefers the most specific template and reports equal ones as candidates', () => {
    expect(matchCatalog('Keyring: Key not found: no default key').map((m) => m.code)).toEqual(['KEYRING_NO_DEFAULT_KEY']);
    expect(matchCatalog('Keyring: Key not found: k-9').map((m) => m.code)).toEqual(['KEYRING_KEY_NOT_FOUND']);
    const hs = inferLinks('Handshake failed at message 2 (ACCEPT): peer static key not allowed');
    expect(hs[0].candidates).toEqual(errorCatalog.filter((e) => e.message.startsWith('Handshake failed at message')).map((e) => e.code));
    expect(matchCatalog('Session expired!')).toEqual([]);
    expect(matchCatalog('nothing of ours')).toEqual([]);
  });

  it('recovers a cause that is not a catalog message as an uncoded inferred link', () => {
    expect(inferLinks('Crypto error: something else broke')).toEqual([
      { code: 'CRYPTO_ERROR', message: 'Crypto error: something else broke', inferred: true },
      { message: 'something else broke', inferred: true },
    ]);
  });
});

describe('text blocks', () => {
  it('reads util.inspect output with nested causes, own properties and multi-line property values', () => {
    const inner = new CryptoError('Keyring', 'KeyNotFound', { keyId: 'k-1' });
    const mid = new M2MError('Protocol', { reason: 'no key for the peer', state: 'Established', event: 'DATA' }, { cause: inner });
    const outer = new M2MError('Internal', { reason: 'request failed' }, { cause: mid });
    const text = inspect(outer, { depth: 6, breakLength: 40 });
    const log = decodeLog(`before\n${text}\nafter\n`);
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toMatchObject({ format: 'inspect', codes: ['INTERNAL_ERROR', 'PROTOCOL_ERROR', 'KEYRING_KEY_NOT_FOUND'], inferred: false, line: 2 });
    expect(log.errors[0].endLine).toBe(1 + text.split('\n').length);
    expect(log.other).toBe(2);
  });

  it('fills a cause util.inspect cut at its depth limit ([cause]: [CryptoError]) from the message', () => {
    const text = inspect(tamper(), { depth: 0 });
    expect(text).toContain('[cause]: [CryptoError]');
    const e = decodeLog(text).errors[0];
    expect(e.codes).toEqual(['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']);
    expect(e.chain[1]).toMatchObject({ name: 'CryptoError', inferred: true, message: 'AEAD: Decryption failed: authentication tag mismatch' });
  });

  it('reports each member of an AggregateError', () => {
    const agg = new AggregateError([tamper(), new CryptoError('Hmac', 'VerificationFailed'), new Error('plain')], 'three failures');
    const found = decodeLog(inspect(agg)).errors;
    expect(found.map((e) => e.codes)).toEqual([[], ['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED'], ['HMAC_VERIFICATION_FAILED'], []]);
    expect(found.map((e) => e.chain[0].name)).toEqual(['AggregateError', 'M2MError', 'CryptoError', 'Error']);
  });

  it('finds a block whose lines are interleaved with other writers, and counts a cut one', () => {
    const lines = inspect(tamper()).split('\n');
    const half = Math.floor(lines.length / 2);
    const mixed = [...lines.slice(0, half), '{"level":30,"msg":"other process"}', 'GET /health 200', ...lines.slice(half)].join('\n');
    const log = decodeLog(mixed);
    expect(log.errors.map((e) => e.codes)).toEqual([['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']]);
    expect(log.errors[0].partial).toBeUndefined();
    expect(log.records).toBe(1);
    const cut = decodeLog(lines.slice(0, half).join('\n'));
    expect(cut.partial).toBe(1);
    expect(cut.errors[0]).toMatchObject({ partial: true, code: 'CRYPTO_ERROR' });
    // A new error starting while a block is open ends the open one as cut.
    const two = decodeLog([...lines.slice(0, half), ...inspect(new CryptoError('Hmac', 'VerificationFailed')).split('\n')].join('\n'));
    expect(two.errors.map((e) => [e.code, e.partial ?? false])).toEqual([['CRYPTO_ERROR', true], ['HMAC_VERIFICATION_FAILED', false]]);
  });

  it('reads stack traces with caused-by segments, Node-style [CODE] headers, a timestamp prefix and the CLI failure line', () => {
    const stack = [
      '2026-03-04T05:06:07Z worker-3 M2MError [CRYPTO_ERROR]: Crypto error: AEAD: Decryption failed: authentication tag mismatch',
      '    at decodeAead (frame.ts:1:1)',
      '    ... 3 more',
      'caused by: CryptoError: AEAD: Decryption failed: authentication tag mismatch',
      '    at open (aead.ts:1:1)',
      'Error [ERR_SOCKET_CLOSED]: Socket is closed',
      '    at x (net.js:1:1)',
      'CRYPTO_ERROR: Crypto error: HMAC: HMAC verification failed',
      'Caused by: [HMAC_VERIFICATION_FAILED] HMAC: HMAC verification failed',
    ].join('\n');
    const found = decodeLog(stack).errors;
    expect(found.map((e) => [e.format, e.codes])).toEqual([
      ['stack', ['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']],
      ['stack', ['ERR_SOCKET_CLOSED']],
      ['chain-text', ['CRYPTO_ERROR', 'HMAC_VERIFICATION_FAILED']],
    ]);
    expect(found[0].time?.toISOString()).toBe('2026-03-04T05:06:07.000Z');
    expect(found[0].chain[1]).toMatchObject({ name: 'CryptoError', code: 'AEAD_DECRYPTION_FAILED', inferred: true });
  });

  it('reads formatErrorChain text with and without codes, and a chain held in a JSON string field', () => {
    const e = new M2MError('Io', { reason: 'disk full' }, { cause: new M2MError('Timeout', { operation: 'write', ms: 50 }) });
    expect(decodeLog(formatErrorChain(e)).errors[0]).toMatchObject({ codes: ['IO_ERROR', 'TIMEOUT'], inferred: false });
    expect(decodeLog(formatErrorChain(e, { codes: false })).errors[0]).toMatchObject({ codes: ['IO_ERROR', 'TIMEOUT'], inferred: true });
    const rec = JSON.stringify({ level: 'error', error: formatErrorChain(e, { codes: false }) });
    expect(decodeLog(rec).errors[0]).toMatchObject({ codes: ['IO_ERROR', 'TIMEOUT'], inferred: true, format: 'winston' });
  });
});

describe('JSON records', () => {
  it("takes a request line's code beside its error text (m2m server's log), not one inferred from the text", () => {
    const line = JSON.stringify({ level: 50, time: 1796161568737, msg: 'request', status: 502, error: 'Upstream error: upstream unreachable: connect ECONNREFUSED 127.0.0.1:1', code: 'UPSTREAM_ERROR' });
    expect(decodeLog(line).errors[0]).toMatchObject({ codes: ['UPSTREAM_ERROR'], inferred: false, retryable: true });
    // Without the code, the same text is still recognised, as inferred.
    const bare = JSON.stringify({ level: 50, msg: 'request', error: 'Upstream error: upstream unreachable' });
    expect(decodeLog(bare).errors[0]).toMatchObject({ codes: ['UPSTREAM_ERROR'], inferred: true });
    // A code that is not the catalog's is not taken.
    const foreign = JSON.stringify({ level: 50, msg: 'request', error: 'Upstream error: upstream unreachable', code: 'ECONNRESET' });
    expect(decodeLog(foreign).errors[0]).toMatchObject({ codes: ['UPSTREAM_ERROR'], inferred: true });
  });

  it('reads an OpenTelemetry record with only a catalog code as exception.type, and ignores records without errors', () => {
    const rec = { timeUnixNano: '1767225600000000000', attributes: { 'exception.type': 'REPLAY_DETECTED', 'exception.message': 'Replay detected: message counter 9 was already received or is outside the window' } };
    const log = decodeLog(`${JSON.stringify(rec)}\n{"level":30,"msg":"fine"}\n[1,2]\n"str"`);
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toMatchObject({ format: 'otel', codes: ['REPLAY_DETECTED'], inferred: false });
    expect(log.errors[0].time?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(log).toMatchObject({ records: 2, other: 2 });
  });

  it('keeps serialized chains and counts cut lines', () => {
    const line = JSON.stringify({ time: 1, err: serializeError(tamper()) });
    const log = decodeLog(`${line}\n${line.slice(0, 50)}`);
    expect(log.errors.map((e) => e.codes)).toEqual([['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']]);
    expect(log).toMatchObject({ records: 1, partial: 1, lines: 2 });
  });
});

describe('adversarial input', () => {
  it('bounds lines, chains and blocks', () => {
    const huge = `{"err":"${'x'.repeat(LIMITS.maxLineChars)}"}`;
    expect(decodeLog(`${huge}\n`)).toMatchObject({ partial: 1, errors: [] });
    let nested: unknown = { name: 'Error', message: 'bottom' };
    for (let i = 0; i < 500; i++) nested = { name: 'Error', message: `level ${i}`, cause: nested };
    const deep = decodeLog(JSON.stringify({ err: nested }));
    expect(deep.errors[0].chain.length).toBe(LIMITS.maxChain);
    const causes = ['Error: top', ...Array.from({ length: 100 }, (_, i) => `Caused by: link ${i}`)].join('\n');
    expect(decodeLog(causes).errors[0].chain.length).toBe(LIMITS.maxChain);
    const open = ['Error: never closed', '    at x {', ...Array.from({ length: LIMITS.maxBlockLines + 10 }, () => "  code: 'X',")].join('\n');
    const r = decodeLog(open);
    expect(r.errors[0].partial).toBe(true);
    expect(r.partial).toBe(1);
    // Open levels are bounded too: a block nesting deeper than any inspect output is cut.
    const wide = ['Error: wide', '    at x {', ...Array.from({ length: 1500 }, () => '  v: {'), ...Array.from({ length: 1500 }, () => "    code: 'X',")].join('\n');
    const w = decodeLog(wide);
    expect(w.errors).toHaveLength(1);
    expect(w.errors[0].partial).toBe(true);
  });

  it('stays linear on inputs built to make patterns backtrack', () => {
    const n = 100_000;
    const inputs = [
      'A'.repeat(n),
      `${'Error'.repeat(n / 5)}: x`,
      `Limit exceeded: ${' is '.repeat(n / 4)}`,
      `Limit exceeded: ${'1 is over '.repeat(n / 10)}`,
      `Crypto error: ${'Crypto error: '.repeat(n / 14)}`,
      `Error [${'['.repeat(n)}`,
      ' '.repeat(n),
      `${'a '.repeat(n / 2)}TypeError: late`,
      `{${'"a":{'.repeat(n / 5)}`,
      `Handshake failed at message ${'('.repeat(n / 2)}`,
    ];
    // No timing here (bench/logs.ts measures speed): a quadratic scan of these 100k-character
    // lines would not finish within the test timeout, and each must still be classified.
    const outcomes = inputs.map((text) => {
      const log = decodeLog(`${text}\n`.repeat(4));
      return [log.lines, log.errors.length, log.partial];
    });
    expect(outcomes).toEqual([
      [4, 0, 0],
      [4, 0, 0],
      [4, 0, 0],
      [4, 0, 0],
      [4, 0, 0],
      [4, 0, 0],
      [0, 0, 0],
      [4, 0, 0], // a header further in than LIMITS.maxHeaderOffset is not looked for
      [4, 0, 4],
      [4, 0, 0],
    ]);
  });

  it('never throws on arbitrary text', () => {
    const piece = fc.constantFrom('Error: x', 'Caused by: ', '[cause]: ', '  at f (a:1:1) {', '}', ']', '[errors]: [', "  code: 'AEAD_INVALID_KEY',", '{"err":', 'Crypto error: ', '\n', ' ', 'M2MError [CRYPTO_ERROR]: ');
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string()), { maxLength: 60 }), (parts) => {
        const log = decodeLog(parts.join(''));
        expect(log.lines).toBeGreaterThanOrEqual(0);
        for (const e of log.errors) expect(e.chain.length).toBeLessThanOrEqual(LIMITS.maxChain);
      }),
      { numRuns: 300 },
    );
  });
});

describe('errors decode through the Io seam', () => {
  const log = [
    JSON.stringify({ time: '2020-01-01T00:00:00Z', err: serializeError(new M2MError('Timeout', { operation: 'HELLO', ms: 100 })) }),
    JSON.stringify({ time: new Date().toISOString(), err: serializeError(tamper()) }),
    formatErrorChain(tamper(), { codes: false }),
    'HandshakeError: Handshake failed at message 2 (ACCEPT): peer static key not allowed',
  ].join('\n');

  it('prints chains with inferred links marked, ambiguous codes as candidates, and counts', async () => {
    const m = memIo(log);
    expect(await main(['errors', 'decode', '-'], m.io)).toBe(0);
    expect(m.out).toContain('  Caused by: [AEAD_DECRYPTION_FAILED] AEAD: Decryption failed: authentication tag mismatch (inferred from the message)');
    expect(m.out).toContain('  Crypto error: AEAD: Decryption failed: authentication tag mismatch (inferred from the message)');
    expect(m.out).toContain('line 5 HANDSHAKE_FAILED (or another of 5 codes with this message) [chain-text]');
    expect(m.out.at(-1)).toBe('4 errors: CRYPTO_ERROR ×2, TIMEOUT ×1, HANDSHAKE_FAILED ×1; 2 with links inferred from catalog messages; 5 lines read, 2 JSON records, 0 cut or partial, 0 other lines');
  });

  it('--code matches causes, --since needs a time, --format picks the parsers, --json returns every code', async () => {
    const run = async (...args: string[]) => {
      const m = memIo(log);
      expect(await main(['errors', 'decode', '-', '--json', ...args], m.io)).toBe(0);
      return m.out.map((l) => JSON.parse(l) as { codes?: string[]; inferred?: boolean; summary?: { errors: number; records: number; otherLines: number } });
    };
    const byCause = await run('--code', 'aead_decryption_failed');
    expect(byCause.slice(0, -1).map((e) => [e.codes, e.inferred])).toEqual([[['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED'], false], [['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED'], true]]);
    expect((await run('--code', 'HANDSHAKE_PEER_REFUSED')).slice(0, -1).map((e) => e.codes)).toEqual([['HANDSHAKE_FAILED']]);
    expect((await run('--since', '1h')).slice(0, -1).map((e) => e.codes)).toEqual([['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']]);
    expect((await run('--format', 'json')).at(-1)!.summary).toMatchObject({ errors: 2, records: 2, otherLines: 3 });
    expect((await run('--format', 'text')).at(-1)!.summary).toMatchObject({ errors: 2, records: 0, otherLines: 2 });
    const m = memIo(log);
    expect(await main(['errors', 'decode', '-', '--format', 'xml'], m.io)).toBe(2);
    expect(m.err.join('\n')).toContain('--format takes auto, json or text');
  });
});

describe('multi-line messages', () => {
  it('keeps the lines of a message that a stack frame follows, and gives back lines that no frame follows', () => {
    const e = new M2MError('Protocol', { reason: 'bad message:\nline two\nline three' }, { cause: new CryptoError('Hmac', 'VerificationFailed') });
    const log = decodeLog(`start\n${inspect(e)}\nend\n`);
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0].codes).toEqual(['PROTOCOL_ERROR', 'HMAC_VERIFICATION_FAILED']);
    expect(log.errors[0].chain[0].message).toBe(e.message);
    expect(log.other).toBe(2);
    const plain = decodeLog('Error: something odd\nGET /a 200\nGET /b 200\n\nGET /c 200\nTypeError: x\nGET /d 200');
    expect(plain.errors.map((x) => [x.line, x.endLine, x.chain[0].message])).toEqual([[1, 1, 'something odd'], [6, 6, 'x']]);
    expect(plain.other).toBe(4);
  });
});

describe('container logs', () => {
  it("unwraps Docker's json-file lines, keeping multi-line blocks whole and parsing JSON inside", () => {
    const wrap = (line: string, i: number) => JSON.stringify({ log: `${line}\n`, stream: 'stderr', time: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z` });
    const inner = [
      'listening',
      ...inspect(tamper()).split('\n'),
      JSON.stringify({ level: 50, time: 1, err: serializeError(new CryptoError('Aead', 'InvalidKey', { detail: 'too short' })) }),
      ...formatErrorChain(new M2MError('Io', { reason: 'disk full' })).split('\n'),
    ];
    const log = decodeLog(inner.map(wrap).join('\n'));
    expect(log.errors.map((e) => [e.format, e.codes])).toEqual([
      ['inspect', ['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']],
      ['pino', ['AEAD_INVALID_KEY']],
      ['chain-text', ['IO_ERROR']],
    ]);
    expect(log.errors[0].partial).toBeUndefined();
    expect(log).toMatchObject({ partial: 0, other: 1, records: 1 });
  });
});

describe('collector prefixes', () => {
  const block = inspect(tamper()).split('\n');
  it('reads blocks whose every line carries a timestamp, CRI or syslog prefix', () => {
    const k8s = block.map((l, i) => `2026-02-03T04:05:${String(i % 60).padStart(2, '0')}.123456789Z ${l}`).join('\n');
    const cri = block.map((l) => `2026-02-03T04:05:06.000000000+00:00 stderr F ${l}`).join('\n');
    const journald = block.map((l) => `Feb  3 04:05:06 node-1 gateway[812]: ${l}`).join('\n');
    for (const [name, text] of [['k8s', k8s], ['cri', cri], ['journald', journald]]) {
      const log = decodeLog(`${text}\n`);
      expect(log.errors.map((e) => [e.format, e.codes, e.partial ?? false]), name).toEqual([['inspect', ['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED'], false]]);
      expect(log.other, name).toBe(0);
    }
    expect(decodeLog(k8s).errors[0].time?.toISOString()).toBe('2026-02-03T04:05:00.123Z');
    const json = `2026-02-03T04:05:06Z ${JSON.stringify({ level: 50, err: serializeError(tamper()) })}`;
    expect(decodeLog(json).errors[0]).toMatchObject({ format: 'pino', codes: ['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED'] });
  });
});

describe('errors without a message', () => {
  it('reads `new Error()` (a bare name line) with its frames and own code, but not a name at the end of a sentence', () => {
    const bare = Object.assign(new Error(), { code: 'ECONNRESET' });
    const log = decodeLog(`${inspect(bare)}\nthe request failed with TypeError\n`);
    expect(log.errors.map((e) => [e.chain[0].name, e.chain[0].message, e.codes])).toEqual([['Error', '', ['ECONNRESET']]]);
    expect(log.other).toBe(1);
  });
});
