/**
 * Our frame vectors (test-vectors/m2m-frame-policy.json): frames built independently from
 * docs/PROTOCOL.md, decoded under security policies and limits, and encoded byte for byte.
 * @module
 */
import { decodeFrame, encodeFrame, fromHex, isSdkError, toHex, type DecodeFrameOptions, type EncodeFrameOptions, type FrameProtection } from '@m2m/core';
import { aeadProtection, hmacProtection } from '@m2m/crypto';
import { eq } from './check.js';
import { extraFormats } from './run.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function protection(p: J | undefined): FrameProtection | undefined {
  if (!p) return undefined;
  const key = fromHex(p.key_hex);
  if (p.mode === 'hmac') return hmacProtection(key);
  return aeadProtection(key, p.nonce_hex ? { nextNonce: () => fromHex(p.nonce_hex) } : {});
}

function expectOutcome(fn: () => string, expect: J): void {
  let value: string | undefined;
  let error: unknown;
  try {
    value = fn();
  } catch (e) {
    error = e;
  }
  if (expect.error_code) {
    if (!isSdkError(error)) throw new Error(`expected ${expect.error_code}, got ${error === undefined ? `a value` : String(error)}`);
    eq(error.code, expect.error_code, 'error code');
    if (expect.cause_code) eq((error.cause as { code?: string } | undefined)?.code, expect.cause_code, 'cause code');
    return;
  }
  if (error !== undefined) throw new Error(`unexpected error ${(error as Error).message}`);
  eq(value, expect.payload ?? expect.frame_hex, 'result');
}

extraFormats.push([
  'm2m-frame-policy/1',
  (d: J) => d.format === 'm2m-frame-policy/1',
  (c, d: J) => {
    for (const v of d.cases as J[]) {
      c.run(`decode: ${v.name}`, () => {
        const o = v.options as J;
        const options: DecodeFrameOptions = {};
        const p = protection(o.protection);
        if (p) options.protection = p;
        if (o.minSecurity) options.minSecurity = o.minSecurity;
        if (o.limits) options.limits = o.limits;
        expectOutcome(() => decodeFrame(fromHex(v.frame_hex), options).payload, v.expect);
      });
    }
    for (const v of d.encode_cases as J[]) {
      c.run(`encode: ${v.name}`, () => {
        const options: EncodeFrameOptions = {};
        const p = protection(v.protection);
        if (p) options.protection = p;
        if (v.limits) options.limits = v.limits;
        expectOutcome(() => toHex(encodeFrame(v.json, options)), v.expect);
      });
    }
  },
]);
