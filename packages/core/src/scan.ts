/**
 * `@m2m/core/scan`: the security scanner (prompt injection, jailbreaks, hidden payloads,
 * malformed input, exfiltration URLs), with detectors that plug in. Its rules and word lists
 * are about a third of core's code, so they live behind this subpath: the main entry keeps the
 * asynchronous calls (`scanAsync`, `assertSafeAsync`, which load this module on first use),
 * the defaults and the types.
 * @module
 */
export { scan, scanAsync, assertSafe, assertSafeAsync, createScanner, DEFAULT_BLOCK_THRESHOLD, DEFAULT_MAX_DEPTH, type Scanner } from './security/scan.js';
export type { Threat, ScanResult, ScanInput, ScanOptions, ScanSegment, ChatRequestLike, ChatMessageLike, ChatContentPart, Detector, DetectorContext, DetectorFinding } from './security/types.js';
