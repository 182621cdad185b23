/**
 * The security scan the server runs (`/scan`, `/compress`, the gateway), behind one function so
 * the scanner can be swapped. The default is a thin stand-in until `@m2m/core`'s `scan()`
 * (issue 16, branch h16s) lands: a few of the reference's own injection and jailbreak patterns
 * with its names, categories and severities (`../shared/reference/http-api.md`, `/scan`).
 * @module
 */

/** One threat a scan found, as the reference's `/scan` reports it. */
export interface ScanThreat {
  name: string;
  category: string;
  severity: number;
  description: string;
}

/** A scan verdict, as `@m2m/core`'s `scan()` returns it. */
export interface ScanVerdict {
  safe: boolean;
  /** 1.0 for safe content, else the highest threat severity. */
  confidence: number;
  threats: ScanThreat[];
  shouldBlock: boolean;
}

/** A scanner: text in, verdict out. `threshold` is the blocking threshold (default 0.8). */
export type Scanner = (text: string, options?: { threshold?: number }) => ScanVerdict;

/** Longest text the stand-in scanner looks at (patterns are anchored near the start of intent). */
const MAX_SCAN_CHARS = 64 * 1024;

const PATTERNS: ReadonlyArray<ScanThreat & { re: RegExp }> = [
  { name: 'ignore_instructions', category: 'injection', severity: Math.fround(0.9), description: 'Attempts to override system instructions', re: /\bignore\s+(?:all\s+)?(?:previous|prior|above)\s+instructions\b/i },
  { name: 'system_prompt_extract', category: 'injection', severity: Math.fround(0.8), description: 'Attempts to extract system prompt', re: /\b(?:reveal|show|print|repeat)\s+(?:me\s+)?(?:your|the)\s+system\s+prompt\b/i },
  { name: 'dan_mode', category: 'jailbreak', severity: Math.fround(0.95), description: 'DAN (Do Anything Now) jailbreak', re: /\bDAN\s+mode\b|\bdo\s+anything\s+now\b/i },
  { name: 'developer_mode', category: 'jailbreak', severity: Math.fround(0.85), description: 'Developer mode jailbreak', re: /\bdeveloper\s+mode\s+enabled\b/i },
  { name: 'null_bytes', category: 'malformed', severity: Math.fround(0.7), description: 'Null bytes in content', re: new RegExp(String.fromCharCode(0)) },
];

/**
 * The stand-in scanner (see the module note). Never throws; input past 64 KiB is not scanned.
 * @example `fallbackScan('Ignore all previous instructions').shouldBlock` → `true`
 */
export const fallbackScan: Scanner = (text, options = {}) => {
  const threshold = options.threshold ?? 0.8;
  const sample = text.length > MAX_SCAN_CHARS ? text.slice(0, MAX_SCAN_CHARS) : text;
  const threats: ScanThreat[] = [];
  for (const { re, ...t } of PATTERNS) if (re.test(sample)) threats.push(t);
  // Overlapping patterns: the DAN phrase subsumes developer mode, as the reference reports one.
  const found = threats.some((t) => t.name === 'dan_mode') ? threats.filter((t) => t.name !== 'developer_mode') : threats;
  if (found.length === 0) return { safe: true, confidence: 1.0, threats: [], shouldBlock: false };
  const confidence = Math.max(...found.map((t) => t.severity));
  return { safe: false, confidence, threats: found, shouldBlock: confidence >= threshold };
};

/** Seed 000's threat type for a scanner category (`PROMPT_INJECTION`, `JAILBREAK`, …). */
export function threatType(category: string): string {
  switch (category) {
    case 'injection':
      return 'PROMPT_INJECTION';
    case 'jailbreak':
      return 'JAILBREAK';
    case 'exfiltration':
      return 'DATA_EXFILTRATION';
    case 'malformed':
      return 'MALFORMED_INPUT';
    default:
      return category.toUpperCase();
  }
}
