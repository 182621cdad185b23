/**
 * Objects of the wrong shape where checkArg (core/src/errors/check-arg.ts) only checks "an object":
 * `allowKeys(keyPair)` (the pair instead of `[keyPair.publicKey]`, an easy slip in JavaScript) or
 * any non-iterable object got past the check and failed with a bare TypeError ("keys is not
 * iterable") from the spread. It must be the typed Config error wrong-type-arguments.test.ts
 * asserts for the other wrong types.
 */
import { describe, expect, it } from 'vitest';
import { KeyPair } from '@m2m/crypto';
import { allowKeys } from '../src/index.js';
import { configReason } from './fixtures/config-reason.js';

describe('allowKeys given an object that is not a list', () => {
  it('a whole KeyPair', async () => {
    const pair = KeyPair.generate();
    const reason = await configReason(() => allowKeys(pair as never));
    expect(reason).toMatch(/allowKeys takes a list of keys, got object/);
    expect(reason).not.toContain(Buffer.from(pair.exportSecret()).toString('hex'));
  });
  it('a plain object', async () => expect(await configReason(() => allowKeys({} as never))).toMatch(/got object/));
  it('a list still works, and a Set', () => {
    const k = KeyPair.generate().publicKey;
    expect(typeof allowKeys([k])).toBe('function');
    expect(typeof allowKeys(new Set([k]))).toBe('function');
  });
});
