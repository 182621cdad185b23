/**
 * `serializeError` / `deserializeError`: error chains as plain JSON that come back typed.
 * @module
 */
import { CryptoErrorImpl, M2MBaseError, M2MErrorImpl, isCryptoError, isSdkError } from './base.js';
import { setToJSONHook } from './json-hook.js';
import { catalogEntry, cryptoEntry, m2mEntry } from './catalog.js';
import type { CryptoErrorKind, CryptoReasonMap, M2MErrorKind } from './kinds.js';
import { redactDetails } from './redact.js';

/** `internal`: everything (for your logs). `public`: safe to send to a peer or client. */
export type ErrorView = 'internal' | 'public';

/** Options of {@link serializeError}. */
export interface SerializeOptions {
  /** Default `internal`. */
  view?: ErrorView;
  /** Include `stack` (internal view only). Default false. */
  stack?: boolean;
  /** Added as `request_id` (public view). */
  requestId?: string;
  /** Added as `documentation_url` (public view). */
  documentationUrl?: string;
  /** How many causes to follow. Default 16. */
  maxDepth?: number;
}

/** The serialized form of an error and its causes. */
export interface SerializedError {
  /** Error class name (`M2MError`, `CryptoError`, a foreign `Error` name, or `NonError` / `Truncated` / `CircularReference`). */
  name: string;
  /** Human-readable message; in the public view of a hidden error, the catalog title instead. */
  message: string;
  /** SDK error kind (`M2MErrorKind` / `'crypto'`); absent for foreign errors. */
  kind?: string;
  /** Crypto failure reason (CryptoError only); omitted in the public view when details are hidden. */
  reason?: string;
  /** Stable SDK error code; for a foreign error, its own string or numeric `code` property if it had one. */
  code?: string | number;
  /** Numeric catalog id of `code` (SDK errors only). */
  id?: number;
  /** Catalog category of the code (SDK errors only). */
  category?: string;
  /** Whether retrying the same operation may succeed (SDK errors only). */
  retryable?: boolean;
  /** Suggested wait before retrying, in milliseconds; present only when the error set one. */
  retryAfterMs?: number;
  /** HTTP status the code maps to (SDK errors only). */
  httpStatus?: number;
  /** Structured details, with byte arrays and secret-named keys redacted. */
  details?: Record<string, unknown>;
  /** The serialized `cause`, if the error had one (cut off at `maxDepth`). */
  cause?: SerializedError;
  /** Stack trace; only when `stack: true` was asked for in the internal view. */
  stack?: string;
  /** For a non-Error cause: its JSON-safe value. */
  value?: unknown;
  /** Caller-supplied request id (public view, from `SerializeOptions.requestId`). */
  request_id?: string;
  /** Caller-supplied documentation link (public view, from `SerializeOptions.documentationUrl`). */
  documentation_url?: string;
}

/** Codes that the public view reports as AUTHENTICATION_FAILED, so a peer cannot tell a wrong key from tampering. */
export const AUTHENTICATION_FAILURE_CODES: ReadonlySet<string> = new Set([
  'AEAD_DECRYPTION_FAILED',
  'HMAC_VERIFICATION_FAILED',
  'HANDSHAKE_FAILED',
  'HANDSHAKE_DECRYPTION_FAILED',
  'HANDSHAKE_PEER_REFUSED',
  'EXCHANGE_LOW_ORDER_POINT',
  'AUTHENTICATION_FAILED',
]);

/** The code an error shows in the public view (authentication failures collapse to one). */
export function publicCode(e: M2MBaseError): string {
  let code = e.code;
  if (code === 'CRYPTO_ERROR' && isSdkError(e.cause)) code = e.cause.code;
  return AUTHENTICATION_FAILURE_CODES.has(code) ? 'AUTHENTICATION_FAILED' : e.code === 'CRYPTO_ERROR' ? 'CRYPTO_ERROR' : code;
}

/**
 * Turns an error (any value) into a plain JSON-safe object with its whole cause chain.
 * Byte arrays and secret-named details are redacted in every view.
 *
 * @example
 * ```ts
 * log.error(JSON.stringify(serializeError(e)));
 * const back = deserializeError(JSON.parse(line)); // typed again
 * ```
 */
export function serializeError(e: unknown, options: SerializeOptions = {}): SerializedError {
  const view = options.view ?? 'internal';
  if (view === 'public') return serializePublic(e, options);
  return serializeInternal(e, options, 0, new WeakSet());
}

function serializeInternal(e: unknown, options: SerializeOptions, depth: number, seen: WeakSet<object>): SerializedError {
  const maxDepth = options.maxDepth ?? 16;
  if (typeof e === 'object' && e !== null) {
    if (seen.has(e)) return { name: 'CircularReference', message: '[circular cause]' };
    seen.add(e);
  }
  let out: SerializedError;
  if (isSdkError(e)) {
    out = {
      name: e.name,
      kind: e.kind,
      ...(isCryptoError(e) ? { reason: e.reason } : {}),
      code: e.code,
      id: e.id,
      message: e.message,
      category: e.category,
      retryable: e.retryable,
      ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
      httpStatus: e.httpStatus,
      details: redactDetails(e.details) as Record<string, unknown>,
    };
  } else if (e instanceof Error || (typeof e === 'object' && e !== null && typeof (e as Error).message === 'string' && typeof (e as Error).name === 'string')) {
    const err = e as Error & { code?: unknown };
    out = { name: String(err.name), message: String(err.message) };
    if (typeof err.code === 'string' || typeof err.code === 'number') out.code = err.code;
  } else {
    const value = redactDetails(e);
    return { name: 'NonError', message: describe(e), ...(value !== undefined ? { value } : {}) };
  }
  if (options.stack && e instanceof Error && typeof e.stack === 'string') out.stack = e.stack;
  const cause = (e as { cause?: unknown }).cause;
  if (cause !== undefined) {
    out.cause = depth + 1 >= maxDepth ? { name: 'Truncated', message: '[cause chain truncated]' } : serializeInternal(cause, options, depth + 1, seen);
  }
  return out;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(redactDetails(v)) ?? String(v);
  } catch {
    return String(v);
  }
}

