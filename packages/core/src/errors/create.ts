/**
 * `createError`: build the error of any catalog code.
 * @module
 */
import { CryptoError, M2MError } from './base.js';
import { catalogEntry } from './catalog.js';
import type { CryptoErrorDetailsMap, CryptoErrorKind, CryptoReasonMap, M2MErrorDetailsMap, M2MErrorKind } from './kinds.js';

/**
 * Builds the error of a catalog code. Details the kind does not use are ignored; a Crypto
 * code without a cause gets a generic CryptoError cause so the chain stays well formed.
 *
 * @throws M2MError of kind Internal when the code is not in the catalog.
 * @example
 * ```ts
 * const e = createError('LIMIT_EXCEEDED', { limit: 'messageBytes', actual: 20e6, max: 16 << 20 });
 * e.message; // 'Limit exceeded: 20000000 is over messageBytes = 16777216'
 * ```
 */
export function createError(code: string, details?: Record<string, unknown>, options?: { cause?: unknown }): M2MError | CryptoError {
  const entry = catalogEntry(code);
  if (!entry) throw new M2MError('Internal', { reason: `unknown error code ${JSON.stringify(code)}` });
  const d = pickDetails(entry.kind, details ?? {});
  if (entry.errorClass === 'CryptoError') {
    const kind = entry.kind as CryptoErrorKind;
    return new CryptoError(kind, entry.reason as CryptoReasonMap[typeof kind], d as CryptoErrorDetailsMap[typeof kind], options);
  }
  const kind = entry.kind as M2MErrorKind;
  if (kind === 'Crypto' && !(options && 'cause' in options)) {
    return new M2MError('Crypto', {}, { cause: new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' }) });
  }
  return new M2MError(kind, fillRequired(kind, d) as M2MErrorDetailsMap[typeof kind], options);
}

const allowed: Record<string, readonly string[]> = {
  Protocol: ['reason', 'state', 'event'],
  SessionNotEstablished: ['state'],
  SessionExpired: ['idleMs'],
  Crypto: [],
  AuthenticationFailed: [],
  SecurityThreat: ['threatType', 'confidence'],
  Rejected: ['code', 'retryAfterMs', 'message'],
  Closed: ['reason', 'message'],
  Timeout: ['operation', 'ms'],
  LimitExceeded: ['limit', 'actual', 'max'],
  ReplayDetected: ['counter'],
  SecurityDowngrade: ['required', 'actual'],
  Aborted: ['operation'],
  SessionNotFound: ['sessionId'],
  StreamError: ['reason', 'streamId', 'expected', 'received'],
  StreamClosed: ['reason', 'streamId', 'chunksReceived'],
  StreamTimeout: ['streamId', 'ms', 'chunksReceived'],
  StreamBackpressure: ['reason', 'streamId', 'limit', 'max'],
  SecurityViolation: ['threatType', 'confidence'],
  RateLimited: ['retryAfterMs', 'limit'],
  UpstreamTimeout: ['ms'],
  ServerBusy: ['reason', 'retryAfterMs'],
  RouteNotFound: ['method', 'path'],
  Aead: ['detail'],
  Hmac: ['detail'],
  Key: ['got', 'min'],
  Keyring: ['keyId', 'detail'],
  Nonce: ['detail'],
  Exchange: ['detail'],
  Id: ['idKind', 'value', 'len', 'max'],
  Handshake: ['stage', 'message', 'detail'],
};

function pickDetails(kind: string, details: Record<string, unknown>): Record<string, unknown> {
  const keys = allowed[kind] ?? ['reason'];
  const out: Record<string, unknown> = {};
  for (const k of keys) if (details[k] !== undefined) out[k] = details[k];
  return out;
}

function fillRequired(kind: M2MErrorKind, d: Record<string, unknown>): Record<string, unknown> {
  const keys = allowed[kind] ?? ['reason'];
  if (keys.length === 1 && keys[0] === 'reason' && d.reason === undefined) return { reason: '' };
  if (kind === 'Rejected') return { code: 'UNKNOWN', message: '', ...d };
  if (kind === 'Closed') return { reason: 'ERROR', message: '', ...d };
  if (kind === 'SessionNotFound') return { sessionId: '', ...d };
  if (kind === 'StreamError' || kind === 'StreamClosed' || kind === 'StreamBackpressure') return { reason: '', ...d };
  if (kind === 'StreamTimeout') return { ms: 0, ...d };
  return d;
}
