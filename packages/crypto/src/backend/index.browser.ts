/**
 * Backend selection in browsers and workers: @noble only.
 * @module
 */
import { nobleBackend } from './noble.js';
import type { CryptoBackend } from './types.js';

/** The backends available on this platform. */
export const backends: Readonly<Record<string, CryptoBackend>> = { noble: nobleBackend };
/** The platform default. */
export const defaultBackend: CryptoBackend = nobleBackend;
