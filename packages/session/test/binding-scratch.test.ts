/**
 * The binding fast path (secure/binding.ts): a DATA frame's `aad ‖ binding` is laid out in a
 * per-direction scratch, and the binding bytes are kept there while the next message's binding
 * fields are the same. These tests compare what reaches the AEAD with the generic
 * `aad ‖ messageBinding(m)` over generated message sequences, and check that a kept binding never
 * lets a frame open under a message or headers it was not sealed with.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFrame, encodeFrame } from '@m2m/core';
import { AadRecorder, hex } from './fixtures/aad-recorder.js';
import { CipherState } from '@m2m/crypto';
import { BindingProtection, messageBinding, SecureChannel } from '@m2m/session/internal';
import type { Message } from '@m2m/session';
import { ManualClock } from '@m2m/session/testing';

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
};

/** {@link AadRecorder} with the in-place calls the kept binding uses (secure/kept-binding.ts). */
class Recorder extends AadRecorder {
  sealInPlace(aad: Uint8Array): void {
    this.seen.push(hex(aad));
  }
  openTransient(aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    this.seen.push(hex(aad));
    return sealed.slice(12, sealed.length - 16);
  }
}

// Few distinct values per field, so consecutive messages often repeat (the kept-binding case) and
// often differ in exactly one field.
const dataMessage = fc.record({
  type: fc.constantFrom('DATA' as const, 'DATA' as const, 'PING' as const),
  sessionId: fc.constantFrom('s-1', 's-1', 's-2', 'ß-ü', undefined),
  timestamp: fc.constantFrom(0, 1, 1, 127, 128, 1_705_520_400_000, 2 ** 40),
  algorithm: fc.constantFrom('m2m' as const, 'm2m' as const, 'none' as const, 'brotli' as const),
  originalSize: fc.constantFrom(undefined, undefined, 0, 162, 70_000),
  securityStatus: fc.constantFrom(undefined, undefined, undefined, { scanned: true, safe: true }, { scanned: true, safe: false, threatType: 'injection', confidence: 0.5 }),
});
type Fields = typeof dataMessage extends fc.Arbitrary<infer T> ? T : never;
function toMessage(f: Fields): Message {
  const value: { algorithm: Fields['algorithm']; content: string; originalSize?: number; securityStatus?: NonNullable<Fields['securityStatus']> } = { algorithm: f.algorithm, content: 'ignored' };
  if (f.originalSize !== undefined) value.originalSize = f.originalSize;
  if (f.securityStatus !== undefined) value.securityStatus = f.securityStatus;
  const m: Message = { type: f.type, timestamp: f.timestamp, payload: { kind: 'data', value } };
  if (f.sessionId !== undefined) m.sessionId = f.sessionId;
  return m;
}
const step = fc.record({ fields: dataMessage, aad: fc.oneof(fc.uint8Array({ minLength: 40, maxLength: 40 }), fc.uint8Array({ maxLength: 300 })), call: fc.constantFrom('seal', 'open', 'sealInPlace', 'openTransient') });

