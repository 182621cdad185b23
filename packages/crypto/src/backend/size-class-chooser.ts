/**
 * Picks the faster of two implementations per message size class, from the cost of real calls:
 * where libsodium and node:crypto cross over depends on the CPU, the OpenSSL build and the load,
 * so it is measured where the code runs, not assumed (issue 18; bench/crypto.ts prints the
 * choices).
 *
 * A size class is a power-of-two range (by bit length). The signal is throughput: the clock the
 * caller injects (the sodium backend passes process CPU time, all threads) is read around a
 * window of consecutive calls of the class on one implementation. The fastest single timing,
 * which the first versions used, favoured libsodium at 64 KiB (43.6 against 45.7 µs per call)
 * while node:crypto ran more calls per CPU-second (×1.05-1.14 in paired rounds): part of a call's
 * cost is paid outside it (allocation, collection, work on V8's helper threads), and the best
 * call is the one that paid none of it. A window's CPU time counts those costs and, unlike
 * wall-clock time, not the moments the process was descheduled.
 *
 * Every `gap` calls of a class make one period: a run-up of the other implementation, a window of
 * it, a run-up of the chosen one and a window of it, then the chosen one for the rest. Both
 * windows follow the same run-up, so the costs a change of library leaves behind (cold caches,
 * collection of what the previous one allocated) land on both alike. A period gives one ratio,
 * other window / chosen window, measured moments apart under the same load; after
 * {@link WINDOWS_PER_EPOCH} periods the class moves when the median ratio is below
 * {@link SWITCH_MARGIN}, and a new epoch starts (a first epoch can end after {@link EARLY_PAIRS}
 * periods when the two are clearly apart). The median of paired ratios is what
 * bench/crypto.ts's verdict uses too: on the shared 2-core machine the mean of each library's
 * windows flipped a class whose libraries differ by a quarter (16 KiB opens).
 *
 * The period is {@link FIRST_GAP} in a class's first epoch (to settle a clear difference fast;
 * shorter above 128 KiB, see {@link FULL_FIRST_CLASS}),
 * {@link CLOSE_GAP} while the other implementation is within half again (with a long run-up while
 * the two are within {@link NEAR}), and grows to {@link MAX_GAP} while it loses by more (with the
 * shortest window: libsodium opens 64 B in a tenth of node:crypto's time, and its calls are the
 * cost of looking).
 *
 * The call path costs one counter decrement: the clock is read, and anything else happens, only
 * at a window's first and last call and at a period's first call.
 * @module
 */

/** Calls per window while the two are within half again. */
export const WINDOW = 16;
/**
 * Unmeasured calls of an implementation before its window while the two are within
 * {@link NEAR}. With 4-call windows after 2 run-up calls, at 64 KiB (where the two libraries
 * ran equally fast in 2 ms runs) the incumbent read 4-7% cheaper whichever library it was;
 * 16-call windows after 48 run-up calls read within ±3% (scratch runs of this chooser on raw
 * calls; docs/ARCHITECTURE.md, Performance notes).
 */
export const NEAR_WARM_UP = 48;
/** Ratio under which the two count as near (the long run-up pays for itself). */
export const NEAR = 1.1;
/** Unmeasured calls before a window while the other is between {@link NEAR} and half again as slow (a few percent of bias no longer decides). */
export const WARM_UP = 8;
/** Window and run-up while the other implementation is far slower (precision no longer matters, its calls do). */
export const FAR_WINDOW = 2;
export const FAR_WARM_UP = 1;
/**
 * Window and run-up of a class's first epoch, whose period the two implementations share equally.
 * In bench/crypto.ts a class at 64 KiB runs ~25,000 calls before its second epoch ends, so the
 * first one decides what the bench sees: with 2 run-up calls and 4-call windows it read
 * node:crypto 11-12% dearer (the incumbent's advantage) and kept libsodium.
 */
