import * as real from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as nc from '../src/backend/node-crypto.js';

describe('node:crypto on first use (backend/node-crypto.ts)', () => {
  it('answers the first call through the stub, then every export is the real function', () => {
    const data = new TextEncoder().encode('abc');
    expect(Buffer.from(nc.hash('sha256', data, 'buffer')).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const name of ['createCipheriv', 'createDecipheriv', 'createHash', 'createHmac', 'createPrivateKey', 'createPublicKey', 'diffieHellman', 'generateKeyPairSync', 'hash'] as const) {
      expect(nc[name], name).toBe(real[name]);
    }
  });
});
