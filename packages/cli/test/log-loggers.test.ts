/**
 * Issue 17's matrix: real SDK errors (a tampered AEAD frame, a short AEAD key) written through
 * each real logger, then `m2m errors decode --json` run in-process must return every chain with
 * all its codes. Chains a logger flattened to text come back with the lost links inferred.
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { trace } from '@opentelemetry/api';
import { LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import bunyan from 'bunyan';
import pino from 'pino';
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, formatErrorChain } from '@m2m/core';
import { bunyanSerializers, errorChainAttributes, errSerializer, recordErrorChain, winstonErrorFormat } from '@m2m/core/logging';
import { aeadProtection, randomBytes } from '@m2m/crypto';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';

const REQUEST = '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}';

/** CRYPTO_ERROR caused by AEAD_DECRYPTION_FAILED, as the SDK raises it for a tampered frame. */
function tamperedFrameError(): Error {
  const key = randomBytes(32);
  const frame = encodeFrame(REQUEST, { protection: aeadProtection(key) });
  const tampered = frame.slice();
  tampered[tampered.length - 1] ^= 0x01;
  try {
    decodeFrame(tampered, { protection: aeadProtection(key) });
  } catch (e) {
    return e as Error;
  }
  throw new Error('a tampered frame decoded');
}

/** AEAD_INVALID_KEY, as the SDK raises it for an 8-byte key. */
function shortKeyError(): Error {
  try {
    aeadProtection(randomBytes(8));
  } catch (e) {
    return e as Error;
  }
  throw new Error('an 8-byte key was accepted');
}

const tampered = tamperedFrameError();
const shortKey = shortKeyError();
/** The codes of each chain, read from the error objects themselves. */
const codesOf = (e: unknown): string[] => {
  const out: string[] = [];
  for (let cur = e as { code?: string; cause?: unknown } | undefined; cur; cur = cur.cause as typeof cur) if (cur.code) out.push(cur.code);
  return out;
};
const EXPECTED = [codesOf(tampered), codesOf(shortKey)];

function memIo(stdin: string): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l), stdin: () => stdin, color: false }, out, err };
}

interface JsonError {
  line: number;
  code: string;
  codes: string[];
  inferred: boolean;
  format: string;
  chain: Array<{ code?: string; message: string; inferred?: boolean }>;
}

async function decodeJson(log: string, ...args: string[]): Promise<{ errors: JsonError[]; summary: Record<string, number> }> {
  const m = memIo(log);
  expect(await main(['errors', 'decode', '-', '--json', ...args], m.io)).toBe(0);
  const rows = m.out.map((l) => JSON.parse(l) as JsonError & { summary?: Record<string, number> });
  return { errors: rows.slice(0, -1), summary: rows.at(-1)!.summary! };
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }), text: () => chunks.join('') };
}
const flush = () => new Promise((r) => setTimeout(r, 20));

async function expectBothChains(log: string, inferredCause: boolean): Promise<JsonError[]> {
  const { errors } = await decodeJson(log);
  expect(errors.map((e) => e.codes)).toEqual(EXPECTED);
  expect(EXPECTED[0]).toEqual(['CRYPTO_ERROR', 'AEAD_DECRYPTION_FAILED']);
  expect(EXPECTED[1]).toEqual(['AEAD_INVALID_KEY']);
  const cause = errors[0].chain[1];
  expect(cause.message).toBe((tampered.cause as Error).message);
  expect(cause.inferred === true).toBe(inferredCause);
  return errors;
}

