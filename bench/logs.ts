/**
 * Log decoding benchmark (issue 17): a mixed log of 10,000 records (pino, winston, bunyan,
 * OpenTelemetry and our JSON lines; util.inspect blocks, stack traces with caused-by segments,
 * formatErrorChain text; ordinary lines, garbage and a truncated last line) through
 * `decodeLog`, against the floor any JSON-lines reader pays: `JSON.parse` of every JSON line of
 * the same text. Target: the 10,000 records in under a second.
 * @module
 */
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import bunyan from 'bunyan';
import pino from 'pino';
import winston from 'winston';
import { CryptoError, formatErrorChain, M2MError, serializeError } from '@m2m/core';
import { errorChainAttributes, errSerializer } from '@m2m/core/logging';
import { wrapCrypto } from '@m2m/core/internal';
import { decodeLog } from '../packages/cli/src/log-decoder.js';
import { median } from './measure.js';

const RECORDS = 10_000;

/** One sample of each record kind, written by the real libraries. */
function samples(): string[] {
  const tampered = wrapCrypto(new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' }));
  const shortKey = new CryptoError('Aead', 'InvalidKey', { detail: 'Key too short: 8 bytes (need 32)' });
  const lines: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c).trimEnd()), cb()) });
  pino(sink).error({ err: tampered }, 'frame rejected');
  pino({ serializers: { err: errSerializer } }, sink).error({ err: tampered }, 'frame rejected');
  winston.createLogger({ format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.json()), transports: [new winston.transports.Stream({ stream: sink })] }).error(shortKey);
  bunyan.createLogger({ name: 'app', serializers: bunyan.stdSerializers, streams: [{ stream: sink }] }).error(tampered, 'frame rejected');
  const out = lines.filter(Boolean);
  out.push(JSON.stringify({ timestamp: Date.now(), severityText: 'ERROR', body: 'frame rejected', attributes: errorChainAttributes(tampered) }));
  out.push(JSON.stringify({ time: new Date().toISOString(), ...serializeError(new M2MError('ReplayDetected', { counter: 7 })) }));
  out.push(inspect(tampered));
  out.push(`${tampered.stack}\ncaused by: ${(tampered.cause as Error).stack}`);
  out.push(formatErrorChain(tampered, { codes: false }));
  out.push('GET /v1/chat 200 12ms', '{"level":30,"msg":"request served","ms":12}', '\u0000\u0001garbage ][ {"x":', 'at the end of the day: nothing happened');
  return out;
}

/** Runs the logs section; true when 10,000 records decode in under a second. */
export function runLogsBench(log: (line: string) => void): boolean {
  const kinds = samples();
  const parts: string[] = [];
  for (let i = 0; i < RECORDS - 1; i++) parts.push(kinds[i % kinds.length]);
  const last = kinds[1];
  parts.push(last.slice(0, Math.floor(last.length / 2))); // the last record was cut off mid-write
  const text = parts.join('\n');
  const lines = text.split('\n');

  const check = decodeLog(text);
  log(`${RECORDS} records, ${lines.length} lines, ${(text.length / 1e6).toFixed(1)} MB: ${check.errors.length} errors (${check.errors.filter((e) => e.inferred).length} with inferred links), ${check.partial} cut, ${check.other} other lines`);

  const ours: number[] = [];
  const floor: number[] = [];
  for (let r = 0; r < 7; r++) {
    let t = performance.now();
    decodeLog(text);
    ours.push(performance.now() - t);
    t = performance.now();
    for (const l of lines) {
      if (l.charCodeAt(0) !== 123) continue;
      try {
        JSON.parse(l);
      } catch {
        // the cut last record
      }
    }
    floor.push(performance.now() - t);
  }
  const ms = median(ours);
  const base = median(floor);
  const met = ms < 1000;
  log(`decodeLog: ${ms.toFixed(0)} ms, ${Math.round(RECORDS / (ms / 1000)).toLocaleString('en')} records/s, ${((text.length / 1e6) / (ms / 1000)).toFixed(1)} MB/s; ×${(ms / base).toFixed(2)} the time of JSON.parse on every JSON line (${base.toFixed(0)} ms)`);
  log(`target: ${RECORDS} records in under 1000 ms: ${met ? 'met' : 'MISSED'}`);
  return met;
}
