/**
 * The error catalog: one entry per stable code, for both error classes, with what the runtime
 * needs (kind, retry advice, HTTP status, message templates). Each code's description and remedy
 * are in `catalog-docs.ts` (public as `@m2m/core/explain`), so that browser bundles do not carry
 * that prose (bench/startup.ts). `docs/ERRORS.md` is generated from both (`pnpm docs:errors`).
 *
 * The rows are compact (category indexes, flag bits, messages derived from titles where they
 * follow the usual shape): the runtime catalog is in every browser bundle (bench/startup.ts).
 * Numeric ids sit in category ranges, as the LLM agent API reference does:
 * 1000 codec, 2000 session and protocol, 3000 crypto, 4000 security, 5000 infrastructure,
 * 6000 models, 9000 internal.
 * @module
 */
import type { CryptoErrorKind, CryptoReasonMap, ErrorCategory, M2MErrorKind } from './kinds.js';

/** One entry of the error catalog (`errorCatalog`, catalog-list.ts; {@link catalogEntry}). */
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
  /** Epistemic class of the failure (see {@link ErrorCategory}). */
  readonly category: ErrorCategory;
  /** Whether retrying the same operation may succeed (an instance may refine it, e.g. REJECT codes). */
  readonly retryable: boolean;
  /** HTTP status a server answers with for this code (4xx caller error, 5xx server side). */
  readonly httpStatus: number;
  /** Whether the public view may show this code's details and specific message. */
  readonly exposeDetails: boolean;
  /** English message template; `{name}` is replaced by the detail of that name. */
  readonly message: string;
  /** Generic English message, used by the public view when details are hidden. */
  readonly title: string;
}

/** Row categories, by their index in a row. */
const CATEGORIES: readonly ErrorCategory[] = ['belief_falsified', 'bounded_ignorance', 'security', 'invariant_violated'];
/** Row flags. */
const RETRYABLE = 1;
const EXPOSE_DETAILS = 2;
/** The message is the title alone (no detail slot). */
const TITLE_ONLY = 4;

/**
 * An M2MError row: code, id, kind, category (index into CATEGORIES), flags, HTTP status, title,
 * and the message template when it is not `<title>: {reason}` (nor the title alone, TITLE_ONLY).
 * An empty code is the kind in SCREAMING_SNAKE_CASE, one that starts with `_` a suffix to it
 * (`Io` + `_ERROR`); an empty title is the code in words (`SESSION_EXPIRED` → `Session expired`).
 */
type M2MRow = [code: string, id: number, kind: string, category: number, flags: number, httpStatus: number, title: string, message?: string];
/**
 * A CryptoError row: id, kind, reason, category, flags, HTTP status, title, and the message after
 * the kind's prefix when it is not `<title>: {detail}`; an empty title is the reason in words.
 * The code is KIND_REASON in SCREAMING_SNAKE_CASE (`Aead`/`InvalidKey` → `AEAD_INVALID_KEY`); the message starts with the
 * kind's label as the reference displays it (`AEAD: …`); every handshake code shares one message.
 */
type CryptoRow = [id: number, kind: CryptoErrorKind, reason: string, category: number, flags: number, httpStatus: number, title: string, message?: string];

/** The reference's display prefix of each CryptoError kind but Handshake. */
const CRYPTO_PREFIX: Readonly<Record<Exclude<CryptoErrorKind, 'Handshake'>, string>> = {
  Aead: 'AEAD',
  Hmac: 'HMAC',
  Key: 'Key',
  Keyring: 'Keyring',
  Nonce: 'Nonce',
  Exchange: 'Key exchange',
  Id: 'ID validation',
};
const HANDSHAKE_MESSAGE = 'Handshake failed at message {message} ({stage}): {detail}';