export const FIRST_WINDOW = 16;
export const FIRST_WARM_UP = 16;
/** Period of a class's first epoch, in calls. */
export const FIRST_GAP = 64;
/**
 * The largest class (by bit length: 64 KiB to 128 KiB - 1) whose first epoch has the full
 * {@link FIRST_WINDOW} and {@link FIRST_WARM_UP}. Above it each class halves them (down to 2 and 1)
 * and its period with them, so a first epoch takes about the same CPU time at every size: at
 * 1 MiB its 1,536 calls took 2-4 s of CPU, longer than bench/crypto.ts's whole row, half of them
 * on the slower library; 2-call windows of a 1 MiB call are milliseconds long, and what a change
 * of library leaves behind is small beside such a call.
 */
export const FULL_FIRST_CLASS = 17;

/** Run-up, window and period of the first epoch of class `c` (see {@link FULL_FIRST_CLASS}). */
export function firstEpochShape(c: number): { warm: number; window: number; gap: number } {
  const shift = Math.max(0, c - FULL_FIRST_CLASS);
  const warm = Math.max(1, FIRST_WARM_UP >> shift);
  const window = Math.max(2, FIRST_WINDOW >> shift);
  return { warm, window, gap: shift === 0 ? FIRST_GAP : 2 * (warm + window) };
}
/**
 * Period after the first epoch while the other implementation is within half again or winning:
 * its run-up and window cost at most ~1% of the calls' time (64 of 1,024 calls up to 10% slower,
 * 24 up to half again as slow), and each change of library costs more than a call at 16-64 KiB
 * (node:crypto's first 64 KiB seal after libsodium seals took twice its steady time).
 */
export const CLOSE_GAP = 1024;
/** Periods (pairs of windows) per epoch. */
export const WINDOWS_PER_EPOCH = 24;
/**
 * A class's first epoch ends early, after this many periods or more, when all of its ratios but
 * at most one lie beyond {@link CLEAR_GAP} on the same side (the two are clearly apart). The
 * first epoch shares its calls equally between the two, so while it lasts a class runs at their
 * average: at 1 MiB, where libsodium is 20-30% slower, its 1,536 calls (2-4 s of CPU) spanned
 * bench/crypto.ts's whole row, whose verdict then read ours at ×0.865 of raw node:crypto
 * (docs/ARCHITECTURE.md, Performance notes). Two libraries within noise of each other (64 KiB)
 * almost never pass this, and keep the full epoch.
 */
export const EARLY_PAIRS = 8;
/** How far apart a first epoch's ratios must be to end it early (see {@link EARLY_PAIRS}). */
export const CLEAR_GAP = 0.1;
/**
 * The other implementation takes over only when the median ratio of its windows to the chosen
 * one's is below this: a measured choice is kept against noise. Not in a class's first epoch,
 * whose incumbent is only the starting point (libsodium), not a measured winner: there the
 * median decides alone. With the margin there, node:crypto opening 64 KiB 3-8% faster than
 * libsodium in place often did not pass it, and the class stayed on libsodium through the next
 * epoch (24,576 calls, longer than bench/crypto.ts's row: ours ×0.92-0.96 of raw node:crypto,
 * missed once; docs/ARCHITECTURE.md, Performance notes).
 */
export const SWITCH_MARGIN = 0.98;
/**
 * Period after a first epoch that found the other implementation twice as slow or worse: the
 * first epoch can meet node:crypto's JavaScript not yet optimized (its first few hundred calls in
 * a process), so it gets one more epoch before {@link MAX_GAP}.
 */
export const FAR_FIRST_GAP = 1024;
/** Longest period of a clearly slower other implementation. */
export const MAX_GAP = 4096;
const CLASSES = 33; // bit lengths 0..32

/**
 * The calls of a period after its two windows: `idle` on average, drawn from [idle/2, 3·idle/2).
 * With a fixed length the windows' places were a function of the class's call count: a sender
 * alone in a class could replay it and put its own costly messages between the calls of one
 * library's windows (the clock runs across a window), which kept 64 B opens on node:crypto, ten
 * times slower, for a few messages per thousand (test/attack-size-class-chooser.test.ts).
 */
function idleCalls(idle: number, random: () => number): number {
  return idle <= 1 ? idle : (idle >>> 1) + Math.floor(random() * idle);
}

