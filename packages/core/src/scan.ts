/**
 * `@m2m/core/scan`: the security scanner (prompt injection, jailbreaks, hidden payloads,
 * malformed input, exfiltration URLs), with detectors that plug in. Its rules and word lists
 * are about a third of core's code (27 KB min+gz in a browser bundle, bench/startup.ts), so
 * they live behind this subpath only; the main entry keeps the defaults and the types.
 * @module
 */
export { scan, scanAsync, assertSafe, assertSafeAsync, createScanner, DEFAULT_BLOCK_THRESHOLD, DEFAULT_MAX_DEPTH, type Scanner } from './security/scan.js';
export type { Threat, ScanResult, ScanInput, ScanOptions, ScanSegment, ChatRequestLike, ChatMessageLike, ChatContentPart, Detector, DetectorContext, DetectorFinding } from './security/types.js';
