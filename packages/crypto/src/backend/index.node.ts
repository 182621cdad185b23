/**
 * Backend selection on Node: node:crypto for HMAC, SHA-256, X25519 and large AEAD messages,
 * libsodium (optional `sodium-native` addon) for AEAD messages up to 24 KiB when installed,
 * @noble for the rest. Each choice is measured in bench/crypto.ts; tests force any of them with
 * {@link setBackend}.
 * @module
 */
import { nodeBackend } from './node.js';
import { nobleBackend } from './noble.js';
import { sodiumBackend, sodiumEagerBackend, sodiumInstalled } from './sodium.js';
import type { CryptoBackend } from './types.js';

const withSodium = sodiumInstalled();

/** The backends available on this platform (`sodium` only where the addon is installed). */
export const backends: Readonly<Record<string, CryptoBackend>> = withSodium
  ? { node: nodeBackend, noble: nobleBackend, sodium: sodiumEagerBackend }
  : { node: nodeBackend, noble: nobleBackend };
/** The platform default: libsodium for small AEAD messages when available, node:crypto otherwise. */
export const defaultBackend: CryptoBackend = withSodium ? sodiumBackend : nodeBackend;
