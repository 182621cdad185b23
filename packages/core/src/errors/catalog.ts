/**
 * The error catalog: one entry per stable code, for both error classes, with what the runtime
 * needs (kind, retry advice, HTTP status, message templates). Each code's description and remedy
 * are in `catalog-docs.ts` (public as `@m2m/core/explain`), so that browser bundles do not carry
 * that prose (bench/startup.ts). `docs/ERRORS.md` is generated from both (`pnpm docs:errors`).
 *
 * Numeric ids sit in category ranges, as the LLM agent API reference does:
 * 1000 codec, 2000 session and protocol, 3000 crypto, 4000 security, 5000 infrastructure,
 * 6000 models, 9000 internal.
 * @module
 */
import type { CryptoErrorKind, CryptoReasonMap, ErrorCategory, M2MErrorKind } from './kinds.js';

/** One entry of {@link errorCatalog}. */
export interface ErrorCatalogEntry {
  /** Stable SCREAMING_SNAKE_CASE code, unique across both classes. */
  readonly code: string;
  /** Stable numeric id in its category range. */
  readonly id: number;
  /** `M2MError` or `CryptoError`. */
  readonly errorClass: 'M2MError' | 'CryptoError';
  /** The kind (`e.kind`). */
  readonly kind: M2MErrorKind | CryptoErrorKind;
  /** The sub-reason of a CryptoError kind. */
  readonly reason?: string;
  readonly category: ErrorCategory;
  /** Whether retrying the same operation may succeed (an instance may refine it, e.g. REJECT codes). */
  readonly retryable: boolean;
  readonly httpStatus: number;
  /** Whether the public view may show this code's details and specific message. */
  readonly exposeDetails: boolean;
  /** English message template; `{name}` is replaced by the detail of that name. */
  readonly message: string;
  /** Generic English message, used by the public view when details are hidden. */
  readonly title: string;
}

type Row = [
  code: string,
  id: number,
  kind: string,
  reason: string | undefined,
  category: ErrorCategory,
  retryable: boolean,
  httpStatus: number,
  exposeDetails: boolean,
  message: string,
  title: string,
];

