/**
 * A session's DATA frame is encoded straight into its binary message (`frameAllocatorFor` in
 * codec/data-writer.ts): the message's fields are written around the frame when it is placed,
 * and `writeDataMessage` hands those bytes back only while the message still has the fields they
 * were written from. Whatever happens between placing and writing (fields changed, another
 * message written first, another session id), the bytes must be msgpackr's for the message as
 * it is when written.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { frameAllocatorFor, writeDataMessage } from '../src/codec/data-writer.js';
import { encodeMessageBinary, type Message } from '@m2m/session';

type DataMessage = Message & { payload: { kind: 'data' } };
const reference = new Packr({ useRecords: false, variableMapSize: true });
const ALGOS = ['none', 'm2m', 'tokennative', 'brotli'] as const;
const TYPES = ['HELLO', 'ACCEPT', 'REJECT', 'DATA', 'PING', 'PONG', 'CLOSE', 'AUTH'] as const;
const u64 = (n: number) => (n > 0xffff_ffff ? BigInt(n) : n);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** The §4.2 array of a data-shape message as msgpackr packs it. */
const packed = (m: DataMessage) => {
  const d = m.payload.value;
  return new Uint8Array(reference.pack([TYPES.indexOf(m.type), m.sessionId ?? null, u64(m.timestamp), [2, ALGOS.indexOf(d.algorithm), d.content, d.originalSize === undefined ? null : u64(d.originalSize), null]]));
};

const sessionId = fc.option(fc.oneof(fc.uuid(), fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('', 's', 'x'.repeat(31), 'x'.repeat(32), 'é'.repeat(40))), { nil: undefined });
const timestamp = fc.oneof(fc.constantFrom(0, 127, 128, 65536, 2 ** 32 - 1, 2 ** 32, 1705520400000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const originalSize = fc.option(fc.oneof(fc.constantFrom(0, 127, 128, 65536, 2 ** 32), fc.nat()), { nil: undefined });
const fields = fc.record({ type: fc.constantFrom(...TYPES), sessionId, timestamp, algorithm: fc.constantFrom(...ALGOS), originalSize });
type Fields = typeof fields extends fc.Arbitrary<infer T> ? T : never;

const messageOf = (f: Fields): DataMessage => {
  const value = { algorithm: f.algorithm, content: '' as string | Uint8Array, ...(f.originalSize === undefined ? {} : { originalSize: f.originalSize }) };
  const m = { type: f.type, timestamp: f.timestamp, payload: { kind: 'data' as const, value } };
  return (f.sessionId === undefined ? m : { ...m, sessionId: f.sessionId }) as DataMessage;
};

/** What may happen to a message between placing its frame and writing it. */
const edits = fc.constantFrom('none', 'timestamp', 'sessionId', 'dropSessionId', 'type', 'algorithm', 'originalSize', 'dropOriginalSize', 'securityStatus', 'newValue', 'newPayload', 'otherContent', 'otherFirst', 'placeOther');

describe('DATA frames placed inside their message', () => {
  it('writes msgpackr bytes for the message as it is when written, whatever changed after placing', () => {
    fc.assert(
      fc.property(fields, fields, fc.nat({ max: 2100 }), edits, fc.uint8Array({ minLength: 1, maxLength: 8 }), (f, g, n, edit, fill) => {
        const m = messageOf(f);
        const frame = frameAllocatorFor(m)(n);
        expect(frame.length).toBe(n);
        for (let i = 0; i < n; i++) frame[i] = fill[i % fill.length]!;
        m.payload.value.content = frame;
        const mm = m as { -readonly [K in keyof DataMessage]: DataMessage[K] };
        const v = m.payload.value as { -readonly [K in keyof typeof m.payload.value]: (typeof m.payload.value)[K] };
        switch (edit) {
          case 'timestamp': mm.timestamp = g.timestamp; break;
          case 'sessionId': mm.sessionId = g.sessionId ?? 'other'; break;
          case 'dropSessionId': delete mm.sessionId; break;
          case 'type': mm.type = g.type; break;
          case 'algorithm': v.algorithm = g.algorithm; break;
          case 'originalSize': v.originalSize = g.originalSize ?? 7; break;
          case 'dropOriginalSize': delete v.originalSize; break;
          case 'securityStatus': v.securityStatus = { threatLevel: 'none', safe: true } as never; break;
          case 'newValue': mm.payload = { kind: 'data', value: { ...v } }; break;
          case 'newPayload': mm.payload = { kind: 'data', value: v }; break;
          case 'otherContent': v.content = frame.slice(); break;
          case 'otherFirst': {
            // Another message written between placing and writing this one.
            const o = messageOf(g);
            o.payload.value.content = fill;
            expect(hex(writeDataMessage(o)!)).toBe(hex(packed(o)));
            break;
          }
          case 'placeOther': {
            // Another frame placed (and written) before this message is written.
            const o = messageOf(g);
            const of = frameAllocatorFor(o)(fill.length);
            of.set(fill);
            o.payload.value.content = of;
            expect(hex(writeDataMessage(o)!)).toBe(hex(packed(o)));
            break;
          }
        }
        const out = writeDataMessage(m);
        if (v.securityStatus !== undefined) {
          expect(out).toBeUndefined();
          return;
        }
        expect(hex(out!)).toBe(hex(packed(m as DataMessage)));
        // Written once: a second write of the same message is written afresh, the same bytes.
        expect(hex(encodeMessageBinary(m))).toBe(hex(out!));
      }),
      { numRuns: 1500 },
    );
  });

  it('hands back the placed bytes themselves, the frame inside them, when nothing changed', () => {
    const m = messageOf({ type: 'DATA', sessionId: 'a-session', timestamp: 1705520400000, algorithm: 'm2m', originalSize: undefined });
    const frame = frameAllocatorFor(m)(200);
    frame.fill(9);
    m.payload.value.content = frame;
    const out = writeDataMessage(m)!;
    expect(out.buffer).toBe(frame.buffer);
    expect(frame.byteOffset).toBeGreaterThan(out.byteOffset);
    expect(frame.byteOffset + frame.length).toBeLessThanOrEqual(out.byteOffset + out.length);
    expect(hex(out)).toBe(hex(packed(m)));
  });
});
