/**
 * What each error code means and what to do about it, for people: the docs generator
 * (scripts/gen-errors-doc.ts → docs/ERRORS.md), `m2m errors explain` and applications that show
 * help. Kept apart from the runtime catalog (`catalog.ts`) so that the prose is not in every
 * bundle; public as `@m2m/core/explain`. A code added to `catalog.ts` gets its row here too
 * (test/errors.test.ts checks that both list the same codes).
 * @module
 */
import { isSdkError } from './base.js';
import { catalogEntries, catalogEntry, type ErrorCatalogEntry } from './catalog.js';

/** A catalog entry with its explanation. */
export interface ExplainedCatalogEntry extends ErrorCatalogEntry {
  /** What happened, in a sentence or two. */
  readonly description: string;
  /** What to do about it. */
  readonly remedy: string;
}

/** [description, remedy] per code. */
const docs: Readonly<Record<string, readonly [description: string, remedy: string]>> = {
  COMPRESSION_FAILED: ['The content could not be encoded (for the M2M codec: it is not valid JSON).', 'Send valid JSON, or choose an algorithm that accepts any text (not in an encrypted session: it sends M2M frames only, so its DATA is JSON).'],
  DECOMPRESSION_FAILED: ['The bytes are not a valid frame or codec text: wrong prefix, truncated, corrupted or failed its checksum.', 'Check that the sender and receiver agree on the format; the reason names the failed check.'],
  INVALID_CODEC: ['An unknown or unsupported codec or algorithm was requested.', 'Use one of the negotiated algorithms: m2m, tokennative, brotli, none.'],
  JSON_INVALID: ['A JSON document could not be parsed or serialized; from `session.send`: the content is not a string (an object, bytes), or not JSON text where M2M frames (the m2m algorithm, every encrypted session) carry it.', 'Pass send a string of JSON: `JSON.stringify` objects and plain text; bytes are not content (decode the JSON they hold, or base64 them into a JSON field).'],
  TOKENIZER_ERROR: ['Tokenizing or detokenizing failed (unknown token id or encoding).', 'Check the tokenizer id of the TokenNative text.'],
  LIMIT_EXCEEDED: ['An input exceeded a configured limit (message size, decompressed size, JSON depth, sessions).', 'Send smaller or flatter content, or raise the limit on both peers.'],
  PROTOCOL_ERROR: ['A message or event is not allowed in the current session state.', 'Follow the session state machine; details name the state and the event.'],
  NEGOTIATION_FAILED: ['The peers could not agree on capabilities.', 'Compare both capability sets: versions, algorithms, encodings.'],
  SESSION_NOT_ESTABLISHED: ['The operation needs an established session.', 'Complete the HELLO/ACCEPT handshake first.'],
  SESSION_EXPIRED: ['The session was idle longer than its timeout.', 'Establish a new session.'],
  INVALID_MESSAGE: ['A session message is malformed or lacks a required field.', 'Validate the message against docs/PROTOCOL.md.'],
  CAPABILITY_MISMATCH: ['The peers have incompatible capabilities.', 'Adjust the capabilities of one side.'],
  REJECTED: ['The peer answered HELLO with REJECT; details carry its code and message, and the code sets retryable and the HTTP status (RATE_LIMITED 429, SERVER_BUSY 503, SECURITY_POLICY 403, VERSION_MISMATCH and NO_COMMON_ALGORITHM 400, others 500).', 'RATE_LIMITED and SERVER_BUSY are retryable after retryAfterMs; other codes need a configuration change.'],
  SESSION_CLOSED: ['The session ended: the peer sent CLOSE, the connection was lost (ERROR, `connection lost`), or this side had closed it; details carry the reason, which sets retryable (see CLOSE reasons).', 'Open a new session if more work remains; TIMEOUT and SERVER_SHUTDOWN are worth a retry.'],
  TIMEOUT: ['An operation did not complete in time (HELLO reply, PONG, connect).', 'Retry; check the peer and the network if it persists.'],
  ABORTED: ['An AbortSignal stopped the operation.', 'None needed: the caller asked for it.'],
  SESSION_NOT_FOUND: ['No live session has this id: it never existed, expired or was closed.', 'Open a new session; do not reuse ids of closed sessions.'],
  STREAM_ERROR: ['A stream broke its rules: a chunk was missing, repeated or out of order, or a chunk or SSE event was malformed.', 'Treat the partial stream as lost and request it again; the details name the expected and received sequence numbers.'],
  STREAM_CLOSED: ['The stream ended before its last chunk: the sender aborted it or the session closed.', 'Request the whole stream again on a live session.'],
  STREAM_TIMEOUT: ['No chunk of the stream arrived within the stream timeout.', 'Retry; raise the timeout for slow producers.'],
  STREAM_BACKPRESSURE: ['A stream buffer (in bytes) or the number of concurrent streams reached its bound.', 'Await each write before the next, read streams as they arrive, or raise the bound on both peers.'],
  CRYPTO_ERROR: ['A cryptographic operation failed; the cause is the CryptoError, whose category, retry advice and HTTP status this error carries (the defaults given here apply only without one).', 'Read the cause: its code says what failed.'],
  SECURITY_THREAT: ['The security scanner detected a threat in the content.', 'Inspect the content; the threat type and confidence are in details.'],
  CONTENT_BLOCKED: ['The content was blocked by security policy.', 'Remove the offending content or relax the blocking policy.'],
  REPLAY_DETECTED: ['A DATA frame repeated a counter or arrived outside the replay window.', 'Nothing to do for a replay; for reordering, widen the window on datagram transports.'],
  SECURITY_DOWNGRADE: ['A frame was weaker than the receiver\'s minimum security (a downgrade attempt or a misconfigured sender).', 'Send frames with at least the required protection.'],
  AUTHENTICATION_FAILED: ['The public form of every authentication failure: a peer cannot tell a wrong key from tampering.', 'Check keys and the integrity of the transport.'],
  NETWORK_ERROR: ['A connection failed or was lost.', 'Retry with backoff.'],
  UPSTREAM_ERROR: ['An upstream service (an LLM API) failed.', 'Retry with backoff.'],
  SERVER_ERROR: ['The server failed while handling the request.', 'Retry with backoff.'],
  IO_ERROR: ['Reading or writing a file or socket failed.', 'Check paths, permissions and the peer.'],
  CONFIG_ERROR: ['A configuration value is invalid.', 'Fix the configuration; the reason names the value.'],
  MODEL_NOT_LOADED: ['A model is needed but not loaded.', 'Load the model first.'],
  MODEL_NOT_FOUND: ['The model is not in the registry.', 'Register the model.'],
  MODEL_LOAD_FAILED: ['Loading a model failed.', 'Check the model path and format.'],
  INFERENCE_ERROR: ['Model inference failed.', 'Retry; check the input format.'],
  INVALID_REQUEST: ['An HTTP request to the server or gateway is malformed (not JSON, wrong fields).', 'Send the request shape the route documents (OpenAI chat completions for /v1).'],
  UNAUTHORIZED: ['The gateway needs an API key it knows, in `Authorization: Bearer <key>` or `x-api-key`.', 'Send one of the keys the gateway was started with (--api-key).'],
  SECURITY_VIOLATION: ['The gateway\'s security scan found a threat at or above the blocking threshold; details carry the threat type and confidence.', 'Remove the offending content, or run the gateway without --blocking.'],
  RATE_LIMITED: ['The API key sent more requests than its rate allows.', 'Wait retry_after_ms (the Retry-After header) and retry.'],
  UPSTREAM_TIMEOUT: ['The upstream service (an LLM API or a peer gateway) stayed silent past the timeout.', 'Retry; raise --upstream-timeout for slow models.'],
  SERVER_BUSY: ['The server is at capacity (its session table is full).', 'Retry after retry_after_ms, or close unused sessions.'],
  ROUTE_NOT_FOUND: ['The server has no route for this method and path.', 'Check the URL: the gateway serves /v1/chat/completions and /v1/models.'],
  INTERNAL_ERROR: ['An invariant of this SDK was broken: a bug.', 'Report it with the serialized error chain.'],
  AEAD_INVALID_KEY: ['The AEAD key is shorter than 32 bytes.', 'Use a 32-byte key.'],
  AEAD_ENCRYPTION_FAILED: ['Encryption failed (invalid nonce or an absurd length).', 'Check the nonce (12 bytes, 24 for XChaCha) and the length.'],
  AEAD_DECRYPTION_FAILED: ['The tag did not verify: wrong key, wrong associated data, or tampered bytes.', 'Check that both peers hold the same key; otherwise treat the frame as forged.'],
  AEAD_DATA_TOO_SHORT: ['The input is shorter than nonce plus tag.', 'Send the whole ciphertext.'],
  HMAC_INVALID_KEY: ['The HMAC key is shorter than 16 bytes.', 'Use a key of at least 16 (better 32) bytes.'],
  HMAC_VERIFICATION_FAILED: ['The tag did not verify: wrong key or tampered bytes.', 'Check that both peers hold the same key; otherwise treat the frame as forged.'],
  HMAC_DATA_TOO_SHORT: ['The input is shorter than the 32-byte tag.', 'Send the whole signed message.'],
  KEY_EMPTY: ['Key material of zero bytes was given.', 'Provide key bytes.'],
  KEY_TOO_SHORT: ['Key material is shorter than required.', 'Provide a longer key.'],
  KEYRING_KEY_NOT_FOUND: ['No key with this id is in the keyring.', 'Add the key, or use an id the keyring holds.'],
  KEYRING_INVALID_KEY: ['Key material could not be parsed (bad hex, empty).', 'Check the key encoding.'],
  KEYRING_DERIVATION_FAILED: ['HKDF could not derive the key (output longer than 8160 bytes).', 'Ask for at most 8160 bytes.'],
  KEYRING_NO_DEFAULT_KEY: ['The keyring has no default key.', 'Add a key or set a default.'],
  NONCE_RNG_FAILURE: ['The random number generator failed.', 'Retry; an RNG failure usually means the platform is broken.'],
  NONCE_EXHAUSTED: ['A key reached its message limit; using it again would reuse a nonce.', 'Rekey or open a new session.'],
  EXCHANGE_INVALID_PUBLIC_KEY: ['A public key is not 32 bytes.', 'Send the raw 32-byte X25519 public key.'],
  EXCHANGE_GENERATION_FAILED: ['Generating a key pair failed.', 'Retry.'],
  EXCHANGE_LOW_ORDER_POINT: ['The peer public key is a low-order point: the shared secret would be all zeros.', 'Refuse the peer; only the reference-compatible option accepts this.'],
  ID_EMPTY: ['An AgentId or OrgId is empty.', 'Use 1 to 128 characters of [A-Za-z0-9_-].'],
  ID_TOO_LONG: ['An AgentId or OrgId is longer than 128 bytes.', 'Use at most 128 characters.'],
  ID_INVALID_CHARS: ['An AgentId or OrgId contains a character outside [A-Za-z0-9_-].', 'Use only ASCII letters, digits, hyphen and underscore.'],
  HANDSHAKE_FAILED: ['The encrypted-session handshake failed.', 'Read the stage and reason; check keys and the peer.'],
  HANDSHAKE_DECRYPTION_FAILED: ['A handshake message did not authenticate: tampered, wrong static key or wrong psk.', 'Check the peer keys and psk; otherwise treat it as an attack.'],
  HANDSHAKE_PEER_REFUSED: [
    "The peer's static key (its start is in the message) is not the pinned remoteStaticKey, or verifyPeer (allowKeys, knownKeys, a callback) refused it.",
    "A client: pin the key the server prints (its KeyPair's publicKey, m2m serve's publicKey); a server that makes a new key each run (m2m serve without --identity) needs its new one. A server: add the client's key to verifyPeer if it is trusted.",
  ],
  HANDSHAKE_MALFORMED: ['A handshake message has the wrong length or shape.', 'Check that both peers use the same pattern and version.'],
  HANDSHAKE_UNEXPECTED_MESSAGE: ['A handshake message arrived out of turn.', 'Check that both peers agree on the roles and the pattern.'],
};

