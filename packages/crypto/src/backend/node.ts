/**
 * The Node backend: node:crypto (OpenSSL) for AEAD, HMAC, SHA-256 and X25519; keys move in
 * and out as JWK, which Node handles in microseconds (raw DER import costs ~100 µs).
 * @module
 */
import * as nc from './node-crypto.js';
import { toPlainBytes } from '@m2m/core/internal';
import type { CryptoBackend } from './types.js';

const b64u = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
const fromB64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
const TAG16 = { authTagLength: 16 } as const;

function publicKeyObject(publicKey: Uint8Array): nc.KeyObject {
  return nc.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(publicKey) }, format: 'jwk' });
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
  hmacSha256: (key, data) => toPlainBytes(nc.createHmac('sha256', key).update(data).digest()),
  sha256: (data) => toPlainBytes(nc.createHash('sha256').update(data).digest()),
  x25519(secret, publicKey) {
    const pub = nobleFreePublic(secret);
    const priv = nc.createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(secret), x: b64u(pub) }, format: 'jwk' });
    try {
      return toPlainBytes(nc.diffieHellman({ privateKey: priv, publicKey: publicKeyObject(publicKey) }));
    } catch (e) {
      // OpenSSL refuses an all-zero shared secret; report it as such so policy decides.
      if (/failed|zero|invalid/i.test(String((e as Error).message))) return new Uint8Array(32);
      throw e;
    }
  },
  x25519PublicKey: (secret) => nobleFreePublic(secret),
  x25519Generate() {
    const { privateKey } = nc.generateKeyPairSync('x25519', { publicKeyEncoding: { format: 'jwk' }, privateKeyEncoding: { format: 'jwk' } }) as unknown as { privateKey: { d: string; x: string } };
    const secret = fromB64u(privateKey.d);
    const publicKey = fromB64u(privateKey.x);
    publicCache.set(b64u(secret), publicKey);
    return { secret, publicKey };
  },
};

// Public keys of secrets seen here, so DH can import the private JWK (which needs `x`).
const publicCache = new Map<string, Uint8Array>();
function nobleFreePublic(secret: Uint8Array): Uint8Array {
  const k = b64u(secret);
  let pub = publicCache.get(k);
  if (!pub) {
    // PKCS#8 import derives the public key inside OpenSSL.
    const der = new Uint8Array(16 + 32);
    der.set([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20], 0);
    der.set(secret, 16);
    const jwk = nc.createPublicKey(nc.createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }) as { x: string };
    pub = fromB64u(jwk.x);
    if (publicCache.size > 4096) publicCache.clear();
    publicCache.set(k, pub);
  }
  return pub;
}


