/**
 * The threat types and their severities, from the protocol's error table (seed 000 in
 * ../shared/seeds: JAILBREAK critical; PROMPT_INJECTION, DATA_EXFILTRATION high;
 * MALFORMED_INPUT, EXCESSIVE_NESTING medium).
 * @module
 */
import type { ThreatSeverity, ThreatType } from './types.js';

/** Each threat type's severity and the table's description of it. */
export const THREAT_TYPES: Readonly<Record<ThreatType, { severity: ThreatSeverity; description: string }>> = Object.freeze({
  PROMPT_INJECTION: { severity: 'high', description: 'Attempt to override system instructions' },
  JAILBREAK: { severity: 'critical', description: 'Attempt to bypass safety measures' },
  DATA_EXFILTRATION: { severity: 'high', description: 'Attempt to extract sensitive data' },
  MALFORMED_INPUT: { severity: 'medium', description: 'Null bytes, unicode exploits' },
  EXCESSIVE_NESTING: { severity: 'medium', description: 'JSON depth exceeds limit' },
});

/** Whether `s` is one of the five threat type names. */
export function isThreatType(s: string): s is ThreatType {
  return Object.prototype.hasOwnProperty.call(THREAT_TYPES, s);
}
