/**
 * The browser side of backend/optional.ts (`#backend`): noble, the only backend here, has none
 * of the optional methods, so every function answers `undefined` (empty bodies: bundlers drop
 * the calls and callers take their generic paths).
 * @module
 */
import type { CryptoBackend } from './types.js';

/** noble has no in-place seal. */
export function sealInPlaceWith(_b: CryptoBackend, _key: Uint8Array, _nonce: Uint8Array, _data: Uint8Array, _aad: Uint8Array, _tag: Uint8Array): true | undefined {
  return undefined;
}
/** noble has no open into a buffer. */
export function openIntoWith(_b: CryptoBackend, _key: Uint8Array, _nonce: Uint8Array, _sealed: Uint8Array, _aad: Uint8Array, _out: Uint8Array): boolean | undefined {
  return undefined;
}
/** noble has no open of a frame's AEAD section as it lies. */
export function openFrameWith(_b: CryptoBackend, _key: Uint8Array, _frame: Uint8Array, _aad: Uint8Array): Uint8Array | null | undefined {
  return undefined;
}
/** noble has no X25519 into a buffer. */
export function x25519IntoWith(_b: CryptoBackend, _secret: Uint8Array, _publicKey: Uint8Array, _out: Uint8Array): boolean | undefined {
  return undefined;
}
/** noble has no Noise HKDF of its own. */
export function noiseHkdfIntoWith(_b: CryptoBackend, _ck: Uint8Array, _ikm: Uint8Array, _out1: Uint8Array, _out2: Uint8Array, _out3?: Uint8Array): boolean | undefined {
  return undefined;
}
