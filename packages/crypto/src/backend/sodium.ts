/**
 * The Node fast path through libsodium (the optional `sodium-native` addon): ChaCha20-Poly1305
 * (RFC 8439 §2.8) for small and medium messages and X25519 (RFC 7748 §5) on raw bytes;
 * node:crypto for everything else.
 *
 * Why: each `createCipheriv` costs about 4 µs before a byte is encrypted (OpenSSL 3 fetches the
 * cipher per call), so node:crypto seals 64 B at ~13 MB/s while libsodium, called directly into
 * preallocated buffers, reaches ~43 MB/s. For large messages OpenSSL's assembly is faster, so
 * messages above {@link SODIUM_MAX_BYTES} go to node:crypto (crossover measured in bench/crypto.ts).
 * X25519 on node:crypto needs a key import per call (JWK, ~100 µs as DER); libsodium takes the
 * raw 32 bytes and computes about 24k shared secrets/s against ~6.5k.
 *
 * The addon is loaded lazily, on the {@link SODIUM_WARMUP_CALLS}th call that could use it: a
 * one-shot CLI run never pays its ~35 ms load, a session does so once. Without the addon (not
 * installed, or no prebuild for the platform) every call stays on node:crypto with identical
 * results.
 * @module
 */
import { createRequire } from 'node:module';
import { nodeBackend } from './node.js';
import type { CryptoBackend } from './types.js';

/** Largest plaintext sealed or opened by libsodium; larger ones go to node:crypto. */
export const SODIUM_MAX_BYTES = 24 * 1024;
/** Calls that could use the addon (small AEAD, X25519) made on node:crypto before it is loaded. */
export const SODIUM_WARMUP_CALLS = 64;

/** The part of sodium-native's API used here (it ships no types). */
interface Sodium {
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(c: Uint8Array, mac: Uint8Array, m: Uint8Array, ad: Uint8Array, nsec: null, npub: Uint8Array, k: Uint8Array): number;
  /** Throws when the tag does not verify. */
  crypto_aead_chacha20poly1305_ietf_decrypt_detached(m: Uint8Array, nsec: null, c: Uint8Array, mac: Uint8Array, ad: Uint8Array, npub: Uint8Array, k: Uint8Array): void;
  /** Throws when the result is all zeros (a low-order peer key). */
  crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void;
}

const require = createRequire(import.meta.url);

/** Whether the addon can be found, without loading it. */
export function sodiumInstalled(): boolean {
  try {
    require.resolve('sodium-native');
    return true;
  } catch {
    return false;
  }
}

let sodium: Sodium | null | undefined; // undefined: not tried yet; null: unavailable
let callsBeforeLoad = 0;

function loadSodium(): Sodium | null {
  try {
    return require('sodium-native') as Sodium;
  } catch {
    return null;
  }
}

/** The addon when a call of this size should use it, after the warm-up; otherwise `null`. */
function sodiumFor(length: number, eager: boolean): Sodium | null {
  if (length > SODIUM_MAX_BYTES) return null;
  if (sodium !== undefined) return sodium;
  if (!eager && ++callsBeforeLoad < SODIUM_WARMUP_CALLS) return null;
  return (sodium = loadSodium());
}

function makeBackend(name: string, eager: boolean): CryptoBackend {
  return {
    ...nodeBackend,
    name,
    chachaSeal(key, nonce, plaintext, aad) {
      const s = sodiumFor(plaintext.length, eager);
      if (!s) return nodeBackend.chachaSeal(key, nonce, plaintext, aad);
      const ciphertext = new Uint8Array(plaintext.length);
      const tag = new Uint8Array(16);
      s.crypto_aead_chacha20poly1305_ietf_encrypt_detached(ciphertext, tag, plaintext, aad, null, nonce, key);
      return { ciphertext, tag };
    },
    chachaOpen(key, nonce, sealed, aad) {
      if (sealed.length < 16) return undefined;
      const s = sodiumFor(sealed.length - 16, eager);
      if (!s) return nodeBackend.chachaOpen(key, nonce, sealed, aad);
      const end = sealed.length - 16;
      const plaintext = new Uint8Array(end);
      try {
        s.crypto_aead_chacha20poly1305_ietf_decrypt_detached(plaintext, null, sealed.subarray(0, end), sealed.subarray(end), aad, nonce, key);
      } catch {
        return undefined;
      }
      return plaintext;
    },
    x25519(secret, publicKey) {
      const s = sodiumFor(0, eager);
      if (!s) return nodeBackend.x25519(secret, publicKey);
      const shared = new Uint8Array(32);
      try {
        s.crypto_scalarmult(shared, secret, publicKey);
      } catch (e) {
        // libsodium refuses an all-zero result; report it as zeros so the policy layer decides.
        if ((e as { code?: string }).code === 'ERR_ASSERTION') throw e;
        shared.fill(0);
      }
      return shared;
    },
    x25519PublicKey(secret) {
      const s = sodiumFor(0, eager);
      if (!s) return nodeBackend.x25519PublicKey(secret);
      const pub = new Uint8Array(32);
      s.crypto_scalarmult_base(pub, secret);
      return pub;
    },
    x25519Generate() {
      const s = sodiumFor(0, eager);
      if (!s) return nodeBackend.x25519Generate();
      const secret = globalThis.crypto.getRandomValues(new Uint8Array(32));
      const publicKey = new Uint8Array(32);
      s.crypto_scalarmult_base(publicKey, secret);
      return { secret, publicKey };
    },
  };
}

/** Node's default: libsodium for AEAD up to {@link SODIUM_MAX_BYTES} and for X25519 after the warm-up, node:crypto otherwise. */
export const sodiumBackend: CryptoBackend = makeBackend('sodium', false);

/** The same without the warm-up, so tests and benchmarks exercise libsodium from the first call. */
export const sodiumEagerBackend: CryptoBackend = makeBackend('sodium', true);
