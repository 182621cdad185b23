/**
 * Issue 18: M2M frames travel as bytes in the binary codec (docs/PROTOCOL.md §4.2), the
 * hand-written DATA writer (codec/data-writer.ts) writes what msgpackr writes, and a frame
 * still read as text (the json codec, and the binary codec's earlier shape) decodes the same.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { encodeFrame, encodeFrameText, isM2MError } from '@m2m/core';
import { readDataMessage } from '../src/codec/data-reader.js';
import { decodeStructured } from '../src/codec/binary-codec.js';
import { binaryCodec, decodeMessageBinary, encodeMessageBinary, SessionCore, type Message } from '@m2m/session';
import { decodeMessageJson, encodeMessageJson } from '@m2m/session/json';

/** Bytes as hex, so toEqual compares content and not views. */
const strip = (m: Message) => JSON.parse(JSON.stringify(m, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))) as unknown;
const reference = new Packr({ useRecords: false, variableMapSize: true });
const ALGOS = ['none', 'm2m', 'tokennative', 'brotli'] as const;
const TYPES = ['HELLO', 'ACCEPT', 'REJECT', 'DATA', 'PING', 'PONG', 'CLOSE', 'AUTH'] as const;
const u64 = (n: number) => (n > 0xffff_ffff ? BigInt(n) : n);
/** The §4.2 array of a data-shape message, packed by msgpackr: what the SDK wrote before the hand-written writer. */
const packed = (m: Message & { payload: { kind: 'data' } }) => {
  const d = m.payload.value;
  return new Uint8Array(reference.pack([TYPES.indexOf(m.type), m.sessionId ?? null, u64(m.timestamp), [2, ALGOS.indexOf(d.algorithm), d.content, d.originalSize === undefined ? null : u64(d.originalSize), null]]));
};
const lengths = fc.constantFrom(0, 1, 31, 32, 255, 256, 65535, 65536);
const bytesOf = fc.oneof(fc.uint8Array({ maxLength: 300 }), lengths.map((n) => new Uint8Array(n).fill(7)));
const textOf = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), lengths.map((n) => 'x'.repeat(n)));
const dataMessage = fc.record({
  type: fc.constantFrom(...TYPES),
  sessionId: fc.option(fc.oneof(fc.string({ unit: 'binary' }), fc.uuid()), { nil: undefined }),
  timestamp: fc.oneof(fc.constantFrom(0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 1705520400000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  algorithm: fc.constantFrom(...ALGOS),
  content: fc.oneof(textOf, bytesOf),
  originalSize: fc.option(fc.oneof(fc.constantFrom(0, 127, 128, 65536, 2 ** 32), fc.nat()), { nil: undefined }),
}).map(({ type, sessionId, timestamp, algorithm, content, originalSize }) => {
  const m = { type, timestamp, payload: { kind: 'data' as const, value: { algorithm, content, ...(originalSize === undefined ? {} : { originalSize }) } } };
  return (sessionId === undefined ? m : { ...m, sessionId }) as Message & { payload: { kind: 'data' } };
});

describe('DATA content as bytes in the binary codec', () => {
  it('writes exactly the bytes msgpackr writes for the same message', () => {
    fc.assert(fc.property(dataMessage, (m) => {
      expect(Buffer.from(encodeMessageBinary(m)).toString('hex')).toBe(Buffer.from(packed(m)).toString('hex'));
    }), { numRuns: 500 });
  });

  it('round-trips byte content as bytes and text as text', () => {
    fc.assert(fc.property(dataMessage, (m) => {
      const back = decodeMessageBinary(encodeMessageBinary(m));
      const got = back.payload?.kind === 'data' ? back.payload.value.content : undefined;
      const sent = m.payload.value.content;
      if (typeof sent === 'string') expect(got).toBe(sent);
      else expect(got instanceof Uint8Array && Buffer.from(got).equals(Buffer.from(sent))).toBe(true);
    }), { numRuns: 300 });
  });

  it('carries a frame as bin: 33% smaller than its base64 text, and byte for byte the frame', () => {
    const json = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    const frame = encodeFrame(json);
    const asBytes = encodeMessageBinary({ type: 'DATA', sessionId: 's', timestamp: 1, payload: { kind: 'data', value: { algorithm: 'm2m', content: frame } } });
    const asText = encodeMessageBinary({ type: 'DATA', sessionId: 's', timestamp: 1, payload: { kind: 'data', value: { algorithm: 'm2m', content: encodeFrameText(json) } } });
    // 94 03 a1 73 01 95 02 01 c4 <len> <frame> c0 c0
    expect(Array.from(asBytes.subarray(0, 10))).toEqual([0x94, 0x03, 0xa1, 0x73, 0x01, 0x95, 0x02, 0x01, 0xc4, frame.length]);
    expect(asBytes.subarray(10, 10 + frame.length)).toEqual(frame);
    expect(asBytes.length).toBeLessThan(asText.length);
  });

  it('copies received frame bytes out of the message, so a kept payload does not pin or see the buffer', () => {
    const frame = encodeFrame('{"model":"m","messages":[]}');
    const wire = encodeMessageBinary({ type: 'DATA', sessionId: 's', timestamp: 1, payload: { kind: 'data', value: { algorithm: 'm2m', content: frame } } });
    const m = decodeMessageBinary(wire);
    const got = m.payload?.kind === 'data' ? (m.payload.value.content as Uint8Array) : new Uint8Array();
    wire.fill(0);
    expect(got).toEqual(frame);
    expect(got.buffer).not.toBe(wire.buffer);
  });

  it("the session's codec keeps a frame as a view of a message it was handed, unless that would pin a larger buffer", () => {
    const frame = encodeFrame('{"model":"m","messages":[]}');
    // A message in a buffer of its own, as a transport hands it over.
    const wire = encodeMessageBinary({ type: 'DATA', sessionId: 's', timestamp: 1, payload: { kind: 'data', value: { algorithm: 'm2m', content: frame } } }).slice();
    const contentOf = (m: Message) => (m.payload?.kind === 'data' ? (m.payload.value.content as Uint8Array) : new Uint8Array());
    expect(contentOf(binaryCodec.decode(wire)).buffer).toBe(wire.buffer);
    // The same message inside a 64 KiB socket chunk: copied out.
    const chunk = new Uint8Array(65536);
    chunk.set(wire, 100);
    const got = contentOf(binaryCodec.decode(chunk.subarray(100, 100 + wire.length)));
    expect(got.buffer).not.toBe(chunk.buffer);
    expect(got).toEqual(frame);
  });

  it('the one-pass DATA reader gives what the generic decoder gives, or leaves the input to it', () => {
    const mutate = (b: Uint8Array, i: number, v: number) => {
      const c = b.slice();
      c[i % c.length] = v;
      return c;
    };
    const input = fc.oneof(
      dataMessage.map((m) => encodeMessageBinary(m)),
      fc.tuple(dataMessage, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([m, i, v]) => mutate(encodeMessageBinary(m), i, v)),
      fc.tuple(dataMessage, fc.nat()).map(([m, n]) => encodeMessageBinary(m).subarray(0, n)),
    );
    let fast = 0;
    fc.assert(fc.property(input, (bytes) => {
      const got = readDataMessage(bytes, (v) => v.slice());
      let generic: unknown;
      try {
        generic = decodeStructured(bytes);
      } catch (e) {
        generic = e;
      }
      if (got === undefined) return;
      fast++;
      expect(generic).not.toBeInstanceOf(Error);
      expect(strip(got)).toEqual(strip(generic as Message));
    }), { numRuns: 2000 });
    expect(fast).toBeGreaterThan(500); // it does take the usual DATA
  });

  it('refuses content that is neither text nor binary', () => {
    const bad = new Uint8Array(reference.pack([3, 's', 1, [2, 1, 5, null, null]]));
    let err: unknown;
    try {
      decodeMessageBinary(bad);
    } catch (e) {
      err = e;
    }
    expect(isM2MError(err) && err.kind === 'InvalidMessage' && err.message).toMatch(/content must be a string or binary/);
  });

  it('writes byte frames as their text form under the json codec', () => {
    const json = '{"model":"gpt-4o","messages":[]}';
    const m: Message = { type: 'DATA', sessionId: 's', timestamp: 1, payload: { kind: 'data', value: { algorithm: 'm2m', content: encodeFrame(json) } } };
    const back = decodeMessageJson(encodeMessageJson(m));
    expect(back.payload?.kind === 'data' && back.payload.value.content).toBe(encodeFrameText(json));
  });

  it('a session core reads a frame as bytes or as text (json codec, the earlier binary shape) alike', () => {
    const client = new SessionCore({ role: 'client' });
    const server = new SessionCore({ role: 'server' });
    client.receive(server.receive(client.createHello()).reply!);
    const json = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}';
    const data = client.compress(json);
    const content = data.payload?.kind === 'data' ? data.payload.value.content : '';
    expect(content).toBeInstanceOf(Uint8Array);
    expect(server.receive(decodeMessageBinary(encodeMessageBinary(data))).content).toBe(json);
    expect(server.receive(decodeMessageJson(encodeMessageJson(client.compress(json)))).content).toBe(json);
    // The same frame text the reference sends, counted as the reference counts it.
    expect(client.stats.bytesCompressed).toBe(2 * encodeFrameText(json).length);
  });
});
