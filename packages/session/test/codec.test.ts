import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isM2MError } from '@m2m/core';
import { binaryCodec, decodeMessageBinary, defaultCapabilities, encodeMessageBinary, type Message, type MessagePayload } from '@m2m/session';
import { decodeMessageJson, encodeMessageJson, jsonCodec } from '@m2m/session/json';

const algorithm = fc.constantFrom('none', 'm2m', 'tokennative', 'brotli' as const);
const encoding = fc.constantFrom('Cl100kBase', 'O200kBase', 'LlamaBpe', 'Heuristic' as const);
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const capabilities = fc.record({
  version: fc.constantFrom('3.0', '3.1'),
  agentId: fc.string(),
  agentType: fc.string(),
  compression: fc.record({
    algorithms: fc.array(algorithm, { maxLength: 4 }),
    maxPayload: u32,
    streaming: fc.boolean(),
    mlRouting: fc.boolean(),
    encodings: fc.array(encoding, { maxLength: 4 }),
    preferredEncoding: encoding,
  }),
  security: fc.record({
    threatDetection: fc.boolean(),
    modelVersion: fc.option(fc.string(), { nil: null }),
    blockingMode: fc.boolean(),
    blockThreshold: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  extensions: fc.dictionary(fc.string().filter((k) => k !== '__proto__'), fc.string(), { maxKeys: 1 }),
});
const payload: fc.Arbitrary<MessagePayload> = fc.oneof(
  capabilities.map((value) => ({ kind: 'capabilities' as const, value })),
  fc.record({ code: fc.constantFrom('VERSION_MISMATCH', 'NO_COMMON_ALGORITHM', 'SECURITY_POLICY', 'RATE_LIMITED', 'SERVER_BUSY', 'UNKNOWN' as const), message: fc.string(), retryAfterMs: fc.option(u32, { nil: undefined }) }, { requiredKeys: ['code', 'message'] }).map((value) => ({ kind: 'rejection' as const, value })),
  fc.record({ algorithm, content: fc.string(), originalSize: fc.option(u32, { nil: undefined }), securityStatus: fc.option(fc.record({ scanned: fc.boolean(), safe: fc.boolean(), threatType: fc.option(fc.string(), { nil: undefined }), confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }) }, { requiredKeys: ['scanned', 'safe'] }), { nil: undefined }) }, { requiredKeys: ['algorithm', 'content'] }).map((value) => ({ kind: 'data' as const, value })),
  fc.record({ reason: fc.constantFrom('NORMAL', 'TIMEOUT', 'ERROR', 'CLIENT_SHUTDOWN', 'SERVER_SHUTDOWN' as const), message: fc.string() }).map((value) => ({ kind: 'close' as const, value })),
  fc.constant({ kind: 'empty' as const }),
);
const message: fc.Arbitrary<Message> = fc.record({
  type: fc.constantFrom('HELLO', 'ACCEPT', 'REJECT', 'DATA', 'PING', 'PONG', 'CLOSE' as const),
  sessionId: fc.option(fc.string(), { nil: undefined }),
  payload: fc.option(payload, { nil: undefined }),
  timestamp: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
}, { requiredKeys: ['type', 'timestamp'] }).map((m) => {
  // A close payload only exists on CLOSE (elsewhere the reference reads it as Empty).
  if (m.payload?.kind === 'close' && m.type !== 'CLOSE') return { ...m, payload: { kind: 'empty' as const } };
  return m;
});
const strip = (m: Message) => JSON.parse(JSON.stringify(m)) as unknown;

