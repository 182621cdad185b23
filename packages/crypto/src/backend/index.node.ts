/**
 * Backend selection on Node: node:crypto for AEAD, HMAC, SHA-256 and X25519 (measured faster
 * in bench/), @noble for the rest. Tests force either with {@link setBackend}.
 * @module
 */
import { nodeBackend } from './node.js';
import { nobleBackend } from './noble.js';
import type { CryptoBackend } from './types.js';

/** The backends available on this platform. */
export const backends: Readonly<Record<string, CryptoBackend>> = { node: nodeBackend, noble: nobleBackend };
/** The platform default. */
export const defaultBackend: CryptoBackend = nodeBackend;