function explained(entry: ErrorCatalogEntry): ExplainedCatalogEntry {
  const d = docs[entry.code];
  // A code without a row is a mistake that test/errors.test.ts catches; say so rather than crash.
  return Object.freeze({ ...entry, description: d?.[0] ?? '(not documented)', remedy: d?.[1] ?? '(not documented)' });
}

/** Every error code with its description and remedy, in id order (as `errorCatalog`). */
export const explainedCatalog: readonly ExplainedCatalogEntry[] = Object.freeze(catalogEntries().map(explained));

/**
 * The entry of a code, or of an SDK error's code, with its description and remedy; `undefined`
 * for an unknown code or anything else.
 * @example
 * ```ts
 * explainError('AEAD_DECRYPTION_FAILED')?.remedy;
 * try { decodeFrame(bytes); } catch (e) { console.error(explainError(e)?.remedy); }
 * ```
 */
export function explainError(codeOrError: unknown): ExplainedCatalogEntry | undefined {
  const code = typeof codeOrError === 'string' ? codeOrError : isSdkError(codeOrError) ? codeOrError.code : undefined;
  const entry = code === undefined ? undefined : catalogEntry(code);
  return entry && explained(entry);
}

/** @internal The codes that have an explanation (for the test that keeps both tables in step). */
export const explainedCodes: readonly string[] = Object.keys(docs);
