/**
 * Backend selection on Node: node:crypto for HMAC, SHA-256, X25519 and large AEAD messages,
 * libsodium (optional `sodium-native` addon) for AEAD messages up to 24 KiB when installed,
 * @noble for the rest. Each choice is measured in bench/crypto.ts; tests force any of them with
 * {@link setBackend}.
 * @module
 */
import { createRequire } from 'node:module';
import { nodeBackend } from './node.js';
import { createNobleBackend } from './noble.js';
import { sodiumBackend, sodiumEagerBackend, sodiumInstalled } from './sodium.js';
import type { CryptoBackend, NobleModules } from './types.js';

export * from './optional.js';

// Made on first use: `createRequire` and the module's `import.meta` cost every cold import time
// (bench/startup.ts), and only @noble needs them.
let nodeRequire: NodeJS.Require | undefined;
const require = (id: string): unknown => (nodeRequire ??= createRequire(import.meta.url))(id);
let noble: NobleModules | undefined;
/**
 * The @noble functions, loaded on first use: Node needs them only for XChaCha20-Poly1305 and the
 * `noble` backend, and they would add ~90 ms of CPU to every import (bench/startup.ts).
 * (`require` of these ES modules works from Node 20.19, the engines floor.)
 */
export function loadNoble(): NobleModules {
  if (!noble) {
    const chacha = require('@noble/ciphers/chacha.js') as typeof import('@noble/ciphers/chacha.js');
    noble = {
      chacha20poly1305: chacha.chacha20poly1305,
      xchacha20poly1305: chacha.xchacha20poly1305,
      sha256: (require('@noble/hashes/sha2.js') as typeof import('@noble/hashes/sha2.js')).sha256,
      hmac: (require('@noble/hashes/hmac.js') as typeof import('@noble/hashes/hmac.js')).hmac,
      x25519: (require('@noble/curves/ed25519.js') as typeof import('@noble/curves/ed25519.js')).x25519,
    };
  }
  return noble;
}
const nobleBackend = createNobleBackend(loadNoble);

// Whether the addon is installed is looked up on first use, not at import: the lookup searches
// the module paths (about 2.5 ms of every cold import, bench/startup.ts).
let withSodium: boolean | undefined;
const sodiumAvailable = () => (withSodium ??= sodiumInstalled());

/** The backends available on this platform (`sodium` only where the addon is installed). */
export function backends(): Readonly<Record<string, CryptoBackend>> {
  return sodiumAvailable() ? { node: nodeBackend, noble: nobleBackend, sodium: sodiumEagerBackend } : { node: nodeBackend, noble: nobleBackend };
}
/** The platform default: libsodium for small AEAD messages when available, node:crypto otherwise. */
export function defaultBackend(): CryptoBackend {
  return sodiumAvailable() ? sodiumBackend : nodeBackend;
}
