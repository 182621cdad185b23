/**
 * `M2MError` and `CryptoError`: the two error classes every module of the SDK throws.
 * @module
 */
import { RETRYABLE_CLOSE_REASONS, RETRYABLE_REJECTIONS } from './enums.js';
import { cryptoEntry, m2mEntry, renderTemplate, type ErrorCatalogEntry } from './catalog.js';
import { installInspectHook } from '#inspect-hook';
import { errorToJSON } from './json-hook.js';
import type { CryptoErrorDetailsMap, CryptoErrorKind, CryptoReasonMap, ErrorCategory, M2MErrorDetailsMap, M2MErrorKind } from './kinds.js';

const M2M_BRAND = Symbol.for('@m2m/core/M2MError');
const CRYPTO_BRAND = Symbol.for('@m2m/core/CryptoError');

/** Options every error constructor accepts. */
export interface ErrorOptions {
  /** The error that caused this one (ES2022 `cause`). */
  cause?: unknown;
}

/** Fields shared by {@link M2MError} and {@link CryptoError}. */
export abstract class M2MBaseError extends Error {
  /** Stable SCREAMING_SNAKE_CASE code. */
  readonly code: string;
  /** Stable numeric id of the code. */
  readonly id: number;
  /** The failure's class (docs/ERRORS.md); a Crypto kind carries its cause's. */
  readonly category: ErrorCategory;
  /** Whether retrying may succeed (an instance may refine its code's default: REJECT codes, CLOSE reasons, a Crypto cause). */
  readonly retryable: boolean;
  /** How long to wait before retrying, when the peer said so. */
  readonly retryAfterMs: number | undefined;
  /** The HTTP status this error maps to. */
  readonly httpStatus: number;
  /** Whether the public view may show details. */
  readonly exposeDetails: boolean;

  protected constructor(message: string, entry: ErrorCatalogEntry, overrides: { retryable?: boolean; retryAfterMs?: number; httpStatus?: number; category?: ErrorCategory }, options?: ErrorOptions) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.code = entry.code;
    this.id = entry.id;
    this.category = overrides.category ?? entry.category;
    this.retryable = overrides.retryable ?? entry.retryable;
    this.retryAfterMs = overrides.retryAfterMs;
    this.httpStatus = overrides.httpStatus ?? entry.httpStatus;
    this.exposeDetails = entry.exposeDetails;
  }
}

function cleanDetails<T extends object>(details: T | undefined): T {
  const out: Record<string, unknown> = {};
  if (details) for (const [k, v] of Object.entries(details)) if (v !== undefined) out[k] = v;
  return Object.freeze(out) as T;
}

function m2mOverrides(kind: M2MErrorKind, details: Record<string, unknown>, cause: unknown): { retryable?: boolean; retryAfterMs?: number; httpStatus?: number; category?: ErrorCategory } {
  switch (kind) {
    case 'Rejected': {
      const code = details.code as string;
      const status = code === 'RATE_LIMITED' ? 429 : code === 'SERVER_BUSY' ? 503 : code === 'VERSION_MISMATCH' || code === 'NO_COMMON_ALGORITHM' ? 400 : code === 'SECURITY_POLICY' ? 403 : 500;
      return { retryable: RETRYABLE_REJECTIONS.has(code), retryAfterMs: typeof details.retryAfterMs === 'number' ? details.retryAfterMs : undefined, httpStatus: status };
    }
    case 'Closed': {
      return { retryable: RETRYABLE_CLOSE_REASONS.has(details.reason as string) };
    }
    case 'RateLimited':
    case 'ServerBusy':
      return { retryAfterMs: typeof details.retryAfterMs === 'number' ? details.retryAfterMs : undefined };
    case 'Crypto':
      if (cause instanceof M2MBaseError || isBranded(cause, CRYPTO_BRAND)) {
        const c = cause as M2MBaseError;
        return { category: c.category, retryable: c.retryable, httpStatus: c.httpStatus };
      }
      return {};
    default:
      return {};
  }
}

/**
 * An error of the M2M SDK. `kind` is a discriminant: narrowing on it types `details`.
 *
 * @example
 * ```ts
 * try { decodeFrame(bytes); } catch (e) {
 *   if (isM2MError(e) && e.kind === 'LimitExceeded') console.log(e.details.max);
 * }
 * ```
 */
export class M2MErrorImpl<K extends M2MErrorKind = M2MErrorKind> extends M2MBaseError {
  override readonly name = 'M2MError';
  /** The kind of failure. */
  readonly kind: K;
  /** Typed details of the kind. */
  readonly details: Readonly<M2MErrorDetailsMap[K]>;

  /**
   * @param kind - the kind of failure
   * @param details - its details (see {@link M2MErrorDetailsMap})
   * @param options - `cause`; a Crypto kind always needs its CryptoError as cause
   */
  constructor(kind: K, details: M2MErrorDetailsMap[K], options?: ErrorOptions) {
    const entry = m2mEntry(kind);
    const d = cleanDetails(details as object) as Record<string, unknown>;
    const cause = options?.cause;
    const message =
      kind === 'Crypto'
        ? `Crypto error: ${cause instanceof Error ? cause.message : String(cause)}`
        : renderTemplate(entry.message, d);
    super(message, entry, m2mOverrides(kind, d, cause), options);
    this.kind = kind;
    this.details = d as Readonly<M2MErrorDetailsMap[K]>;
    Object.defineProperty(this, M2M_BRAND, { value: true });
  }