const m2mRows: Row[] = [
  ['COMPRESSION_FAILED', 1000, 'Compression', undefined, 'belief_falsified', false, 400, true, 'Compression error: {reason}', 'Compression failed'],
  ['DECOMPRESSION_FAILED', 1001, 'Decompression', undefined, 'belief_falsified', false, 400, true, 'Decompression error: {reason}', 'Decompression failed'],
  ['INVALID_CODEC', 1002, 'InvalidCodec', undefined, 'belief_falsified', false, 400, true, 'Invalid codec: {reason}', 'Invalid codec'],
  ['JSON_INVALID', 1003, 'Json', undefined, 'belief_falsified', false, 400, true, 'JSON error: {reason}', 'Invalid JSON'],
  ['TOKENIZER_ERROR', 1004, 'Tokenizer', undefined, 'belief_falsified', false, 500, true, 'Tokenizer error: {reason}', 'Tokenizer error'],
  ['LIMIT_EXCEEDED', 1005, 'LimitExceeded', undefined, 'belief_falsified', false, 413, true, 'Limit exceeded: {limit} is {actual}, maximum {max}', 'Limit exceeded'],
  ['PROTOCOL_ERROR', 2000, 'Protocol', undefined, 'belief_falsified', false, 400, true, 'Protocol error: {reason}', 'Protocol error'],
  ['NEGOTIATION_FAILED', 2001, 'NegotiationFailed', undefined, 'belief_falsified', false, 400, true, 'Negotiation failed: {reason}', 'Negotiation failed'],
  ['SESSION_NOT_ESTABLISHED', 2002, 'SessionNotEstablished', undefined, 'belief_falsified', false, 409, true, 'Session not established', 'Session not established'],
  ['SESSION_EXPIRED', 2003, 'SessionExpired', undefined, 'belief_falsified', false, 410, true, 'Session expired', 'Session expired'],
  ['INVALID_MESSAGE', 2004, 'InvalidMessage', undefined, 'belief_falsified', false, 400, true, 'Invalid message format: {reason}', 'Invalid message format'],
  ['CAPABILITY_MISMATCH', 2005, 'CapabilityMismatch', undefined, 'belief_falsified', false, 400, true, 'Capability mismatch: {reason}', 'Capability mismatch'],
  ['REJECTED', 2006, 'Rejected', undefined, 'bounded_ignorance', false, 503, true, 'Session rejected: {code}: {message}', 'Session rejected'],
  ['SESSION_CLOSED', 2007, 'Closed', undefined, 'bounded_ignorance', false, 410, true, 'Session closed: {reason}: {message}', 'Session closed'],
  ['TIMEOUT', 2008, 'Timeout', undefined, 'bounded_ignorance', true, 504, true, 'Timeout: {operation} did not complete within {ms} ms', 'Timeout'],
  ['ABORTED', 2009, 'Aborted', undefined, 'bounded_ignorance', false, 400, true, 'Aborted: {operation}', 'Aborted'],
  ['SESSION_NOT_FOUND', 2020, 'SessionNotFound', undefined, 'belief_falsified', false, 404, true, 'Session not found: {sessionId}', 'Session not found'],
  ['STREAM_ERROR', 2100, 'StreamError', undefined, 'belief_falsified', false, 500, false, 'Stream error: {reason}', 'Stream error'],
  ['STREAM_CLOSED', 2101, 'StreamClosed', undefined, 'bounded_ignorance', false, 503, false, 'Stream closed: {reason}', 'Stream closed'],
  ['STREAM_TIMEOUT', 2102, 'StreamTimeout', undefined, 'bounded_ignorance', true, 504, false, 'Stream timeout: no chunk within {ms} ms', 'Stream timeout'],
  ['STREAM_BACKPRESSURE', 2103, 'StreamBackpressure', undefined, 'bounded_ignorance', true, 503, false, 'Stream backpressure: {reason}', 'Stream backpressure'],
  ['CRYPTO_ERROR', 3000, 'Crypto', undefined, 'belief_falsified', false, 400, false, 'Crypto error: {cause}', 'Crypto error'],
  ['SECURITY_THREAT', 4000, 'SecurityThreat', undefined, 'security', false, 422, true, 'Security threat detected: {threatType}', 'Security threat detected'],
  ['CONTENT_BLOCKED', 4001, 'ContentBlocked', undefined, 'security', false, 422, true, 'Content blocked: {reason}', 'Content blocked'],
  ['REPLAY_DETECTED', 4002, 'ReplayDetected', undefined, 'security', false, 401, false, 'Replay detected: message counter {counter} was already received or is outside the window', 'Replay detected'],
  ['SECURITY_DOWNGRADE', 4003, 'SecurityDowngrade', undefined, 'security', false, 401, false, 'Security policy: frame security {actual} is weaker than the required {required}', 'Security policy violation'],
  ['AUTHENTICATION_FAILED', 4004, 'AuthenticationFailed', undefined, 'security', false, 401, true, 'Authentication failed', 'Authentication failed'],
  ['NETWORK_ERROR', 5000, 'Network', undefined, 'bounded_ignorance', true, 502, false, 'Network error: {reason}', 'Network error'],
  ['UPSTREAM_ERROR', 5001, 'Upstream', undefined, 'bounded_ignorance', true, 502, false, 'Upstream error: {reason}', 'Upstream error'],
  ['SERVER_ERROR', 5002, 'Server', undefined, 'bounded_ignorance', true, 500, false, 'Server error: {reason}', 'Server error'],
  ['IO_ERROR', 5003, 'Io', undefined, 'bounded_ignorance', true, 500, false, 'IO error: {reason}', 'I/O error'],
  ['CONFIG_ERROR', 5004, 'Config', undefined, 'belief_falsified', false, 500, false, 'Config error: {reason}', 'Configuration error'],
  ['MODEL_NOT_LOADED', 6000, 'ModelNotLoaded', undefined, 'belief_falsified', false, 503, false, 'Model not loaded: {reason}', 'Model not loaded'],
  ['MODEL_NOT_FOUND', 6001, 'ModelNotFound', undefined, 'belief_falsified', false, 404, true, 'Model not found: {reason}', 'Model not found'],
  ['MODEL_LOAD_FAILED', 6002, 'ModelLoad', undefined, 'bounded_ignorance', false, 500, false, 'Model load error: {reason}', 'Model load error'],
  ['INFERENCE_ERROR', 6003, 'Inference', undefined, 'bounded_ignorance', true, 502, false, 'Inference error: {reason}', 'Inference error'],
  ['INVALID_REQUEST', 2010, 'InvalidRequest', undefined, 'belief_falsified', false, 400, true, 'Invalid request: {reason}', 'Invalid request'],
  ['UNAUTHORIZED', 4010, 'Unauthorized', undefined, 'security', false, 401, true, 'Unauthorized: {reason}', 'Missing or invalid API key'],
  ['SECURITY_VIOLATION', 4011, 'SecurityViolation', undefined, 'security', false, 422, true, 'Content blocked by security scanner: {threatType} ({confidence})', 'Content blocked by security scanner'],
  ['RATE_LIMITED', 5010, 'RateLimited', undefined, 'bounded_ignorance', true, 429, true, 'Rate limit exceeded ({limit}); retry after {retryAfterMs} ms', 'Rate limit exceeded'],
  ['UPSTREAM_TIMEOUT', 5011, 'UpstreamTimeout', undefined, 'bounded_ignorance', true, 504, true, 'Upstream timeout: no answer within {ms} ms', 'Upstream timeout'],
  ['SERVER_BUSY', 5012, 'ServerBusy', undefined, 'bounded_ignorance', true, 503, true, 'Server busy: {reason}', 'Server busy'],
  ['ROUTE_NOT_FOUND', 5013, 'RouteNotFound', undefined, 'belief_falsified', false, 404, true, 'No route for {method} {path}', 'Not found'],
  ['INTERNAL_ERROR', 9000, 'Internal', undefined, 'invariant_violated', false, 500, false, 'Internal error: {reason}', 'Internal error'],
];