/**
 * What {@link SizeClassChooser.pick} asks of a call: 0 or 1, run that implementation; 2 or 3, run
 * implementation `pick - 2` and then call {@link SizeClassChooser.record} (the last call of a window).
 */
export type Pick = 0 | 1 | 2 | 3;

// What the next event of a class is.
const OTHER_WARM = 0;
const OTHER_START = 1;
const OTHER_END = 2;
const CHOSEN_START = 3;
const CHOSEN_END = 4;

/** Per size class choice between two implementations (0 = first, 1 = second). */
export class SizeClassChooser {
  readonly #clock: () => number;
  readonly #choice = new Uint8Array(CLASSES);
  /** The implementation calls run on until the next event (the other one during its warm-up and window). */
  readonly #run = new Uint8Array(CLASSES);
  /** Calls of each class left before its next event. */
  readonly #left = new Int32Array(CLASSES);
  readonly #step = new Uint8Array(CLASSES);
  readonly #gap = new Uint32Array(CLASSES);
  readonly #window = new Uint8Array(CLASSES);
  readonly #warm = new Uint8Array(CLASSES);
  /** 1 while a class is in its first epoch. */
  readonly #first = new Uint8Array(CLASSES).fill(1);
  /** Window and run-up from the next period on (set by an epoch's end, which may fall mid-period). */
  readonly #nextWindow = new Uint8Array(CLASSES);
  readonly #nextWarm = new Uint8Array(CLASSES);
  /** Clock at the open window's first call; NaN when no window is open (or it was discarded). */
  readonly #start = new Float64Array(CLASSES).fill(NaN);
  /** The other implementation's window this period (NaN: none, or it was discarded). */
  readonly #otherCost = new Float64Array(CLASSES).fill(NaN);
  /** This epoch's ratios other / chosen of the two windows of a period, [class * WINDOWS_PER_EPOCH + i]. */
  readonly #ratios = new Float64Array(CLASSES * WINDOWS_PER_EPOCH);
  readonly #pairs = new Uint8Array(CLASSES);

  readonly #random: () => number;

  /**
   * @param clock any monotonic cost clock; the same for both implementations (tests inject one).
   * @param random uniform in [0, 1), for the idle stretch of each period (tests inject a constant
   * 0.5: the mean, every period then as long as without the jitter).
   */
  constructor(clock: () => number, random: () => number = Math.random) {
    this.#clock = clock;
    this.#random = random;
    for (let c = 0; c < CLASSES; c++) {
      const { warm, window, gap } = firstEpochShape(c);
      this.#warm[c] = this.#nextWarm[c] = warm;
      this.#window[c] = this.#nextWindow[c] = window;
      this.#gap[c] = gap;
    }
  }

  /** The size class of a message of `size` bytes. */
  static classOf(size: number): number {
    return 32 - Math.clz32(size);
  }

  /** What to run for a message of `size` bytes. */
  pick(size: number): Pick {
    const c = 32 - Math.clz32(size);
    if (this.#left[c]-- > 0) return this.#run[c] as Pick;
    return this.#event(c);
  }

  #event(c: number): Pick {
    const chosen = this.#choice[c] as 0 | 1;
    const other = (1 - chosen) as 0 | 1;
    const window = this.#window[c];
    switch (this.#step[c]) {
      case OTHER_WARM:
        this.#window[c] = this.#nextWindow[c];
        this.#warm[c] = this.#nextWarm[c];
        this.#run[c] = other;
        this.#left[c] = this.#warm[c] - 1;
        this.#step[c] = OTHER_START;
        return other;
      case OTHER_START:
        this.#left[c] = window - 2;
        this.#step[c] = OTHER_END;
        this.#start[c] = this.#clock();
        return other;
      case OTHER_END:
        this.#run[c] = chosen;
        this.#left[c] = this.#warm[c];
        this.#step[c] = CHOSEN_START;
        return (2 + other) as Pick;
      case CHOSEN_START:
        this.#left[c] = window - 2;
        this.#step[c] = CHOSEN_END;
        this.#start[c] = this.#clock();
        return chosen;
      default:
        this.#left[c] = idleCalls(this.#gap[c] - 2 * (this.#warm[c] + window), this.#random);
        this.#step[c] = OTHER_WARM;
        return (2 + chosen) as Pick;
    }
  }

