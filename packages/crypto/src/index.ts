/**
 * `@m2m/crypto`: the primitives (ChaCha20-Poly1305, XChaCha20-Poly1305, HMAC-SHA256,
 * HKDF-SHA256, SHA-256, X25519), the reference's key objects, frame protection, and Noise.
 * @module
 */
export * from './aead.js';
export * from './hmac.js';
export * from './hkdf.js';
export * from './key-material.js';
export * from './ids.js';
export * from './hierarchy.js';
export * from './keyring.js';
export * from './x25519.js';
export * from './protection.js';
export { randomBytes } from './random.js';
export { getBackend, setBackend, availableBackends, type CryptoBackend } from './backend.js';
export * from './noise/index.js';
