/**
 * Session messages (HELLO, ACCEPT, REJECT, DATA, PING, PONG, CLOSE) as plain data, shaped after
 * the reference's `protocol::Message` (docs/PROTOCOL.md §4) with the spec's additions:
 * SERVER_BUSY and `retryAfterMs` in REJECT, a reason and message in CLOSE; and the bounds every
 * capability field must keep (docs/PROTOCOL.md §4.5).
 * @module
 */
import { M2MError, utf8ByteLength } from '@m2m/core/internal';
import type { Algorithm, CloseReason, RejectionCode } from '@m2m/core';
import { installedStreamMux } from './stream/install.js';

/** Protocol version spoken in HELLO and ACCEPT (the reference's `PROTOCOL_VERSION`). */
export const PROTOCOL_VERSION = '3.0';

/**
 * Session message types, in their wire spelling. The first seven are the reference's; `AUTH`
 * (this SDK) carries the third message of a three-message Noise handshake (XX).
 */
export const MessageType = ['HELLO', 'ACCEPT', 'REJECT', 'DATA', 'PING', 'PONG', 'CLOSE', 'AUTH'] as const;
/** One of {@link MessageType}. */
export type MessageType = (typeof MessageType)[number];

/** Token encodings, spelled as the reference's Rust variants. */
export const Encodings = ['Cl100kBase', 'O200kBase', 'LlamaBpe', 'Heuristic'] as const;
/** One of {@link Encodings}. */
export type Encoding = (typeof Encodings)[number];

/** What an agent can do: sent in HELLO (client) and ACCEPT (server). */
export interface Capabilities {
  /** Protocol version (`3.0`); sessions need the same major version. */
  version: string;
  /** This agent's id (a random UUID by default). */
  agentId: string;
  /** Implementation name (`m2m-ts` by default). */
  agentType: string;
  /** Codecs, token encodings, payload limit and feature flags offered for DATA. */
  compression: {
    /** In preference order; each side picks the first of its own list the peer also has. */
    algorithms: Algorithm[];
    /** Largest DATA content in bytes; 0 = unlimited. */
    maxPayload: number;
    streaming: boolean;
    mlRouting: boolean;
    encodings: Encoding[];
    preferredEncoding: Encoding;
  };
  /** Threat-scanning settings: whether this side scans, blocks, and at which confidence (0..1). */
  security: {
    threatDetection: boolean;
    modelVersion: string | null;
    blockingMode: boolean;
    blockThreshold: number;
  };
  /** Free-form string pairs. */
  extensions: Record<string, string>;
}

/** REJECT's payload. */
export interface RejectionInfo {
  /** Why HELLO was refused (stable REJECT code). */
  code: RejectionCode;
  /** Human-readable explanation. */
  message: string;
  /** For RATE_LIMITED and SERVER_BUSY: when to try again (an SDK extension; the reference ignores it). */
  retryAfterMs?: number;
}

/** A security scanner's verdict carried with DATA. */
export interface SecurityStatus {
  /** Whether the sender scanned this content. */
  scanned: boolean;
  /** The scan's verdict (meaningful only when `scanned`). */
  safe: boolean;
  /** Threat type found, when not safe. */
  threatType?: string;
  /** Confidence of the finding, in [0, 1]. */
  confidence?: number;
}

/**
 * DATA's payload. `content` is text (TokenNative `#TK|…`, Brotli `#M2M[v3.0]|…`, passthrough, or
 * an M2M frame's text form `#M2M|1|…` as the json codec carries it) or bytes: an M2M v1 frame as
 * the binary codec carries it, and the sealed payload of an encrypted session's PING, PONG or
 * CLOSE (docs/PROTOCOL.md §4.2, §7.3).
 */
export interface DataPayload {
  /** Codec that encoded `content`. */
  algorithm: Algorithm;
  /** The encoded content: text for text codecs, bytes for a binary M2M frame or a sealed control payload. */
  content: string | Uint8Array;
  /** Size of the original content in UTF-8 bytes, when the sender included it. */
  originalSize?: number;
  /** The sender's scan verdict, when it attached one. */
  securityStatus?: SecurityStatus;
}

/** CLOSE's payload (an SDK extension; the reference sends and expects `{}`). */
export interface CloseInfo {
  /** Why the session closed. */
  reason: CloseReason;
  /** Human-readable detail. */
  message: string;
}

/**
 * The longest Noise protocol name a decoder accepts, in UTF-8 bytes: the Noise specification caps
 * names at 255 bytes (../shared/reference/noise-spec.md §8), and a REJECT echoes the offered name.
 * @internal
 */
export const MAX_PROTOCOL_NAME_BYTES = 255;

/** Whether `name` fits {@link MAX_PROTOCOL_NAME_BYTES}. @internal */
export function protocolNameFits(name: string): boolean {
  return name.length <= MAX_PROTOCOL_NAME_BYTES && utf8ByteLength(name) <= MAX_PROTOCOL_NAME_BYTES;
}

