/**
 * Picks the faster of two implementations per message size class, from timings of real calls:
 * where libsodium and node:crypto cross over depends on the CPU, the OpenSSL build and the load,
 * so it is measured where the code runs, not assumed (issue 18; bench/crypto.ts prints the
 * choices).
 *
 * A size class is a power-of-two range (by bit length). In each class the chosen implementation
 * has one call in {@link SAMPLE_EVERY} timed, and the other one is tried, timed, once every
 * `gap` calls. When the other one has {@link SAMPLES_PER_EPOCH} timings, the class takes
 * whichever has the lower best time per byte (the fastest of its timings: a busy machine only
 * ever adds time) and a new epoch starts. The gap starts at {@link SAMPLE_EVERY}; each epoch the
 * other implementation loses by more than half again, it at least doubles (and goes straight to
 * {@link MAX_GAP} when the other one takes twice as long or more): libsodium opens 64 B in
 * a tenth of node:crypto's time, and trying the loser every 16th call would cost a third of the
 * winner's speed. A close or winning contender is tried every {@link CLOSE_GAP} calls, so a
 * change of load or size mix is followed within an epoch.
 *
 * The call path costs one counter decrement: something happens only at every
 * `SAMPLE_EVERY / 2`th call of a class (a timed call of the chosen one, a try of the other, or
 * nothing), and gaps are whole multiples of {@link SAMPLE_EVERY}. The first version did two
 * divisions per call, which cost 5-9% of a 64 B libsodium seal (bench/crypto.ts).
 *
 * A try of the other implementation is two calls in a row, only the second timed: the first
 * call after fifteen of the other library runs with cold caches, and timing it made the
 * incumbent look faster than it was (at 64 KiB libsodium stayed chosen while node:crypto sealed
 * 12% faster, bench/crypto.ts).
 * @module
 */

/** One call in this many of the chosen implementation is timed, per size class. */
export const SAMPLE_EVERY = 16;
/**
 * Gap between tries of a close or winning contender after the first epoch (the first epoch tries
 * every {@link SAMPLE_EVERY} calls, to settle a new class fast). Each change of library costs
 * more than the calls themselves: node:crypto's first seal of 64 KiB after a run of libsodium
 * seals took twice its steady time (119 against 56-58 µs, median of 150 runs), so a try every
 * 16th call cost ~6-10% at 16-64 KiB (paired rounds, ours over the better raw library at 64 KiB:
 * ×0.91-0.92 with tries every 16 calls, ×0.95-0.98 every 64, ×1.03 every 128).
 */
export const CLOSE_GAP = 128;
/**
 * Timings of the other implementation per epoch. The fastest of 8 timings still moved by several
 * percent between epochs on the shared machine, so two libraries within a few percent of each
 * other (16-64 KiB here) swapped back and forth and the class ran on the slower one about half
 * the time; 24 timings and a 2% margin for switching keep a class where it is unless the other
 * library is really faster.
 */
export const SAMPLES_PER_EPOCH = 24;
/** The other implementation takes over only when its best timing is this much lower. */
export const SWITCH_MARGIN = 0.98;
/** Longest gap between two tries of a clearly slower implementation. */
export const MAX_GAP = 4096;
const CLASSES = 33; // bit lengths 0..32

/**
 * What {@link SizeClassChooser.pick} asks of a call: 0 or 1, run that implementation untimed;
 * 2 or 3, run implementation `pick - 2` and report its time with {@link SizeClassChooser.record}.
 */
export type Pick = 0 | 1 | 2 | 3;

/** Per size class choice between two implementations (0 = first, 1 = second). */
export class SizeClassChooser {
  readonly #choice = new Uint8Array(CLASSES);
  readonly #calls = new Uint32Array(CLASSES);
  /** Calls of each class left before the next one that is timed or tried. */
  readonly #left = new Int32Array(CLASSES);
  /** 1 while the next call of the class is the timed half of a try (its warm-up just ran). */
  readonly #tryNext = new Uint8Array(CLASSES);
  readonly #gap = new Uint32Array(CLASSES).fill(SAMPLE_EVERY);
  /** Best time per byte this epoch, [class * 2 + implementation]. */
  readonly #best = new Float64Array(CLASSES * 2).fill(Infinity);
  /** Timings of the implementation not chosen, this epoch. */
  readonly #tries = new Uint8Array(CLASSES);

  /** The size class of a message of `size` bytes. */
  static classOf(size: number): number {
    return 32 - Math.clz32(size);
  }

  /** What to run for a message of `size` bytes. */
  pick(size: number): Pick {
    const c = 32 - Math.clz32(size);
    if (this.#left[c]-- > 0) return this.#choice[c] as Pick;
    return this.#event(c);
  }

  /** Call number `n` of class `c`, a multiple of `SAMPLE_EVERY / 2`: time, try, or just run. */
  #event(c: number): Pick {
    const chosen = this.#choice[c] as 0 | 1;
    if (this.#tryNext[c]) {
      // The timed half of a try; the warm-up used the first call of this block of SAMPLE_EVERY / 2.
      this.#tryNext[c] = 0;
      this.#left[c] = SAMPLE_EVERY / 2 - 2;
      return (3 - chosen) as Pick;
    }
    const n = this.#calls[c];
    this.#calls[c] = n + SAMPLE_EVERY / 2;
    this.#left[c] = SAMPLE_EVERY / 2 - 1;
    // The other implementation at call 0 of each gap (an untimed warm-up, then a timed call),
    // the chosen one timed half a period later.
    if (n % this.#gap[c] === 0) {
      this.#tryNext[c] = 1;
      this.#left[c] = 0;
      return (1 - chosen) as Pick;
    }
    if (n % SAMPLE_EVERY === SAMPLE_EVERY / 2) return (2 + chosen) as Pick;
    return chosen;
  }

  /** Reports the time (any unit, the same for both) of a call {@link pick} asked to time. */
  record(size: number, which: 0 | 1, elapsed: number): void {
    const c = SizeClassChooser.classOf(size);
    const i = 2 * c + which;
    this.#best[i] = Math.min(this.#best[i], elapsed / (size + 1));
    if (which === this.#choice[c] || ++this.#tries[c] < SAMPLES_PER_EPOCH) return;
    const chosen = this.#best[2 * c + this.#choice[c]];
    const other = this.#best[i];
    if (other < SWITCH_MARGIN * chosen) {
      this.#choice[c] = which;
      this.#gap[c] = CLOSE_GAP;
    } else {
      // A loser k times slower costs 2 (k - 1) / gap of a call on average (a try is two calls):
      // keep that under 1/32 and shrinking. One twice as slow or worse (libsodium against
      // node:crypto at 64 B and 1 KiB) goes straight to MAX_GAP: the epochs of doubling gaps that
      // took it there cost ~5% of a 64 B seal over its first ~100k calls (bench/crypto.ts).
      const k = other / chosen;
      const gap = k > 2 ? MAX_GAP : k > 1.5 ? Math.min(MAX_GAP, Math.max(2 * this.#gap[c], CLOSE_GAP, Math.ceil(64 * (k - 1)))) : CLOSE_GAP;
      this.#gap[c] = Math.ceil(gap / SAMPLE_EVERY) * SAMPLE_EVERY;
    }
    this.#best[2 * c] = this.#best[2 * c + 1] = Infinity;
    this.#tries[c] = 0;
  }

  /** The implementation currently chosen for messages of `size` bytes. */
  choiceFor(size: number): 0 | 1 {
    return this.#choice[SizeClassChooser.classOf(size)] as 0 | 1;
  }
}
