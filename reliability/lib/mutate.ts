/**
 * Mutation operators for byte inputs: bit flips, interesting bytes and lengths, truncation,
 * insertion, deletion, duplication, splicing, and plain random input.
 * @module
 */
import type { Prng } from './prng.js';

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x23, 0x7b, 0x94, 0xc1];
const LENGTHS = [0, 1, 0x7f, 0x80, 0xffff, 0x10000, 0x7fffffff, 0xffffffff];

/** One mutated copy of `seed` (`other` is a second seed for splicing). */
export function mutate(rng: Prng, seed: Uint8Array, other: Uint8Array): Uint8Array {
  const b = seed.slice();
  const n = b.length;
  switch (rng.int(10)) {
    case 0: {
      for (let i = 1 + rng.int(4); i > 0 && n; i--) b[rng.int(n)] ^= 1 << rng.int(8);
      return b;
    }
    case 1: {
      if (n) b[rng.int(n)] = rng.pick(INTERESTING);
      return b;
    }
    case 2:
      return b.subarray(0, rng.int(n + 1));
    case 3: {
      const at = rng.int(n + 1);
      const ins = rng.bytes(1 + rng.int(16));
      const out = new Uint8Array(n + ins.length);
      out.set(b.subarray(0, at));
      out.set(ins, at);
      out.set(b.subarray(at), at + ins.length);
      return out;
    }
    case 4: {
      const at = rng.int(n + 1);
      const len = rng.int(Math.min(64, n - at) + 1);
      const out = new Uint8Array(n - len);
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + len), at);
      return out;
    }
    case 5: {
      const at = rng.int(n + 1);
      const len = rng.int(Math.min(256, n - at) + 1);
      const dup = b.subarray(at, at + len);
      const out = new Uint8Array(n + len);
      out.set(b.subarray(0, at + len));
      out.set(dup, at + len);
      out.set(b.subarray(at + len), at + 2 * len);
      return out;
    }
    case 6: {
      const cut = rng.int(n + 1);
      const from = rng.int(other.length + 1);
      const out = new Uint8Array(cut + other.length - from);
      out.set(b.subarray(0, cut));
      out.set(other.subarray(from), cut);
      return out;
    }
    case 7: {
      // A length field lie: a u32 or u16 written somewhere, in either byte order.
      if (n >= 4) {
        const at = rng.int(n - 3);
        const v = rng.pick(LENGTHS);
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        if (rng.int(2)) dv.setUint32(at, v >>> 0, rng.int(2) === 0);
        else dv.setUint16(at, v & 0xffff, rng.int(2) === 0);
      }
      return b;
    }
    case 8:
      return rng.bytes(rng.int(300));
    default: {
      for (let i = 0; i < 1 + rng.int(8) && n; i++) b[rng.int(n)] = rng.u32() & 0xff;
      return b;
    }
  }
}
