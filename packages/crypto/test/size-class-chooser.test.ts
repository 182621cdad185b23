import { describe, expect, it } from 'vitest';
import { CLOSE_GAP, MAX_GAP, SAMPLE_EVERY, SAMPLES_PER_EPOCH, SizeClassChooser } from '../src/backend/size-class-chooser.js';

/** Runs `calls` picks for `size`, answering timed ones with `cost(which)`; returns how often each ran. */
function drive(chooser: SizeClassChooser, size: number, calls: number, cost: (which: 0 | 1) => number): [number, number] {
  const ran: [number, number] = [0, 0];
  for (let i = 0; i < calls; i++) {
    const pick = chooser.pick(size);
    const which = (pick & 1) as 0 | 1;
    ran[which]++;
    if (pick >= 2) chooser.record(size, which, cost(which));
  }
  return ran;
}

describe('SizeClassChooser (AEAD library per size class, issue 18)', () => {
  it('moves a size class to the implementation its timings favour, and leaves other classes alone', () => {
    const c = new SizeClassChooser();
    expect(c.choiceFor(65536)).toBe(0);
    const epoch = SAMPLES_PER_EPOCH * SAMPLE_EVERY;
    // Large messages: the second implementation is 30% faster.
    drive(c, 65536, epoch, (w) => (w === 0 ? 130 : 100));
    expect(c.choiceFor(65536)).toBe(1);
    expect(c.choiceFor(70000)).toBe(1); // same class (bit length 17)
    expect(c.choiceFor(64)).toBe(0);
    // A close loser is still tried once in CLOSE_GAP calls after that (a warm-up call, then a
    // timed one): each change of library costs more than its calls, so not every 16th call.
    const closeEpoch = SAMPLES_PER_EPOCH * CLOSE_GAP;
    const [first, second] = drive(c, 65536, closeEpoch, (w) => (w === 0 ? 130 : 100));
    expect(first).toBe((2 * closeEpoch) / CLOSE_GAP);
    expect(second).toBe(closeEpoch - first);
  });

  it('tries a far slower implementation ever more rarely (libsodium vs node:crypto at 64 B), down to one call in MAX_GAP', () => {
    const c = new SizeClassChooser();
    drive(c, 64, 100_000, (w) => (w === 0 ? 10 : 100));
    expect(c.choiceFor(64)).toBe(0);
    const [, tried] = drive(c, 64, 10 * MAX_GAP, (w) => (w === 0 ? 10 : 100));
    expect(tried).toBeLessThanOrEqual(20); // 10 tries, each a warm-up call and a timed one
    // ...and comes back quickly once it turns faster: within SAMPLES_PER_EPOCH tries.
    drive(c, 64, (SAMPLES_PER_EPOCH + 1) * MAX_GAP, (w) => (w === 0 ? 100 : 10));
    expect(c.choiceFor(64)).toBe(1);
  });

  it('sends an implementation twice as slow or worse straight to MAX_GAP after one epoch; one 1.6x as slow only ramps', () => {
    const epoch = SAMPLES_PER_EPOCH * SAMPLE_EVERY;
    const far = new SizeClassChooser();
    drive(far, 64, epoch, (w) => (w === 0 ? 10 : 35));
    expect(far.choiceFor(64)).toBe(0);
    const [, farTried] = drive(far, 64, 8 * MAX_GAP, (w) => (w === 0 ? 10 : 35));
    expect(farTried).toBeLessThanOrEqual(2 * 8 + 2); // one try (warm-up + timed) per MAX_GAP calls
    const near = new SizeClassChooser();
    drive(near, 64, epoch, (w) => (w === 0 ? 10 : 16));
    const [, nearTried] = drive(near, 64, 8 * MAX_GAP, (w) => (w === 0 ? 10 : 16));
    expect(nearTried).toBeGreaterThan(2 * 8 + 2);
  });

  it('follows a change: when the first implementation becomes faster, the class moves back', () => {
    const c = new SizeClassChooser();
    const epoch = SAMPLES_PER_EPOCH * SAMPLE_EVERY;
    drive(c, 20000, epoch, (w) => (w === 0 ? 200 : 100));
    expect(c.choiceFor(20000)).toBe(1);
    drive(c, 20000, SAMPLES_PER_EPOCH * CLOSE_GAP, (w) => (w === 0 ? 90 : 100));
    expect(c.choiceFor(20000)).toBe(0);
  });

  it('judges by the fastest timing, so a few slow outliers (a busy machine) do not flip a class', () => {
    const c = new SizeClassChooser();
    const epoch = 4 * SAMPLES_PER_EPOCH * SAMPLE_EVERY;
    let n = 0;
    // The first implementation is faster, but every other timing of it is hit by a 10x stall.
    drive(c, 4096, epoch, (w) => (w === 0 ? (n++ % 2 ? 1000 : 80) : 100));
    expect(c.choiceFor(4096)).toBe(0);
  });
});
