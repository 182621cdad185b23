/**
 * The security scan the server runs (`/scan`, `/compress`, DATA in blocking mode, the gateway),
 * behind one function type so it can be swapped. The default wraps `@m2m/core`'s `scan()` and
 * reports its threats in the reference's `/scan` shape (`../shared/reference/http-api.md`):
 * a lower-case category and a numeric severity (the threat's confidence), keeping seed 000's
 * threat type alongside for the gateway's 422.
 * @module
 */
import type { ScanInput } from '@m2m/core';
import { scan } from '@m2m/core/scan';

/** One threat a scan found, as the reference's `/scan` reports it. */
export interface ScanThreat {
  /** Short name of the detected pattern. */
  name: string;
  /** The reference's category: `injection`, `jailbreak`, `exfiltration`, `malformed`, `nesting`. */
  category: string;
  /** 0–1, the threat's confidence. */
  severity: number;
  /** Human-readable description of the threat. */
  description: string;
  /** Seed 000's threat type (`PROMPT_INJECTION`, …). */
  threatType: string;
}

/** A scan verdict. */
export interface ScanVerdict {
  /** Whether no threat was found. */
  safe: boolean;
  /** 1.0 for safe content, else the scanner's confidence that it is a threat. */
  confidence: number;
  /** Every threat found (empty when safe). */
  threats: ScanThreat[];
  /** Whether a threat reached the blocking threshold. */
  shouldBlock: boolean;
}

/** A scanner: text or a chat request in, verdict out. `threshold` is the blocking threshold (default 0.8). */
export type Scanner = (input: ScanInput, options?: { threshold?: number }) => ScanVerdict;

/** Seed 000's threat types → the reference's categories. */
const REFERENCE_CATEGORY: Readonly<Record<string, string>> = {
  PROMPT_INJECTION: 'injection',
  JAILBREAK: 'jailbreak',
  DATA_EXFILTRATION: 'exfiltration',
  MALFORMED_INPUT: 'malformed',
  EXCESSIVE_NESTING: 'nesting',
};

/**
 * `@m2m/core`'s scanner in the reference's shape. Never throws for any input.
 * @example `defaultScan('Ignore all previous instructions').shouldBlock` → `true`
 */
export const defaultScan: Scanner = (input, options = {}) => {
  const r = scan(input, { threshold: options.threshold ?? 0.8 });
  return {
    safe: r.safe,
    confidence: r.confidence,
    shouldBlock: r.shouldBlock,
    threats: r.threats.map((t) => ({ name: t.name, category: REFERENCE_CATEGORY[t.category] ?? t.category.toLowerCase(), severity: t.confidence, description: t.description, threatType: t.category })),
  };
};
