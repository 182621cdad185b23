/**
 * Secrets never print (issue 13): every secret-holding object of this package is run through
 * `util.inspect` (also with hidden properties), `JSON.stringify`, and the same for every value
 * reachable through its enumerable properties (what a logger that walks fields would print).
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { toHex } from '@m2m/core';
import { AeadCipher, CipherState, generateNoiseKeyPair, HandshakeState, HmacAuth, KeyExchange, KeyMaterial, KeyPair, noiseKeyPair, SymmetricState } from '@m2m/crypto';
import { KeyHierarchy, Keyring } from '@m2m/crypto/keys';
import { noiseHkdf } from '@m2m/crypto/internal';

/** Every text a log line could get from `value`. */
function renderings(value: unknown, depth = 0, seen = new Set<unknown>()): string[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x)) ?? '';
  const out = [inspect(value, { depth: 8 }), inspect(value, { depth: 8, showHidden: true }), json(value), json({ ...value })];
  if (depth < 4) for (const v of Object.values(value)) out.push(...renderings(v, depth + 1, seen));
  return out;
}

/** Forms a 32-byte secret takes when printed: hex, inspect's decimal list, JSON of a typed array. */
function forms(secret: Uint8Array): string[] {
  const s = Array.from(secret.subarray(0, 6));
  return [toHex(secret).slice(0, 24), s.join(', '), s.map((b, i) => `"${i}":${b}`).join(',')];
}

function expectNoLeak(value: unknown, secrets: Uint8Array[]): void {
  const text = renderings(value).join('\n');
  for (const secret of secrets) for (const f of forms(secret)) expect(text, `leaks ${f}`).not.toContain(f);
}

const distinct = (seed: number) => Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7 + 1) & 0xff);

describe('secrets never print', () => {
  it('HandshakeState: no static or ephemeral secret, no chaining key, in any rendering of it or its fields', () => {
    const s = noiseKeyPair(distinct(1), KeyPair.fromSecret(distinct(1)).publicKey);
    const e = { secret: distinct(2), publicKey: KeyPair.fromSecret(distinct(2)).publicKey }; // a plain object, as callers may pass
    const i = new HandshakeState({ protocol: 'XX', initiator: true, s, e });
    const r = new HandshakeState({ protocol: 'XX', initiator: false, s: generateNoiseKeyPair() });
    r.readMessage(i.writeMessage());
    i.readMessage(r.writeMessage());
    expectNoLeak(i, [distinct(1), distinct(2)]);
    const text = renderings(i).join('\n');
    expect(text).not.toMatch(/\bck\b/);
    expect(Object.keys(i)).not.toContain('ss');
    expect(Object.keys(i)).not.toContain('s');
  });

  it('SymmetricState: the chaining key after MixKey never prints', () => {
    const ss = new SymmetricState('Noise_XX_25519_ChaChaPoly_SHA256');
    const ikm = distinct(3);
    const [ck, k] = noiseHkdf(new TextEncoder().encode('Noise_XX_25519_ChaChaPoly_SHA256'), ikm, 2);
    ss.mixKey(ikm);
    expectNoLeak(ss, [ck, k]);
  });

  it('CipherState: the key is readable on purpose but never printed', () => {
    const key = distinct(4);
    const cs = new CipherState(key);
    expect(cs.k).toBe(key);
    expectNoLeak(cs, [key]);
    const [send] = new SymmetricState('Noise_NN_25519_ChaChaPoly_SHA256').split();
    expectNoLeak(send, [send.k!]);
  });

  it('Noise key pairs, KeyPair, KeyExchange, KeyMaterial, Keyring, KeyHierarchy, AeadCipher, HmacAuth', () => {
    const pair = generateNoiseKeyPair();
    expect(pair.secret).toHaveLength(32); // still readable
    expectNoLeak(pair, [pair.secret]);
    const kp = KeyPair.fromSecret(distinct(5));
    expectNoLeak(kp, [distinct(5)]);
    const kx = new KeyExchange(KeyPair.fromSecret(distinct(6)));
    kx.setPeerPublic(KeyPair.generate().publicKey);
    expectNoLeak(kx, [distinct(6), kx.sharedSecret()!.bytes]);
    expectNoLeak(new KeyMaterial(distinct(7)), [distinct(7)]);
    const ring = new Keyring();
    ring.addKey('k1', distinct(8));
    expectNoLeak(ring, [distinct(8)]);
    const h = new KeyHierarchy(distinct(9), 'acme');
    expectNoLeak(h, [distinct(9)]);
    expectNoLeak(new AeadCipher(distinct(10)), [distinct(10)]);
    expectNoLeak(new HmacAuth(distinct(11)), [distinct(11)]);
  });
});
