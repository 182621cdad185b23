/**
 * An attacker against the size-class chooser (backend/size-class-chooser.ts). A window's cost is
 * the process CPU clock across the whole window, so work done between two of its calls counts
 * against the library in that window (on purpose: what a library leaves behind is its cost). A
 * sender that is the only one of a size class can count that class's calls, and while the
 * schedule of windows is a pure function of that count, it knows which library each call runs:
 * it sends its own costly messages right after the calls of the library it wants rejected, and
 * keeps every small open of the process on the library ten times slower, at the price of a few
 * messages per thousand.
 */
import { describe, expect, it } from 'vitest';
import { SizeClassChooser } from '../src/backend/size-class-chooser.js';

/**
 * Runs `calls` 64 B opens on `victim` while an attacker replays the schedule on a chooser of its
 * own and adds work of its own after each call it expects on libsodium. Returns the share of
 * calls that ran on node:crypto.
 */
function attack(victim: (clock: () => number) => SizeClassChooser, calls: number): number {
  // libsodium (0) opens 64 B in a tenth of node:crypto's (1) time (docs/ARCHITECTURE.md).
  const cost = [1, 10];
  const HEAVY = 200; // one larger message of the attacker's own: parsed, decompressed, answered
  let victimNow = 0;
  let mirrorNow = 0;
  const v = victim(() => victimNow);
  // The attacker's replay of the victim's chooser, fed the costs it expects and its own work.
  const mirror = new SizeClassChooser(() => mirrorNow, () => 0.5);
  let slow = 0;
  for (let i = 0; i < calls; i++) {
    const guess = mirror.pick(64);
    mirrorNow += cost[guess & 1];
    if (guess >= 2) mirror.record(64, (guess & 1) as 0 | 1);
    const pick = v.pick(64);
    const which = (pick & 1) as 0 | 1;
    slow += which;
    victimNow += cost[which];
    if (pick >= 2) v.record(64, which);
    if ((guess & 1) === 0) {
      // Work the attacker makes the process do before the class's next call.
      victimNow += HEAVY;
      mirrorNow += HEAVY;
    }
  }
  return slow / calls;
}

describe('size-class chooser against a sender that times its own costly messages', () => {
  it('cannot keep 64 B opens on the library ten times slower by replaying the schedule', () => {
    // Periods of a fixed length (the idle stretch at its mean every time): the replay is exact.
    expect(attack((clock) => new SizeClassChooser(clock, () => 0.5), 400_000)).toBeGreaterThan(0.9);
    // The backend's chooser (random idle stretches): only the first epochs can be steered.
    expect(attack((clock) => new SizeClassChooser(clock), 400_000)).toBeLessThan(0.2);
  });
});
