/**
 * Writing errors with pino and decoding them back: `errSerializer` puts the whole typed chain
 * in the log line; `deserializeError` (or `m2m errors decode app.log`) brings it back typed.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { decodeFrame, deserializeError, encodeFrame, formatErrorChain, isM2MError } from '@m2m/core';
import { errSerializer } from '@m2m/core/logging';
import { aeadProtection, randomBytes } from '@m2m/crypto';

const lines: string[] = [];
const logger = pino({ serializers: { err: errSerializer } }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));

// A frame sealed under one key and opened with another: a realistic failure with a cause chain.
const frame = encodeFrame('{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}', { protection: aeadProtection(randomBytes(32)) });
try {
  decodeFrame(frame, { protection: aeadProtection(randomBytes(32)) });
} catch (err) {
  logger.error({ err, peer: 'agent-7' }, 'could not open frame');
}
await new Promise((r) => setImmediate(r));

console.log(`log line: ${lines[0].trim().slice(0, 160)}…`);
const back = deserializeError((JSON.parse(lines[0]) as { err: unknown }).err);
console.log(`typed again: ${isM2MError(back)} code=${(back as { code: string }).code}`);
console.log(formatErrorChain(back));
