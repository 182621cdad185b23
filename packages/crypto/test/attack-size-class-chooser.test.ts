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

describe('size-class chooser against a sender that times its own costly messages', () => {
  it('cannot keep 64 B opens on the library ten times slower by replaying the schedule', () => {
    // libsodium (0) opens 64 B in a tenth of node:crypto's (1) time (docs/ARCHITECTURE.md).
    const cost = [1, 10];
    const HEAVY = 200; // one larger message of the attacker's own: parsed, decompressed, answered
    let victimNow = 0;
    let mirrorNow = 0;
    const victim = new SizeClassChooser(() => victimNow);
    // The attacker's replay of the victim's chooser, fed the costs it expects and its own work.
    const mirror = new SizeClassChooser(() => mirrorNow);
    const ran = [0, 0];
    const calls = 400_000;
    for (let i = 0; i < calls; i++) {
      const guess = mirror.pick(64);
      mirrorNow += cost[guess & 1];
      if (guess >= 2) mirror.record(64, (guess & 1) as 0 | 1);
      const pick = victim.pick(64);
      const which = (pick & 1) as 0 | 1;
      ran[which]++;
      victimNow += cost[which];
      if (pick >= 2) victim.record(64, which);
      if ((guess & 1) === 0) {
        // Work the attacker makes the process do before the class's next call.
        victimNow += HEAVY;
        mirrorNow += HEAVY;
      }
    }
    // Honest measuring puts almost every call on libsodium; the attack kept ~99% on node:crypto.
    expect(ran[1] / calls).toBeLessThan(0.2);
    expect(victim.choiceFor(64)).toBe(0);
  });
});
