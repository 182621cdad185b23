/**
 * What the fuzzer feeds: every decoder that takes bytes or text from a peer or a log.
 * @module
 */
import { decodeFrame, decodeFrameText, decompress, inspectFrame } from '@m2m/core';
import { deserializeError } from '@m2m/core/errors';
import { aeadProtection, CipherState, HandshakeState, hmacProtection, KeyPair } from '@m2m/crypto';
import { binaryCodec } from '@m2m/session';
import { ManualClock } from '@m2m/session/testing';
import { jsonCodec } from '@m2m/session/json';
import { decodeCapabilities, SecureChannel } from '@m2m/session/internal';
import { FUZZ_KEY } from './seeds.js';

/** A decoder under test: returns normally or throws; only an SDK error may be thrown. */
export interface FuzzTarget {
  name: string;
  run(input: Uint8Array): unknown;
  /** Targets that must never throw at all. */
  neverThrows?: boolean;
}

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const utf8 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
const fixedPair = (seed: number) => {
  const k = KeyPair.fromSecret(new Uint8Array(32).fill(seed));
  return { secret: k.exportSecret(), publicKey: k.publicKey };
};
const responderStatic = fixedPair(7);
const clock = new ManualClock();

/** Every fuzz target. */
export function fuzzTargets(): FuzzTarget[] {
  const hmac = hmacProtection(FUZZ_KEY);
  const aead = aeadProtection(FUZZ_KEY);
  return [
    { name: 'decodeFrame (plain)', run: (b) => decodeFrame(b, { minSecurity: 'none' }) },
    { name: 'decodeFrame (HMAC)', run: (b) => decodeFrame(b, { protection: hmac }) },
    { name: 'decodeFrame (AEAD)', run: (b) => decodeFrame(b, { protection: aead }) },
    { name: 'inspectFrame', run: (b) => inspectFrame(b) },
    { name: 'decodeFrameText', run: (b) => decodeFrameText(latin1(b)) },
    { name: 'decompress (TokenNative, Brotli, M2M text)', run: (b) => decompress(utf8(b), { minSecurity: 'none' }) },
    { name: 'json message codec', run: (b) => jsonCodec.decode(b) },
    { name: 'binary message codec', run: (b) => binaryCodec.decode(b) },
    { name: 'decodeCapabilities (Noise payload of HELLO)', run: (b) => decodeCapabilities(b) },
    {
      name: 'Noise message 1 (XX and IK responders)',
      run: (b) => {
        try {
          new HandshakeState({ protocol: 'XX', initiator: false, s: responderStatic }).readMessage(b);
        } finally {
          new HandshakeState({ protocol: 'IK', initiator: false, s: responderStatic }).readMessage(b);
        }
      },
    },
    {
      name: 'Noise message 2 (XX initiator)',
      run: (b) => {
        const i = new HandshakeState({ protocol: 'XX', initiator: true, s: fixedPair(9), e: fixedPair(10) });
        i.writeMessage();
        return i.readMessage(b);
      },
    },
    {
      name: 'transport frame open (SecureChannel)',
      run: (b) => new SecureChannel(new CipherState(FUZZ_KEY.slice()), new CipherState(FUZZ_KEY.slice()), clock, { replayWindow: 64 }).data.open(b.subarray(0, 27), b.subarray(Math.min(27, b.length))),
    },
    {
      name: 'deserializeError',
      neverThrows: true,
      run: (b) => {
        let obj: unknown;
        try {
          obj = JSON.parse(utf8(b));
        } catch {
          return undefined; // not JSON: nothing to deserialize
        }
        return deserializeError(obj);
      },
    },
  ];
}
