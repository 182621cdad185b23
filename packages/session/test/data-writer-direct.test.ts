/**
 * `Session.send` under the binary codec passes a `FrameMessageWriter` (codec/data-writer.ts) to
 * `SessionCore.compress`: plaintext M2M DATA comes back as its binary message, laid out around
 * the frame without a `Message`. It must give what the generic path gives, byte for byte:
 * `compress` and then the binary codec's `encode`, on a twin core in the same state, with the
 * same stats, state and errors, whatever the content, algorithm, extras, clock, frame protection
 * (HMAC), session id and limits, and across sessions sharing the writer's module-level caches.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isM2MError } from '@m2m/core';
import { hmacProtection } from '@m2m/crypto';
import { binaryCodec, defaultCapabilities, SessionCore, type Message } from '@m2m/session';
import { ManualClock } from '@m2m/session/testing';
import { FrameMessageWriter } from '../src/codec/data-writer.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

interface Setup {
  sessionId: string;
  start: number;
  maxPayload: number;
  limits: { maxJsonDepth: number } | undefined;
  compression: 'auto' | 'always';
  /** Frames signed with a pre-shared HMAC key (a plaintext session's frame protection). */
  hmac: boolean;
}

const HMAC_KEY = new Uint8Array(32).fill(7);

/** An established client core (its id from the server's ACCEPT), or one left in INITIAL. */
function clientCore(s: Setup, establish: boolean): SessionCore {
  const clock = new ManualClock(s.start);
  const caps = defaultCapabilities();
  const capabilities = { ...caps, compression: { ...caps.compression, maxPayload: s.maxPayload } };
  const client = new SessionCore({ role: 'client', clock, capabilities, limits: s.limits, compression: s.compression, ...(s.hmac ? { protection: hmacProtection(HMAC_KEY) } : {}) });
  if (!establish) return client;
  const server = new SessionCore({ role: 'server', clock, sessionId: s.sessionId });
  client.receive(server.receive(client.createHello()).reply!);
  return client;
}

/** What a call produced: the message's bytes and the core's stats and state, or the error. */
function outcome(core: SessionCore, call: () => Message | Uint8Array): { bytes?: string; error?: string; direct?: boolean; stats: string; state: string } {
  try {
    const r = call();
    const direct = r instanceof Uint8Array;
    const bytes = hex(direct ? r : binaryCodec.encode(r));
    return { bytes, direct, stats: JSON.stringify(core.stats), state: core.state };
  } catch (e) {
    if (!isM2MError(e)) throw e;
    return { error: `${e.name} ${e.code} ${e.message} ${JSON.stringify(e.details)}`, stats: JSON.stringify(core.stats), state: core.state };
  }
}

const REQUEST = fc
  .record({
    model: fc.oneof(fc.constantFrom('gpt-4o', 'claude-3-5-sonnet', ''), fc.string({ maxLength: 40 })),
    messages: fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant', 'tool', 'x'), content: fc.string({ unit: 'binary', maxLength: 300 }) }), { maxLength: 4 }),
    temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
  })
  .map((r) => JSON.stringify(r));
const RESPONSE = fc
  .record({ id: fc.string({ maxLength: 20 }).map((s) => `chatcmpl-${s}`), model: fc.string({ maxLength: 12 }), choices: fc.constant([{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }]) })
  .map((r) => JSON.stringify(r));