/** A Noise handshake message inside HELLO, ACCEPT or AUTH (encrypted sessions). */
export interface HandshakePayload {
  /** The full Noise protocol name, sent in HELLO (`Noise_XX_25519_ChaChaPoly_SHA256`). */
  protocol?: string;
  /** The Noise handshake message. */
  message: Uint8Array;
}

/** A payload with the shape it was read as (the reference's untagged union, in its order). */
export type MessagePayload =
  | { kind: 'capabilities'; value: Capabilities }
  | { kind: 'rejection'; value: RejectionInfo }
  | { kind: 'data'; value: DataPayload }
  | { kind: 'close'; value: CloseInfo }
  | { kind: 'handshake'; value: HandshakePayload }
  | { kind: 'empty' };

/** One session message. */
export interface Message {
  /** The message type. */
  type: MessageType;
  /** Absent in HELLO and REJECT. */
  sessionId?: string;
  /** Absent only when the input had none (every message this SDK builds has one). */
  payload?: MessagePayload;
  /** Unix time in milliseconds at creation. */
  timestamp: number;
}

/**
 * Default capabilities, as the reference's `Capabilities::default()` with a fresh agent id;
 * `streaming` is true only once `@m2m/session/streams` is loaded (always on Node), so a page
 * without stream support never advertises it.
 */
export function defaultCapabilities(overrides: { agentId?: string; agentType?: string } = {}): Capabilities {
  return {
    version: PROTOCOL_VERSION,
    agentId: overrides.agentId ?? globalThis.crypto.randomUUID(),
    agentType: overrides.agentType ?? 'm2m-ts',
    compression: {
      algorithms: ['m2m', 'tokennative', 'brotli', 'none'],
      maxPayload: 0,
      streaming: installedStreamMux() !== undefined,
      mlRouting: false,
      encodings: ['Cl100kBase', 'O200kBase'],
      preferredEncoding: 'Cl100kBase',
    },
    security: { threatDetection: false, modelVersion: null, blockingMode: false, blockThreshold: 0.8 },
    extensions: {},
  };
}

/**
 * The largest capabilities a peer may send (docs/PROTOCOL.md §4.5). Strings are counted in UTF-8
 * bytes. A peer's capabilities live as long as its session, so each field is bounded on
 * decode, in both codecs, before the session sees them.
 */
export const CAPABILITY_LIMITS = Object.freeze({
  /** `version` (`3.0`). */
  versionBytes: 32,
  /** `agent_id` (a UUID is 36). */
  agentIdBytes: 256,
  /** `agent_type`. */
  agentTypeBytes: 128,
  /** Entries of `compression.algorithms` (four exist). */
  algorithms: 16,
  /** Entries of `compression.encodings` (four exist). */
  encodings: 16,
  /** `security.model_version`. */
  modelVersionBytes: 128,
  /** Entries of `extensions`. */
  extensions: 64,
  /** One extension key. */
  extensionKeyBytes: 128,
  /** One extension value. */
  extensionValueBytes: 4096,
  /** All extension keys and values together. */
  extensionsTotalBytes: 16384,
});

function bound(limit: keyof typeof CAPABILITY_LIMITS, actual: number): void {
  const max = CAPABILITY_LIMITS[limit];
  if (actual > max) throw new M2MError('LimitExceeded', { limit: `capabilities.${limit}`, actual, max });
}

/**
 * Checks every field of received capabilities against {@link CAPABILITY_LIMITS}. Lengths are
 * compared before any string is measured in full: a string of `n` UTF-16 units holds at most
 * `3n` UTF-8 bytes and at least `n`.
 * @throws M2MError of kind LimitExceeded (`limit` names the field, e.g. `capabilities.agentIdBytes`).
 */
export function checkCapabilityLimits(c: Capabilities): void {
  boundText('versionBytes', c.version);
  boundText('agentIdBytes', c.agentId);
  boundText('agentTypeBytes', c.agentType);
  bound('algorithms', c.compression.algorithms.length);
  bound('encodings', c.compression.encodings.length);
  if (c.security.modelVersion !== null) boundText('modelVersionBytes', c.security.modelVersion);
  const keys = Object.keys(c.extensions);
  bound('extensions', keys.length);
  let total = 0;
  for (const k of keys) total += boundText('extensionKeyBytes', k) + boundText('extensionValueBytes', c.extensions[k]);
  bound('extensionsTotalBytes', total);
}

/** {@link bound} for a text's UTF-8 bytes; returns them (or the UTF-16 length past the limit, see `textBytes`). */
function boundText(limit: keyof typeof CAPABILITY_LIMITS, s: string): number {
  const n = textBytes(s, CAPABILITY_LIMITS[limit]);
  bound(limit, n);
  return n;
}

/** UTF-8 bytes of `s`, or its UTF-16 length when that alone already exceeds `max` (no full scan of a huge string). */
function textBytes(s: string, max: number): number {
  return s.length > max ? s.length : utf8ByteLength(s);
}