const m2mRows: M2MRow[] = [
  ['_FAILED', 1000, 'Compression', 0, 2, 400, '', 'Compression error: {reason}'],
  ['_FAILED', 1001, 'Decompression', 0, 2, 400, '', 'Decompression error: {reason}'],
  ['', 1002, 'InvalidCodec', 0, 2, 400, ''],
  ['_INVALID', 1003, 'Json', 0, 2, 400, 'Invalid JSON', 'JSON error: {reason}'],
  ['_ERROR', 1004, 'Tokenizer', 0, 2, 500, ''],
  ['', 1005, 'LimitExceeded', 0, 2, 413, '', 'Limit exceeded: {actual} is over {limit} = {max}'],
  ['_ERROR', 2000, 'Protocol', 0, 2, 400, ''],
  ['', 2001, 'NegotiationFailed', 0, 2, 400, ''],
  ['', 2002, 'SessionNotEstablished', 0, 6, 409, ''],
  ['', 2003, 'SessionExpired', 0, 6, 410, ''],
  ['', 2004, 'InvalidMessage', 0, 2, 400, 'Invalid message format'],
  ['', 2005, 'CapabilityMismatch', 0, 2, 400, ''],
  ['', 2006, 'Rejected', 1, 2, 503, 'Session rejected', 'Session rejected: {code}: {message}'],
  ['SESSION_CLOSED', 2007, 'Closed', 1, 2, 410, '', 'Session closed: {reason}: {message}'],
  ['', 2008, 'Timeout', 1, 3, 504, '', 'Timeout: {operation} did not complete within {ms} ms'],
  ['', 2009, 'Aborted', 1, 2, 400, '', 'Aborted: {operation}'],
  ['', 2020, 'SessionNotFound', 0, 2, 404, '', 'Session not found: {sessionId}'],
  ['', 2100, 'StreamError', 0, 0, 500, ''],
  ['', 2101, 'StreamClosed', 1, 0, 503, ''],
  ['', 2102, 'StreamTimeout', 1, 1, 504, '', 'Stream timeout: no chunk within {ms} ms'],
  ['', 2103, 'StreamBackpressure', 1, 1, 503, ''],
  ['_ERROR', 3000, 'Crypto', 0, 0, 400, '', 'Crypto error: {cause}'],
  ['', 4000, 'SecurityThreat', 2, 2, 422, 'Security threat detected', 'Security threat detected: {threatType}'],
  ['', 4001, 'ContentBlocked', 2, 2, 422, ''],
  ['', 4002, 'ReplayDetected', 2, 0, 401, '', 'Replay detected: message counter {counter} was already received or is outside the window'],
  ['', 4003, 'SecurityDowngrade', 2, 0, 401, 'Security policy violation', 'Security policy: frame security {actual} is weaker than the required {required}'],
  ['', 4004, 'AuthenticationFailed', 2, 6, 401, ''],
  ['_ERROR', 5000, 'Network', 1, 1, 502, ''],
  ['_ERROR', 5001, 'Upstream', 1, 1, 502, ''],
  ['_ERROR', 5002, 'Server', 1, 1, 500, ''],
  ['_ERROR', 5003, 'Io', 1, 1, 500, 'I/O error', 'IO error: {reason}'],
  ['_ERROR', 5004, 'Config', 0, 0, 500, 'Configuration error', 'Config error: {reason}'],
  ['', 6000, 'ModelNotLoaded', 0, 0, 503, ''],
  ['', 6001, 'ModelNotFound', 0, 2, 404, ''],
  ['_FAILED', 6002, 'ModelLoad', 1, 0, 500, 'Model load error'],
  ['_ERROR', 6003, 'Inference', 1, 1, 502, ''],
  ['', 2010, 'InvalidRequest', 0, 2, 400, ''],
  ['', 4010, 'Unauthorized', 2, 2, 401, 'Missing or invalid API key', 'Unauthorized: {reason}'],
  ['', 4011, 'SecurityViolation', 2, 2, 422, 'Content blocked by security scanner', 'Content blocked by security scanner: {threatType} ({confidence})'],
  ['', 5010, 'RateLimited', 1, 3, 429, 'Rate limit exceeded', 'Rate limit exceeded ({limit}); retry after {retryAfterMs} ms'],
  ['', 5011, 'UpstreamTimeout', 1, 3, 504, '', 'Upstream timeout: no answer within {ms} ms'],
  ['', 5012, 'ServerBusy', 1, 3, 503, ''],
  ['', 5013, 'RouteNotFound', 0, 2, 404, 'Not found', 'No route for {method} {path}'],
  ['_ERROR', 9000, 'Internal', 3, 0, 500, ''],
];

const cryptoRows: CryptoRow[] = [
  [3100, 'Aead', 'InvalidKey', 0, 0, 500, 'Invalid AEAD key'],
  [3101, 'Aead', 'EncryptionFailed', 0, 0, 500, ''],
  [3102, 'Aead', 'DecryptionFailed', 2, 0, 401, ''],
  [3103, 'Aead', 'DataTooShort', 0, 4, 400, 'Ciphertext too short'],
  [3200, 'Hmac', 'InvalidKey', 0, 0, 500, 'Invalid HMAC key'],
  [3201, 'Hmac', 'VerificationFailed', 2, 4, 401, 'HMAC verification failed'],
  [3202, 'Hmac', 'DataTooShort', 0, 4, 400, 'Data too short for HMAC tag'],
  [3300, 'Key', 'Empty', 0, 4, 500, 'Key material is empty'],
  [3301, 'Key', 'TooShort', 0, 0, 500, 'Key too short', 'Key too short: got {got} bytes, need at least {min}'],
  [3400, 'Keyring', 'KeyNotFound', 0, 0, 500, '', 'Key not found: {keyId}'],
  [3401, 'Keyring', 'InvalidKey', 0, 0, 500, 'Invalid key material'],
  [3402, 'Keyring', 'DerivationFailed', 0, 0, 500, 'Key derivation failed'],
  [3403, 'Keyring', 'NoDefaultKey', 0, 0, 500, '', 'Key not found: no default key'],
  [3500, 'Nonce', 'RngFailure', 1, 1, 500, 'CSPRNG failure'],
  [3501, 'Nonce', 'Exhausted', 0, 0, 500, 'Nonce counter exhausted'],
  [3600, 'Exchange', 'InvalidPublicKey', 0, 0, 400, ''],
  [3601, 'Exchange', 'GenerationFailed', 1, 1, 500, 'Key generation failed'],
  [3602, 'Exchange', 'LowOrderPoint', 2, 0, 400, 'Low-order public key', 'Invalid public key: low-order point gives an all-zero shared secret'],
  [3700, 'Id', 'Empty', 0, 2, 400, 'ID cannot be empty', '{idKind} ID cannot be empty'],
  [3701, 'Id', 'TooLong', 0, 2, 400, 'ID too long', '{idKind} ID too long: {len} chars (max {max})'],
  [3702, 'Id', 'InvalidChars', 0, 2, 400, 'ID has invalid characters', '{idKind} ID contains invalid characters (only alphanumeric, hyphen, underscore allowed): {value}'],
  [3800, 'Handshake', 'Failed', 2, 0, 401, 'Handshake failed'],
  [3801, 'Handshake', 'DecryptionFailed', 2, 0, 401, 'Handshake failed'],
  [3802, 'Handshake', 'PeerRefused', 2, 0, 403, ''],
  [3803, 'Handshake', 'Malformed', 0, 0, 400, 'Malformed handshake message'],
  [3804, 'Handshake', 'UnexpectedMessage', 0, 0, 400, 'Unexpected handshake message'],
];

