/**
 * Runs every phrase rule over the word stream in one left-to-right pass. For each rule and
 * step it keeps only the latest position where the steps so far matched (the latest start
 * leaves the most room for the next step), so the work per word is the number of rule steps
 * that word appears in: linear in the input, with no backtracking at all.
 * @module
 */
import { CUE_SETS, RULES, type Near, type RuleSpec } from './rules.js';
import { GLUE, SETS } from './lexicon.js';
import type { WordStream } from './normalize.js';

/** A rule compiled against the word sets. */
interface CompiledRule {
  spec: RuleSpec;
  steps: number;
  gaps: number[];
  blockers: Set<string>;
  near?: { words: Set<string>; window: number };
  unless?: { words: Set<string>; window: number };
}

/** One place a rule matched. */
export interface RuleMatch {
  rule: RuleSpec;
  start: number;
  end: number;
}

/** The compiled rules and the lexicon they are written in. */
export interface CompiledRules {
  rules: CompiledRule[];
  /** word → [rule index, step index] pairs, each rule's steps in descending order. */
  index: Map<string, Array<[number, number]>>;
  blockerIndex: Map<string, number[]>;
  /** Every word any rule or set names (the segmentation lexicon). */
  lexicon: Set<string>;
}

function expandStep(step: string): string[] {
  const out: string[] = [];
  for (const alt of step.split('|')) {
    if (alt.startsWith('@')) {
      const set = SETS[alt.slice(1)];
      if (!set) throw new Error(`unknown word set ${alt}`);
      out.push(...set);
    } else out.push(alt);
  }
  return out;
}

function nearSet(n: Near): { words: Set<string>; window: number } {
  const list = SETS[n.set] ?? CUE_SETS[n.set]?.split(' ');
  if (!list) throw new Error(`unknown word set ${n.set}`);
  return { words: new Set(list), window: n.window };
}

/** Compiles rule specs (the built-in {@link RULES} by default). */
export function compileRules(specs: readonly RuleSpec[] = RULES): CompiledRules {
  const rules: CompiledRule[] = [];
  const index = new Map<string, Array<[number, number]>>();
  const blockerIndex = new Map<string, number[]>();
  const lexicon = new Set<string>(GLUE);
  for (const list of Object.values(SETS)) for (const x of list) lexicon.add(x);
  for (const list of Object.values(CUE_SETS)) for (const x of list.split(' ')) lexicon.add(x);
  specs.forEach((spec, r) => {
    const tokens = spec.pattern.trim().split(/\s+/);
    const gaps: number[] = [];
    const stepWords: string[][] = [];
    let gap = 0;
    for (const t of tokens) {
      if (t.startsWith('~')) gap = Number(t.slice(1));
      else {
        gaps.push(gap);
        stepWords.push(expandStep(t));
        gap = 0;
      }
    }
    for (let k = stepWords.length - 1; k >= 0; k--) {
      for (const word of new Set(stepWords[k])) {
        lexicon.add(word);
        let list = index.get(word);
        if (!list) index.set(word, (list = []));
        list.push([r, k]);
      }
    }
    const blockers = new Set((spec.blockers ?? '').split(' ').filter(Boolean));
    for (const b of blockers) {
      let list = blockerIndex.get(b);
      if (!list) blockerIndex.set(b, (list = []));
      list.push(r);
    }
    rules.push({ spec, steps: stepWords.length, gaps, blockers, near: spec.near && nearSet(spec.near), unless: spec.unless && nearSet(spec.unless) });
  });
  // Within one word, a rule's later steps must be tried before its earlier ones, so one
  // word never fills two consecutive steps.
  for (const list of index.values()) list.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  return { rules, index, blockerIndex, lexicon };
}

const MAX_MATCHES_PER_RULE = 64;
/** Completed sequences whose proximity conditions are checked, per rule (bounds that work on repetitive input). */
const MAX_ATTEMPTS_PER_RULE = 256;

/** Finds every rule match in the stream (at most 64 per rule), with proximity conditions applied. */
export function matchRules(compiled: CompiledRules, stream: WordStream): RuleMatch[] {
  const { rules, index, blockerIndex } = compiled;
  const n = stream.words.length;
  const lastPos = rules.map((r) => new Int32Array(r.steps).fill(-1));
  const startPos = rules.map((r) => new Int32Array(r.steps).fill(-1));
  const lastBlock = new Int32Array(rules.length).fill(-1);
  const found = new Int32Array(rules.length);
  const attempts = new Int32Array(rules.length);
  const matches: RuleMatch[] = [];
  for (let i = 0; i < n; i++) {
    const word = stream.words[i];
    const hits = index.get(word);
    if (hits) {
      for (const [r, k] of hits) {
        if (attempts[r] >= MAX_ATTEMPTS_PER_RULE) continue;
        const last = lastPos[r];
        if (k === 0) {
          last[0] = i;
          startPos[r][0] = i;
        } else {
          const prev = last[k - 1];
          if (prev < 0 || prev >= i || i - prev - 1 > rules[r].gaps[k] || prev < lastBlock[r]) continue;
          last[k] = i;
          startPos[r][k] = startPos[r][k - 1];
        }
        if (k === rules[r].steps - 1 && found[r] < MAX_MATCHES_PER_RULE) {
          attempts[r]++;
          const start = startPos[r][k];
          if (conditionsHold(rules[r], stream, start, i)) {
            found[r]++;
            matches.push({ rule: rules[r].spec, start, end: i });
          }
          last[k] = -1;
        }
      }
    }
    const blocks = blockerIndex.get(word);
    if (blocks) for (const r of blocks) lastBlock[r] = i;
  }
  return matches;
}

function within(stream: WordStream, cond: { words: Set<string>; window: number }, start: number, end: number): boolean {
  const lo = Math.max(0, start - cond.window);
  const hi = Math.min(stream.words.length - 1, end + cond.window);
  for (let j = lo; j <= hi; j++) {
    // The matched first and last words do not count as their own context. The window may
    // reach into neighbouring segments: an attack split over two messages is still one attack.
    if (j === start || j === end) continue;
    if (cond.words.has(stream.words[j])) return true;
  }
  return false;
}

function conditionsHold(rule: CompiledRule, stream: WordStream, start: number, end: number): boolean {
  if (rule.near && !within(stream, rule.near, start, end)) return false;
  if (rule.unless && within(stream, rule.unless, start, end)) return false;
  return true;
}
