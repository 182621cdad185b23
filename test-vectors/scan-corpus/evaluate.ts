/**
 * Scores a scanner on the labelled corpus (attacks.jsonl, benign.jsonl): detection rate per
 * threat type (an attack counts as detected when the scanner says block) and false-positive
 * rate (benign items blocked), overall and per type (benign items blocked with that type as
 * the top threat), for the dev half, the holdout half and both. Used by the corpus test and
 * `pnpm bench scan`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The five threat types. */
export const TYPES = ['PROMPT_INJECTION', 'JAILBREAK', 'DATA_EXFILTRATION', 'MALFORMED_INPUT', 'EXCESSIVE_NESTING'] as const;

/** One corpus line. */
export interface CorpusItem {
  id: string;
  split: 'dev' | 'holdout' | 'blind' | 'blind2' | 'blind3' | 'blind4' | 'blind5' | 'blind6' | 'blind7' | 'blind8' | 'blind9' | 'blind10';
  label: 'attack' | 'benign';
  type: (typeof TYPES)[number] | 'BENIGN';
  variant: string;
  text?: string;
  request?: Record<string, unknown>;
  bytes_b64?: string;
}

/** A scanner's verdict on one item: blocked or not, the top threat type, or an error text. */
export interface Verdict {
  block: boolean;
  topType?: string;
  error?: string;
}

/** Rates of one scanner on one split. */
export interface Score {
  detection: Record<string, { n: number; hit: number }>;
  attacks: { n: number; hit: number };
  benign: { n: number; blocked: number; byType: Record<string, number> };
  errors: number;
  missed: string[];
  falsePositives: string[];
}

/** Loads both files. */
export function loadCorpus(dir = import.meta.dirname): CorpusItem[] {
  const read = (f: string): CorpusItem[] => readFileSync(resolve(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CorpusItem);
  return [...read('attacks.jsonl'), ...read('benign.jsonl')];
}

/** The item as a scanner input: text, a request object, or raw bytes. */
export function inputOf(item: CorpusItem): string | Uint8Array | Record<string, unknown> {
  if (item.bytes_b64 !== undefined) return new Uint8Array(Buffer.from(item.bytes_b64, 'base64'));
  if (item.request !== undefined) return item.request;
  return item.text ?? '';
}

/** The item as bytes on the wire (requests as JSON text), for scanners that read text only. */
export function bytesOf(item: CorpusItem): Uint8Array {
  if (item.bytes_b64 !== undefined) return new Uint8Array(Buffer.from(item.bytes_b64, 'base64'));
  return new Uint8Array(Buffer.from(item.request !== undefined ? JSON.stringify(item.request) : (item.text ?? ''), 'utf8'));
}

/** Scores verdicts over the items of `split` (or all). */
export function score(items: readonly CorpusItem[], verdicts: ReadonlyMap<string, Verdict>, split?: 'dev' | 'holdout' | 'blind' | 'blind2' | 'blind3' | 'blind4' | 'blind5' | 'blind6' | 'blind7' | 'blind8' | 'blind9' | 'blind10'): Score {
  const s: Score = { detection: {}, attacks: { n: 0, hit: 0 }, benign: { n: 0, blocked: 0, byType: {} }, errors: 0, missed: [], falsePositives: [] };
  for (const t of TYPES) s.detection[t] = { n: 0, hit: 0 };
  for (const item of items) {
    if (split && item.split !== split) continue;
    const v = verdicts.get(item.id);
    if (!v) continue;
    if (v.error) s.errors++;
    if (item.label === 'attack') {
      const d = s.detection[item.type];
      d.n++;
      s.attacks.n++;
      if (v.block) {
        d.hit++;
        s.attacks.hit++;
      } else s.missed.push(item.id);
    } else {
      s.benign.n++;
      if (v.block) {
        s.benign.blocked++;
        const t = v.topType ?? 'unknown';
        s.benign.byType[t] = (s.benign.byType[t] ?? 0) + 1;
        s.falsePositives.push(item.id);
      }
    }
  }
  return s;
}

/** Formats a rate as a percentage. */
export const pct = (hit: number, n: number): string => (n ? `${((100 * hit) / n).toFixed(1)}%` : '-');
