/**
 * What each protocol enumeration value means: REJECT codes (description, recovery, retry advice),
 * CLOSE reasons, threat types (severity, description), and the compression error names of the
 * M2M error-code reference. Public as `@m2m/core/explain`; docs/ERRORS.md is generated from it.
 * The retry advice here matches what errors carry (`RETRYABLE_REJECTIONS` and
 * `RETRYABLE_CLOSE_REASONS` in enums.ts; packages/core/test/errors.test.ts checks both agree).
 * @module
 */
import type { CloseReason, RejectionCode, ThreatSeverity, ThreatType } from './enums.js';

/** What each {@link RejectionCode} means and how a client recovers. */
export const rejectionCodeInfo: Readonly<Record<RejectionCode, { description: string; recovery: string; retryable: boolean }>> = {
  VERSION_MISMATCH: { description: 'Protocol version not supported', recovery: 'Use a supported protocol version', retryable: false },
  NO_COMMON_ALGORITHM: { description: 'No mutually supported algorithms', recovery: 'Offer an algorithm the peer supports', retryable: false },
  SECURITY_POLICY: { description: 'Security policy violation', recovery: 'Review the security settings of both peers', retryable: false },
  RATE_LIMITED: { description: 'Rate limit exceeded', recovery: 'Retry with backoff, after retryAfterMs when given', retryable: true },
  SERVER_BUSY: { description: 'Server at capacity', recovery: 'Retry later, after retryAfterMs when given', retryable: true },
  UNKNOWN: { description: 'Unspecified error', recovery: 'Read the message; contact the peer operator', retryable: false },
};

/** What each {@link CloseReason} means. */
export const closeReasonInfo: Readonly<Record<CloseReason, { description: string; retryable: boolean }>> = {
  NORMAL: { description: 'Clean shutdown', retryable: false },
  TIMEOUT: { description: 'Session timeout exceeded', retryable: true },
  ERROR: { description: 'Protocol error occurred', retryable: false },
  CLIENT_SHUTDOWN: { description: 'Client application closing', retryable: false },
  SERVER_SHUTDOWN: { description: 'Server shutting down', retryable: true },
};

/** Severity and description of each {@link ThreatType}. */
export const threatTypeInfo: Readonly<Record<ThreatType, { severity: ThreatSeverity; description: string }>> = {
  PROMPT_INJECTION: { severity: 'high', description: 'Attempt to override system instructions' },
  JAILBREAK: { severity: 'critical', description: 'Attempt to bypass safety measures' },
  DATA_EXFILTRATION: { severity: 'high', description: 'Attempt to extract sensitive data' },
  MALFORMED_INPUT: { severity: 'medium', description: 'Null bytes, unicode exploits' },
  EXCESSIVE_NESTING: { severity: 'medium', description: 'JSON depth exceeds limit' },
};

/**
 * The compression error names of the M2M error-code reference, mapped onto this SDK's codes.
 * Use it to translate a name seen in older documentation or logs.
 */
export const compressionErrorCodes = {
  InvalidPrefix: 'DECOMPRESSION_FAILED',
  DecompressionFailed: 'DECOMPRESSION_FAILED',
  InvalidJson: 'JSON_INVALID',
  ContentTooLarge: 'LIMIT_EXCEEDED',
  UnsupportedAlgorithm: 'INVALID_CODEC',
} as const;
/** One of the keys of {@link compressionErrorCodes}. */
export type CompressionErrorName = keyof typeof compressionErrorCodes;
