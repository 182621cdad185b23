/**
 * Capability negotiation as the reference does it (wire-format notes §6.4): each side picks
 * with its own preference order; plus what the spec adds and the reference skips: the
 * maximum payload is the smaller of both sides (0 = unlimited).
 * @module
 */
import type { Algorithm } from '@m2m/core';
import type { Capabilities, Encoding } from './message.js';

/** What one side uses after negotiation. */
export interface Negotiated {
  /** Codec for DATA: the first of local's algorithms the peer also offers. */
  algorithm: Algorithm;
  /** Token encoding: local's preferred one if the peer has it, else the first shared one (`Cl100kBase` as fallback). */
  encoding: Encoding;
  /** Streams are usable: both sides offer them. */
  streaming: boolean;
  /** ML routing is on: both sides offer it. */
  mlRouting: boolean;
  /** Threat detection is on: either side asked for it. */
  threatDetection: boolean;
  /** Blocking mode is on: either side asked for it. */
  blockingMode: boolean;
  /** Largest DATA content either side accepts, in bytes; 0 = unlimited. */
  maxPayload: number;
}

/** Major versions agree: the text before the first `.` is equal and non-empty. */
export function versionsCompatible(a: string, b: string): boolean {
  // Compared in place (no split): every handshake checks this twice.
  const dot = a.indexOf('.');
  const n = dot < 0 ? a.length : dot;
  if (n === 0 || (b.length !== n && b.charCodeAt(n) !== 0x2e)) return false;
  for (let i = 0; i < n; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** The smaller of two limits where 0 means unlimited. */
export function minPayload(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}

/**
 * Negotiates from `local`'s point of view.
 * @returns the result, or `undefined` when the major versions differ or no algorithm is shared.
 * @example `negotiate(mine, theirs)?.algorithm` → `'m2m'`
 */
export function negotiate(local: Capabilities, peer: Capabilities): Negotiated | undefined {
  if (!versionsCompatible(local.version, peer.version)) return undefined;
  const algorithm = local.compression.algorithms.find((a) => peer.compression.algorithms.includes(a));
  if (algorithm === undefined) return undefined;
  const peerEnc = peer.compression.encodings;
  const encoding = peerEnc.includes(local.compression.preferredEncoding)
    ? local.compression.preferredEncoding
    : (local.compression.encodings.find((e) => peerEnc.includes(e)) ?? 'Cl100kBase');
  return {
    algorithm,
    encoding,
    streaming: local.compression.streaming && peer.compression.streaming,
    mlRouting: local.compression.mlRouting && peer.compression.mlRouting,
    threatDetection: local.security.threatDetection || peer.security.threatDetection,
    blockingMode: local.security.blockingMode || peer.security.blockingMode,
    maxPayload: minPayload(local.compression.maxPayload, peer.compression.maxPayload),
  };
}
