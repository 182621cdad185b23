/**
 * The asynchronous scanner calls of `@m2m/core`'s main entry: they load the scanner
 * (`./scan.ts`, rules and word lists: about a third of core's code) on first call, so that
 * applications and browser bundles that never scan do not carry it (bench/startup.ts). The
 * synchronous calls are in `@m2m/core/scan`.
 * @module
 */
import type { ScanInput, ScanOptions, ScanResult } from './types.js';

/**
 * Scans `input` (text, UTF-8 bytes or a chat request) with detectors that may be asynchronous;
 * loads the scanner on first call. Same as `scanAsync` of `@m2m/core/scan`.
 * @throws M2MError as `scan` of `@m2m/core/scan` (LIMIT_EXCEEDED past the input limits,
 *   SECURITY_THREAT with `throwOnBlock`); a detector's own rejection is passed on unchanged.
 */
export async function scanAsync(input: ScanInput, options?: ScanOptions): Promise<ScanResult> {
  return (await import('./scan.js')).scanAsync(input, options);
}

/**
 * {@link scanAsync} that throws when the input should be blocked; loads the scanner on first
 * call. Same as `assertSafeAsync` of `@m2m/core/scan`.
 * @throws M2MError SECURITY_THREAT with details `threatType` and `confidence`.
 */
export async function assertSafeAsync(input: ScanInput, options?: ScanOptions): Promise<ScanResult> {
  return (await import('./scan.js')).assertSafeAsync(input, options);
}
