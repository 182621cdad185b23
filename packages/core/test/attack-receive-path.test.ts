import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { decodeFrame, encodeFrame, isSdkError, type DecodeFrameOptions, type FrameProtection } from '@m2m/core';
import { crc32Table, decodeFramePayload } from '@m2m/core/internal';

// Attacks on the receive path's one-pass read (frame-payload.ts finishPayloadFast,
// crc32.ts crc32TableAscii, platform.asciiText): whatever the bytes, decodeFramePayload must give
// decodeFrame's payload or decodeFrame's typed error, and never a latin1 reading of non-ASCII.

function outcome(run: () => string): string {
  try {
    return `ok ${JSON.stringify(run())}`;
  } catch (e) {
    if (!isSdkError(e)) return `non-sdk ${String(e)}`;
    return `${e.constructor.name} ${e.code} ${e.message}`;
  }
}
function same(bytes: Uint8Array, options: DecodeFrameOptions = {}): string {
  const whole = outcome(() => decodeFrame(bytes, options).payload);
  const payload = outcome(() => decodeFramePayload(bytes, options));
  expect(payload).toBe(whole);
  expect(payload).not.toMatch(/^non-sdk/);
  return payload;
}

// A plain frame's header (an uncompressed request), then our own preamble and payload bytes.
const base = encodeFrame('{"a":1}', { compression: 'auto' });
const head = base.subarray(0, base.length - 7 - 8);
/** A plain frame carrying `payload` under a CRC and declared length of our choosing. */
function frameOf(payload: Uint8Array, crc = crc32Table(payload), declared = payload.length): Uint8Array {
  const out = new Uint8Array(head.length + 8 + payload.length);
  out.set(head);
  const view = new DataView(out.buffer);
  view.setUint32(head.length, declared, true);
  view.setUint32(head.length + 4, crc, true);
  out.set(payload, head.length + 8);
  return out;
}
// ES2024's resizable ArrayBuffer (Node 20 has it; the repo's TypeScript lib predates it).
const Resizable = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
const ascii = (n: number) => Uint8Array.from({ length: n }, (_, i) => 0x20 + (i % 95));
const sizes = [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 254, 255, 256, 257];

