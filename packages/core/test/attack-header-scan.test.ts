/**
 * Attacks on the encode-side header scan (wire/header-scan.ts): inputs chosen to make the scan's
 * answer differ from the full path (json.ts parseForHeaders + header-build.ts buildHeader), to
 * escape a typed error, or to cost more than linear time. The full path is the oracle: a
 * `promptTokens` callback returning undefined forces it without changing a byte
 * (as packages/core/test/header-scan.test.ts does).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, inspectFrame, M2MError, toHex, type EncodeFrameOptions } from '@m2m/core';
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

/** The frame's prefix, fixed and variable header (everything before the payload), as hex. */
function headerHex(json: string): string {
  const f = encodeFrame(json);
  return toHex(f.subarray(0, 7 + (f[7] | (f[8] << 8))));
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

describe('attack: the exact parser (taken for integral literals like 1.0) against JSON.parse', () => {
  it('reads a "__proto__" key as an own member, never as the prototype of the object', () => {
    // An unrelated literal such as 1.0 sends the text to json.ts parseJsonExact; a "__proto__"
    // member there became the prototype, so model, messages, roles and content were read
    // through it: the header depended on whether some other number had a fraction.
    for (const tail of ['1', '1.0']) {
      const docs = [
        `{"__proto__":{"model":"gpt-4o","messages":[]},"x":${tail}}`,
        `{"model":"m","messages":[{"__proto__":{"role":"system","content":"abcdefgh"}}],"x":${tail}}`,
        `{"model":"m","messages":[{"role":"user","content":[{"__proto__":{"type":"image_url","text":"abcd"}}]}],"x":${tail}}`,
        `{"__proto__":{"choices":[]},"id":"chatcmpl-1","__proto__":{"usage":{}},"x":${tail}}`,
        `{"id":"chatcmpl-1","choices":[{"__proto__":{"finish_reason":"length","message":{"tool_calls":[]}}}],"usage":{"__proto__":{"prompt_tokens":9}},"x":${tail}}`,
      ];
      for (const d of docs) agree(d);
    }
    // The header (not the payload, which holds the literal) is the same either way.
    for (const d of [
      '{"__proto__":{"model":"gpt-4o","messages":[]},"x":1}',
      '{"model":"m","messages":[{"__proto__":{"role":"system","content":"abcdefgh"}}],"x":1}',
      '{"model":"m","messages":[{"role":"user","content":[{"__proto__":{"type":"image_url","text":"abcd"}}]}],"x":1}',
    ]) {
      expect(headerHex(d.replace('"x":1', '"x":1.0')), d).toBe(headerHex(d));
    }
    expect(inspectFrame(encodeFrame('{"__proto__":{"model":"gpt-4o","messages":[]},"x":1.0}')).routing?.model).toBe('');
  });
});
