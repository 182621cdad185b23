/**
 * The browser side of the `#noise-speed` seam (package.json `imports`): a browser makes a few
 * handshakes, so it skips the owner's message slab and prologue cache (`handshake-speed.ts`) and
 * their bytes in its bundle; the messages and hashes are the same.
 * @module
 */
import { concatBytes } from '@m2m/core/internal';
import { chacha20poly1305Open, sealInPlace } from '../aead.js';
import { sha256 } from '../hmac.js';
import type * as speed from './handshake-speed.js';

/** A new array for each handshake message (an allocator is Node's speed-up only). */
export const messageBytes: typeof speed.messageBytes = (n) => new Uint8Array(n);

/** MixHash(prologue), every time. */
export const mixPrologue: typeof speed.mixPrologue = (ss, _protocolName, prologue) => ss.mixHash(prologue);

/** MixHash(data) into `h`: SHA-256 of a fresh h ‖ data (no shared scratch). */
export const mixHashInto: typeof speed.mixHashInto = (h, data) => h.set(sha256(concatBytes(h, data)));

/** EncryptWithAd in place: the general in-place seal (same parameters). */
export const sealAt: typeof speed.sealAt = sealInPlace;

/** DecryptWithAd into a fresh array: the general open (same parameters). */
export const openField: typeof speed.openField = chacha20poly1305Open;
