/**
 * The portable backend: @noble/ciphers, @noble/hashes, @noble/curves (audited, pure JS).
 * @module
 */
import type { CryptoBackend, NobleModules } from './types.js';

/**
 * The @noble implementation of {@link CryptoBackend}, over modules that `load` supplies (the
 * platform decides whether they are imported up front or on first use).
 */
export const createNobleBackend = (load: () => NobleModules): CryptoBackend => ({
  name: 'noble',
  chachaSeal(key, nonce, plaintext, aad) {
    const sealed = load().chacha20poly1305(key, nonce, aad).encrypt(plaintext);
    return { ciphertext: sealed.subarray(0, plaintext.length), tag: sealed.subarray(plaintext.length) };
  },
  chachaOpen(key, nonce, sealed, aad) {
    try {
      return load().chacha20poly1305(key, nonce, aad).decrypt(sealed);
    } catch {
      return undefined;
    }
  },
  hmacSha256(key, data) {
    const { hmac, sha256 } = load();
    return hmac(sha256, key, data);
  },
  sha256: (data) => load().sha256(data),
  x25519(secret, publicKey) {
    // noble rejects an all-zero result; compute it anyway for the reference-compatible path.
    try {
      return load().x25519.getSharedSecret(secret, publicKey);
    } catch (e) {
      if (/zero|low order|invalid private or public key received/i.test(String((e as Error).message))) return new Uint8Array(32);
      throw e;
    }
  },
  x25519PublicKey: (secret) => load().x25519.getPublicKey(secret),
  x25519Generate() {
    const { x25519 } = load();
    const secret = x25519.utils.randomSecretKey();
    return { secret, publicKey: x25519.getPublicKey(secret) };
  },
});
