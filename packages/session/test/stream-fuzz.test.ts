import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isM2MError } from '@m2m/core';
import type { ChatCompletionChunk } from '@m2m/session';
import { decodeStreamEnvelope, encodeStreamEnvelope } from '@m2m/session/streams';
import { ChatCompletionAccumulator, SseParser } from '@m2m/session/sse';

/** Every failure is a typed M2MError with one of `codes`; anything else fails the property. */
function onlyTyped(fn: () => unknown, codes: string[]): void {
  try {
    fn();
  } catch (e) {
    if (!isM2MError(e) || !codes.includes(e.code)) throw e;
  }
}

describe('stream decoders under random input', () => {
  it('decodeStreamEnvelope: valid envelopes round-trip; mutated ones decode or fail with STREAM_ERROR', () => {
    const envelope = fc.record({
      id: fc.string({ minLength: 1, maxLength: 64 }),
      seq: fc.nat(),
      op: fc.constantFrom('data' as const, 'end' as const),
      chunks: fc.array(fc.string(), { minLength: 1, maxLength: 5 }),
    });
    fc.assert(
      fc.property(envelope, fc.nat(), fc.string({ maxLength: 4 }), (e, at, junk) => {
        const text = encodeStreamEnvelope(e);
        expect(decodeStreamEnvelope(text)).toEqual(e);
        const cut = at % (text.length + 1);
        onlyTyped(() => decodeStreamEnvelope(text.slice(0, cut) + junk + text.slice(cut + 1)), ['STREAM_ERROR']);
      }),
      { numRuns: 300 },
    );
  });

  it('SseParser: random text in random pieces never throws anything but LIMIT_EXCEEDED and keeps its bound', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 200 }), { maxLength: 20 }), (pieces) => {
        const events: string[] = [];
        const parser = new SseParser((e) => events.push(e.data), { maxEventChars: 256 });
        onlyTyped(() => {
          for (const p of pieces) parser.feed(p);
          parser.end();
        }, ['LIMIT_EXCEEDED']);
        for (const d of events) expect(d.length).toBeLessThanOrEqual(256);
      }),
      { numRuns: 300 },
    );
  });

  it('ChatCompletionAccumulator: random JSON chunks either add or fail with STREAM_ERROR / LIMIT_EXCEEDED', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 10 }), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }), (values, deltas) => {
        const acc = new ChatCompletionAccumulator({ maxChoices: 4, maxToolCalls: 4, maxChars: 1000 });
        const chunks = [...values, ...deltas.map((d, i) => ({ id: 'x', choices: [{ index: i % 3, delta: d }] }))];
        for (const c of chunks) onlyTyped(() => acc.add(c as ChatCompletionChunk), ['STREAM_ERROR', 'LIMIT_EXCEEDED']);
        expect(() => JSON.stringify(acc.result())).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