describe('errors decode returns every chain with all its codes, whichever logger wrote it', () => {
  it('pino with its default serializers (causes folded into message and stack)', async () => {
    const s = sink();
    const log = pino(s.stream);
    log.error({ err: tampered }, 'frame rejected');
    log.error(shortKey);
    await flush();
    const errors = await expectBothChains(s.text(), true);
    expect(errors[0].format).toBe('pino');
    expect(errors[0].chain[0].inferred).toBeUndefined(); // the outer code is in the record
  });

  it('pino with errSerializer (nothing inferred)', async () => {
    const s = sink();
    const log = pino({ serializers: { err: errSerializer } }, s.stream);
    log.error({ err: tampered }, 'frame rejected');
    log.error({ err: shortKey }, 'bad key');
    await flush();
    const errors = await expectBothChains(s.text(), false);
    expect(errors.every((e) => !e.inferred)).toBe(true);
  });

  it('winston format.errors() + json (the outer error only: the cause comes from its message)', async () => {
    const s = sink();
    const log = winston.createLogger({ format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.json()), transports: [new winston.transports.Stream({ stream: s.stream })] });
    log.error(tampered);
    log.error(shortKey);
    await flush();
    expect(s.text()).not.toContain('AEAD_DECRYPTION_FAILED'); // winston did lose the cause
    const errors = await expectBothChains(s.text(), true);
    expect(errors[0].format).toBe('winston');
    // With { cause: true } winston keeps the cause object, which our errors serialize themselves.
    const c = sink();
    const withCause = winston.createLogger({ format: winston.format.combine(winston.format.errors({ stack: true, cause: true }), winston.format.json()), transports: [new winston.transports.Stream({ stream: c.stream })] });
    withCause.error(tampered);
    withCause.error(shortKey);
    await flush();
    await expectBothChains(c.text(), false);
  });

  it('winston with winstonErrorFormat', async () => {
    const s = sink();
    const log = winston.createLogger({ defaultMeta: { service: 'gateway' }, format: winston.format.combine(winstonErrorFormat(), winston.format.json()), transports: [new winston.transports.Stream({ stream: s.stream })] });
    log.error(tampered);
    log.log({ level: 'error', message: shortKey as unknown as string });
    await flush();
    const first = JSON.parse(s.text().split('\n')[0]) as { service: string; message: string; err: { cause: { stack: string } } };
    expect(first.service).toBe('gateway');
    expect(first.message).toBe(tampered.message);
    expect(first.err.cause.stack).toContain('CryptoError: AEAD: Decryption failed');
    await expectBothChains(s.text(), false);
  });

  it('bunyan with stdSerializers (the outer error only)', async () => {
    const s = sink();
    const log = bunyan.createLogger({ name: 'app', serializers: bunyan.stdSerializers, streams: [{ stream: s.stream }] });
    log.error(tampered, 'frame rejected');
    log.error({ err: shortKey }, 'bad key');
    const errors = await expectBothChains(s.text(), true);
    expect(errors[0].format).toBe('bunyan');
  });

  it('bunyan with bunyanSerializers', async () => {
    const s = sink();
    const log = bunyan.createLogger({ name: 'app', serializers: { ...bunyan.stdSerializers, ...bunyanSerializers }, streams: [{ stream: s.stream }] });
    log.error(tampered, 'frame rejected');
    log.error({ err: shortKey }, 'bad key');
    await expectBothChains(s.text(), false);
  });

  it('console.error and util.inspect text, between ordinary lines and JSON records', async () => {
    const s = sink();
    const con = new Console({ stdout: s.stream, stderr: s.stream, colorMode: false });
    con.log('server listening on :8080');
    con.error('2026-06-01T10:00:00.000Z ERROR', tampered);
    con.log('{"level":30,"msg":"request served"}');
    s.stream.write(`${inspect(shortKey)}\n`);
    con.log('shutting down');
    const errors = await expectBothChains(s.text(), false);
    expect(errors[0].format).toBe('inspect');
    const { summary } = await decodeJson(s.text());
    expect(summary.records).toBe(1);
    expect(summary.otherLines).toBe(2);
  });

  it('OpenTelemetry log records: OTLP/JSON from the logs SDK, with errorChainAttributes or only the exception.* conventions', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('gateway');
    logger.emit({ severityText: 'ERROR', body: 'frame rejected', attributes: errorChainAttributes(tampered) });
    logger.emit({ severityText: 'ERROR', body: 'bad key', attributes: errorChainAttributes(shortKey) });
    const std = (e: Error) => ({ 'exception.type': e.name, 'exception.message': e.message, 'exception.stacktrace': e.stack ?? '' });
    logger.emit({ severityText: 'ERROR', body: 'frame rejected', attributes: std(tampered) });
    logger.emit({ severityText: 'ERROR', body: 'bad key', attributes: std(shortKey) });
    const otlp = new TextDecoder().decode(JsonLogsSerializer.serializeRequest(exporter.getFinishedLogRecords()));
    const { errors } = await decodeJson(`${otlp}\n`);
    expect(errors.map((e) => e.codes)).toEqual([...EXPECTED, ...EXPECTED]);
    expect(errors.map((e) => e.format)).toEqual(['otel', 'otel', 'otel', 'otel']);
    expect(errors[0].inferred).toBe(false);
    expect(errors[2].chain[1]).toMatchObject({ code: 'AEAD_DECRYPTION_FAILED', inferred: true });
    // The same records as flat JSON lines (a file exporter's or a collector's debug shape).
    const flat = exporter
      .getFinishedLogRecords()
      .slice(0, 2)
      .map((r) => JSON.stringify({ timestamp: Date.now(), severityText: r.severityText, body: r.body, attributes: r.attributes }))
      .join('\n');
    await expectBothChains(flat, false);
    await provider.shutdown();
  });

  it('recordErrorChain on the real OpenTelemetry types: an API span, and SDK log records in a processor', async () => {
    const span = trace.getTracer('gateway').startSpan('open frame');
    expect(recordErrorChain(span, tampered)['m2m.error.codes']).toEqual(EXPECTED[0]);
    span.end();
    // A processor that attaches the chain of the error a record was emitted for.
    const pending = new Map<string, Error>([['frame rejected', tampered], ['bad key', shortKey]]);
    const enrich: LogRecordProcessor = {
      onEmit: (record) => {
        const err = typeof record.body === 'string' ? pending.get(record.body) : undefined;
        if (err) recordErrorChain(record, err);
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [enrich, new SimpleLogRecordProcessor({ exporter })] });
    provider.getLogger('gateway').emit({ severityText: 'ERROR', body: 'frame rejected' });
    provider.getLogger('gateway').emit({ severityText: 'ERROR', body: 'bad key' });
    await expectBothChains(new TextDecoder().decode(JsonLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())), false);
    await provider.shutdown();
  });

  it('formatErrorChain text, with codes and in the old form without', async () => {
    await expectBothChains(`${formatErrorChain(tampered)}\n${formatErrorChain(shortKey)}\n`, false);
    await expectBothChains(`${formatErrorChain(tampered, { codes: false })}\n${formatErrorChain(shortKey, { codes: false })}\n`, true);
  });
});
