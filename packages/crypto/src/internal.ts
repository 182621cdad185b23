/**
 * `@m2m/crypto/internal`: pieces shared between the SDK's packages and its tests (nonce
 * layouts, split seal output, the Noise HKDF). Not part of the public API: they may change in
 * any release.
 * @module
 */
export { aeadKey, sealParts, sealWithNonce } from './aead.js';
export { noiseHkdf, noiseNonce } from './noise/cipher-state.js';
