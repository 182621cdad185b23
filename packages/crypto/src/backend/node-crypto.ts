/**
 * The node:crypto functions the Node backend calls (`./node.ts` imports this module as `nc`),
 * loaded on first call: a static `import 'node:crypto'` costs every process that imports
 * `@m2m/crypto` or `@m2m/session` ~7 ms of CPU at start-up (Node's crypto and stream internals;
 * bench/startup.ts), encrypted or not. Each export starts as a stub; the first call of any of
 * them loads node:crypto through `process.getBuiltinModule` and rebinds every export to the
 * real function (ES module exports are live bindings), so later calls cost nothing extra.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';

type Crypto = typeof NodeCrypto;
/** A node:crypto type, for `nc.KeyObject` in ./node.ts. */
export type KeyObject = NodeCrypto.KeyObject;

function load(): Crypto {
  const c = process.getBuiltinModule('node:crypto');
  ({ createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hash } = c);
  return c;
}

/** A stub that loads node:crypto, then calls the real function (overloads kept by the cast). */
const stub = <K extends keyof Crypto>(name: K): Crypto[K] => ((...args: unknown[]) => (load()[name] as (...a: unknown[]) => unknown)(...args)) as Crypto[K];

export let createCipheriv = stub('createCipheriv');
export let createDecipheriv = stub('createDecipheriv');
export let createHash = stub('createHash');
export let createHmac = stub('createHmac');
export let createPrivateKey = stub('createPrivateKey');
export let createPublicKey = stub('createPublicKey');
export let diffieHellman = stub('diffieHellman');
export let generateKeyPairSync = stub('generateKeyPairSync');
export let hash = stub('hash');
