/**
 * The clock sessions read and schedule on, injectable so tests drive every timer by hand.
 * @module
 */

/** A source of time and one-shot timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms`; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer from {@link Clock.setTimeout}; a handle that already ran or was cleared is ignored. */
  clearTimeout(handle: unknown): void;
}

/** The real clock: `Date.now` and the global timers (unref'd on Node so they never hold a process open). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = globalThis.setTimeout(fn, ms) as unknown as { unref?: () => void };
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * A clock that moves only when told: `advance(ms)` runs every timer that falls due, in order.
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const s = new SessionCore({ role: 'client', clock });
 * clock.advance(30_000); // the HELLO timeout fires
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  constructor(start = 1_705_520_400_000) {
    this.#now = start;
  }
  /** The manual time in epoch milliseconds; changes only through `advance`. */
  now(): number {
    return this.#now;
  }
  /** Schedules `fn` to run when `advance` reaches `ms` from now (negative counts as 0); returns a numeric handle. */
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }
  /** Cancels a pending timer; unknown handles are ignored. */
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  /** Moves time forward by `ms`, firing due timers in time order (timers they set included). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
    }
    this.#now = end;
  }
  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }
}