describe('one-pass payload read: bytes decodeFrame rejects stay rejected', () => {
  it('rejects every byte 0x80-0xFF alone at each position of the 8-byte block as invalid UTF-8, never as latin1', () => {
    for (const n of [1, 8, 9, 16, 255]) {
      for (const at of new Set([0, 1, 3, 4, 7, n - 1].filter((i) => i >= 0 && i < n))) {
        for (const b of at === n - 1 ? Array.from({ length: 128 }, (_, i) => 0x80 + i) : [0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xef, 0xf0, 0xf4, 0xf5, 0xff]) {
          const p = ascii(n);
          p[at] = b;
          const got = same(frameOf(p));
          // A lone byte >= 0x80 in ASCII is never valid UTF-8: the CRC is right, the text is not.
          expect(got, `n ${n} at ${at} byte ${b}`).toMatch(/^M2MError DECOMPRESSION_FAILED .*Invalid UTF-8/);
        }
      }
    }
  });

  it('decodes valid multi-byte UTF-8 as UTF-8 (not latin1) at every short length, across block edges', () => {
    for (const n of sizes) {
      for (const at of [0, 3, 6, 7, Math.max(0, n - 2)]) {
        if (at + 2 > n) continue;
        const p = ascii(n);
        p.set([0xc3, 0xa9], at); // é
        const want = new TextDecoder().decode(p);
        expect(same(frameOf(p))).toBe(`ok ${JSON.stringify(want)}`);
      }
    }
  });

  it('a CRC equal to the real one plus 2^32, or the CRC of the latin1 text, is a checksum mismatch', () => {
    for (const n of sizes) {
      const p = ascii(n);
      if (n > 0) p[n - 1] = 0xe9; // latin1 é, invalid UTF-8
      const crc = crc32Table(p);
      expect(same(frameOf(p, crc))).toMatch(n > 0 ? /Invalid UTF-8/ : /^ok/);
      const q = ascii(n);
      expect(same(frameOf(q, (crc32Table(q) ^ 0x80000000) >>> 0))).toMatch(/Checksum mismatch/);
      // The stored CRC of an ASCII payload with one bit flipped where the ASCII check looks.
      if (n > 0) {
        const r = ascii(n);
        const stored = crc32Table(r);
        r[n >> 1] |= 0x80;
        expect(same(frameOf(r, stored))).toMatch(/Invalid UTF-8/);
      }
    }
  });

  it('declared lengths that lie (longer, shorter, 2^32-1) and truncations fail as decodeFrame does', () => {
    for (const n of [0, 8, 255, 256, 257]) {
      const p = ascii(n);
      const f = frameOf(p);
      expect(same(f)).toBe(`ok ${JSON.stringify(new TextDecoder().decode(p))}`);
      for (const declared of [n + 1, n + 8, 0xffffffff, 0x7fffffff, 2 ** 31]) expect(same(frameOf(p, crc32Table(p), declared))).toMatch(/^M2MError/);
      // A trailing byte after the declared payload is tolerated by both (the reference's decoder is too).
      if (n > 0) expect(same(frameOf(p, crc32Table(p.subarray(0, n - 1)), n - 1))).toBe(`ok ${JSON.stringify(new TextDecoder().decode(p.subarray(0, n - 1)))}`);
      for (let cut = 1; cut <= Math.min(n + 8, 20); cut++) expect(same(f.subarray(0, f.length - cut))).toMatch(/^M2MError/);
    }
  });

  it('a frame at an odd byteOffset inside a larger buffer of non-ASCII bytes reads only its own range', () => {
    for (const n of sizes) {
      const p = ascii(n);
      const f = frameOf(p);
      for (const offset of [1, 3, 7, 13]) {
        const big = new Uint8Array(offset + f.length + 17).fill(0xff);
        big.set(f, offset);
        const view = big.subarray(offset, offset + f.length);
        expect(same(view)).toBe(`ok ${JSON.stringify(new TextDecoder().decode(p))}`);
        // One byte short: the trailing 0xFF of the larger buffer must not be read as payload.
        expect(same(big.subarray(offset, offset + f.length - 1))).toMatch(/^M2MError/);
        // Buffer views (Node's pool) too.
        expect(same(Buffer.from(big.buffer, offset, f.length))).toBe(`ok ${JSON.stringify(new TextDecoder().decode(p))}`);
      }
    }
  });

  it('a frame over a SharedArrayBuffer decodes as a copy of it does', () => {
    for (const n of [5, 255, 256]) {
      for (const nonAscii of [false, true]) {
        const p = ascii(n);
        if (nonAscii) p.set([0xc3, 0xa9], 1);
        const f = frameOf(p);
        const shared = new Uint8Array(new SharedArrayBuffer(f.length + 3), 3);
        shared.set(f);
        expect(same(shared)).toBe(same(f.slice()));
      }
    }
  });

  it('a length-tracking view over a resizable ArrayBuffer decodes as a copy of it does', () => {
    for (const n of [5, 255, 256]) {
      for (const nonAscii of [false, true]) {
        const p = ascii(n);
        if (nonAscii) p.set([0xc3, 0xa9], 1);
        const f = frameOf(p);
        const buffer = new Resizable(f.length + 2, { maxByteLength: f.length + 64 });
        const tracking = new Uint8Array(buffer, 2);
        tracking.set(f);
        expect(same(tracking)).toBe(same(f.slice()));
        buffer.resize(f.length + 40); // grown: 38 zero bytes after the payload, which is declared shorter
        expect(same(tracking)).toBe(same(f.slice()));
        buffer.resize(f.length - 1); // shrunk: the payload's last byte is gone
        expect(same(tracking)).toMatch(/^M2MError/);
      }
    }
  });

  it('maxDecompressedBytes and maxPayloadBytes at the payload length and one below, ASCII or not', () => {
    for (const n of [1, 8, 200, 255, 256]) {
      for (const nonAscii of [false, true]) {
        const p = ascii(n);
        if (nonAscii && n >= 2) p.set([0xc3, 0xa9], n - 2);
        const f = frameOf(p);
        for (const limit of [n - 1, n]) {
          expect(same(f, { limits: { maxDecompressedBytes: limit } })).toMatch(limit < n ? /^M2MError LIMIT_EXCEEDED/ : /^ok/);
          expect(same(f, { limits: { maxPayloadBytes: limit } })).toMatch(limit < n ? /^M2MError LIMIT_EXCEEDED/ : /^ok/);
        }
      }
    }
  });

  it('a Uint8Array of another realm (node:vm) decodes as ours does', () => {
    for (const n of [0, 9, 255, 256]) {
      for (const last of [0x41, 0xe9]) {
        const p = ascii(n + 1);
        p[n] = last;
        const f = frameOf(p);
        const foreign = runInNewContext('new Uint8Array(n)', { n: f.length }) as Uint8Array;
        foreign.set(f);
        expect(foreign instanceof Uint8Array).toBe(false);
        expect(same(foreign)).toBe(same(f));
      }
    }
  });

  it('an array whose length lies fails typed (InvalidMessage), never counts bytes past its end and never accepts what decodeFrame rejects', () => {
    // The CRC stored covers the payload plus bytes that are not there; `length` claims them.
    const real = Uint8Array.from([0x22, 0xc3, 0xa9, 0x22]);
    for (const pad of [1, 4, 10]) {
      for (const payload of [real, ascii(12)]) {
        const padded = new Uint8Array(payload.length + pad);
        padded.set(payload);
        const full = frameOf(padded);
        const short = full.slice(0, full.length - pad);
        Object.defineProperty(short, 'length', { value: full.length });
        expect(same(short)).toMatch(/^M2MError INVALID_MESSAGE/);
        class Longer extends Uint8Array {
          override get length(): number {
            return full.length;
          }
        }
        const sub = new Longer(short.buffer.slice(0));
        expect(same(sub)).toMatch(/^M2MError INVALID_MESSAGE/);
      }
    }
    const f = frameOf(ascii(20));
    for (const key of ['byteOffset', 'byteLength']) {
      const odd = f.slice();
      Object.defineProperty(odd, key, { value: 5 });
      expect(same(odd)).toBe(same(f));
    }
  });

  it('an array whose subarray hands out other bytes gets the text of the bytes whose CRC was checked', () => {
    // A subarray (own, or a subclass's with its species) that hands out other bytes than the array
    // holds: the one-pass read checks the CRC of the array's own bytes, so its text is theirs.
    for (const held of [Uint8Array.from([0x22, 0xc3, 0xa9, 0x22]), Uint8Array.from([0x22, 0x41, 0x42, 0x22])]) {
      for (const other of [ascii(20), Uint8Array.from([0x22, 0xc3, 0xa8, 0x22]), new Uint8Array([0xff])]) {
        const odd = frameOf(held);
        const sub = odd.subarray.bind(odd);
        Object.defineProperty(odd, 'subarray', { value: (s: number, e: number) => (s === odd.length - 4 ? other : sub(s, e)) });
        expect(outcome(() => decodeFramePayload(odd, {}))).toBe(`ok ${JSON.stringify(new TextDecoder().decode(held))}`);
        class Other extends Uint8Array {
          override subarray(): Uint8Array<ArrayBuffer> {
            return other as Uint8Array<ArrayBuffer>;
          }
        }
        const sub2 = new Other(frameOf(held));
        expect(outcome(() => decodeFramePayload(sub2, {}))).toBe(`ok ${JSON.stringify(new TextDecoder().decode(held))}`);
      }
    }
  });
});

