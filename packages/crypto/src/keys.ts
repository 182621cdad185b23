/**
 * `@m2m/crypto/keys`: the reference's key hierarchy (organisation → agent → purpose keys,
 * derived with HKDF along `keyPaths`) and `Keyring` (named keys with a default, for servers that
 * rotate them). An entry of its own so that browser bundles, which hold a session key pair
 * rather than a key tree, do not carry it (bench/startup.ts).
 * @module
 */
export { AgentKeyContext, KeyHierarchy, keyPaths, type KeyPurpose } from './hierarchy.js';
export { Keyring } from './keyring.js';
