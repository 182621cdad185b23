/**
 * X25519 (RFC 7748 §5, §6.1): key pairs, Diffie-Hellman, public key checks. An all-zero
 * shared secret (a low-order peer key) is refused by default; `allowZeroSharedSecret` gives the
 * reference's behaviour, which returns it.
 * @module
 */
import { CryptoError, toHex, isBytes, lengthOf, utf8Encode } from '@m2m/core/internal';
import { getBackend } from './backend.js';
import { x25519IntoWith } from '#backend';
import { KeyMaterial } from './key-material.js';

/** X25519 key size. */
export const X25519_KEY_SIZE = 32;

/**
 * A public key from received bytes.
 * @throws CryptoError (Exchange/InvalidPublicKey): `Expected 32 bytes, got N`.
 */
export function publicKeyFromSlice(bytes: Uint8Array): Uint8Array {
  // Copied by its real length: a subclass may lie through `length` or `slice` (a plain copy reads neither).
  const key = realCopy(bytes);
  if (key.length !== X25519_KEY_SIZE) throw new CryptoError('Exchange', 'InvalidPublicKey', { detail: `Expected 32 bytes, got ${key.length}` });
  return key;
}

/**
 * A copy of `b` by its real length (the intrinsic getter), empty for anything but a Uint8Array
 * and for a detached one, which the constructor would refuse with a bare TypeError
 * (test/attack-detached-key.test.ts).
 */
function realCopy(b: unknown): Uint8Array {
  return new Uint8Array(isBytes(b) && lengthOf.call(b) ? b : []);
}

function isAllZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i];
  return acc === 0;
}

/** Options of Diffie-Hellman. */
export interface DhOptions {
  /** Return an all-zero shared secret instead of throwing (the reference's behaviour). */
  allowZeroSharedSecret?: boolean;
}

/**
 * X25519(secret, peerPublic).
 * @throws CryptoError: Exchange/InvalidPublicKey (size), Exchange/LowOrderPoint (all-zero result).
 */
export function x25519SharedSecret(secret: Uint8Array, peerPublic: Uint8Array, options: DhOptions = {}): Uint8Array {
  const pub = publicKeyFromSlice(peerPublic);
  if (!isBytes(secret) || secret.length !== X25519_KEY_SIZE) throw new CryptoError('Exchange', 'InvalidPublicKey', { detail: 'secret key must be 32 bytes' });
  let out: Uint8Array;
  try {
    out = getBackend().x25519(secret, pub);
  } catch (e) {
    throw new CryptoError('Exchange', 'InvalidPublicKey', { detail: 'key agreement failed' }, { cause: e });
  }
  if (!options.allowZeroSharedSecret && isAllZero(out)) throw new CryptoError('Exchange', 'LowOrderPoint');
  return out;
}

/**
 * {@link x25519SharedSecret} into `out` (32 bytes), for Noise (noise/handshake-state.ts): no copy
 * of the peer key and no output array, since the result is mixed into the chaining key and wiped
 * at once. Same checks and errors; an all-zero result is always refused.
 * @internal
 * @throws CryptoError: Exchange/InvalidPublicKey (size), Exchange/LowOrderPoint (all-zero result).
 */
export function x25519SharedSecretInto(secret: Uint8Array, peerPublic: Uint8Array, out: Uint8Array): void {
  if (!isBytes(peerPublic) || peerPublic.length !== X25519_KEY_SIZE) throw new CryptoError('Exchange', 'InvalidPublicKey', { detail: `Expected 32 bytes, got ${isBytes(peerPublic) ? peerPublic.length : 0}` });
  if (!isBytes(secret) || secret.length !== X25519_KEY_SIZE) throw new CryptoError('Exchange', 'InvalidPublicKey', { detail: 'secret key must be 32 bytes' });
  const backend = getBackend();
  try {
    if (!x25519IntoWith(backend, secret, peerPublic, out)) {
      const shared = backend.x25519(secret, peerPublic);
      out.set(shared);
      shared.fill(0);
    }
  } catch (e) {
    out.fill(0);
    throw new CryptoError('Exchange', 'InvalidPublicKey', { detail: 'key agreement failed' }, { cause: e });
  }
  if (isAllZero(out)) throw new CryptoError('Exchange', 'LowOrderPoint');
}

