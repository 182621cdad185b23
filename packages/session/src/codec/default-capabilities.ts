/**
 * The capabilities a `Session` announces when its caller gives none, on Node: the defaults of
 * `defaultCapabilities()` (message.ts) with a fresh agent id, whose `compression`, `security` and
 * `extensions` are frozen objects shared by every such session. A session's own capabilities are
 * not reachable by its application (only the peer's are), so nothing can change them; being
 * frozen, their MessagePack form is the same every time, and the handshake writer copies it
 * instead of checking and writing each field again (./handshake-writer.ts), while the reader
 * recognises those bytes from a peer that sends the defaults too (./handshake-reader.ts). Both
 * give the same bytes and values as the generic path (test/handshake-codec.test.ts). A
 * handshake encodes two capability payloads and decodes two, and this was the largest part of
 * what a session adds to Noise (docs/ARCHITECTURE.md, Performance notes).
 * @module
 */
import { defaultCapabilities, type Capabilities } from '../message.js';
import { installedStreamMux } from '../stream/install.js';

/** The frozen default parts (by `streaming`: true once `@m2m/session/streams` is loaded) and, once measured, their encoding after the agent id. */
export interface CapabilityTemplate {
  /** Frozen `compression`, `security` and `extensions`; `version` and `agentType` as the defaults have them. */
  readonly parts: Capabilities;
  /** MessagePack bytes of the capabilities array from `agent_type` to its end (./handshake-writer.ts fills it on first use). */
  tail: Uint8Array | undefined;
  /**
   * Unfrozen copies of the two lists, which the reader copies for each peer (`slice` of a frozen
   * array takes V8's slow path: ~1 µs each, as much as reading the whole payload).
   */
  readonly algorithms: Capabilities['compression']['algorithms'];
  readonly encodings: Capabilities['compression']['encodings'];
}

const templates: Array<CapabilityTemplate | undefined> = [undefined, undefined];

/** The template for `streaming` (made on first use). */
export function capabilityTemplate(streaming: boolean): CapabilityTemplate {
  const i = streaming ? 1 : 0;
  let t = templates[i];
  if (t) return t;
  const parts = defaultCapabilities({ agentId: '' });
  parts.compression.streaming = streaming;
  const algorithms = parts.compression.algorithms.slice();
  const encodings = parts.compression.encodings.slice();
  Object.freeze(parts.compression.algorithms);
  Object.freeze(parts.compression.encodings);
  Object.freeze(parts.compression);
  Object.freeze(parts.security);
  Object.freeze(parts.extensions);
  templates[i] = t = { parts: Object.freeze(parts), tail: undefined, algorithms, encodings };
  return t;
}

/**
 * The template whose frozen parts `c` holds, with `version` and `agentType` still the defaults
 * (those two are plain fields of `c`), or `undefined`.
 */
export function templateOf(c: Capabilities): CapabilityTemplate | undefined {
  const k = c.compression;
  const t = templates[k === templates[1]?.parts.compression ? 1 : 0];
  if (!t || k !== t.parts.compression || c.security !== t.parts.security || c.extensions !== t.parts.extensions) return undefined;
  return c.version === t.parts.version && c.agentType === t.parts.agentType ? t : undefined;
}

/** Default capabilities for a session's own use (see the module comment): a fresh agent id and the shared frozen parts. */
export function sessionCapabilities(): Capabilities {
  const p = capabilityTemplate(installedStreamMux() !== undefined).parts;
  return { version: p.version, agentId: globalThis.crypto.randomUUID(), agentType: p.agentType, compression: p.compression, security: p.security, extensions: p.extensions };
}