function serializePublic(e: unknown, options: SerializeOptions): SerializedError {
  let out: SerializedError;
  if (isSdkError(e)) {
    const code = publicCode(e);
    const entry = catalogEntry(code)!;
    const hide = code !== e.code || !e.exposeDetails;
    out = {
      name: entry.errorClass,
      kind: entry.kind,
      ...(entry.reason && !hide ? { reason: entry.reason } : {}),
      code,
      id: entry.id,
      message: hide ? entry.title : e.message,
      category: entry.category,
      retryable: e.retryable,
      ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
      httpStatus: hide ? entry.httpStatus : e.httpStatus,
      ...(hide ? {} : { details: redactDetails(e.details) as Record<string, unknown> }),
    };
  } else {
    const entry = catalogEntry('INTERNAL_ERROR')!;
    out = { name: 'M2MError', kind: 'Internal', code: entry.code, id: entry.id, message: entry.title, category: entry.category, retryable: false, httpStatus: 500 };
  }
  if (options.requestId !== undefined) out.request_id = options.requestId;
  if (options.documentationUrl !== undefined) out.documentation_url = options.documentationUrl;
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Rebuilds a typed error chain from {@link serializeError}'s output (also after JSON). SDK
 * errors are rebuilt from a registry by kind; no constructor named by the input is ever called.
 * Anything unrecognised becomes a plain `Error` with the given name and message.
 * Never throws.
 */
export function deserializeError(obj: unknown, depth = 0): unknown {
  if (!isRecord(obj)) return new Error(typeof obj === 'string' ? obj : 'Unrecognised error value');
  const name = typeof obj.name === 'string' ? obj.name : 'Error';
  const message = typeof obj.message === 'string' ? obj.message : '';
  if (name === 'NonError') return 'value' in obj ? obj.value : message;
  const cause = depth < 32 && obj.cause !== undefined ? deserializeError(obj.cause, depth + 1) : undefined;
  const causeOpt = obj.cause !== undefined ? { cause } : undefined;
  const details = isRecord(obj.details) ? obj.details : {};
  let err: Error | undefined;
  try {
    if (name === 'M2MError' && typeof obj.kind === 'string' && tryEntry(() => m2mEntry(obj.kind as M2MErrorKind))) {
      err = new M2MErrorImpl(obj.kind as M2MErrorKind, details as never, causeOpt);
    } else if (name === 'CryptoError' && typeof obj.kind === 'string' && typeof obj.reason === 'string' && tryEntry(() => cryptoEntry(obj.kind as CryptoErrorKind, obj.reason as never))) {
      err = new CryptoErrorImpl(obj.kind as CryptoErrorKind, obj.reason as CryptoReasonMap[CryptoErrorKind], details as never, causeOpt);
    } else if (name === 'CryptoError' && obj.code === 'CRYPTO_ERROR') {
      err = undefined;
    }
  } catch {
    err = undefined;
  }
  if (err) {
    const fix = (k: string, v: unknown) => Object.defineProperty(err, k, { value: v, enumerable: true, configurable: true, writable: false });
    if (message) Object.defineProperty(err, 'message', { value: message, enumerable: false, configurable: true, writable: true });
    if (typeof obj.code === 'string' && obj.code !== (err as M2MBaseError).code && catalogEntry(obj.code)) fix('code', obj.code);
    if (typeof obj.retryable === 'boolean') fix('retryable', obj.retryable);
    if (typeof obj.retryAfterMs === 'number') fix('retryAfterMs', obj.retryAfterMs);
    if (typeof obj.httpStatus === 'number') fix('httpStatus', obj.httpStatus);
  } else {
    err = new Error(message, causeOpt);
    Object.defineProperty(err, 'name', { value: name, enumerable: false, configurable: true, writable: true });
    if (typeof obj.code === 'string' || typeof obj.code === 'number') (err as Error & { code?: unknown }).code = obj.code;
  }
  if (typeof obj.stack === 'string') Object.defineProperty(err, 'stack', { value: obj.stack, enumerable: false, configurable: true, writable: true });
  else if (err) Object.defineProperty(err, 'stack', { value: `${name}: ${message}\n    (deserialized)`, enumerable: false, configurable: true, writable: true });
  return err;
}

function tryEntry(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

setToJSONHook((e) => serializeError(e));

/** True when a value looks like {@link serializeError}'s output of an SDK error. */
export function isSerializedSdkError(x: unknown): x is SerializedError {
  return isRecord(x) && (x.name === 'M2MError' || x.name === 'CryptoError') && typeof x.code === 'string' && typeof x.message === 'string';
}