const CONTENT = fc.oneof(
  { weight: 4, arbitrary: REQUEST },
  { weight: 1, arbitrary: RESPONSE },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
  // Not JSON (a codec error under m2m), long payloads (Brotli under auto), deep nesting.
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 30 }), fc.constant('{"a":'), fc.nat({ max: 3000 }).map((n) => JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'word '.repeat(n) }] })), fc.nat({ max: 40 }).map((n) => '['.repeat(n) + ']'.repeat(n))) },
);
const SETUP = fc.record({
  sessionId: fc.oneof(fc.uuid(), fc.constantFrom('', 's', 'x'.repeat(31), 'x'.repeat(32), 'é'.repeat(40), 'y'.repeat(300))),
  // Fractional, negative and past-2^53 timestamps are the generic encoder's.
  start: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 127, 2 ** 32 - 1, 2 ** 32, 1_705_520_400_000, 2 ** 53 - 1) }, { weight: 2, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.constantFrom(0.5, -1, -70_000, 2 ** 53, 1e300) }),
  maxPayload: fc.constantFrom(0, 0, 0, 0, 0, 64, 400, 5000),
  limits: fc.constantFrom(undefined, { maxJsonDepth: 3 }),
  compression: fc.constantFrom('auto', 'always') as fc.Arbitrary<'auto' | 'always'>,
  hmac: fc.constantFrom(false, false, true),
});
const CALL = fc.record({
  content: CONTENT,
  algorithm: fc.constantFrom(undefined, undefined, 'm2m', 'none', 'brotli') as fc.Arbitrary<'m2m' | 'none' | 'brotli' | undefined>,
  extra: fc.constantFrom(undefined, undefined, {}, { includeOriginalSize: true }, { securityStatus: { scanned: true, safe: true } }),
});

describe('SessionCore.compress with a FrameMessageWriter (Session.send under the binary codec)', () => {
  it('gives the bytes, stats, state and errors of compress plus the binary codec, message after message', () => {
    let directCalls = 0;
    let allCalls = 0;
    fc.assert(
      fc.property(fc.array(fc.record({ setup: SETUP, establish: fc.constantFrom(true, true, true, false) }), { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), CALL), { minLength: 1, maxLength: 8 }), (sessions, calls) => {
        // Several sessions at once: the writer's caches (its head, the module's last session id) must follow each.
        const fast = sessions.map((s) => clientCore(s.setup, s.establish));
        const writers = sessions.map(() => new FrameMessageWriter());
        const generic = sessions.map((s) => clientCore(s.setup, s.establish));
        for (const [which, c] of calls) {
          const i = which % sessions.length;
          const a = outcome(fast[i]!, () => fast[i]!.compress(c.content, c.algorithm, c.extra ?? {}, writers[i]));
          const b = outcome(generic[i]!, () => generic[i]!.compress(c.content, c.algorithm, c.extra));
          allCalls++;
          if (a.direct) directCalls++;
          expect({ ...a, direct: undefined }).toEqual({ ...b, direct: undefined });
        }
      }),
      { numRuns: 300 },
    );
    // The one-pass writer did the work in a good share of these, not only the generic fallback.
    expect(directCalls).toBeGreaterThan(allCalls / 8);
  });

  it('takes plaintext M2M DATA without extras itself and leaves the rest to the codec', () => {
    const setup: Setup = { sessionId: 'd2b7a3f0-3c1e-4a8e-9a55-0f7c6f0e2a11', start: 1_705_520_400_000, maxPayload: 0, limits: undefined, compression: 'auto', hmac: false };
    const core = clientCore(setup, true);
    const w = new FrameMessageWriter();
    const json = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}';
    expect(core.compress(json, undefined, {}, w)).toBeInstanceOf(Uint8Array);
    expect(core.compress(json, 'm2m', {}, w)).toBeInstanceOf(Uint8Array);
    expect(core.compress(json, 'none', {}, w)).not.toBeInstanceOf(Uint8Array);
    expect(core.compress(json, undefined, { includeOriginalSize: true }, w)).not.toBeInstanceOf(Uint8Array);
    expect(core.compress(json, undefined, { securityStatus: { scanned: true, safe: true } }, w)).not.toBeInstanceOf(Uint8Array);
    expect(clientCore({ ...setup, start: 0.5 }, true).compress(json, undefined, {}, w)).not.toBeInstanceOf(Uint8Array);
    // Without a writer (browsers, the json codec): always the Message.
    expect(core.compress(json)).not.toBeInstanceOf(Uint8Array);
  });
});
