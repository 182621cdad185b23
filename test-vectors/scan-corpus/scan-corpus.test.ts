import { describe, expect, it } from 'vitest';
import { scan } from '@m2m/core/scan';
import { inputOf, loadCorpus, score, TYPES, type Verdict } from './evaluate.js';

// The labelled corpus (attacks.jsonl, benign.jsonl; see build.ts for how it was written and
// split). Targets of issue 16: detection ≥ 90% and false positives ≤ 2%, over the whole
// corpus and per threat type. `pnpm bench scan` prints the full table beside the reference.
const items = loadCorpus();
const verdicts = new Map<string, Verdict>();
for (const item of items) {
  const r = scan(inputOf(item) as Parameters<typeof scan>[0]);
  verdicts.set(item.id, { block: r.shouldBlock, topType: r.threats[0]?.category });
}
const all = score(items, verdicts);

describe('scan corpus', () => {
  it('has at least 300 attacks (40+ per type) and 300 benign items', () => {
    expect(all.attacks.n).toBeGreaterThanOrEqual(300);
    expect(all.benign.n).toBeGreaterThanOrEqual(300);
    for (const t of TYPES) expect(all.detection[t].n, t).toBeGreaterThanOrEqual(40);
  });
  it('detects at least 90% of attacks overall', () => {
    expect(all.attacks.hit / all.attacks.n, `missed: ${all.missed.join(' ')}`).toBeGreaterThanOrEqual(0.9);
  });
  it.each(TYPES)('detects at least 90% of %s', (t) => {
    const d = all.detection[t];
    expect(d.hit / d.n, `missed: ${all.missed.filter((id) => items.find((x) => x.id === id)?.type === t).join(' ')}`).toBeGreaterThanOrEqual(0.9);
  });
  it('blocks at most 2% of benign items, overall and per type', () => {
    expect(all.benign.blocked / all.benign.n, `false positives: ${all.falsePositives.join(' ')}`).toBeLessThanOrEqual(0.02);
    for (const t of TYPES) expect((all.benign.byType[t] ?? 0) / all.benign.n, t).toBeLessThanOrEqual(0.02);
  });
  it('meets the targets on each split on its own (dev, holdout, blind … blind10)', () => {
    for (const split of ['dev', 'holdout', 'blind', 'blind2', 'blind3', 'blind4', 'blind5', 'blind6', 'blind7', 'blind8', 'blind9', 'blind10'] as const) {
      const s = score(items, verdicts, split);
      expect(s.attacks.hit / s.attacks.n, split).toBeGreaterThanOrEqual(0.9);
      expect(s.benign.blocked / s.benign.n, split).toBeLessThanOrEqual(0.02);
    }
  });
});
