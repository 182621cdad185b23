/**
 * Attacks on the encode-side header scan (wire/header-scan.ts): inputs chosen to make the scan's
 * answer differ from the full path (json.ts parseForHeaders + header-build.ts buildHeader), to
 * escape a typed error, or to cost more than linear time. The full path is the oracle: a
 * `promptTokens` callback returning undefined forces it without changing a byte
 * (as packages/core/test/header-scan.test.ts does).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, M2MError, toHex, type EncodeFrameOptions } from '@m2m/core';
import { scanHeader, scanHeaderBytes } from '../src/wire/header-scan.js';

function outcome(json: string, options: EncodeFrameOptions): string {
  try {
    return toHex(encodeFrame(json, options));
  } catch (e) {
    // Every failure is typed: a bare Error (or anything else) fails the comparison loudly.
    if (!(e instanceof M2MError)) return `UNTYPED ${String(e)}`;
    return `error ${e.kind} ${e.message} ${JSON.stringify(e.details)}`;
  }
}

/** The fast path (whichever scan takes the text) and the full path give the same bytes or error. */
function agree(json: string, maxJsonDepth = 32): string {
  const limits = { maxJsonDepth };
  const fast = outcome(json, { limits });
  const full = outcome(json, { limits, promptTokens: () => undefined });
  expect(fast, JSON.stringify(json).slice(0, 300)).toBe(full);
  expect(fast.startsWith('UNTYPED'), fast).toBe(false);
  return fast;
}

const enc = new TextEncoder();
const isAscii = (d: string) => Buffer.byteLength(d) === d.length;
/** Whether the byte scan decides `d` itself (so an agreement is about it, not the fallbacks). */
const byteScanDecides = (d: string, depth = 32) => scanHeaderBytes(enc.encode(d), d, depth, isAscii(d)) !== undefined;
const textScanDecides = (d: string, depth = 32) => scanHeader(d, depth, isAscii(d)) !== undefined;

describe('attack: strings the byte scan decodes from bytes', () => {
  it('keeps a leading U+FEFF in the model, id and finish reason (TextDecoder drops it by default)', () => {
    const docs = [
      '{"model":"\ufeffgpt-4o","messages":[]}',
      '{"model":"\ufeff","messages":[{"role":"user","content":"x"}]}',
      '{"id":"\ufeffchatcmpl-1","choices":[]}',
      '{"id":"\ufeffchatcmpl-1","model":"m"}',
      '{"id":"chatcmpl-1","choices":[{"finish_reason":"\ufefflength"}]}',
      '{"id":"chatcmpl-1","choices":[{"finish_reason":"\ufeffcontent_filter"}],"usage":{}}',
      '{"model":"\ufeff\ufeffo3","messages":[]}',
    ];
    for (const d of docs) {
      expect(byteScanDecides(d), d).toBe(true);
      agree(d);
    }
  });
});