describe('message codecs', () => {
  it('binary round-trips every message', () => {
    fc.assert(fc.property(message, (m) => {
      expect(strip(decodeMessageBinary(encodeMessageBinary(m)))).toEqual(strip(m));
    }), { numRuns: 400 });
  });
  it('json round-trips every message the reference shapes can hold', () => {
    fc.assert(fc.property(message, (m) => {
      const back = decodeMessageJson(encodeMessageJson(m));
      // JSON has one number type: an integral block threshold comes back the same value.
      expect(strip(back)).toEqual(strip(m));
    }), { numRuns: 400 });
  });
  it('binary is smaller than json for a HELLO', () => {
    const hello: Message = { type: 'HELLO', timestamp: 1705520400000, payload: { kind: 'capabilities', value: defaultCapabilities({ agentId: 'client-agent' }) } };
    expect(binaryCodec.encode(hello).length).toBeLessThan(jsonCodec.encode(hello).length * 0.7);
  });
  it('decoding arbitrary or mutated bytes returns a message or throws InvalidMessage, never anything else', () => {
    const seed = encodeMessageBinary({ type: 'DATA', sessionId: 's', timestamp: 1, payload: { kind: 'data', value: { algorithm: 'm2m', content: '#M2M|1|AAAA' } } });
    const mutated = fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
      const c = seed.slice();
      c[i] = b;
      return c;
    });
    for (const codec of [binaryCodec, jsonCodec]) {
      fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated), (bytes) => {
        try {
          codec.decode(bytes);
        } catch (e) {
          expect(isM2MError(e) && e.kind === 'InvalidMessage').toBe(true);
        }
      }), { numRuns: 1500 });
    }
  });
  it('json decoding refuses deep nesting, bad UTF-8 and oversize input with InvalidMessage', () => {
    const deep = `{"type":"PING","payload":${'{"a":'.repeat(40)}1${'}'.repeat(40)},"timestamp":1}`;
    for (const bytes of [new TextEncoder().encode(deep), new Uint8Array([0x7b, 0xff, 0x7d]), new Uint8Array(16 * 1024 * 1024 + 1)]) {
      let err: unknown;
      try {
        jsonCodec.decode(bytes);
      } catch (e) {
        err = e;
      }
      expect(isM2MError(err) && err.kind === 'InvalidMessage').toBe(true);
    }
  });
  it('json decoding applies serde rules: missing, negative or fractional timestamps fail; unknown keys are ignored', () => {
    for (const bad of ['{"type":"PING"}', '{"type":"PING","timestamp":-1}', '{"type":"PING","timestamp":1.5}', '{"type":"PING","timestamp":1.0}', '{"type":"PING","payload":[],"timestamp":1}', '{"type":"ping","timestamp":1}']) {
      expect(() => decodeMessageJson(bad), bad).toThrow(/Invalid message format/);
    }
    expect(decodeMessageJson('{"type":"PING","timestamp":9,"extra":"ignored"}')).toEqual({ type: 'PING', timestamp: 9 });
  });
});

describe('a HELLO offering a Noise protocol name', () => {
  const hello = (protocol: string): Message => ({ type: 'HELLO', timestamp: 1, payload: { kind: 'handshake', value: { protocol, message: new Uint8Array([1, 2, 3]) } } });
  const name255 = `Noise_XX_25519_ChaChaPoly_SHA256${'x'.repeat(255 - 32)}`;

  it('reads names up to the Noise specification’s 255 bytes, in both codecs', () => {
    for (const codec of [binaryCodec, jsonCodec]) {
      const back = codec.decode(codec.encode(hello(name255)));
      expect(back.payload?.kind === 'handshake' && back.payload.value.protocol).toBe(name255);
    }
  });

  it('refuses a longer name (a REJECT echoes it) with INVALID_MESSAGE, counting UTF-8 bytes', () => {
    for (const name of [`${name255}x`, `${'é'.repeat(128)}`, 'N'.repeat(60_000)]) {
      for (const codec of [binaryCodec, jsonCodec]) {
        let thrown: unknown;
        try {
          codec.decode(codec.encode(hello(name)));
        } catch (e) {
          thrown = e;
        }
        expect(isM2MError(thrown) && thrown.code, `${codec.name} ${name.length}`).toBe('INVALID_MESSAGE');
      }
    }
  });
});
