/**
 * The security scanner: `scan` and its types.
 * @module
 */
export { scan, scanAsync, assertSafe, assertSafeAsync, createScanner, DEFAULT_BLOCK_THRESHOLD, DEFAULT_MAX_DEPTH, type Scanner } from './scan.js';
export type { Threat, ScanResult, ScanInput, ScanOptions, ScanSegment, ChatRequestLike, ChatMessageLike, ChatContentPart, Detector, DetectorContext, DetectorFinding } from './types.js';
