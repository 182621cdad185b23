/**
 * Backend selection in browsers and workers: @noble only.
 * @module
 */
import { chacha20poly1305, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { x25519 } from './noble-x25519.js';
import { createNobleBackend } from './noble.js';
import type { CryptoBackend, NobleModules } from './types.js';

export * from './optional.browser.js';

const modules: NobleModules = { chacha20poly1305, xchacha20poly1305, sha256, hmac, x25519 };
/** The @noble functions (imported up front: browsers have nothing else). */
export const loadNoble = (): NobleModules => modules;
const nobleBackend = createNobleBackend(loadNoble);

const table: Readonly<Record<string, CryptoBackend>> = { noble: nobleBackend };
/** The backends available on this platform. */
export const backends = (): Readonly<Record<string, CryptoBackend>> => table;
/** The platform default. */
export const defaultBackend = (): CryptoBackend => nobleBackend;