describe('binding scratch (secure/binding.ts)', () => {
  it('hands the AEAD exactly aad ‖ messageBinding(m) for every frame of generated message sequences', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const inner = new Recorder();
        const bound = new BindingProtection(inner);
        const expected: string[] = [];
        for (const { fields, aad, call } of steps) {
          const m = toMessage(fields);
          bound.bindMessage(m);
          const sealed = new Uint8Array(12 + 8 + 16);
          if (call === 'seal') bound.seal(aad, new Uint8Array(8));
          else if (call === 'open') bound.open(aad, sealed);
          else if (call === 'sealInPlace') bound.sealInPlace(aad, new Uint8Array(8), new Uint8Array(12), new Uint8Array(16));
          else bound.openTransient(aad, sealed);
          expected.push(hex(concat(aad, messageBinding(m))));
          // A message changed in place after its frame: the next frame binds its new fields.
          if (m.payload?.kind === 'data') m.timestamp += 1;
        }
        expect(inner.seen).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('the same, when each frame changes one binding field of the previous message (or none)', () => {
    const fieldNames = ['type', 'sessionId', 'timestamp', 'algorithm', 'originalSize', 'securityStatus', 'none'] as const;
    const edit = fc.record({ field: fc.constantFrom(...fieldNames), from: dataMessage, call: fc.constantFrom('sealInPlace', 'openTransient'), aadByte: fc.nat(255) });
    fc.assert(
      fc.property(dataMessage, fc.array(edit, { minLength: 1, maxLength: 30 }), (first, edits) => {
        const inner = new Recorder();
        const bound = new BindingProtection(inner);
        const expected: string[] = [];
        let fields: Fields = first;
        for (const { field, from, call, aadByte } of edits) {
          if (field !== 'none') fields = { ...fields, [field]: from[field] };
          const m = toMessage(fields);
          const aad = new Uint8Array(48).fill(aadByte);
          bound.bindMessage(m);
          if (call === 'sealInPlace') bound.sealInPlace(aad, new Uint8Array(8), new Uint8Array(12), new Uint8Array(16));
          else bound.openTransient(aad, new Uint8Array(36));
          expected.push(hex(concat(aad, messageBinding(m))));
        }
        expect(inner.seen).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('bytes set with `binding` are bound as given, before and after message frames', () => {
    const inner = new Recorder();
    const bound = new BindingProtection(inner);
    const aad = new Uint8Array([1, 2, 3]);
    const m = toMessage({ type: 'DATA', sessionId: 's-1', timestamp: 5, algorithm: 'm2m', originalSize: undefined, securityStatus: undefined });
    bound.bindMessage(m);
    bound.sealInPlace(aad, new Uint8Array(1), new Uint8Array(12), new Uint8Array(16));
    bound.binding = new Uint8Array([9, 9]);
    bound.sealInPlace(aad, new Uint8Array(1), new Uint8Array(12), new Uint8Array(16));
    bound.bindMessage(m);
    bound.sealInPlace(aad, new Uint8Array(1), new Uint8Array(12), new Uint8Array(16));
    expect(inner.seen).toEqual([hex(concat(aad, messageBinding(m))), '0102030909', hex(concat(aad, messageBinding(m)))]);
  });
});

describe('binding scratch: tampering still fails with a binding kept from the previous frame', () => {
  const channels = () => {
    const clock = new ManualClock();
    const k1 = new Uint8Array(32).fill(7);
    const k2 = new Uint8Array(32).fill(8);
    return [new SecureChannel(new CipherState(k1), new CipherState(k2), clock), new SecureChannel(new CipherState(k2), new CipherState(k1), clock)] as const;
  };
  const json = (i: number) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `message ${i}` }] });
  const base = (): Message => ({ type: 'DATA', sessionId: 'sess', timestamp: 1_000, payload: { kind: 'data', value: { algorithm: 'm2m', content: '' } } });
  const edits: [string, (m: Message) => void][] = [
    ['timestamp', (m) => (m.timestamp += 1)],
    ['session id', (m) => (m.sessionId = 'sesT')],
    ['type', (m) => (m.type = 'PING')],
    ['algorithm', (m) => ((m.payload as { value: { algorithm: string } }).value.algorithm = 'none')],
    ['original size', (m) => ((m.payload as { value: { originalSize?: number } }).value.originalSize = 3)],
    ['security status', (m) => ((m.payload as { value: { securityStatus?: object } }).value.securityStatus = { scanned: true, safe: true })],
  ];

  for (const [name, edit] of edits) {
    it(`a frame sealed for another ${name} does not open under the message the receiver bound last`, () => {
      const [a, b] = channels();
      const tx = new BindingProtection(a.data);
      const rx = new BindingProtection(b.data);
      const m = base();
      // Frame 0: sealed and opened under m, so the receiver keeps m's binding.
      tx.bindMessage(m);
      const f0 = encodeFrame(json(0), { protection: tx, compression: 'auto' });
      rx.bindMessage(m);
      expect(decodeFrame(f0, { protection: rx }).payload).toBe(json(0));
      // Frame 1: the sender binds an edited message; the receiver is shown the original.
      const edited = base();
      edit(edited);
      tx.bindMessage(edited);
      const f1 = encodeFrame(json(1), { protection: tx, compression: 'auto' });
      rx.bindMessage(m);
      expect(() => decodeFrame(f1, { protection: rx })).toThrow(/authentication tag mismatch|Decryption failed/i);
      // And the other way round: frame 1 sealed with the sender's kept binding of m, shown the edit.
      const [c, d] = channels();
      const tx2 = new BindingProtection(c.data);
      const rx2 = new BindingProtection(d.data);
      const g = [0, 1].map((i) => {
        tx2.bindMessage(m);
        return encodeFrame(json(i), { protection: tx2, compression: 'auto' });
      });
      rx2.bindMessage(m);
      expect(decodeFrame(g[0], { protection: rx2 }).payload).toBe(json(0));
      rx2.bindMessage(edited);
      expect(() => decodeFrame(g[1], { protection: rx2 })).toThrow(/authentication tag mismatch|Decryption failed/i);
      // A failed open moves no state: under m it opens.
      rx2.bindMessage(m);
      expect(decodeFrame(g[1], { protection: rx2 }).payload).toBe(json(1));
    });
  }

  it('a header byte changed at the same length fails although the binding bytes are kept', () => {
    const [a, b] = channels();
    const tx = new BindingProtection(a.data);
    const rx = new BindingProtection(b.data);
    const m = base();
    const frames = [0, 1, 2].map((i) => {
      tx.bindMessage(m);
      return encodeFrame(json(i), { protection: tx, compression: 'auto' });
    });
    rx.bindMessage(m);
    expect(decodeFrame(frames[0], { protection: rx }).payload).toBe(json(0));
    // The model name in the variable headers, one letter changed: the headers still parse.
    const forged = frames[1].slice();
    const at = Buffer.from(forged).indexOf('gpt-4o');
    expect(at).toBeGreaterThan(0);
    forged[at] = 'h'.charCodeAt(0);
    rx.bindMessage(m);
    expect(() => decodeFrame(forged, { protection: rx })).toThrow(/authentication tag mismatch|Decryption failed/i);
    // The genuine frame still opens afterwards (a failed open moved no state).
    rx.bindMessage(m);
    expect(decodeFrame(frames[1], { protection: rx }).payload).toBe(json(1));
  });
});

describe("a channel's reused plaintext buffer across sizes (secure/secure-channel.ts)", () => {
  it('opens frames whose sizes go up past each growth and back down, each to its own payload', () => {
    const clock = new ManualClock();
    const k1 = new Uint8Array(32).fill(3);
    const k2 = new Uint8Array(32).fill(4);
    const a = new SecureChannel(new CipherState(k1), new CipherState(k2), clock);
    const b = new SecureChannel(new CipherState(k2), new CipherState(k1), clock);
    const sizes = [10, 10, 300, 20, 300, 301, 700, 5, 700, 0, 1200, 250, 250];
    for (const n of sizes) {
      const text = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'y'.repeat(n) }] });
      const frame = encodeFrame(text, { protection: a.data, compression: 'auto' });
      expect(decodeFrame(frame, { protection: b.data }).payload).toBe(text);
    }
  });
});