const snake = (name: string) => name.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toUpperCase();
/** `SESSION_EXPIRED` → `Session expired` (a row's empty title). */
const words = (code: string) => code[0] + code.slice(1).toLowerCase().replace(/_/g, ' ');

/** The entry of a row; `prefix` goes before the message template (CryptoError kinds). */
function entry(errorClass: 'M2MError' | 'CryptoError', code: string, id: number, kind: string, reason: string | undefined, row: [number, number, number, string, string?], slot: string, prefix = ''): ErrorCatalogEntry {
  const [category, flags, httpStatus, title, message] = row;
  return Object.freeze({
    code,
    id,
    errorClass,
    kind: kind as M2MErrorKind | CryptoErrorKind,
    ...(reason !== undefined ? { reason } : {}),
    category: CATEGORIES[category],
    retryable: (flags & RETRYABLE) !== 0,
    httpStatus,
    exposeDetails: (flags & EXPOSE_DETAILS) !== 0,
    message: prefix + (message ?? (flags & TITLE_ONLY ? title : `${title}: {${slot}}`)),
    title,
  });
}

function fromM2MRow([code, id, kind, ...rest]: M2MRow): ErrorCatalogEntry {
  if (!code || code[0] === '_') code = snake(kind) + code;
  rest[3] ||= words(code);
  return entry('M2MError', code, id, kind, undefined, rest, 'reason');
}

function fromCryptoRow([id, kind, reason, ...rest]: CryptoRow): ErrorCatalogEntry {
  const code = `${snake(kind)}_${snake(reason)}`;
  rest[3] ||= words(snake(reason));
  if (kind === 'Handshake') rest[4] = HANDSHAKE_MESSAGE;
  return entry('CryptoError', code, id, kind, reason, rest, 'detail', kind === 'Handshake' ? '' : `${CRYPTO_PREFIX[kind]}: `);
}

/** Every code of the catalog, as a string union. */
export type ErrorCode = string;

// Built on first use, not at import: the entries and their three maps cost ~1 ms of every cold
// import (bench/startup.ts), and most processes never make an error. `errorCatalog` itself is in
// catalog-list.ts, which only the main entry loads.
let entries: readonly ErrorCatalogEntry[] | undefined;
let byCode: Map<string, ErrorCatalogEntry>;
let m2mByKind: Map<string, ErrorCatalogEntry>;
let cryptoByKindReason: Map<string, ErrorCatalogEntry>;

/** @internal Every entry in id order, made once (`errorCatalog` in catalog-list.ts is this array). */
export function catalogEntries(): readonly ErrorCatalogEntry[] {
  if (!entries) {
    entries = Object.freeze([...m2mRows.map(fromM2MRow), ...cryptoRows.map(fromCryptoRow)].sort((a, b) => a.id - b.id));
    byCode = new Map(entries.map((e) => [e.code, e]));
    m2mByKind = new Map(entries.filter((e) => e.errorClass === 'M2MError').map((e) => [e.kind, e]));
    cryptoByKindReason = new Map(entries.filter((e) => e.errorClass === 'CryptoError').map((e) => [`${e.kind}/${e.reason}`, e]));
  }
  return entries;
}

/** The catalog entry of a code, or `undefined`. */
export function catalogEntry(code: string): ErrorCatalogEntry | undefined {
  catalogEntries();
  return byCode.get(code);
}

/** @internal The entry of an M2MError kind. */
export function m2mEntry(kind: M2MErrorKind): ErrorCatalogEntry {
  catalogEntries();
  const e = m2mByKind.get(kind);
  if (!e) throw new Error(`no catalog entry for M2MError kind ${kind}`);
  return e;
}

/** @internal The entry of a CryptoError kind and reason. */
export function cryptoEntry<K extends CryptoErrorKind>(kind: K, reason: CryptoReasonMap[K]): ErrorCatalogEntry {
  catalogEntries();
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
