/**
 * Anti-replay for transport counters: strict order (window 0, for stream transports), or a
 * sliding window of recently seen counters (RFC 6479 style, for transports that may reorder).
 * @module
 */
import { M2MError } from '@m2m/core/internal';

/** Largest window: 1024 counters behind the newest. */
export const MAX_REPLAY_WINDOW = 1024;

/** Tracks which counters were accepted. */
export class ReplayWindow {
  /** How many counters behind the newest may still arrive out of order (0: strictly in order). */
  readonly size: number;
  /** Highest accepted counter, -1 before the first. */
  #top = -1;
  /**
   * Slot `c mod (size + 1)` holds the last accepted counter that maps there. Inside the window
   * no two counters share a slot, so "seen" is one comparison: O(1) per message at any size.
   */
  #ring: Float64Array;

  /** @throws M2MError of kind Config outside 0…1024. */
  constructor(size = 0) {
    if (!Number.isInteger(size) || size < 0 || size > MAX_REPLAY_WINDOW) throw new M2MError('Config', { reason: `replay window must be an integer from 0 to ${MAX_REPLAY_WINDOW}, got ${String(size)}` });
    this.size = size;
    this.#ring = new Float64Array(size + 1).fill(-1);
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
    if (this.#top - counter > this.size || this.#ring[counter % this.#ring.length] === counter) throw new M2MError('ReplayDetected', { counter });
  }

  /** Records an authenticated counter (call after {@link check} and decryption). */
  commit(counter: number): void {
    this.#ring[counter % this.#ring.length] = counter;
    if (counter > this.#top) this.#top = counter;
  }

  /** The newest accepted counter (-1 before any). */
  get newest(): number {
    return this.#top;
  }
}
