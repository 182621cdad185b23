/**
 * `@m2m/crypto/internal`: pieces shared between the SDK's packages and its tests. Not part of
 * the public API: they may change in any release. `sealParts` and `sealInPlace` take a raw nonce: only code that
 * owns a nonce counter (the session's transport keys) may call it.
 * @module
 */
export { openInto, sealInPlace, sealParts } from './aead.js';
export { transportOpenInto, transportSealInPlace } from '#transport-aead';
export { noiseHkdf } from './noise/cipher-state.js';
