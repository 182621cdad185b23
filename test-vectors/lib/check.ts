/**
 * Per-case bookkeeping for the conformance runner: every case passes or fails, none is skipped.
 * @module
 */
import { isCryptoError, isM2MError } from '@m2m/core';

/** Result of one vector file. */
export interface FileResult {
  file: string;
  format: string;
  passed: number;
  failed: number;
  failures: string[];
}

/** Collects case outcomes for one file. */
export class Cases {
  passed = 0;
  failed = 0;
  failures: string[] = [];
  constructor(readonly file: string, readonly format: string) {}
  /** Runs one case; a throw or a false return fails it. */
  run(name: string, fn: () => boolean | string | void): void {
    let outcome: boolean | string | void;
    try {
      outcome = fn();
    } catch (e) {
      outcome = `threw ${(e as Error)?.message ?? String(e)}`;
    }
    if (outcome === true || outcome === undefined) this.passed++;
    else {
      this.failed++;
      if (this.failures.length < 50) this.failures.push(`${name}: ${outcome === false ? 'mismatch' : outcome}`);
    }
  }
  result(): FileResult {
    return { file: this.file, format: this.format, passed: this.passed, failed: this.failed, failures: this.failures };
  }
}

/** Throws unless a equals b (JSON-compared), naming the field. */
export function eq(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (a !== b) throw new Error(`${what}: got ${a?.slice(0, 200)}, expected ${b?.slice(0, 200)}`);
}

/** Runs fn expecting a throw; returns the error. */
export function expectThrow(fn: () => unknown, what: string): unknown {
  try {
    fn();
  } catch (e) {
    if (!isM2MError(e) && !isCryptoError(e)) throw new Error(`${what}: threw a non-SDK error ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return e;
  }
  throw new Error(`${what}: expected an error, got a value`);
}

/** The reference prints the aead crate's opaque `aead::Error`; the SDK uses the seed's wording. */
export function normalizeDisplay(s: string): string {
  return s.replace(/aead::Error/g, 'authentication tag mismatch');
}

/** The message without the CryptoError kind prefix (`AEAD: `, `HMAC: `, ...). */
export function innerMessage(e: unknown): string {
  const m = (e as Error).message;
  return m.replace(/^(AEAD|HMAC|Key|Keyring|Key exchange|ID validation|Nonce): /, '');
}
