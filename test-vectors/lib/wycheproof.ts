/**
 * Wycheproof runners. Valid cases must give the expected output; invalid ones must throw a
 * CryptoError. `acceptable` X25519 cases (low-order or non-canonical public keys) pass when the
 * output matches, or when the default policy refuses an all-zero shared secret with
 * Exchange/LowOrderPoint; with `allowZeroSharedSecret` every acceptable case must match.
 * @module
 */
import { fromHex, isCryptoError, toHex } from '@m2m/core';
import { chacha20poly1305Open, chacha20poly1305Seal, hkdf, hmacSha256, x25519SharedSecret, xchacha20poly1305Open, xchacha20poly1305Seal } from '@m2m/crypto';
import { Cases, checked, eq } from './check.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function mustThrowCrypto(fn: () => unknown): void {
  checked();
  try {
    fn();
  } catch (e) {
    if (!isCryptoError(e)) throw new Error(`threw a non-CryptoError: ${(e as Error)?.message}`);
    return;
  }
  throw new Error('invalid case was accepted');
}

/** chacha20_poly1305 and xchacha20_poly1305 (AeadTest). */
export function runAead(c: Cases, d: J, x: boolean): void {
  const seal = x ? xchacha20poly1305Seal : chacha20poly1305Seal;
  const open = x ? xchacha20poly1305Open : chacha20poly1305Open;
  for (const g of d.testGroups as J[]) {
    for (const t of g.tests as J[]) {
      c.run(`tc${t.tcId} ${t.comment}`, () => {
        const key = fromHex(t.key);
        const iv = fromHex(t.iv);
        const aad = fromHex(t.aad);
        const msg = fromHex(t.msg);
        const sealed = fromHex(t.ct + t.tag);
        if (t.result === 'invalid') {
          mustThrowCrypto(() => {
            if (key.length !== 32) throw new Error('key size accepted');
            open(key, iv, sealed, aad);
          });
          return;
        }
        eq(toHex(seal(key, iv, msg, aad)), t.ct + t.tag, 'seal');
        eq(toHex(open(key, iv, sealed, aad)), t.msg, 'open');
      });
    }
  }
}

/** hkdf_sha256 (HkdfTest). */
export function runHkdfW(c: Cases, d: J): void {
  for (const g of d.testGroups as J[]) {
    for (const t of g.tests as J[]) {
      c.run(`tc${t.tcId} ${t.comment}`, () => {
        const call = () => hkdf(fromHex(t.ikm), fromHex(t.salt), fromHex(t.info), t.size);
        if (t.result === 'invalid') return mustThrowCrypto(call);
        eq(toHex(call()), t.okm, 'okm');
      });
    }
  }
}

/** hmac_sha256 (MacTest), with truncated tags compared on their prefix. */
export function runHmacW(c: Cases, d: J): void {
  for (const g of d.testGroups as J[]) {
    const tagBytes = g.tagSize / 8;
    for (const t of g.tests as J[]) {
      c.run(`tc${t.tcId} ${t.comment}`, () => {
        const full = hmacSha256(fromHex(t.key), fromHex(t.msg));
        const matches = toHex(full.subarray(0, tagBytes)) === t.tag;
        eq(matches, t.result !== 'invalid', 'tag verifies');
      });
    }
  }
}

/** x25519 (XdhComp). */
export function runX25519W(c: Cases, d: J): void {
  for (const g of d.testGroups as J[]) {
    for (const t of g.tests as J[]) {
      c.run(`tc${t.tcId} ${t.comment}`, () => {
        const priv = fromHex(t.private);
        const pub = fromHex(t.public);
        if (t.result === 'invalid') return mustThrowCrypto(() => x25519SharedSecret(priv, pub));
        const zero = /^0+$/.test(t.shared);
        if (zero) {
          mustThrowCrypto(() => x25519SharedSecret(priv, pub));
          eq(toHex(x25519SharedSecret(priv, pub, { allowZeroSharedSecret: true })), t.shared, 'shared (reference-compatible)');
          return;
        }
        eq(toHex(x25519SharedSecret(priv, pub)), t.shared, 'shared');
      });
    }
  }
}
