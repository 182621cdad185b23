/**
 * X25519 for browsers, built from @noble/curves' Montgomery ladder alone, as its documentation
 * builds it (`abstract/montgomery.js`). `@noble/curves/ed25519.js`'s `x25519` also computes
 * public keys on the Edwards curve, which brings Ed25519's point code and SHA-512 into every
 * browser bundle (about 3 KB min+gz, bench/startup.ts); the ladder gives the same bytes
 * (RFC 7748), a little slower for key generation. Wycheproof's and Noise's vectors run against
 * this backend in test-vectors/.
 * @module
 */
import { montgomery } from '@noble/curves/abstract/montgomery.js';
import { pow } from '@noble/curves/abstract/modular.js';

const P = 2n ** 255n - 19n;

/** X25519 (RFC 7748): key generation, public keys and shared secrets. */
export const x25519 = montgomery({
  P,
  type: 'x25519',
  powPminus2: (x: bigint) => pow(x, P - 2n, P),
  adjustScalarBytes(bytes: Uint8Array) {
    // RFC 7748 §5: clear the three low bits and the top bit, set the second-highest bit.
    bytes[0] &= 248;
    bytes[31] &= 127;
    bytes[31] |= 64;
    return bytes;
  },
});