const cryptoRows: Row[] = [
  ['AEAD_INVALID_KEY', 3100, 'Aead', 'InvalidKey', 'belief_falsified', false, 500, false, 'AEAD: Invalid AEAD key: {detail}', 'Invalid AEAD key'],
  ['AEAD_ENCRYPTION_FAILED', 3101, 'Aead', 'EncryptionFailed', 'belief_falsified', false, 500, false, 'AEAD: Encryption failed: {detail}', 'Encryption failed'],
  ['AEAD_DECRYPTION_FAILED', 3102, 'Aead', 'DecryptionFailed', 'security', false, 401, false, 'AEAD: Decryption failed: {detail}', 'Decryption failed'],
  ['AEAD_DATA_TOO_SHORT', 3103, 'Aead', 'DataTooShort', 'belief_falsified', false, 400, false, 'AEAD: Ciphertext too short', 'Ciphertext too short'],
  ['HMAC_INVALID_KEY', 3200, 'Hmac', 'InvalidKey', 'belief_falsified', false, 500, false, 'HMAC: Invalid HMAC key: {detail}', 'Invalid HMAC key'],
  ['HMAC_VERIFICATION_FAILED', 3201, 'Hmac', 'VerificationFailed', 'security', false, 401, false, 'HMAC: HMAC verification failed', 'HMAC verification failed'],
  ['HMAC_DATA_TOO_SHORT', 3202, 'Hmac', 'DataTooShort', 'belief_falsified', false, 400, false, 'HMAC: Data too short for HMAC tag', 'Data too short for HMAC tag'],
  ['KEY_EMPTY', 3300, 'Key', 'Empty', 'belief_falsified', false, 500, false, 'Key: Key material is empty', 'Key material is empty'],
  ['KEY_TOO_SHORT', 3301, 'Key', 'TooShort', 'belief_falsified', false, 500, false, 'Key: Key too short: got {got} bytes, need at least {min}', 'Key too short'],
  ['KEYRING_KEY_NOT_FOUND', 3400, 'Keyring', 'KeyNotFound', 'belief_falsified', false, 500, false, 'Keyring: Key not found: {keyId}', 'Key not found'],
  ['KEYRING_INVALID_KEY', 3401, 'Keyring', 'InvalidKey', 'belief_falsified', false, 500, false, 'Keyring: Invalid key material: {detail}', 'Invalid key material'],
  ['KEYRING_DERIVATION_FAILED', 3402, 'Keyring', 'DerivationFailed', 'belief_falsified', false, 500, false, 'Keyring: Key derivation failed: {detail}', 'Key derivation failed'],
  ['KEYRING_NO_DEFAULT_KEY', 3403, 'Keyring', 'NoDefaultKey', 'belief_falsified', false, 500, false, 'Keyring: Key not found: no default key', 'No default key'],
  ['NONCE_RNG_FAILURE', 3500, 'Nonce', 'RngFailure', 'bounded_ignorance', true, 500, false, 'Nonce: CSPRNG failure: {detail}', 'CSPRNG failure'],
  ['NONCE_EXHAUSTED', 3501, 'Nonce', 'Exhausted', 'belief_falsified', false, 500, false, 'Nonce: Nonce counter exhausted: {detail}', 'Nonce counter exhausted'],
  ['EXCHANGE_INVALID_PUBLIC_KEY', 3600, 'Exchange', 'InvalidPublicKey', 'belief_falsified', false, 400, false, 'Key exchange: Invalid public key: {detail}', 'Invalid public key'],
  ['EXCHANGE_GENERATION_FAILED', 3601, 'Exchange', 'GenerationFailed', 'bounded_ignorance', true, 500, false, 'Key exchange: Key generation failed: {detail}', 'Key generation failed'],
  ['EXCHANGE_LOW_ORDER_POINT', 3602, 'Exchange', 'LowOrderPoint', 'security', false, 400, false, 'Key exchange: Invalid public key: low-order point gives an all-zero shared secret', 'Low-order public key'],
  ['ID_EMPTY', 3700, 'Id', 'Empty', 'belief_falsified', false, 400, true, 'ID validation: {idKind} ID cannot be empty', 'ID cannot be empty'],
  ['ID_TOO_LONG', 3701, 'Id', 'TooLong', 'belief_falsified', false, 400, true, 'ID validation: {idKind} ID too long: {len} chars (max {max})', 'ID too long'],
  ['ID_INVALID_CHARS', 3702, 'Id', 'InvalidChars', 'belief_falsified', false, 400, true, 'ID validation: {idKind} ID contains invalid characters (only alphanumeric, hyphen, underscore allowed): {value}', 'ID has invalid characters'],
  ['HANDSHAKE_FAILED', 3800, 'Handshake', 'Failed', 'security', false, 401, false, 'Handshake failed at message {message} ({stage}): {detail}', 'Handshake failed'],
  ['HANDSHAKE_DECRYPTION_FAILED', 3801, 'Handshake', 'DecryptionFailed', 'security', false, 401, false, 'Handshake failed at message {message} ({stage}): {detail}', 'Handshake failed'],
  ['HANDSHAKE_PEER_REFUSED', 3802, 'Handshake', 'PeerRefused', 'security', false, 403, false, 'Handshake failed at message {message} ({stage}): {detail}', 'Peer refused'],
  ['HANDSHAKE_MALFORMED', 3803, 'Handshake', 'Malformed', 'belief_falsified', false, 400, false, 'Handshake failed at message {message} ({stage}): {detail}', 'Malformed handshake message'],
  ['HANDSHAKE_UNEXPECTED_MESSAGE', 3804, 'Handshake', 'UnexpectedMessage', 'belief_falsified', false, 400, false, 'Handshake failed at message {message} ({stage}): {detail}', 'Unexpected handshake message'],
];

