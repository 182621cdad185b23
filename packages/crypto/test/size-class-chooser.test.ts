import { describe, expect, it } from 'vitest';
import { CLOSE_GAP, EARLY_PAIRS, FAR_FIRST_GAP, firstEpochShape, FAR_WARM_UP, FAR_WINDOW, FIRST_GAP, FIRST_WARM_UP, FIRST_WINDOW, MAX_GAP, NEAR_WARM_UP, WARM_UP, WINDOW, WINDOWS_PER_EPOCH, SizeClassChooser } from '../src/backend/size-class-chooser.js';

/**
 * A chooser on an injected clock that advances only by the calls' costs, so every run is
 * deterministic. `cost(which, n)` is the cost of the `n`th call (over the whole drive) of
 * implementation `which`.
 */
function harness() {
  let now = 0;
  // The idle stretch of each period at its mean (it is random in the backend), so counts are exact.
  const chooser = new SizeClassChooser(() => now, () => 0.5);
  const n: [number, number] = [0, 0];
  /** Runs `calls` calls of `size`; returns how many ran on each implementation. */
  const drive = (size: number, calls: number, cost: (which: 0 | 1, n: number) => number, fails?: (i: number) => boolean): [number, number] => {
    const ran: [number, number] = [0, 0];
    for (let i = 0; i < calls; i++) {
      const pick = chooser.pick(size);
      const which = (pick & 1) as 0 | 1;
      ran[which]++;
      const spent = cost(which, n[which]++); // may itself advance the clock (see advance)
      now += spent;
      if (fails?.(i)) chooser.discard(size);
      else if (pick >= 2) chooser.record(size, which);
    }
    return ran;
  };
  return { chooser, drive, advance: (t: number) => (now += t) };
}

const firstEpoch = WINDOWS_PER_EPOCH * FIRST_GAP;
const closeEpoch = WINDOWS_PER_EPOCH * CLOSE_GAP;

