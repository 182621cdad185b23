/**
 * Protocol enumerations that errors carry: REJECT codes, CLOSE reasons and threat types. What
 * each value means (descriptions, recovery, severity) is in `enum-docs.ts`, public as
 * `@m2m/core/explain`, so that browser bundles do not carry that prose (bench/startup.ts).
 * @module
 */

/** Why a server refused a HELLO (sent in REJECT). */
export const RejectionCode = {
  VERSION_MISMATCH: 'VERSION_MISMATCH',
  NO_COMMON_ALGORITHM: 'NO_COMMON_ALGORITHM',
  SECURITY_POLICY: 'SECURITY_POLICY',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVER_BUSY: 'SERVER_BUSY',
  UNKNOWN: 'UNKNOWN',
} as const;
/** One of {@link RejectionCode}. */
export type RejectionCode = (typeof RejectionCode)[keyof typeof RejectionCode];

/** Why a session was closed (sent in CLOSE). */
export const CloseReason = {
  NORMAL: 'NORMAL',
  TIMEOUT: 'TIMEOUT',
  ERROR: 'ERROR',
  CLIENT_SHUTDOWN: 'CLIENT_SHUTDOWN',
  SERVER_SHUTDOWN: 'SERVER_SHUTDOWN',
} as const;
/** One of {@link CloseReason}. */
export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

/** Threat types a security scanner reports. */
export const ThreatType = {
  PROMPT_INJECTION: 'PROMPT_INJECTION',
  JAILBREAK: 'JAILBREAK',
  DATA_EXFILTRATION: 'DATA_EXFILTRATION',
  MALFORMED_INPUT: 'MALFORMED_INPUT',
  EXCESSIVE_NESTING: 'EXCESSIVE_NESTING',
} as const;
/** One of {@link ThreatType}. */
export type ThreatType = (typeof ThreatType)[keyof typeof ThreatType];

/** Severity of a threat. */
export type ThreatSeverity = 'medium' | 'high' | 'critical';

/** @internal REJECT codes after which retrying may succeed (`rejectionCodeInfo`'s `retryable`; errors/base.ts). */
export const RETRYABLE_REJECTIONS: ReadonlySet<string> = new Set<RejectionCode>(['RATE_LIMITED', 'SERVER_BUSY']);
/** @internal CLOSE reasons after which reconnecting may succeed (`closeReasonInfo`'s `retryable`; errors/base.ts). */
export const RETRYABLE_CLOSE_REASONS: ReadonlySet<string> = new Set<CloseReason>(['TIMEOUT', 'SERVER_SHUTDOWN']);