// Deterministic stand-in AEADs (core does not depend on @m2m/crypto): the tag covers the AAD.
const sum = (d: Uint8Array) => d.reduce((a, b) => (a * 31 + b) >>> 0, 7);
type AeadProtection = Extract<FrameProtection, { mode: 'aead' }>;
function aeadWith(transient: boolean): AeadProtection {
  const scratch = new Uint8Array(4096).fill(0xff);
  const open = (aad: Uint8Array, sealed: Uint8Array) => {
    if (sealed[sealed.length - 1] !== (sum(aad) & 0xff)) throw new Error('tag mismatch');
    return sealed.subarray(12, sealed.length - 16).map((b, i) => b ^ (i & 0xff));
  };
  return {
    mode: 'aead',
    seal: (aad, p) => ({ nonce: new Uint8Array(12).fill(aad.length & 0xff), ciphertext: p.map((b, i) => b ^ (i & 0xff)), tag: new Uint8Array(16).fill(sum(aad) & 0xff) }),
    open,
    // A reused buffer at an odd offset, 0xFF around the plaintext: only its own range may be read.
    ...(transient
      ? {
          openTransient: (aad: Uint8Array, sealed: Uint8Array) => {
            const plain = open(aad, sealed);
            scratch.fill(0xff);
            scratch.set(plain, 5);
            return scratch.subarray(5, 5 + plain.length);
          },
        }
      : {}),
  } as AeadProtection;
}

