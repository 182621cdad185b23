/**
 * A small seeded PRNG (xorshift128+ on 32-bit halves) so every fuzz run can be replayed.
 * @module
 */
export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  constructor(seed: number) {
    this.#a = seed | 0 || 1;
    this.#b = 0x9e3779b9;
    this.#c = 0x243f6a88;
    this.#d = 0xb7e15162;
    for (let i = 0; i < 16; i++) this.u32();
  }
  /** Uniform 32-bit unsigned integer (xoshiro128**). */
  u32(): number {
    const r = Math.imul(Math.imul(this.#b, 5) << 7 | Math.imul(this.#b, 5) >>> 25, 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = (this.#d << 11) | (this.#d >>> 21);
    return r;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}