function toEntry(errorClass: 'M2MError' | 'CryptoError', r: Row): ErrorCatalogEntry {
  const [code, id, kind, reason, category, retryable, httpStatus, exposeDetails, message, title] = r;
  return Object.freeze({
    code,
    id,
    errorClass,
    kind: kind as M2MErrorKind | CryptoErrorKind,
    ...(reason !== undefined ? { reason } : {}),
    category,
    retryable,
    httpStatus,
    exposeDetails,
    message,
    title,
  });
}

/**
 * Every error code of the SDK, in id order (each code's description and remedy:
 * `explainError` from `@m2m/core/explain`).
 * @example
 * ```ts
 * const entry = errorCatalog.find((e) => e.code === 'AEAD_DECRYPTION_FAILED');
 * console.log(entry?.httpStatus, entry?.retryable);
 * ```
 */
export const errorCatalog: readonly ErrorCatalogEntry[] = Object.freeze(
  [...m2mRows.map((r) => toEntry('M2MError', r)), ...cryptoRows.map((r) => toEntry('CryptoError', r))].sort((a, b) => a.id - b.id),
);

/** Every code of the catalog, as a string union. */
export type ErrorCode = string;

const byCode = new Map(errorCatalog.map((e) => [e.code, e]));
const m2mByKind = new Map(errorCatalog.filter((e) => e.errorClass === 'M2MError').map((e) => [e.kind, e]));
const cryptoByKindReason = new Map(errorCatalog.filter((e) => e.errorClass === 'CryptoError').map((e) => [`${e.kind}/${e.reason}`, e]));

/** The catalog entry of a code, or `undefined`. */
export function catalogEntry(code: string): ErrorCatalogEntry | undefined {
  return byCode.get(code);
}

/** @internal The entry of an M2MError kind. */
export function m2mEntry(kind: M2MErrorKind): ErrorCatalogEntry {
  const e = m2mByKind.get(kind);
  if (!e) throw new Error(`no catalog entry for M2MError kind ${kind}`);
  return e;
}

/** @internal The entry of a CryptoError kind and reason. */
export function cryptoEntry<K extends CryptoErrorKind>(kind: K, reason: CryptoReasonMap[K]): ErrorCatalogEntry {
  const e = cryptoByKindReason.get(`${kind}/${reason}`);
  if (!e) throw new Error(`no catalog entry for CryptoError ${kind}/${reason}`);
  return e;
}

/**
 * Fills a message template's `{name}` slots from details. A last slot left empty takes its
 * `: ` with it (`Session closed: SERVER_SHUTDOWN`, not `…SERVER_SHUTDOWN: `); the log decoder's
 * catalog matcher (packages/cli/src/log-decoder/catalog-match.ts) reads both forms.
 */
export function renderTemplate(template: string, details: Readonly<Record<string, unknown>>): string {
  const text = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = details[name];
    return v === undefined || v === null ? '' : String(v);
  });
  return text.endsWith(': ') && /: \{\w+\}$/.test(template) ? text.slice(0, -2) : text;
}
