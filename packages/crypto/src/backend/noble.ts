/**
 * The portable backend: @noble/ciphers, @noble/hashes, @noble/curves (audited, pure JS).
 * @module
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { x25519 } from '@noble/curves/ed25519.js';
import type { CryptoBackend } from './types.js';

/** The @noble implementation of {@link CryptoBackend}. */
export const nobleBackend: CryptoBackend = {
  name: 'noble',
  chachaSeal(key, nonce, plaintext, aad) {
    const sealed = chacha20poly1305(key, nonce, aad).encrypt(plaintext);
    return { ciphertext: sealed.subarray(0, plaintext.length), tag: sealed.subarray(plaintext.length) };
  },
  chachaOpen(key, nonce, sealed, aad) {
    try {
      return chacha20poly1305(key, nonce, aad).decrypt(sealed);
    } catch {
      return undefined;
    }
  },
  hmacSha256: (key, data) => hmac(sha256, key, data),
  sha256: (data) => sha256(data),
  x25519(secret, publicKey) {
    // noble rejects an all-zero result; compute it anyway for the reference-compatible path.
    try {
      return x25519.getSharedSecret(secret, publicKey);
    } catch (e) {
      if (/zero|low order|invalid private or public key received/i.test(String((e as Error).message))) return new Uint8Array(32);
      throw e;
    }
  },
  x25519PublicKey: (secret) => x25519.getPublicKey(secret),
  x25519Generate() {
    const secret = x25519.utils.randomSecretKey();
    return { secret, publicKey: x25519.getPublicKey(secret) };
  },
};
