/**
 * The Node backend: node:crypto (OpenSSL) for AEAD, HMAC, SHA-256 and X25519. X25519 keys go in
 * as JWK (microseconds; a DER import costs ~100 µs) and each secret's KeyObject is kept while its
 * array lives, so a key used in several DHs (Noise's ephemeral and static keys) is imported once.
 * @module
 */
import * as nc from './node-crypto.js';
import { toPlainBytes } from '@m2m/core/internal';
import type { CryptoBackend } from './types.js';
import { writeHmacPads } from './hmac-pads.js';
import { wasmHkdfInto } from '../noise/sha256-wasm.js';

const b64u = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
const fromB64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
const TAG16 = { authTagLength: 16 } as const;
/**
 * Node's JWK import of an X25519 private key wants an `x` string but builds the key from `d`
 * alone (OpenSSL derives the public half), so any well-formed `x` serves.
 */
const ANY_X = 'A'.repeat(43);

// Private KeyObjects by secret array: a WeakMap, so nothing outlives the caller's array and no
// secret is ever held as a string key. The entry keeps the bytes it was made from, so an array
// changed in place (a disposed key is zeroed) is imported again rather than served stale.
const privateKeys = new WeakMap<Uint8Array, { bytes: Uint8Array; key: nc.KeyObject }>();
function privateKeyObject(secret: Uint8Array): nc.KeyObject {
  const hit = privateKeys.get(secret);
  if (hit && sameBytes(hit.bytes, secret)) return hit.key;
  const key = nc.createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(secret), x: ANY_X }, format: 'jwk' });
  privateKeys.set(secret, { bytes: secret.slice(), key });
  return key;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

// Public KeyObjects of recent peers (public data, so a string key is fine): a static peer key
// met in every handshake is imported once. Bounded; the oldest entry leaves first.
const PUBLIC_CACHE_SIZE = 64;
const publicKeys = new Map<string, nc.KeyObject>();
function publicKeyObject(publicKey: Uint8Array): nc.KeyObject {
  const x = b64u(publicKey);
  let key = publicKeys.get(x);
  if (!key) {
    key = nc.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
    if (publicKeys.size >= PUBLIC_CACHE_SIZE) publicKeys.delete(publicKeys.keys().next().value as string);
    publicKeys.set(x, key);
  }
  return key;
}

/** Up to this much data, HMAC runs as two one-shot hashes; longer data streams through `createHmac` (no copy). */
const ONE_SHOT_HMAC_MAX = 1024;

// The padded blocks live in two scratch buffers (a typed array over 64 bytes is allocated off
// the JS heap, which cost more than the hashing); both are zeroed after each use, since they hold
// the key's pads and possibly secret data.
const innerScratch = new Uint8Array(64 + ONE_SHOT_HMAC_MAX);
const outerScratch = new Uint8Array(64 + 32);

/**
 * HMAC-SHA256 from two one-shot hashes (`crypto.hash`, Node ≥ 20.12): a `createHmac` object
 * costs more than the hashing itself for the short inputs of Noise and HKDF. Keys over 64 bytes
 * are hashed first (RFC 2104 §2). Long data is not copied into the padded block.
 */
function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length > ONE_SHOT_HMAC_MAX) return toPlainBytes(nc.createHmac('sha256', key).update(data).digest());
  const k = key.length > 64 ? nc.hash('sha256', key, 'buffer') : key;
  const inner = innerScratch;
  const outer = outerScratch;
  const end = writeHmacPads(k, data, inner, outer);
  outer.set(nc.hash('sha256', inner.subarray(0, end), 'buffer'), 64);
  const tag = nc.hash('sha256', outer, 'buffer');
  inner.fill(0, 0, end);
  outer.fill(0);
  return toPlainBytes(tag);
}

/** The node:crypto implementation of {@link CryptoBackend}. */
export const nodeBackend: CryptoBackend = {
  name: 'node',
  chachaSeal(key, nonce, plaintext, aad) {
    // No options object and no extra copy: each allocation here costs as much as the cipher
    // itself at 1 KiB (measured in bench/crypto.ts).
    const c = nc.createCipheriv('chacha20-poly1305', key, nonce, TAG16);
    if (aad.length) c.setAAD(aad, { plaintextLength: plaintext.length });
    const ciphertext = c.update(plaintext);
    c.final();
    return { ciphertext: toPlainBytes(ciphertext), tag: toPlainBytes(c.getAuthTag()) };
  },
  chachaOpen(key, nonce, sealed, aad) {
    if (sealed.length < 16) return undefined;
    const d = nc.createDecipheriv('chacha20-poly1305', key, nonce, TAG16);
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    if (aad.length) d.setAAD(aad, { plaintextLength: sealed.length - 16 });
    const out = d.update(sealed.subarray(0, sealed.length - 16));
    try {
      d.final();
    } catch {
      return undefined;
    }
    return toPlainBytes(out);
  },
  hmacSha256,
  // Noise's HKDF in one WebAssembly call (noise/sha256-wasm.ts; false until it is compiled).
  noiseHkdfInto: wasmHkdfInto,
  sha256: (data) => toPlainBytes(nc.hash('sha256', data, 'buffer')),
  x25519(secret, publicKey) {
    try {
      return toPlainBytes(nc.diffieHellman({ privateKey: privateKeyObject(secret), publicKey: publicKeyObject(publicKey) }));
    } catch (e) {
      // OpenSSL refuses an all-zero shared secret; report it as such so policy decides.
      if (/failed|zero|invalid/i.test(String((e as Error).message))) return new Uint8Array(32);
      throw e;
    }
  },
  x25519PublicKey(secret) {
    const jwk = nc.createPublicKey(privateKeyObject(secret)).export({ format: 'jwk' }) as { x: string };
    return fromB64u(jwk.x);
  },
  x25519Generate() {
    // Strings out of generateKeyPairSync: exporting a generated KeyObject as JWK in a loop can
    // hang Node 20 (../shared/reference/perf-baselines.md); the private KeyObject is made on the
    // first DH instead.
    const { privateKey } = nc.generateKeyPairSync('x25519', { publicKeyEncoding: { format: 'jwk' }, privateKeyEncoding: { format: 'jwk' } }) as unknown as { privateKey: { d: string; x: string } };
    return { secret: fromB64u(privateKey.d), publicKey: fromB64u(privateKey.x) };
  },
};
