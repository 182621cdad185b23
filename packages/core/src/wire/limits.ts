/**
 * Decoder limits. Defaults follow the protocol specification (16 MiB messages, 16 MiB
 * decompressed, JSON depth 32); the reference enforces none of them.
 * @module
 */
import { M2MError } from '../errors/base.js';

/** Limits applied while encoding and decoding. */
export interface Limits {
  /** Largest frame or text accepted, in bytes. */
  maxMessageBytes: number;
  /** Largest decompressed payload, in bytes; decompression stops there. */
  maxDecompressedBytes: number;
  /** Deepest JSON nesting read when extracting header fields. */
  maxJsonDepth: number;
  /** Largest `header_len` a frame may declare (default 65535, the field's own maximum). */
  maxHeaderBytes: number;
  /**
   * Largest `payload_len` a frame may declare (default 2^32 − 1, the field's own maximum, so a
   * lie reads as the reference's `Frame too short for payload`); set it to refuse lies by name.
   */
  maxPayloadBytes: number;
}

/** The default {@link Limits}. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxMessageBytes: 16 * 1024 * 1024,
  maxDecompressedBytes: 16 * 1024 * 1024,
  maxJsonDepth: 32,
  maxHeaderBytes: 65535,
  maxPayloadBytes: 0xffffffff,
});

// What resolveLimits returned: frozen, so handing one back resolves it again for free (a session
// resolves its limits once, not per frame: the spread and the checks cost about a microsecond).
const resolved = new WeakSet<object>();

/**
 * Merges partial limits over the defaults, validating them; the result is frozen, and passing
 * it again returns it as it is.
 * @throws M2MError Config for a limit that is not a non-negative number.
 */
export function resolveLimits(partial?: Partial<Limits>): Limits {
  if (!partial) return DEFAULT_LIMITS;
  if (resolved.has(partial)) return partial as Limits;
  const out = { ...DEFAULT_LIMITS, ...partial };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new M2MError('Config', { reason: `limit ${k} must be a non-negative number` });
  }
  const frozen = Object.freeze(out);
  resolved.add(frozen);
  return frozen;
}

/** Throws LimitExceeded when `actual > max`. */
export function checkLimit(limit: keyof Limits, actual: number, max: number): void {
  if (actual > max) throw new M2MError('LimitExceeded', { limit, actual, max });
}
