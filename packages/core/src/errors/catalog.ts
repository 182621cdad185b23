/**
 * The error catalog: one entry per stable code, for both error classes. `docs/ERRORS.md` is
 * generated from it (`pnpm docs:errors`).
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
  readonly description: string;
  readonly remedy: string;
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
  description: string,
  remedy: string,
];

const m2mRows: Row[] = [
  ['COMPRESSION_FAILED', 1000, 'Compression', undefined, 'belief_falsified', false, 400, true, 'Compression error: {reason}', 'Compression failed', 'The content could not be encoded (for the M2M codec: it is not valid JSON).', 'Send valid JSON, or choose an algorithm that accepts any text (not in an encrypted session: it sends M2M frames only, so its DATA is JSON).'],
  ['DECOMPRESSION_FAILED', 1001, 'Decompression', undefined, 'belief_falsified', false, 400, true, 'Decompression error: {reason}', 'Decompression failed', 'The bytes are not a valid frame or codec text: wrong prefix, truncated, corrupted or failed its checksum.', 'Check that the sender and receiver agree on the format; the reason names the failed check.'],
  ['INVALID_CODEC', 1002, 'InvalidCodec', undefined, 'belief_falsified', false, 400, true, 'Invalid codec: {reason}', 'Invalid codec', 'An unknown or unsupported codec or algorithm was requested.', 'Use one of the negotiated algorithms: m2m, tokennative, brotli, none.'],
  ['JSON_INVALID', 1003, 'Json', undefined, 'belief_falsified', false, 400, true, 'JSON error: {reason}', 'Invalid JSON', 'A JSON document could not be parsed or serialized.', 'Validate the JSON before sending it.'],
  ['TOKENIZER_ERROR', 1004, 'Tokenizer', undefined, 'belief_falsified', false, 500, true, 'Tokenizer error: {reason}', 'Tokenizer error', 'Tokenizing or detokenizing failed (unknown token id or encoding).', 'Check the tokenizer id of the TokenNative text.'],
  ['LIMIT_EXCEEDED', 1005, 'LimitExceeded', undefined, 'belief_falsified', false, 413, true, 'Limit exceeded: {limit} is {actual}, maximum {max}', 'Limit exceeded', 'An input exceeded a configured limit (message size, decompressed size, JSON depth, sessions).', 'Send smaller or flatter content, or raise the limit on both peers.'],
  ['PROTOCOL_ERROR', 2000, 'Protocol', undefined, 'belief_falsified', false, 400, true, 'Protocol error: {reason}', 'Protocol error', 'A message or event is not allowed in the current session state.', 'Follow the session state machine; details name the state and the event.'],
  ['NEGOTIATION_FAILED', 2001, 'NegotiationFailed', undefined, 'belief_falsified', false, 400, true, 'Negotiation failed: {reason}', 'Negotiation failed', 'The peers could not agree on capabilities.', 'Compare both capability sets: versions, algorithms, encodings.'],
  ['SESSION_NOT_ESTABLISHED', 2002, 'SessionNotEstablished', undefined, 'belief_falsified', false, 409, true, 'Session not established', 'Session not established', 'The operation needs an established session.', 'Complete the HELLO/ACCEPT handshake first.'],
  ['SESSION_EXPIRED', 2003, 'SessionExpired', undefined, 'belief_falsified', false, 410, true, 'Session expired', 'Session expired', 'The session was idle longer than its timeout.', 'Establish a new session.'],
  ['INVALID_MESSAGE', 2004, 'InvalidMessage', undefined, 'belief_falsified', false, 400, true, 'Invalid message format: {reason}', 'Invalid message format', 'A session message is malformed or lacks a required field.', 'Validate the message against docs/PROTOCOL.md.'],
  ['CAPABILITY_MISMATCH', 2005, 'CapabilityMismatch', undefined, 'belief_falsified', false, 400, true, 'Capability mismatch: {reason}', 'Capability mismatch', 'The peers have incompatible capabilities.', 'Adjust the capabilities of one side.'],
  ['REJECTED', 2006, 'Rejected', undefined, 'bounded_ignorance', false, 503, true, 'Session rejected: {code}: {message}', 'Session rejected', 'The peer answered HELLO with REJECT; details carry its code and message, and the code sets retryable and the HTTP status (RATE_LIMITED 429, SERVER_BUSY 503, SECURITY_POLICY 403, VERSION_MISMATCH and NO_COMMON_ALGORITHM 400, others 500).', 'RATE_LIMITED and SERVER_BUSY are retryable after retryAfterMs; other codes need a configuration change.'],
  ['SESSION_CLOSED', 2007, 'Closed', undefined, 'bounded_ignorance', false, 410, true, 'Session closed: {reason}: {message}', 'Session closed', 'The session ended: the peer sent CLOSE, the connection was lost (ERROR, `connection lost`), or this side had closed it; details carry the reason, which sets retryable (see CLOSE reasons).', 'Open a new session if more work remains; TIMEOUT and SERVER_SHUTDOWN are worth a retry.'],
  ['TIMEOUT', 2008, 'Timeout', undefined, 'bounded_ignorance', true, 504, true, 'Timeout: {operation} did not complete within {ms} ms', 'Timeout', 'An operation did not complete in time (HELLO reply, PONG, connect).', 'Retry; check the peer and the network if it persists.'],
  ['ABORTED', 2009, 'Aborted', undefined, 'bounded_ignorance', false, 400, true, 'Aborted: {operation}', 'Aborted', 'An AbortSignal stopped the operation.', 'None needed: the caller asked for it.'],
  ['SESSION_NOT_FOUND', 2020, 'SessionNotFound', undefined, 'belief_falsified', false, 404, true, 'Session not found: {sessionId}', 'Session not found', 'No live session has this id: it never existed, expired or was closed.', 'Open a new session; do not reuse ids of closed sessions.'],
  ['STREAM_ERROR', 2100, 'StreamError', undefined, 'belief_falsified', false, 500, false, 'Stream error: {reason}', 'Stream error', 'A stream broke its rules: a chunk was missing, repeated or out of order, or a chunk or SSE event was malformed.', 'Treat the partial stream as lost and request it again; the details name the expected and received sequence numbers.'],
  ['STREAM_CLOSED', 2101, 'StreamClosed', undefined, 'bounded_ignorance', false, 503, false, 'Stream closed: {reason}', 'Stream closed', 'The stream ended before its last chunk: the sender aborted it or the session closed.', 'Request the whole stream again on a live session.'],
  ['STREAM_TIMEOUT', 2102, 'StreamTimeout', undefined, 'bounded_ignorance', true, 504, false, 'Stream timeout: no chunk within {ms} ms', 'Stream timeout', 'No chunk of the stream arrived within the stream timeout.', 'Retry; raise the timeout for slow producers.'],
  ['STREAM_BACKPRESSURE', 2103, 'StreamBackpressure', undefined, 'bounded_ignorance', true, 503, false, 'Stream backpressure: {reason}', 'Stream backpressure', 'A stream buffer (in bytes) or the number of concurrent streams reached its bound.', 'Await each write before the next, read streams as they arrive, or raise the bound on both peers.'],
  ['CRYPTO_ERROR', 3000, 'Crypto', undefined, 'belief_falsified', false, 400, false, 'Crypto error: {cause}', 'Crypto error', 'A cryptographic operation failed; the cause is the CryptoError, whose category, retry advice and HTTP status this error carries (the defaults given here apply only without one).', 'Read the cause: its code says what failed.'],
  ['SECURITY_THREAT', 4000, 'SecurityThreat', undefined, 'security', false, 422, true, 'Security threat detected: {threatType}', 'Security threat detected', 'The security scanner detected a threat in the content.', 'Inspect the content; the threat type and confidence are in details.'],
  ['CONTENT_BLOCKED', 4001, 'ContentBlocked', undefined, 'security', false, 422, true, 'Content blocked: {reason}', 'Content blocked', 'The content was blocked by security policy.', 'Remove the offending content or relax the blocking policy.'],
  ['REPLAY_DETECTED', 4002, 'ReplayDetected', undefined, 'security', false, 401, false, 'Replay detected: message counter {counter} was already received or is outside the window', 'Replay detected', 'A DATA frame repeated a counter or arrived outside the replay window.', 'Nothing to do for a replay; for reordering, widen the window on datagram transports.'],
  ['SECURITY_DOWNGRADE', 4003, 'SecurityDowngrade', undefined, 'security', false, 401, false, 'Security policy: frame security {actual} is weaker than the required {required}', 'Security policy violation', 'A frame was weaker than the receiver\'s minimum security (a downgrade attempt or a misconfigured sender).', 'Send frames with at least the required protection.'],
  ['AUTHENTICATION_FAILED', 4004, 'AuthenticationFailed', undefined, 'security', false, 401, true, 'Authentication failed', 'Authentication failed', 'The public form of every authentication failure: a peer cannot tell a wrong key from tampering.', 'Check keys and the integrity of the transport.'],
  ['NETWORK_ERROR', 5000, 'Network', undefined, 'bounded_ignorance', true, 502, false, 'Network error: {reason}', 'Network error', 'A connection failed or was lost.', 'Retry with backoff.'],
  ['UPSTREAM_ERROR', 5001, 'Upstream', undefined, 'bounded_ignorance', true, 502, false, 'Upstream error: {reason}', 'Upstream error', 'An upstream service (an LLM API) failed.', 'Retry with backoff.'],
  ['SERVER_ERROR', 5002, 'Server', undefined, 'bounded_ignorance', true, 500, false, 'Server error: {reason}', 'Server error', 'The server failed while handling the request.', 'Retry with backoff.'],
  ['IO_ERROR', 5003, 'Io', undefined, 'bounded_ignorance', true, 500, false, 'IO error: {reason}', 'I/O error', 'Reading or writing a file or socket failed.', 'Check paths, permissions and the peer.'],
  ['CONFIG_ERROR', 5004, 'Config', undefined, 'belief_falsified', false, 500, false, 'Config error: {reason}', 'Configuration error', 'A configuration value is invalid.', 'Fix the configuration; the reason names the value.'],
  ['MODEL_NOT_LOADED', 6000, 'ModelNotLoaded', undefined, 'belief_falsified', false, 503, false, 'Model not loaded: {reason}', 'Model not loaded', 'A model is needed but not loaded.', 'Load the model first.'],
  ['MODEL_NOT_FOUND', 6001, 'ModelNotFound', undefined, 'belief_falsified', false, 404, true, 'Model not found: {reason}', 'Model not found', 'The model is not in the registry.', 'Register the model.'],
  ['MODEL_LOAD_FAILED', 6002, 'ModelLoad', undefined, 'bounded_ignorance', false, 500, false, 'Model load error: {reason}', 'Model load error', 'Loading a model failed.', 'Check the model path and format.'],
  ['INFERENCE_ERROR', 6003, 'Inference', undefined, 'bounded_ignorance', true, 502, false, 'Inference error: {reason}', 'Inference error', 'Model inference failed.', 'Retry; check the input format.'],
  ['INVALID_REQUEST', 2010, 'InvalidRequest', undefined, 'belief_falsified', false, 400, true, 'Invalid request: {reason}', 'Invalid request', 'An HTTP request to the server or gateway is malformed (not JSON, wrong fields).', 'Send the request shape the route documents (OpenAI chat completions for /v1).'],
  ['UNAUTHORIZED', 4010, 'Unauthorized', undefined, 'security', false, 401, true, 'Unauthorized: {reason}', 'Missing or invalid API key', 'The gateway needs an API key it knows, in `Authorization: Bearer <key>` or `x-api-key`.', 'Send one of the keys the gateway was started with (--api-key).'],
  ['SECURITY_VIOLATION', 4011, 'SecurityViolation', undefined, 'security', false, 422, true, 'Content blocked by security scanner: {threatType} ({confidence})', 'Content blocked by security scanner', 'The gateway\'s security scan found a threat at or above the blocking threshold; details carry the threat type and confidence.', 'Remove the offending content, or run the gateway without --blocking.'],
  ['RATE_LIMITED', 5010, 'RateLimited', undefined, 'bounded_ignorance', true, 429, true, 'Rate limit exceeded ({limit}); retry after {retryAfterMs} ms', 'Rate limit exceeded', 'The API key sent more requests than its rate allows.', 'Wait retry_after_ms (the Retry-After header) and retry.'],
  ['UPSTREAM_TIMEOUT', 5011, 'UpstreamTimeout', undefined, 'bounded_ignorance', true, 504, true, 'Upstream timeout: no answer within {ms} ms', 'Upstream timeout', 'The upstream service (an LLM API or a peer gateway) stayed silent past the timeout.', 'Retry; raise --upstream-timeout for slow models.'],
  ['SERVER_BUSY', 5012, 'ServerBusy', undefined, 'bounded_ignorance', true, 503, true, 'Server busy: {reason}', 'Server busy', 'The server is at capacity (its session table is full).', 'Retry after retry_after_ms, or close unused sessions.'],
  ['ROUTE_NOT_FOUND', 5013, 'RouteNotFound', undefined, 'belief_falsified', false, 404, true, 'No route for {method} {path}', 'Not found', 'The server has no route for this method and path.', 'Check the URL: the gateway serves /v1/chat/completions and /v1/models.'],
  ['INTERNAL_ERROR', 9000, 'Internal', undefined, 'invariant_violated', false, 500, false, 'Internal error: {reason}', 'Internal error', 'An invariant of this SDK was broken: a bug.', 'Report it with the serialized error chain.'],
];

const cryptoRows: Row[] = [
  ['AEAD_INVALID_KEY', 3100, 'Aead', 'InvalidKey', 'belief_falsified', false, 500, false, 'AEAD: Invalid AEAD key: {detail}', 'Invalid AEAD key', 'The AEAD key is shorter than 32 bytes.', 'Use a 32-byte key.'],
  ['AEAD_ENCRYPTION_FAILED', 3101, 'Aead', 'EncryptionFailed', 'belief_falsified', false, 500, false, 'AEAD: Encryption failed: {detail}', 'Encryption failed', 'Encryption failed (invalid nonce or an absurd length).', 'Check the nonce (12 bytes, 24 for XChaCha) and the length.'],
  ['AEAD_DECRYPTION_FAILED', 3102, 'Aead', 'DecryptionFailed', 'security', false, 401, false, 'AEAD: Decryption failed: {detail}', 'Decryption failed', 'The tag did not verify: wrong key, wrong associated data, or tampered bytes.', 'Check that both peers hold the same key; otherwise treat the frame as forged.'],
  ['AEAD_DATA_TOO_SHORT', 3103, 'Aead', 'DataTooShort', 'belief_falsified', false, 400, false, 'AEAD: Ciphertext too short', 'Ciphertext too short', 'The input is shorter than nonce plus tag.', 'Send the whole ciphertext.'],
  ['HMAC_INVALID_KEY', 3200, 'Hmac', 'InvalidKey', 'belief_falsified', false, 500, false, 'HMAC: Invalid HMAC key: {detail}', 'Invalid HMAC key', 'The HMAC key is shorter than 16 bytes.', 'Use a key of at least 16 (better 32) bytes.'],
  ['HMAC_VERIFICATION_FAILED', 3201, 'Hmac', 'VerificationFailed', 'security', false, 401, false, 'HMAC: HMAC verification failed', 'HMAC verification failed', 'The tag did not verify: wrong key or tampered bytes.', 'Check that both peers hold the same key; otherwise treat the frame as forged.'],
  ['HMAC_DATA_TOO_SHORT', 3202, 'Hmac', 'DataTooShort', 'belief_falsified', false, 400, false, 'HMAC: Data too short for HMAC tag', 'Data too short for HMAC tag', 'The input is shorter than the 32-byte tag.', 'Send the whole signed message.'],
  ['KEY_EMPTY', 3300, 'Key', 'Empty', 'belief_falsified', false, 500, false, 'Key: Key material is empty', 'Key material is empty', 'Key material of zero bytes was given.', 'Provide key bytes.'],
  ['KEY_TOO_SHORT', 3301, 'Key', 'TooShort', 'belief_falsified', false, 500, false, 'Key: Key too short: got {got} bytes, need at least {min}', 'Key too short', 'Key material is shorter than required.', 'Provide a longer key.'],
  ['KEYRING_KEY_NOT_FOUND', 3400, 'Keyring', 'KeyNotFound', 'belief_falsified', false, 500, false, 'Keyring: Key not found: {keyId}', 'Key not found', 'No key with this id is in the keyring.', 'Add the key, or use an id the keyring holds.'],
  ['KEYRING_INVALID_KEY', 3401, 'Keyring', 'InvalidKey', 'belief_falsified', false, 500, false, 'Keyring: Invalid key material: {detail}', 'Invalid key material', 'Key material could not be parsed (bad hex, empty).', 'Check the key encoding.'],
  ['KEYRING_DERIVATION_FAILED', 3402, 'Keyring', 'DerivationFailed', 'belief_falsified', false, 500, false, 'Keyring: Key derivation failed: {detail}', 'Key derivation failed', 'HKDF could not derive the key (output longer than 8160 bytes).', 'Ask for at most 8160 bytes.'],
  ['KEYRING_NO_DEFAULT_KEY', 3403, 'Keyring', 'NoDefaultKey', 'belief_falsified', false, 500, false, 'Keyring: Key not found: no default key', 'No default key', 'The keyring has no default key.', 'Add a key or set a default.'],
  ['NONCE_RNG_FAILURE', 3500, 'Nonce', 'RngFailure', 'bounded_ignorance', true, 500, false, 'Nonce: CSPRNG failure: {detail}', 'CSPRNG failure', 'The random number generator failed.', 'Retry; an RNG failure usually means the platform is broken.'],
  ['NONCE_EXHAUSTED', 3501, 'Nonce', 'Exhausted', 'belief_falsified', false, 500, false, 'Nonce: Nonce counter exhausted: {detail}', 'Nonce counter exhausted', 'A key reached its message limit; using it again would reuse a nonce.', 'Rekey or open a new session.'],
  ['EXCHANGE_INVALID_PUBLIC_KEY', 3600, 'Exchange', 'InvalidPublicKey', 'belief_falsified', false, 400, false, 'Key exchange: Invalid public key: {detail}', 'Invalid public key', 'A public key is not 32 bytes.', 'Send the raw 32-byte X25519 public key.'],
  ['EXCHANGE_GENERATION_FAILED', 3601, 'Exchange', 'GenerationFailed', 'bounded_ignorance', true, 500, false, 'Key exchange: Key generation failed: {detail}', 'Key generation failed', 'Generating a key pair failed.', 'Retry.'],
  ['EXCHANGE_LOW_ORDER_POINT', 3602, 'Exchange', 'LowOrderPoint', 'security', false, 400, false, 'Key exchange: Invalid public key: low-order point gives an all-zero shared secret', 'Low-order public key', 'The peer public key is a low-order point: the shared secret would be all zeros.', 'Refuse the peer; only the reference-compatible option accepts this.'],
  ['ID_EMPTY', 3700, 'Id', 'Empty', 'belief_falsified', false, 400, true, 'ID validation: {idKind} ID cannot be empty', 'ID cannot be empty', 'An AgentId or OrgId is empty.', 'Use 1 to 128 characters of [A-Za-z0-9_-].'],
  ['ID_TOO_LONG', 3701, 'Id', 'TooLong', 'belief_falsified', false, 400, true, 'ID validation: {idKind} ID too long: {len} chars (max {max})', 'ID too long', 'An AgentId or OrgId is longer than 128 bytes.', 'Use at most 128 characters.'],
  ['ID_INVALID_CHARS', 3702, 'Id', 'InvalidChars', 'belief_falsified', false, 400, true, 'ID validation: {idKind} ID contains invalid characters (only alphanumeric, hyphen, underscore allowed): {value}', 'ID has invalid characters', 'An AgentId or OrgId contains a character outside [A-Za-z0-9_-].', 'Use only ASCII letters, digits, hyphen and underscore.'],
  ['HANDSHAKE_FAILED', 3800, 'Handshake', 'Failed', 'security', false, 401, false, 'Handshake failed at message {message} ({stage}): {detail}', 'Handshake failed', 'The encrypted-session handshake failed.', 'Read the stage and reason; check keys and the peer.'],
  ['HANDSHAKE_DECRYPTION_FAILED', 3801, 'Handshake', 'DecryptionFailed', 'security', false, 401, false, 'Handshake failed at message {message} ({stage}): {detail}', 'Handshake failed', 'A handshake message did not authenticate: tampered, wrong static key or wrong psk.', 'Check the peer keys and psk; otherwise treat it as an attack.'],
  ['HANDSHAKE_PEER_REFUSED', 3802, 'Handshake', 'PeerRefused', 'security', false, 403, false, 'Handshake failed at message {message} ({stage}): {detail}', 'Peer refused', 'The peer static key was refused by the identity hook.', 'Add the peer key to the allow-list if it is trusted.'],
  ['HANDSHAKE_MALFORMED', 3803, 'Handshake', 'Malformed', 'belief_falsified', false, 400, false, 'Handshake failed at message {message} ({stage}): {detail}', 'Malformed handshake message', 'A handshake message has the wrong length or shape.', 'Check that both peers use the same pattern and version.'],
  ['HANDSHAKE_UNEXPECTED_MESSAGE', 3804, 'Handshake', 'UnexpectedMessage', 'belief_falsified', false, 400, false, 'Handshake failed at message {message} ({stage}): {detail}', 'Unexpected handshake message', 'A handshake message arrived out of turn.', 'Check that both peers agree on the roles and the pattern.'],
];

function toEntry(errorClass: 'M2MError' | 'CryptoError', r: Row): ErrorCatalogEntry {
  const [code, id, kind, reason, category, retryable, httpStatus, exposeDetails, message, title, description, remedy] = r;
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
    description,
    remedy,
  });
}

/**
 * Every error code of the SDK, in id order.
 * @example
 * ```ts
 * const entry = errorCatalog.find((e) => e.code === 'AEAD_DECRYPTION_FAILED');
 * console.log(entry?.remedy);
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
