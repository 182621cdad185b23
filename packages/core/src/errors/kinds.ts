/**
 * The kinds of {@link M2MError} and {@link CryptoError}, and the typed details each kind carries.
 * @module
 */
import type { CloseReason, RejectionCode } from './enums.js';

/** A free-text reason, as the reference's `String` payloads. */
export interface ReasonDetails {
  /** The reason text, shown after the kind's prefix in the message. */
  reason: string;
}

/** Details carried by each {@link M2MError} kind. */
export interface M2MErrorDetailsMap {
  /**
   * Compressing a payload failed (codec error). `invalidJson` is set when the input was not JSON
   * text: the parser's message (the reason's text after `Invalid JSON: `).
   */
  Compression: ReasonDetails & { invalidJson?: string };
  /** Decompressing a payload failed: corrupt or truncated compressed data. */
  Decompression: ReasonDetails;
  /** An unknown or unsupported codec / wire format was named or detected. */
  InvalidCodec: ReasonDetails;
  /** `state`/`event` are set when a state machine refused an event (like INVALID_TRANSITION). */
  Protocol: ReasonDetails & { state?: string; event?: string };
  /** HELLO/ACCEPT found no common capabilities (codec, security mode, version). */
  NegotiationFailed: ReasonDetails;
  /** An operation that needs an established session ran before it; `state` is the current session state. */
  SessionNotEstablished: { state?: string };
  /** The session timed out; `idleMs` is how long it had been idle, in milliseconds, when known. */
  SessionExpired: { idleMs?: number };
  /** A session message that cannot be parsed or has wrong fields. */
  InvalidMessage: ReasonDetails;
  /** The peer's declared capabilities do not allow the requested operation. */
  CapabilityMismatch: ReasonDetails;
  /** A model-backed feature was used before its model was loaded. */
  ModelNotLoaded: ReasonDetails;
  /** A model id that the model registry does not know. */
  ModelNotFound: ReasonDetails;
  /** Tokenizing or detokenizing text failed. */
  Tokenizer: ReasonDetails;
  /** An invalid option or configuration value. */
  Config: ReasonDetails;
  /** Text that should be JSON did not parse, or JSON of the wrong shape. */
  Json: ReasonDetails;
  /** A transport-level failure (connect, socket reset, write to a closed connection). */
  Network: ReasonDetails;
  /** An upstream service answered with an error. */
  Upstream: ReasonDetails;
  /** The server failed while handling a request. */
  Server: ReasonDetails;
  /** Running a model (inference) failed. */
  Inference: ReasonDetails;
  /** Loading a model's files failed. */
  ModelLoad: ReasonDetails;
  /** A file or stream I/O failure. */
  Io: ReasonDetails;
  /** The CryptoError itself is the `cause`. */
  Crypto: Record<string, never>;
  /** The security scanner found a threat; `confidence` is in [0, 1]. */
  SecurityThreat: { threatType: string; confidence: number };
  /** Content was refused by a content policy. */
  ContentBlocked: ReasonDetails;
  /** The peer answered with REJECT. */
  Rejected: { code: RejectionCode; retryAfterMs?: number; message: string };
  /** The peer sent CLOSE. */
  Closed: { reason: CloseReason; message: string };
  /** `operation` did not finish within `ms` milliseconds. */
  Timeout: { operation: string; ms: number };
  /** Input exceeded a configured bound: `limit` names the limit (like `maxDecompressedBytes`), `actual` is the size seen and `max` the bound, in that limit's unit. */
  LimitExceeded: { limit: string; actual: number; max: number };
  /** A message `counter` that was already received or lies outside the replay window. */
  ReplayDetected: { counter: number };
  /** A frame's security mode is weaker than the receiver's policy. */
  SecurityDowngrade: { required: string; actual: string };
  /** An AbortSignal stopped the operation. */
  Aborted: { operation: string };
  /** The generic public form of every authentication failure. */
  AuthenticationFailed: Record<string, never>;
  /** A broken invariant: a bug in this SDK. */
  Internal: ReasonDetails;
  /** A session id that no live session has (a gateway or server lookup). */
  SessionNotFound: { sessionId: string };
  /** A stream broke its own rules: a missing, repeated or reordered chunk, a malformed chunk or SSE event. */
  StreamError: StreamDetails & { expected?: number; received?: number };
  /** A stream ended before its last chunk: the sender aborted or the session closed. */
  StreamClosed: StreamDetails & { chunksReceived?: number };
  /** No chunk of a stream arrived within its timeout. */
  StreamTimeout: { streamId?: string; ms: number; chunksReceived?: number };
  /** A stream's buffer or the number of open streams reached its bound. */
  StreamBackpressure: StreamDetails & { limit?: string; max?: number };
  /** An HTTP request without a valid API key (the gateway, seed 000's 401). */
  Unauthorized: ReasonDetails;
  /** A security scan blocked a gateway request (seed 000's 422 `SECURITY_VIOLATION`). */
  SecurityViolation: { threatType: string; confidence: number };
  /** A per-key request rate was exceeded (seed 000's 429). */
  RateLimited: { retryAfterMs: number; limit: string };
  /** An upstream service did not answer within its timeout (seed 000's 504). */
  UpstreamTimeout: { ms: number };
  /** A server is at capacity (session table full). */
  ServerBusy: { reason: string; retryAfterMs?: number };
  /** A malformed HTTP request (seed 000's 400). */
  InvalidRequest: ReasonDetails;
  /** No route for an HTTP method and path. */
  RouteNotFound: { method: string; path: string };
}