  /**
   * What `JSON.stringify(e)` writes: `serializeError(e)`'s form (code, retry advice, details with
   * secrets redacted, the cause chain) on Node, and in browsers once `@m2m/core/errors` is
   * imported; `{ name, code, message }` before that (errors/json-hook.ts).
   */
  toJSON(): unknown {
    return errorToJSON(this);
  }
}

/**
 * A failure in the crypto layer: `kind` names the component, `reason` the sub-reason.
 *
 * @example
 * ```ts
 * if (isCryptoError(e) && e.kind === 'Aead' && e.reason === 'DecryptionFailed') { ... }
 * ```
 */
export class CryptoErrorImpl<K extends CryptoErrorKind = CryptoErrorKind> extends M2MBaseError {
  override readonly name = 'CryptoError';
  /** The component that failed (`Aead`, `Hmac`, `Handshake`, …); narrowing on it types `reason` and `details`. */
  readonly kind: K;
  /** The sub-reason within the component (for `Aead`: `DecryptionFailed`, …). */
  readonly reason: CryptoReasonMap[K];
  /** Details for the message; never key bytes. */
  readonly details: Readonly<CryptoErrorDetailsMap[K]>;

  /**
   * @param kind - the component that failed
   * @param reason - the sub-reason
   * @param details - details for the message (never key bytes)
   */
  constructor(kind: K, reason: CryptoReasonMap[K], details?: CryptoErrorDetailsMap[K], options?: ErrorOptions) {
    const entry = cryptoEntry(kind, reason);
    const d = cleanDetails((details ?? {}) as object) as Record<string, unknown>;
    super(renderTemplate(entry.message, d), entry, {}, options);
    this.kind = kind;
    this.reason = reason;
    this.details = d as Readonly<CryptoErrorDetailsMap[K]>;
    Object.defineProperty(this, CRYPTO_BRAND, { value: true });
  }

  /**
   * What `JSON.stringify(e)` writes: `serializeError(e)`'s form (code, retry advice, details with
   * secrets redacted, the cause chain) on Node, and in browsers once `@m2m/core/errors` is
   * imported; `{ name, code, message }` before that (errors/json-hook.ts).
   */
  toJSON(): unknown {
    return errorToJSON(this);
  }
}

/** An {@link M2MErrorImpl} of one kind; `M2MError` without a parameter is the union of all kinds, so `kind` narrows. */
export type M2MError<K extends M2MErrorKind = M2MErrorKind> = K extends M2MErrorKind ? M2MErrorImpl<K> : never;
/** A {@link CryptoErrorImpl} of one kind; without a parameter, the union of all kinds. */
export type CryptoError<K extends CryptoErrorKind = CryptoErrorKind> = K extends CryptoErrorKind ? CryptoErrorImpl<K> : never;

/** Constructor type of {@link M2MError}. */
export interface M2MErrorConstructor {
  /** Creates an error of `kind` with that kind's typed details; `options.cause` chains the underlying error. */
  new <K extends M2MErrorKind>(kind: K, details: M2MErrorDetailsMap[K], options?: ErrorOptions): M2MError<K>;
  /** Shared prototype, so `instanceof M2MError` works. */
  readonly prototype: M2MErrorImpl;
}
/** Constructor type of {@link CryptoError}. */
export interface CryptoErrorConstructor {
  /** Creates an error of `kind` with its sub-`reason` and optional typed details; `options.cause` chains the underlying error. */
  new <K extends CryptoErrorKind>(kind: K, reason: CryptoReasonMap[K], details?: CryptoErrorDetailsMap[K], options?: ErrorOptions): CryptoError<K>;
  /** Shared prototype, so `instanceof CryptoError` works. */
  readonly prototype: CryptoErrorImpl;
}

/**
 * The SDK's general error class. `new M2MError('Decompression', { reason: 'Invalid M2M prefix' })`
 * has the message `Decompression error: Invalid M2M prefix`, as the Rust reference prints it.
 */
export const M2MError = M2MErrorImpl as unknown as M2MErrorConstructor;
Object.defineProperty(M2MErrorImpl, 'name', { value: 'M2MError' });
/**
 * The crypto layer's error class. `new CryptoError('Hmac', 'VerificationFailed')` has the
 * message `HMAC: HMAC verification failed`.
 */
export const CryptoError = CryptoErrorImpl as unknown as CryptoErrorConstructor;
Object.defineProperty(CryptoErrorImpl, 'name', { value: 'CryptoError' });
// What `util.inspect` shows of both classes (errors/inspect.ts); Node builds only, through the
// `#inspect-hook` seam (package.json `imports`): browsers have no util.inspect.
installInspectHook(M2MErrorImpl, CryptoErrorImpl);

function isBranded(x: unknown, brand: symbol): boolean {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[brand] === true;
}

/** True when `x` is an M2MError, also one made by another copy of this package. */
export function isM2MError(x: unknown): x is M2MError {
  return isBranded(x, M2M_BRAND);
}

/** True when `x` is a CryptoError, also one made by another copy of this package. */
export function isCryptoError(x: unknown): x is CryptoError {
  return isBranded(x, CRYPTO_BRAND);
}

/** True for either error class of the SDK. */
export function isSdkError(x: unknown): x is M2MError | CryptoError {
  return isM2MError(x) || isCryptoError(x);
}

/**
 * Wraps a CryptoError as an M2MError of kind Crypto, as the reference does at the frame layer.
 * @example `throw wrapCrypto(new CryptoError('Hmac', 'VerificationFailed'))`
 */
export function wrapCrypto(e: CryptoError): M2MError<'Crypto'> {
  return new M2MError('Crypto', {}, { cause: e });
}
