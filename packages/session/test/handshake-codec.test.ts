/**
 * Issue 18: the binary codec's one-pass writer and reader for handshake messages and the
 * capabilities payloads (codec/handshake-writer.ts, handshake-reader.ts) against the generic
 * MessagePack encoder and decoder they stand in for: the same bytes out, the same message (or the
 * same typed error) in, for generated messages with edge values and for truncated and corrupted
 * inputs; and a session's own default capabilities, whose bytes the writer copies and the reader
 * recognises (codec/default-capabilities.ts), against the same generic paths.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeAcceptPayload, decodeCapabilities, decodeMessageBinary, decodeOwnedMessageBinary, decodeStructured, encodeAcceptPayload, encodeCapabilities, encodeMessageBinary } from '../src/codec/binary-codec.js';
import { writeAcceptPayload, writeCapabilities, writeHandshakeMessage } from '../src/codec/handshake-writer.js';
import { readAcceptPayload, readCapabilities, readHandshakeMessage } from '../src/codec/handshake-reader.js';
import { decodeMsgpack } from '../src/codec/msgpack-decode.js';
import { encodeMsgpack, type MsgpackInput } from '../src/codec/msgpack-encode.js';
import { defaultCapabilities, type Capabilities, type Message } from '../src/message.js';
import { capabilityTemplate, sessionCapabilities } from '../src/codec/default-capabilities.js';

const TYPES = ['HELLO', 'ACCEPT', 'REJECT', 'DATA', 'PING', 'PONG', 'CLOSE', 'AUTH'] as const;
const ALGOS = ['none', 'm2m', 'tokennative', 'brotli'] as const;
const ENCODINGS = ['Cl100kBase', 'O200kBase', 'LlamaBpe', 'Heuristic'] as const;
const u64 = (n: number): number | bigint => (n > 0xffff_ffff ? BigInt(n) : n);
const hex = (b: Uint8Array | undefined) => (b === undefined ? 'undefined' : Buffer.from(b).toString('hex'));

// The arrays of docs/PROTOCOL.md §4.2, built here from the field list, packed by the generic encoder.
const capsArray = (c: Capabilities): MsgpackInput[] => [
  0, c.version, c.agentId, c.agentType,
  c.compression.algorithms.map((a) => ALGOS.indexOf(a)), u64(c.compression.maxPayload), c.compression.streaming, c.compression.mlRouting,
  c.compression.encodings.map((e) => ENCODINGS.indexOf(e)), ENCODINGS.indexOf(c.compression.preferredEncoding),
  c.security.threatDetection, c.security.modelVersion, c.security.blockingMode, c.security.blockThreshold, c.extensions,
];
type HandshakeMessage = Message & { payload: { kind: 'handshake'; value: { protocol?: string; message: Uint8Array } } };
const messageArray = (m: HandshakeMessage): MsgpackInput => [TYPES.indexOf(m.type), m.sessionId ?? null, u64(m.timestamp), [5, m.payload.value.protocol ?? null, m.payload.value.message]];

/** The generic decoding paths (what binary-codec.ts did before the one-pass reader). */
const genericCapabilities = (b: Uint8Array) => decodeCapabilities(decodeMsgpack(b) as unknown[]);
const genericAccept = (b: Uint8Array) => {
  const v = decodeMsgpack(b);
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !Array.isArray(v[1])) return undefined;
  return { sessionId: v[0], capabilities: decodeCapabilities(v[1]) };
};

/** A call's result or its error, comparable with toEqual (bytes as hex, errors by class, code and message). */
function outcome(f: () => unknown): unknown {
  try {
    return { value: JSON.parse(JSON.stringify(f(), (_k, v: unknown) => (v instanceof Uint8Array ? hex(v) : v)) ?? 'null') as unknown };
  } catch (e) {
    const err = e as { name: string; code?: string; message: string; details?: unknown };
    return { error: { name: err.name, code: err.code, message: err.message, details: err.details } };
  }
}

