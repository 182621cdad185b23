/**
 * Per-case bookkeeping for the conformance runner: every case passes or fails, none is skipped,
 * and a case passes only when it performed at least one check.
 * @module
 */
import { createHash } from 'node:crypto';
import { isCryptoError, isM2MError, toHex } from '@m2m/core';

/** Result of one vector file. */
export interface FileResult {
  file: string;
  format: string;
  passed: number;
  failed: number;
  failures: string[];
}

// Checks performed so far (process-wide); `Cases.run` compares it before and after each case.
let checks = 0;

/** Records one performed check (for helpers that verify without calling {@link eq}). */
export function checked(): void {
  checks++;
}

/** Collects case outcomes for one file. */
export class Cases {
  passed = 0;
  failed = 0;
  failures: string[] = [];
  constructor(readonly file: string, readonly format: string) {}
  /**
   * Runs one case: a throw, a `false` or a string return fails it, and so does a case that
   * returns without performing a check (`no check performed`), so nothing unread passes.
   */
  run(name: string, fn: () => boolean | string | void): void {
    let outcome: boolean | string | void;
    const before = checks;
    try {
      outcome = fn();
      if ((outcome === true || outcome === undefined) && checks === before) outcome = 'no check performed';
    } catch (e) {
      outcome = `threw ${(e as Error)?.message ?? String(e)}`;
    }
    if (outcome === true || outcome === undefined) this.passed++;
    else this.fail(name, outcome === false ? 'mismatch' : outcome);
  }
  /** Counts a named failure without running anything (a section or case the runner cannot read). */
  fail(name: string, why: string): void {
    this.failed++;
    if (this.failures.length < 50) this.failures.push(`${name}: ${why}`);
  }
  result(): FileResult {
    return { file: this.file, format: this.format, passed: this.passed, failed: this.failed, failures: this.failures };
  }
}

/**
 * True for "no value" as the reference's vectors write it: absent, `null`, or Rust's
 * `Option::None` rendered as the string `"None"`.
 */
export function isNone(v: unknown): boolean {
  return v === undefined || v === null || v === 'None';
}

/** `Some(x)` rendered by Rust's Debug → `x`; anything else unchanged. */
export function unwrapSome(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = /^Some\((.*)\)$/s.exec(v);
  return m ? m[1].replace(/^"(.*)"$/s, '$1') : v;
}

// Deep equality where an expected "None" (or an absent/null expected value) matches an absent/null actual value.
function same(actual: unknown, expected: unknown): boolean {
  if (isNone(expected) && (actual === undefined || actual === null)) return true;
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => same(actual[i], e));
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const a = actual as Record<string, unknown>;
    const b = expected as Record<string, unknown>;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!same(a[k], b[k])) return false;
    return true;
  }
  return Object.is(actual, expected) || (typeof actual === typeof expected && JSON.stringify(actual) === JSON.stringify(expected));
}

/**
 * Throws unless `actual` equals `expected` (deep), naming the field. An expected `"None"`,
 * `null` or absent value matches an absent or null actual value (Rust's `Option::None` in any of
 * its renderings); an actual value never matches an expected "no value".
 */
export function eq(actual: unknown, expected: unknown, what: string): void {
  checks++;
  if (!same(actual, expected)) throw new Error(`${what}: got ${JSON.stringify(actual)?.slice(0, 200)}, expected ${JSON.stringify(expected)?.slice(0, 200)}`);
}

/** Runs fn expecting a throw of an SDK error; returns the error. */
export function expectThrow(fn: () => unknown, what: string): unknown {
  checks++;
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

/** serde_json's position suffix (` at line L column C`), split off a message. */
export function splitPosition(text: string): { message: string; line?: number; column?: number } {
  const m = / at line (\d+) column (\d+)$/.exec(text);
  if (!m) return { message: text };
  return { message: text.slice(0, m.index), line: Number(m[1]), column: Number(m[2]) };
}

/**
 * Compares a serde_json error text: the message parts must be equal; the position suffix is
 * verified when both texts carry one, and accepted when only the reference's does (some SDK
 * errors name no position).
 */
export function eqSerdeText(actual: string, expected: string, what: string): void {
  const a = splitPosition(actual);
  const b = splitPosition(expected);
  eq(a.message, b.message, what);
  if (a.line !== undefined && b.line !== undefined) eq(`line ${a.line} column ${a.column}`, `line ${b.line} column ${b.column}`, `${what} (position)`);
  else if (a.line !== undefined && b.line === undefined) throw new Error(`${what}: got a position (${actual}), the reference gives none (${expected})`);
}

/** SHA-256 of bytes, lowercase hex (for vectors that give a long output's digest instead of the output). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Compares output bytes with a vector's expectation under `prefix`: `<prefix>_hex` (the bytes), or
 * `<prefix>_sha256` (their SHA-256) with an optional `<prefix>_len`. Fails when none is given.
 */
export function eqBytes(actual: Uint8Array, expected: Record<string, unknown>, prefix: string, what: string): void {
  const hex = expected[`${prefix}_hex`];
  const digest = expected[`${prefix}_sha256`] ?? expected[`${prefix}_sha256_hex`];
  const len = expected[`${prefix}_len`];
  if (typeof len === 'number') eq(actual.length, len, `${what} length`);
  if (typeof hex === 'string') return eq(toHex(actual), hex.toLowerCase(), what);
  if (typeof digest === 'string') return eq(sha256Hex(actual), digest.toLowerCase(), `${what} sha256`);
  throw new Error(`${what}: the vector gives neither ${prefix}_hex nor ${prefix}_sha256`);
}