  /** Ends the window whose last call {@link pick} answered with 2 or 3 (`which` = that answer - 2). */
  record(size: number, which: 0 | 1): void {
    const c = SizeClassChooser.classOf(size);
    const start = this.#start[c];
    this.#start[c] = NaN;
    if (Number.isNaN(start)) return;
    const cost = Math.max(0, this.#clock() - start);
    if (which !== this.#choice[c]) {
      this.#otherCost[c] = cost;
      return;
    }
    // The chosen window closes the period: its pair is the other's window of the same period,
    // if that one counted. A chosen window of 0 (a clock too coarse for it) says nothing.
    const other = this.#otherCost[c];
    this.#otherCost[c] = NaN;
    if (Number.isNaN(other) || cost <= 0) return;
    const n = this.#pairs[c];
    this.#ratios[c * WINDOWS_PER_EPOCH + n] = other / cost;
    this.#pairs[c] = n + 1;
    if (n + 1 === WINDOWS_PER_EPOCH || (n + 1 >= EARLY_PAIRS && this.#first[c] === 1 && this.#clearlyApart(c, n + 1))) this.#decide(c, n + 1);
  }

  /** Whether all of class `c`'s first `count` ratios but at most one lie beyond {@link CLEAR_GAP} on one side of 1. */
  #clearlyApart(c: number, count: number): boolean {
    let cheaper = 0;
    let dearer = 0;
    for (let i = c * WINDOWS_PER_EPOCH, end = i + count; i < end; i++) {
      const r = this.#ratios[i];
      if (r < 1 - CLEAR_GAP) cheaper++;
      else if (r > 1 / (1 - CLEAR_GAP)) dearer++;
    }
    return cheaper >= count - 1 || dearer >= count - 1;
  }

  /**
   * Drops the open window of `size`'s class, if any: a call in it did not do the measured work
   * (an open refused for a bad tag returns before decrypting).
   */
  discard(size: number): void {
    const c = SizeClassChooser.classOf(size);
    this.#start[c] = NaN;
    this.#otherCost[c] = NaN;
  }

  /** Ends an epoch of class `c` after `count` pairs: keeps or switches on their median ratio, and sets the period. */
  #decide(c: number, count: number): void {
    const k = this.#ratios.subarray(c * WINDOWS_PER_EPOCH, c * WINDOWS_PER_EPOCH + count).sort()[count >> 1];
    this.#pairs[c] = 0;
    const first = this.#first[c] === 1;
    this.#first[c] = 0;
    let warm = NEAR_WARM_UP;
    let window = WINDOW;
    if (k < (first ? 1 : SWITCH_MARGIN)) {
      this.#choice[c] = 1 - this.#choice[c];
      this.#gap[c] = CLOSE_GAP;
    } else if (k <= 1.5) {
      if (k > NEAR) warm = WARM_UP;
      this.#gap[c] = CLOSE_GAP;
    } else {
      // A loser k times slower costs (run-up + window) (k - 1) / gap of a call on average: one
      // twice as slow or worse (libsodium against node:crypto at 64 B and 1 KiB) goes to
      // MAX_GAP after at most two epochs, with the shortest window; the epochs of doubling
      // periods that took it there cost ~5% of a 64 B seal over its first ~100k calls
      // (bench/crypto.ts).
      warm = FAR_WARM_UP;
      window = FAR_WINDOW;
      this.#gap[c] = k > 2 ? (first ? FAR_FIRST_GAP : MAX_GAP) : Math.min(MAX_GAP, 2 * Math.max(FIRST_GAP, this.#gap[c]));
    }
    // A new window length applies from the next period (this one's rest was counted with the old one).
    this.#nextWindow[c] = window;
    this.#nextWarm[c] = warm;
    // The epoch ends with the chosen window, where the fast path runs the chosen implementation.
    this.#run[c] = this.#choice[c];
  }

  /** The implementation currently chosen for messages of `size` bytes. */
  choiceFor(size: number): 0 | 1 {
    return this.#choice[SizeClassChooser.classOf(size)] as 0 | 1;
  }
}