const lengths = fc.constantFrom(0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536);
const bytesOf = fc.oneof(fc.uint8Array({ maxLength: 300 }), lengths.map((n) => new Uint8Array(n).fill(9)));
const textOf = (max: number) => fc.oneof(fc.string({ maxLength: max }), fc.string({ unit: 'binary', maxLength: max }), fc.uuid(), fc.constantFrom('', 'x'.repeat(31), 'x'.repeat(32), 'é'.repeat(20), '\u{1F600}'));
const timestamp = fc.oneof(fc.constantFrom(0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 1705520400000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

const handshakeMessage: fc.Arbitrary<HandshakeMessage> = fc
  .record({
    type: fc.constantFrom(...TYPES),
    sessionId: fc.option(textOf(80), { nil: undefined }),
    timestamp,
    protocol: fc.option(fc.oneof(fc.constantFrom('Noise_XX_25519_ChaChaPoly_SHA256', 'Noise_IKpsk2_25519_ChaChaPoly_SHA256'), textOf(40)), { nil: undefined }),
    message: bytesOf,
  })
  .map(({ type, sessionId, timestamp, protocol, message }) => {
    const m: Message = { type, timestamp, payload: { kind: 'handshake', value: protocol === undefined ? { message } : { protocol, message } } };
    if (sessionId !== undefined) m.sessionId = sessionId;
    return m as HandshakeMessage;
  });

const capabilities: fc.Arbitrary<Capabilities> = fc.record({
  version: fc.oneof(fc.constant('3.0'), textOf(40)),
  agentId: fc.oneof(fc.uuid(), textOf(300)),
  agentType: fc.oneof(fc.constant('m2m-ts'), textOf(140)),
  compression: fc.record({
    algorithms: fc.array(fc.constantFrom(...ALGOS), { maxLength: 18 }),
    maxPayload: fc.oneof(fc.constantFrom(0, 127, 128, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1), fc.nat()),
    streaming: fc.boolean(),
    mlRouting: fc.boolean(),
    encodings: fc.array(fc.constantFrom(...ENCODINGS), { maxLength: 18 }),
    preferredEncoding: fc.constantFrom(...ENCODINGS),
  }),
  security: fc.record({
    threatDetection: fc.boolean(),
    modelVersion: fc.option(textOf(140), { nil: null }),
    blockingMode: fc.boolean(),
    blockThreshold: fc.oneof(fc.constantFrom(0.8, 0, 1, -1, -0, 255, 2 ** 32, 2 ** 40 + 0.5, 1e300, -300000), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()),
  }),
  extensions: fc.dictionary(textOf(20), textOf(40), { maxKeys: 18 }),
});

describe('handshake writer: the bytes of the generic encoder', () => {
  it('HELLO / ACCEPT / AUTH messages (every type, session ids, timestamps and Noise message lengths at the MessagePack boundaries)', () => {
    fc.assert(
      fc.property(handshakeMessage, (m) => {
        const fast = writeHandshakeMessage(m);
        expect(fast).toBeDefined(); // the usual shape always takes the one-pass writer
        expect(hex(fast)).toBe(hex(encodeMsgpack(messageArray(m))));
        expect(hex(encodeMessageBinary(m))).toBe(hex(fast));
      }),
      { numRuns: 400 },
    );
  });

  it('capabilities and the ACCEPT payload, through whichever encoder takes them', () => {
    fc.assert(
      fc.property(capabilities, textOf(80), (c, sid) => {
        expect(hex(encodeCapabilities(c))).toBe(hex(encodeMsgpack(capsArray(c))));
        expect(hex(encodeAcceptPayload(sid, c))).toBe(hex(encodeMsgpack([sid, capsArray(c)])));
        const fast = writeCapabilities(c);
        if (fast) expect(hex(fast)).toBe(hex(encodeMsgpack(capsArray(c))));
        const fastAccept = writeAcceptPayload(sid, c);
        if (fastAccept) expect(hex(fastAccept)).toBe(hex(encodeMsgpack([sid, capsArray(c)])));
      }),
      { numRuns: 400 },
    );
  });

  it('takes default capabilities and the usual session fields, and leaves the unusual to the generic encoder', () => {
    const c = defaultCapabilities({ agentId: 'agent-é' });
    expect(writeCapabilities(c)).toBeDefined();
    expect(writeAcceptPayload('0d7c7a3e-4b1f-4a8e-9f4e-2f1e7a6b5c4d', c)).toBeDefined();
    // A negative integer threshold, an enum value the tables lack, a non-text extension value:
    // the generic encoder's (which writes -1 as 0xff, or refuses what MessagePack cannot hold).
    const odd = [
      { ...c, security: { ...c.security, blockThreshold: -3 } },
      { ...c, compression: { ...c.compression, algorithms: ['zstd' as never] } },
      { ...c, extensions: { k: 1 as never } },
      { ...c, compression: { ...c.compression, maxPayload: 1.5 } },
    ];
    for (const x of odd) {
      expect(writeCapabilities(x)).toBeUndefined();
      expect(outcome(() => encodeCapabilities(x))).toEqual(outcome(() => encodeMsgpack(capsArray(x))));
    }
    const m = { type: 'HELLO', timestamp: -1, payload: { kind: 'handshake', value: { message: new Uint8Array(1) } } } as Message;
    expect(writeHandshakeMessage(m)).toBeUndefined();
    expect(writeHandshakeMessage({ type: 'DATA', timestamp: 1, payload: { kind: 'data', value: { algorithm: 'none', content: 'x' } } })).toBeUndefined();
  });
});

describe('handshake reader: the message, or the error, of the generic decoder', () => {
  it('reads every generated handshake message as the generic decoder does (the Noise message copied)', () => {
    fc.assert(
      fc.property(handshakeMessage, (m) => {
        const bytes = encodeMessageBinary(m);
        const fast = readHandshakeMessage(bytes);
        expect(fast).toBeDefined();
        expect(outcome(() => fast)).toEqual(outcome(() => decodeStructured(bytes)));
        const body = (fast!.payload as { value: { message: Uint8Array } }).value.message;
        expect(body.buffer).not.toBe(bytes.buffer);
        // Bytes handed over by a transport: the same message; in HELLO, ACCEPT and AUTH (the
        // types the codec hands this reader) the Noise message a view of them when their buffer
        // holds nothing else (here: an array of their own; codec/slab.ts holdsOnlyOwn).
        const owned = decodeOwnedMessageBinary(bytes);
        expect(outcome(() => owned)).toEqual(outcome(() => fast));
        const ownedBody = (owned.payload as { value: { message: Uint8Array } }).value.message;
        if (bytes.buffer.byteLength <= 8192 && ['HELLO', 'ACCEPT', 'AUTH'].includes(m.type)) expect(ownedBody.buffer).toBe(bytes.buffer);
      }),
      { numRuns: 300 },
    );
  });

  it('reads generated capabilities and ACCEPT payloads as the generic decoder does, limits included', () => {
    fc.assert(
      fc.property(capabilities, textOf(80), (c, sid) => {
        const caps = encodeCapabilities(c);
        expect(outcome(() => decodeCapabilities(caps))).toEqual(outcome(() => genericCapabilities(caps)));
        const accept = encodeAcceptPayload(sid, c);
        expect(outcome(() => decodeAcceptPayload(accept))).toEqual(outcome(() => genericAccept(accept)));
      }),
      { numRuns: 300 },
    );
    // Default capabilities take the one-pass reader; one over a limit gets LimitExceeded there too.
    const c = defaultCapabilities();
    expect(readCapabilities(encodeCapabilities(c))).toEqual(c);
    expect(readAcceptPayload(encodeAcceptPayload('s-1', c))).toEqual({ sessionId: 's-1', capabilities: c });
    const long = encodeCapabilities({ ...c, agentId: 'a'.repeat(257) });
    expect(outcome(() => readCapabilities(long))).toEqual(outcome(() => genericCapabilities(long)));
    expect(outcome(() => readCapabilities(long))).toMatchObject({ error: { code: 'LIMIT_EXCEEDED' } });
  });

  const corrupt = <T>(value: fc.Arbitrary<T>, encode: (v: T) => Uint8Array) =>
    fc.tuple(value, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'insert', 'drop')), { minLength: 1, maxLength: 3 })).map(([v, edits]) => {
      let b = Array.from(encode(v));
      for (const [i, x, op] of edits) {
        const at = b.length === 0 ? 0 : i % b.length;
        if (op === 'set') b[at] = x;
        else if (op === 'cut') b = b.slice(0, at);
        else if (op === 'insert') b.splice(at, 0, x);
        else b.splice(at, 1);
      }
      return new Uint8Array(b);
    });

  it('corrupted messages: the same message or the same typed error as the generic decoder', () => {
    fc.assert(
      fc.property(corrupt(handshakeMessage, encodeMessageBinary), (bytes) => {
        expect(outcome(() => decodeMessageBinary(bytes))).toEqual(outcome(() => decodeStructured(bytes)));
      }),
      { numRuns: 1500 },
    );
  });

  it('corrupted capabilities and ACCEPT payloads: the same value or the same typed error', () => {
    const small = capabilities.filter((c) => c.agentId.length < 100);
    fc.assert(
      fc.property(corrupt(small, encodeCapabilities), corrupt(small, (c) => encodeAcceptPayload('0d7c7a3e-4b1f-4a8e-9f4e-2f1e7a6b5c4d', c)), (caps, accept) => {
        expect(outcome(() => decodeCapabilities(caps))).toEqual(outcome(() => genericCapabilities(caps)));
        expect(outcome(() => decodeAcceptPayload(accept))).toEqual(outcome(() => genericAccept(accept)));
      }),
      { numRuns: 1500 },
    );
  });

  it('every truncation of a real HELLO, ACCEPT and AUTH fails as the generic decoder fails', () => {
    const c = defaultCapabilities();
    const sid = '0d7c7a3e-4b1f-4a8e-9f4e-2f1e7a6b5c4d';
    const inputs: [Uint8Array, (b: Uint8Array) => unknown, (b: Uint8Array) => unknown][] = [
      [encodeMessageBinary({ type: 'HELLO', timestamp: 1705520400000, payload: { kind: 'handshake', value: { protocol: 'Noise_XX_25519_ChaChaPoly_SHA256', message: new Uint8Array(108).fill(1) } } }), decodeMessageBinary, decodeStructured],
      [encodeMessageBinary({ type: 'ACCEPT', sessionId: sid, timestamp: 1705520400000, payload: { kind: 'handshake', value: { message: new Uint8Array(211).fill(2) } } }), decodeMessageBinary, decodeStructured],
      [encodeMessageBinary({ type: 'AUTH', sessionId: sid, timestamp: 1705520400000, payload: { kind: 'handshake', value: { message: new Uint8Array(64).fill(3) } } }), decodeMessageBinary, decodeStructured],
      [encodeCapabilities(c), decodeCapabilities, genericCapabilities],
      [encodeAcceptPayload(sid, c), decodeAcceptPayload, genericAccept],
    ];
    for (const [bytes, fast, generic] of inputs) {
      for (let n = 0; n < bytes.length; n++) {
        const cut = bytes.slice(0, n);
        const got = outcome(() => fast(cut));
        expect(got).toEqual(outcome(() => generic(cut)));
        if (fast !== decodeAcceptPayload) expect(got).toMatchObject({ error: { code: 'INVALID_MESSAGE' } });
      }
      // Trailing bytes are refused too.
      const longer = new Uint8Array([...bytes, 0]);
      expect(outcome(() => fast(longer))).toEqual(outcome(() => generic(longer)));
      expect(outcome(() => fast(longer))).toMatchObject({ error: { code: 'INVALID_MESSAGE' } });
    }
  });

  it('a lying bin length or a protocol name over 255 bytes is left to the generic decoder', () => {
    const ok = encodeMessageBinary({ type: 'AUTH', sessionId: 's', timestamp: 1, payload: { kind: 'handshake', value: { message: new Uint8Array(8) } } });
    const lying = ok.slice();
    lying[lying.length - 9] = 0xff; // bin8 length 255, 8 bytes left
    expect(readHandshakeMessage(lying)).toBeUndefined();
    expect(outcome(() => decodeMessageBinary(lying))).toMatchObject({ error: { code: 'INVALID_MESSAGE' } });
    const longName = encodeMessageBinary({ type: 'HELLO', timestamp: 1, payload: { kind: 'handshake', value: { protocol: 'N'.repeat(256), message: new Uint8Array(1) } } });
    expect(readHandshakeMessage(longName)).toBeUndefined();
    expect(outcome(() => decodeMessageBinary(longName))).toEqual(outcome(() => decodeStructured(longName)));
    expect(outcome(() => decodeMessageBinary(longName))).toMatchObject({ error: { code: 'INVALID_MESSAGE' } });
    // Timestamps just past 2^53 - 1 (uint64 and int64) and a negative int64: not safe integers.
    for (const ts of ['cf0020000000000000', 'd30020000000000000', 'd3ffffffffffffffff', 'cf0040000000000000']) {
      const bytes = new Uint8Array(Buffer.from(`9407a173${ts}9305c0c40100`, 'hex'));
      expect(readHandshakeMessage(bytes)).toBeUndefined();
      expect(outcome(() => decodeMessageBinary(bytes))).toEqual(outcome(() => decodeStructured(bytes)));
      expect(outcome(() => decodeMessageBinary(bytes))).toMatchObject({ error: { code: 'INVALID_MESSAGE' } });
    }
    const safe = new Uint8Array(Buffer.from('9407a173cf001fffffffffffff9305c0c40100', 'hex'));
    expect(readHandshakeMessage(safe)?.timestamp).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe("a session's own default capabilities (codec/default-capabilities.ts): copied and recognised as bytes", () => {
  const template = (streaming: boolean, agentId: string): Capabilities => ({ ...capabilityTemplate(streaming).parts, agentId });
  const agentIds = fc.oneof(fc.uuid(), textOf(300), fc.constantFrom('', 'a'.repeat(31), 'a'.repeat(32), 'a'.repeat(255), 'a'.repeat(256), 'é'.repeat(128)));

  it('writes the generic encoder\'s bytes for any agent id and session id, and reads them back as the generic decoder does', () => {
    fc.assert(
      fc.property(fc.boolean(), agentIds, textOf(80), (streaming, agentId, sid) => {
        const c = template(streaming, agentId);
        const generic = encodeMsgpack(capsArray(c));
        expect(hex(writeCapabilities(c))).toBe(hex(generic));
        const accept = encodeMsgpack([sid, capsArray(c)]);
        expect(hex(writeAcceptPayload(sid, c))).toBe(hex(accept));
        expect(outcome(() => decodeCapabilities(generic))).toEqual(outcome(() => genericCapabilities(generic)));
        expect(outcome(() => decodeAcceptPayload(accept))).toEqual(outcome(() => genericAccept(accept)));
      }),
      { numRuns: 400 },
    );
  });

  it('shares frozen parts between sessions, and hands the application fresh, unfrozen values', () => {
    const a = sessionCapabilities();
    const b = sessionCapabilities();
    expect(a.agentId).not.toBe(b.agentId);
    expect(a.compression).toBe(b.compression);
    expect(Object.isFrozen(a.compression) && Object.isFrozen(a.compression.algorithms) && Object.isFrozen(a.security) && Object.isFrozen(a.extensions)).toBe(true);
    // The same values as defaultCapabilities() (which the application gets, mutable).
    expect({ ...a, agentId: 'x' }).toEqual(defaultCapabilities({ agentId: 'x' }));
    const read = readCapabilities(writeCapabilities(a)!)!;
    expect(read).toEqual(a);
    expect(Object.isFrozen(read.compression) || Object.isFrozen(read.compression.algorithms) || read.compression === a.compression).toBe(false);
    read.compression.algorithms.push('none');
    expect(readCapabilities(writeCapabilities(a)!)).toEqual(a);
  });

  it('takes the field-by-field path once version or agent type differ, or other parts are given', () => {
    const c = template(false, 'agent');
    for (const other of [{ ...c, version: '3.1' }, { ...c, agentType: 'other' }, { ...c, compression: { ...c.compression } }, { ...c, extensions: { k: 'v' } }]) {
      expect(hex(writeCapabilities(other))).toBe(hex(encodeMsgpack(capsArray(other))));
      const bytes = encodeMsgpack(capsArray(other));
      expect(outcome(() => readCapabilities(bytes))).toEqual(outcome(() => genericCapabilities(bytes)));
    }
  });

  it('an agent id that is not UTF-8, or one over the limit, or a changed tail, gets the generic decoder\'s answer', () => {
    const ok = writeCapabilities(template(true, 'ok-agent'))!;
    const bad = ok.slice();
    bad[2 + 4 + 1] = 0xff; // the agent id's first byte (after [0x9f, 0], the version '3.0' and the id's head)
    expect(outcome(() => decodeCapabilities(bad))).toEqual(outcome(() => genericCapabilities(bad)));
    expect(outcome(() => decodeCapabilities(bad))).toMatchObject({ error: { code: 'INVALID_MESSAGE' } });
    const long = encodeMsgpack(capsArray(template(true, 'a'.repeat(257))));
    expect(outcome(() => decodeCapabilities(long))).toMatchObject({ error: { code: 'LIMIT_EXCEEDED' } });
    for (let i = 0; i < ok.length; i++) {
      const changed = ok.slice();
      changed[i] ^= 0x01;
      expect(outcome(() => decodeCapabilities(changed))).toEqual(outcome(() => genericCapabilities(changed)));
    }
  });
});