describe('one-pass payload read of sealed frames', () => {
  it('non-ASCII, invalid UTF-8 and bad-CRC plaintexts behind a valid tag fail as decodeFrame does', () => {
    for (const transient of [false, true]) {
      const protection = aeadWith(transient);
      for (const text of ['"a"', '"é"', `"${'x'.repeat(240)}"`, `"${'é'.repeat(130)}"`, `"${'y'.repeat(300)}"`]) {
        const f = encodeFrame(text, { compression: 'auto', protection });
        expect(same(f, { protection })).toBe(`ok ${JSON.stringify(text)}`);
      }
      // Sealed plaintexts of our making: preamble, then payload bytes, CRC right or wrong.
      for (const n of [1, 8, 255, 256]) {
        for (const b of [0x41, 0x80, 0xe9, 0xff]) {
          const p = ascii(n);
          p[n - 1] = b;
          for (const crc of [crc32Table(p), (crc32Table(p) + 1) >>> 0]) {
            const plain = new Uint8Array(8 + n);
            new DataView(plain.buffer).setUint32(0, n, true);
            new DataView(plain.buffer).setUint32(4, crc, true);
            plain.set(p, 8);
            const model = encodeFrame('{"a":1}', { compression: 'auto', protection });
            const headerLen = model[7] | (model[8] << 8);
            const aad = model.subarray(7, 7 + headerLen);
            const sealed = protection.seal(aad, plain) as { nonce: Uint8Array; ciphertext: Uint8Array; tag: Uint8Array };
            const f = new Uint8Array(7 + headerLen + 12 + sealed.ciphertext.length + 16);
            f.set(model.subarray(0, 7 + headerLen));
            f.set(sealed.nonce, 7 + headerLen);
            f.set(sealed.ciphertext, 7 + headerLen + 12);
            f.set(sealed.tag, 7 + headerLen + 12 + sealed.ciphertext.length);
            const got = same(f, { protection });
            if (b >= 0x80) expect(got).toMatch(/Invalid UTF-8/);
            else if (crc !== crc32Table(p)) expect(got).toMatch(/Checksum mismatch/);
            else expect(got).toBe(`ok ${JSON.stringify(new TextDecoder().decode(p))}`);
          }
        }
      }
    }
  });
});