describe('SizeClassChooser (AEAD library per size class, issue 18)', () => {
  it('moves a size class to the implementation its windows favour, and leaves other classes alone', () => {
    const { chooser, drive } = harness();
    expect(chooser.choiceFor(65536)).toBe(0);
    drive(65536, firstEpoch, (w) => (w === 0 ? 130 : 100));
    expect(chooser.choiceFor(65536)).toBe(1);
    expect(chooser.choiceFor(70000)).toBe(1); // same class (bit length 17)
    expect(chooser.choiceFor(64)).toBe(0);
    // A close loser then runs once per CLOSE_GAP calls: its run-up and one window (the period
    // in which the class moved is still a first-epoch one, hence the allowance of one such period).
    const [first] = drive(65536, closeEpoch, (w) => (w === 0 ? 130 : 100));
    // Right after a move the two count as near: the long run-up before each window.
    expect(first).toBeGreaterThanOrEqual((WINDOWS_PER_EPOCH - 1) * (NEAR_WARM_UP + WINDOW));
    expect(first).toBeLessThanOrEqual(WINDOWS_PER_EPOCH * (NEAR_WARM_UP + WINDOW) + FIRST_GAP);
    // Once it has lost by 30% (more than NEAR), the short run-up.
    const [later] = drive(65536, closeEpoch, (w) => (w === 0 ? 130 : 100));
    expect(later).toBeLessThanOrEqual((WINDOWS_PER_EPOCH + 1) * (WARM_UP + WINDOW));
  });

  it('judges throughput: fastest single calls lose to a steadier implementation with the lower mean (64 KiB: libsodium vs node:crypto)', () => {
    const { chooser, drive } = harness();
    // Implementation 0: 43.6 per call, but every 4th call pays 100 more (collection after
    // allocation): mean 68.6. Implementation 1: 45.7 every call. By best timing 0 wins.
    drive(65536, firstEpoch, (w, n) => (w === 0 ? 43.6 + (n % 4 === 3 ? 100 : 0) : 45.7));
    expect(chooser.choiceFor(65536)).toBe(1);
    // ...and it stays there over further epochs.
    drive(65536, 4 * closeEpoch, (w, n) => (w === 0 ? 43.6 + (n % 4 === 3 ? 100 : 0) : 45.7));
    expect(chooser.choiceFor(65536)).toBe(1);
  });

  it('counts cost paid between calls inside a window (the clock runs across the whole window)', () => {
    const { chooser, drive, advance } = harness();
    // Each call of 0 costs 40 in the call and 30 right after it (before the next call starts).
    drive(16384, firstEpoch, (w) => (w === 0 ? (advance(30), 40) : 50));
    expect(chooser.choiceFor(16384)).toBe(1);
  });

  it('keeps a measured choice while the other is less than 2% cheaper', () => {
    const { chooser, drive } = harness();
    drive(32768, firstEpoch, () => 100); // measured: the two equal, the first kept
    drive(32768, 3 * closeEpoch, (w) => (w === 0 ? 100 : 99));
    expect(chooser.choiceFor(32768)).toBe(0);
    drive(32768, 2 * closeEpoch, (w) => (w === 0 ? 100 : 97));
    expect(chooser.choiceFor(32768)).toBe(1);
  });

  it('runs a far slower implementation ever more rarely (libsodium vs node:crypto at 64 B), down to one period in MAX_GAP calls', () => {
    const { chooser, drive } = harness();
    drive(64, 100_000, (w) => (w === 0 ? 10 : 100));
    expect(chooser.choiceFor(64)).toBe(0);
    const [, tried] = drive(64, 10 * MAX_GAP, (w) => (w === 0 ? 10 : 100));
    expect(tried).toBeLessThanOrEqual(11 * (FAR_WARM_UP + FAR_WINDOW));
    // ...and comes back within one epoch of MAX_GAP periods once it turns faster.
    drive(64, (WINDOWS_PER_EPOCH + 1) * MAX_GAP, (w) => (w === 0 ? 100 : 10));
    expect(chooser.choiceFor(64)).toBe(1);
  });

  it('sends an implementation twice as slow or worse to MAX_GAP after two epochs (the first may meet it cold); one 1.6x as slow only ramps', () => {
    const far = harness();
    far.drive(64, firstEpoch + WINDOWS_PER_EPOCH * FAR_FIRST_GAP, (w) => (w === 0 ? 10 : 35));
    expect(far.chooser.choiceFor(64)).toBe(0);
    const [, farTried] = far.drive(64, 8 * MAX_GAP, (w) => (w === 0 ? 10 : 35));
    expect(farTried).toBeLessThanOrEqual(9 * (FAR_WARM_UP + FAR_WINDOW));
    const near = harness();
    near.drive(64, firstEpoch, (w) => (w === 0 ? 10 : 16));
    const [, nearTried] = near.drive(64, 8 * MAX_GAP, (w) => (w === 0 ? 10 : 16));
    expect(nearTried).toBeGreaterThan(9 * (FAR_WARM_UP + FAR_WINDOW));
  });

  it('follows a change: when the first implementation becomes faster, the class moves back', () => {
    const { chooser, drive } = harness();
    drive(20000, firstEpoch, (w) => (w === 0 ? 200 : 100));
    expect(chooser.choiceFor(20000)).toBe(1);
    drive(20000, closeEpoch + CLOSE_GAP, (w) => (w === 0 ? 90 : 100));
    expect(chooser.choiceFor(20000)).toBe(0);
  });

  it('judges on the median of paired windows, so one long stall (work of another thread) does not flip a class', () => {
    const { chooser, drive } = harness();
    // Implementation 0 is 20% cheaper, but one of its calls in the epoch takes 100,000.
    let stalled = false;
    drive(4096, firstEpoch, (w) => (w === 0 ? (stalled ? 80 : ((stalled = true), 100_000)) : 100));
    expect(chooser.choiceFor(4096)).toBe(0);
  });

  it('drops a window in which a call failed (a refused open does no decryption)', () => {
    const { chooser, drive } = harness();
    // Implementation 1 looks far cheaper, but every call of its windows (the calls after its
    // run-up in each first-epoch period) fails: none of them counts.
    const inWindow = (i: number) => i % FIRST_GAP >= FIRST_WARM_UP && i % FIRST_GAP < FIRST_WARM_UP + FIRST_WINDOW;
    drive(2048, 4 * firstEpoch, (w) => (w === 0 ? 100 : 1), inWindow);
    expect(chooser.choiceFor(2048)).toBe(0);
    // The same without failures moves the class.
    const control = harness();
    control.drive(2048, firstEpoch, (w) => (w === 0 ? 100 : 1));
    expect(control.chooser.choiceFor(2048)).toBe(1);
  });

  it('ends a first epoch early when the two are clearly apart (1 MiB: node:crypto 25% faster), so the equal share stops sooner', () => {
    for (const size of [16384, 1 << 20]) {
      const { chooser, drive } = harness();
      const { gap } = firstEpochShape(SizeClassChooser.classOf(size));
      // Before, the class ran half its calls on the slower library for a whole first epoch.
      const [slowInEpoch] = drive(size, EARLY_PAIRS * gap, (w) => (w === 0 ? 125 : 100));
      expect(slowInEpoch).toBe((EARLY_PAIRS * gap) / 2);
      expect(chooser.choiceFor(size)).toBe(1);
      // What was the rest of the first epoch: the loser runs only in the close periods' windows.
      const [slowAfter] = drive(size, firstEpoch, (w) => (w === 0 ? 125 : 100));
      expect(slowAfter).toBeLessThanOrEqual(2 * (NEAR_WARM_UP + WINDOW));
      // One stray pair among the first ones does not hold the decision back.
      const stray = harness();
      let calls = 0;
      stray.drive(size, EARLY_PAIRS * gap, (w) => (++calls <= gap ? 100 : w === 0 ? 125 : 100));
      expect(stray.chooser.choiceFor(size)).toBe(1);
    }
  });

  it('shortens the first epoch above 128 KiB so it takes about the same time at every size (1 MiB: 6-call periods, not 64)', () => {
    expect(firstEpochShape(SizeClassChooser.classOf(65536))).toEqual({ warm: FIRST_WARM_UP, window: FIRST_WINDOW, gap: FIRST_GAP });
    expect(firstEpochShape(SizeClassChooser.classOf(1 << 20))).toEqual({ warm: 1, window: 2, gap: 6 });
    // A 1 MiB class where the second library is 30% faster and the two are close in noise
    // (every third period reads them equal, so it does not end early) moves within one first epoch of 24 short periods.
    const { chooser, drive } = harness();
    let call = 0;
    const [slow] = drive(1 << 20, WINDOWS_PER_EPOCH * 6, (w) => (Math.floor(call++ / 6) % 3 === 0 ? 100 : w === 0 ? 130 : 100));
    expect(chooser.choiceFor(1 << 20)).toBe(1);
    expect(slow).toBe((WINDOWS_PER_EPOCH * 6) / 2);
    // Then a loser twice as slow ramps from the full first period, not from the short one.
    const far = harness();
    far.drive(1 << 20, WINDOWS_PER_EPOCH * 6, (w) => (w === 0 ? 100 : 180));
    const [, tried] = far.drive(1 << 20, 8 * FIRST_GAP, (w) => (w === 0 ? 100 : 180));
    expect(tried).toBeLessThanOrEqual(8 * (FAR_WARM_UP + FAR_WINDOW));
  });

  it('decides a first epoch on the median alone: the starting choice is no measured winner (64 KiB: the other 1% cheaper)', () => {
    const { chooser, drive } = harness();
    drive(65536, firstEpoch, (w) => (w === 0 ? 100 : 99));
    expect(chooser.choiceFor(65536)).toBe(1);
    // ...and from then on the margin protects the measured choice.
    drive(65536, 3 * closeEpoch, (w) => (w === 0 ? 99.5 : 100));
    expect(chooser.choiceFor(65536)).toBe(1);
  });

  it('keeps the whole first epoch while the two are close (64 KiB: 5% apart)', () => {
    const { chooser, drive } = harness();
    const [chosen, other] = drive(65536, firstEpoch - FIRST_GAP, (w) => (w === 0 ? 100 : 95));
    expect(other).toBe(chosen); // still the equal share of a first epoch
    expect(chooser.choiceFor(65536)).toBe(0);
    drive(65536, FIRST_GAP, (w) => (w === 0 ? 100 : 95));
    expect(chooser.choiceFor(65536)).toBe(1);
  });

  it('does not move on a clock too coarse to see the calls (every window 0)', () => {
    const { chooser, drive } = harness();
    drive(256, 4 * firstEpoch, () => 0);
    expect(chooser.choiceFor(256)).toBe(0);
  });
});
