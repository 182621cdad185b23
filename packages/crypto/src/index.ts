/**
 * `@m2m/crypto`: the primitives (ChaCha20-Poly1305, XChaCha20-Poly1305, HMAC-SHA256,
 * HKDF-SHA256, SHA-256, X25519), the reference's key objects, frame protection, and Noise.
 * The key hierarchy, `Keyring` and the ids they use (`agentId`, `orgId`) are in `@m2m/crypto/keys`.
 * Building blocks the SDK's own packages share but applications should not need are in
 * `@m2m/crypto/internal` (no stability promise).
 * @module
 */
export { AEAD_KEY_SIZE, AEAD_TAG_SIZE, NONCE_SIZE, AeadCipher, chacha20poly1305Open, chacha20poly1305Seal, xchacha20poly1305Open, xchacha20poly1305Seal } from './aead.js';
export { HMAC_MIN_KEY_SIZE, HMAC_TAG_SIZE, HmacAuth, constantTimeEqual, hmacSha256, sha256 } from './hmac.js';
export { HKDF_MAX_OUTPUT, hkdf, hkdfExpand, hkdfExtract } from './hkdf.js';
export { KeyMaterial } from './key-material.js';
export { X25519_KEY_SIZE, KeyExchange, KeyPair, publicKeyFromSlice, x25519SharedSecret, type DhOptions } from './x25519.js';
export { aeadProtection, hmacProtection, type AeadProtectionOptions } from './protection.js';
export { randomBytes } from './random.js';
export { availableBackends, getBackend, setBackend, type CryptoBackend } from './backend.js';
export { SUPPORTED_PATTERNS, handshakePattern, type HandshakePattern, type Token } from './noise/patterns.js';
export { CipherState, SymmetricState } from './noise/cipher-state.js';
export { HandshakeState, generateNoiseKeyPair, noiseKeyPair, type HandshakeOptions, type MessageAllocator, type NoiseKeyPair } from './noise/handshake-state.js';
