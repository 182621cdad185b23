/**
 * Anti-replay for transport counters: strict order (window 0, for stream transports), or a
 * sliding window of recently seen counters (RFC 6479 style, for transports that may reorder).
 * @module
 */
import { M2MError } from '@m2m/core';

/** Largest window: 1024 counters behind the newest. */
export const MAX_REPLAY_WINDOW = 1024;

/** Tracks which counters were accepted. */
export class ReplayWindow {
  readonly size: number;
  /** Highest accepted counter, -1 before the first. */
  #top = -1;
  /** Bit i set = counter top - i was accepted. */
  #seen: Uint8Array;

  /** @throws M2MError of kind Config outside 0…1024. */
  constructor(size = 0) {
    if (!Number.isInteger(size) || size < 0 || size > MAX_REPLAY_WINDOW) throw new M2MError('Config', { reason: `replay window must be an integer from 0 to ${MAX_REPLAY_WINDOW}, got ${String(size)}` });
    this.size = size;
    this.#seen = new Uint8Array(Math.ceil((size + 1) / 8));
  }

  /**
   * Throws unless `counter` may be accepted: the next one in strict mode; newer than the
   * newest, or inside the window and not yet seen, otherwise. Does not record it.
   * @throws M2MError of kind ReplayDetected.
   */
  check(counter: number): void {
    if (this.size === 0) {
      if (counter !== this.#top + 1) throw new M2MError('ReplayDetected', { counter });
      return;
    }
    if (counter > this.#top) return;
    const age = this.#top - counter;
    if (age > this.size || this.#bit(age)) throw new M2MError('ReplayDetected', { counter });
  }

  /** Records an authenticated counter (call after {@link check} and decryption). */
  commit(counter: number): void {
    if (counter > this.#top) {
      const shift = this.#top < 0 ? this.size + 1 : counter - this.#top;
      this.#shift(shift);
      this.#top = counter;
      this.#set(0);
    } else this.#set(this.#top - counter);
  }

  /** The newest accepted counter (-1 before any). */
  get newest(): number {
    return this.#top;
  }

  #bit(i: number): boolean {
    return (this.#seen[i >> 3] & (1 << (i & 7))) !== 0;
  }
  #set(i: number): void {
    if (i <= this.size) this.#seen[i >> 3] |= 1 << (i & 7);
  }
  #shift(n: number): void {
    if (n > this.size) {
      this.#seen.fill(0);
      return;
    }
    // Move every bit n places older; bits past the window fall off.
    for (let i = this.size; i >= 0; i--) {
      const from = i - n;
      const v = from >= 0 && this.#bit(from);
      if (v) this.#seen[i >> 3] |= 1 << (i & 7);
      else this.#seen[i >> 3] &= ~(1 << (i & 7));
    }
  }
}
