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
  Compression: ReasonDetails;
  Decompression: ReasonDetails;
  InvalidCodec: ReasonDetails;
  /** `state`/`event` are set when a state machine refused an event (like INVALID_TRANSITION). */
  Protocol: ReasonDetails & { state?: string; event?: string };
  NegotiationFailed: ReasonDetails;
  SessionNotEstablished: { state?: string };
  SessionExpired: { idleMs?: number };
  InvalidMessage: ReasonDetails;
  CapabilityMismatch: ReasonDetails;
  ModelNotLoaded: ReasonDetails;
  ModelNotFound: ReasonDetails;
  Tokenizer: ReasonDetails;
  Config: ReasonDetails;
  Json: ReasonDetails;
  Network: ReasonDetails;
  Upstream: ReasonDetails;
  Server: ReasonDetails;
  Inference: ReasonDetails;
  ModelLoad: ReasonDetails;
  Io: ReasonDetails;
  /** The CryptoError itself is the `cause`. */
  Crypto: Record<string, never>;
  SecurityThreat: { threatType: string; confidence: number };
  ContentBlocked: ReasonDetails;
  /** The peer answered with REJECT. */
  Rejected: { code: RejectionCode; retryAfterMs?: number; message: string };
  /** The peer sent CLOSE. */
  Closed: { reason: CloseReason; message: string };
  Timeout: { operation: string; ms: number };
  LimitExceeded: { limit: string; actual: number; max: number };
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
  Aead: 'InvalidKey' | 'EncryptionFailed' | 'DecryptionFailed' | 'DataTooShort';
  Hmac: 'InvalidKey' | 'VerificationFailed' | 'DataTooShort';
  Key: 'Empty' | 'TooShort';
  Keyring: 'KeyNotFound' | 'InvalidKey' | 'DerivationFailed' | 'NoDefaultKey';
  Nonce: 'RngFailure' | 'Exhausted';
  Exchange: 'InvalidPublicKey' | 'GenerationFailed' | 'LowOrderPoint';
  Id: 'Empty' | 'TooLong' | 'InvalidChars';
  Handshake: 'Failed' | 'DecryptionFailed' | 'PeerRefused' | 'Malformed' | 'UnexpectedMessage';
}

/** Every {@link CryptoError} kind. */
export type CryptoErrorKind = keyof CryptoReasonMap;

/** Details carried by each {@link CryptoError} kind (fields used depend on the reason). */
export interface CryptoErrorDetailsMap {
  Aead: { detail?: string };
  Hmac: { detail?: string };
  Key: { got?: number; min?: number };
  Keyring: { keyId?: string; detail?: string };
  Nonce: { detail?: string };
  Exchange: { detail?: string };
  Id: { idKind: 'Agent' | 'Organization'; value?: string; len?: number; max?: number };
  /** `stage` names the handshake message (HELLO, ACCEPT, AUTH); `message` is its 1-based number. */
  Handshake: { stage: string; message: number; detail: string };
}

/** The epistemic class of a failure, as the reference's error docs define them, plus security. */
export type ErrorCategory = 'belief_falsified' | 'bounded_ignorance' | 'invariant_violated' | 'security';