/** Details shared by the stream error kinds. */
export interface StreamDetails {
  /** What went wrong, in words. */
  reason: string;
  /** The stream's id, when the error belongs to one stream. */
  streamId?: string;
}

/** Every {@link M2MError} kind. */
export type M2MErrorKind = keyof M2MErrorDetailsMap;

/** Sub-reasons of each {@link CryptoError} kind. */
export interface CryptoReasonMap {
  /** Authenticated encryption (ChaCha20-Poly1305 / AES-GCM) failures; `DecryptionFailed` means tampering or a wrong key. */
  Aead: 'InvalidKey' | 'EncryptionFailed' | 'DecryptionFailed' | 'DataTooShort';
  /** HMAC signing and verification failures. */
  Hmac: 'InvalidKey' | 'VerificationFailed' | 'DataTooShort';
  /** Key material that is missing or shorter than required. */
  Key: 'Empty' | 'TooShort';
  /** Keyring lookups and key derivation failures. */
  Keyring: 'KeyNotFound' | 'InvalidKey' | 'DerivationFailed' | 'NoDefaultKey';
  /** Nonce generation failed (no randomness) or a nonce counter ran out. */
  Nonce: 'RngFailure' | 'Exhausted';
  /** X25519 key exchange failures; `LowOrderPoint` means the peer's public key gives an all-zero secret. */
  Exchange: 'InvalidPublicKey' | 'GenerationFailed' | 'LowOrderPoint';
  /** Agent / organization id validation failures. */
  Id: 'Empty' | 'TooLong' | 'InvalidChars';
  /** Noise handshake failures. */
  Handshake: 'Failed' | 'DecryptionFailed' | 'PeerRefused' | 'Malformed' | 'UnexpectedMessage';
}

/** Every {@link CryptoError} kind. */
export type CryptoErrorKind = keyof CryptoReasonMap;

/** Details carried by each {@link CryptoError} kind (fields used depend on the reason). */
export interface CryptoErrorDetailsMap {
  /** `detail`: optional extra text (never key material). */
  Aead: { detail?: string };
  /** `detail`: optional extra text (never key material). */
  Hmac: { detail?: string };
  /** `got`: the key length supplied, `min`: the required minimum, both in bytes. */
  Key: { got?: number; min?: number };
  /** `keyId`: the key asked for, when the lookup named one; `detail`: optional extra text. */
  Keyring: { keyId?: string; detail?: string };
  /** `detail`: optional extra text. */
  Nonce: { detail?: string };
  /** `detail`: optional extra text (never key material). */
  Exchange: { detail?: string };
  /** `idKind`: which id was checked; `value`: the rejected id (InvalidChars); `len` / `max`: its length and the limit, in characters (TooLong). */
  Id: { idKind: 'Agent' | 'Organization'; value?: string; len?: number; max?: number };
  /** `stage` names the handshake message (HELLO, ACCEPT, AUTH); `message` is its 1-based number. */
  Handshake: { stage: string; message: number; detail: string };
}

/** The epistemic class of a failure, as the reference's error docs define them, plus security. */
export type ErrorCategory = 'belief_falsified' | 'bounded_ignorance' | 'invariant_violated' | 'security';