/**
 * A fresh key pair as raw bytes from the active backend (no copies: Noise wraps it as is).
 * @throws CryptoError (Exchange/GenerationFailed).
 */
export function generateRawKeyPair(): { secret: Uint8Array; publicKey: Uint8Array } {
  try {
    return getBackend().x25519Generate();
  } catch (e) {
    throw new CryptoError('Exchange', 'GenerationFailed', { detail: (e as Error)?.message ?? 'unknown' }, { cause: e });
  }
}

/**
 * A static X25519 key pair (the reference's `KeyPair`).
 * @example
 * ```ts
 * const alice = KeyPair.generate(), bob = KeyPair.generate();
 * alice.diffieHellman(bob.publicKey); // equals bob.diffieHellman(alice.publicKey)
 * ```
 */
export class KeyPair {
  readonly #secret: Uint8Array;
  /** The 32-byte X25519 public key (safe to share). */
  readonly publicKey: Uint8Array;
  private constructor(secret: Uint8Array, publicKey: Uint8Array) {
    this.#secret = secret;
    this.publicKey = publicKey;
  }
  /** A fresh random key pair. @throws CryptoError (Exchange/GenerationFailed) when key generation fails. */
  static generate(): KeyPair {
    const { secret, publicKey } = generateRawKeyPair();
    return new KeyPair(secret, publicKey);
  }
  /**
   * From raw secret bytes (clamped inside the scalar multiplication, RFC 7748 §5).
   * @throws CryptoError (Exchange/GenerationFailed) unless `secret` is 32 bytes.
   */
  static fromSecret(secret: Uint8Array): KeyPair {
    // Copied first, so the check reads the real length, not a subclass's `length` getter.
    const s = realCopy(secret);
    if (s.length !== X25519_KEY_SIZE) {
      s.fill(0);
      throw new CryptoError('Exchange', 'GenerationFailed', { detail: 'secret must be 32 bytes' });
    }
    return new KeyPair(s, getBackend().x25519PublicKey(s));
  }
  /** The secret bytes (for storing an identity; handle with care). */
  exportSecret(): Uint8Array {
    return this.#secret.slice();
  }
  /** Raw DH output wrapped as KeyMaterial. */
  diffieHellman(peerPublic: Uint8Array, options: DhOptions = {}): KeyMaterial {
    const s = x25519SharedSecret(this.#secret, peerPublic, options);
    const k = new KeyMaterial(s);
    s.fill(0);
    return k;
  }
  /** Overwrites the secret with zeros; do not use the pair afterwards. */
  dispose(): void {
    this.#secret.fill(0);
  }
  /** Same as `dispose`, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
  /** The first 4 public-key bytes in hex and a redacted secret. */
  toString(): string {
    return `KeyPair { public: PublicKey([${toHex(this.publicKey.subarray(0, 4))}...]), secret: "[REDACTED]" }`;
  }
  /** Same as `toString`: never shows the secret. */
  toJSON(): string {
    return this.toString();
  }
}

/** The reference's `KeyExchange`: a key pair, the peer key, and session-key derivation. */
export class KeyExchange {
  /** This side's key pair (generated when none was given). */
  readonly keyPair: KeyPair;
  #shared: KeyMaterial | undefined;
  /** A copy of the peer's public key, once `setPeerPublic` succeeded. */
  peerPublic: Uint8Array | undefined;
  constructor(keyPair: KeyPair = KeyPair.generate()) {
    this.keyPair = keyPair;
  }
  /** This side's 32-byte public key, to send to the peer. */
  get publicKey(): Uint8Array {
    return this.keyPair.publicKey;
  }
  /** Computes and stores the shared secret. */
  setPeerPublic(peer: Uint8Array, options: DhOptions = {}): void {
    this.#shared?.dispose();
    this.#shared = this.keyPair.diffieHellman(peer, options);
    this.peerPublic = peer.slice();
  }
  /** Whether the shared secret has been computed. */
  get isComplete(): boolean {
    return this.#shared !== undefined;
  }
  /** The raw X25519 shared secret, or `undefined` before `setPeerPublic`. */
  sharedSecret(): KeyMaterial | undefined {
    return this.#shared;
  }
  /** HKDF(no salt, shared, info = context, 32), or undefined before the peer is set. */
  deriveSessionKey(context: string): KeyMaterial | undefined {
    return this.#shared?.derive(utf8Encode(context), 32);
  }
}
