/**
 * The calls into a backend's optional methods (backend/types.ts: in-place, into-buffer and
 * frame-section forms that sodium and node:crypto have and noble does not), reached through `#backend` on Node;
 * browsers, whose only backend is noble, get backend/optional.browser.ts, whose functions answer
 * `undefined` from empty bodies, so that their bundlers drop the calls. Each answers `undefined`
 * when the backend lacks the method (the caller takes its generic path).
 * @module
 */
import type { CryptoBackend } from './types.js';

/** `chachaSealInPlace` when the backend has it: true once done. */
export function sealInPlaceWith(b: CryptoBackend, key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array, tag: Uint8Array): true | undefined {
  if (!b.chachaSealInPlace) return undefined;
  b.chachaSealInPlace(key, nonce, data, aad, tag);
  return true;
}

/** `chachaOpenInto` when the backend has it: whether the tag verified. */
export function openIntoWith(b: CryptoBackend, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out: Uint8Array): boolean | undefined {
  return b.chachaOpenInto?.(key, nonce, sealed, aad, out);
}

/** `chachaOpenFrame` when the backend has it: the plaintext, or `null` when the tag does not verify. */
export function openFrameWith(b: CryptoBackend, key: Uint8Array, frame: Uint8Array, aad: Uint8Array): Uint8Array | null | undefined {
  return b.chachaOpenFrame ? (b.chachaOpenFrame(key, frame, aad) ?? null) : undefined;
}

/** `x25519Into` when the backend has it: true once `out` holds the shared secret. */
export function x25519IntoWith(b: CryptoBackend, secret: Uint8Array, publicKey: Uint8Array, out: Uint8Array): boolean | undefined {
  return b.x25519Into?.(secret, publicKey, out);
}

/** `noiseHkdfInto` when the backend has it: true once the outputs are written. */
export function noiseHkdfIntoWith(b: CryptoBackend, ck: Uint8Array, ikm: Uint8Array, out1: Uint8Array, out2: Uint8Array, out3?: Uint8Array): boolean | undefined {
  return b.noiseHkdfInto?.(ck, ikm, out1, out2, out3);
}
