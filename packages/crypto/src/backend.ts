/**
 * The active crypto backend. Node defaults to node:crypto with libsodium for small AEAD
 * messages (when the optional `sodium-native` addon is installed), browsers to @noble; tests and
 * benchmarks switch with {@link setBackend} to check that all give identical results.
 * @module
 */
import { backends, defaultBackend } from '#backend';
import { M2MError } from '@m2m/core/internal';
import type { CryptoBackend } from './backend/types.js';

// Chosen on first use (the platform's default needs a module lookup on Node).
let active: CryptoBackend | undefined;

/** The backend in use. */
export function getBackend(): CryptoBackend {
  return (active ??= defaultBackend());
}

/**
 * Selects a backend by name (`node`, `noble`, `sodium`; see {@link availableBackends}) for every
 * later operation, or the platform default when `name` is omitted.
 * @throws M2MError of kind Config for a name this platform lacks.
 * @example `setBackend('noble'); ...; setBackend();`
 */
export function setBackend(name?: string): void {
  if (name === undefined) {
    active = defaultBackend();
    return;
  }
  const table = backends();
  const b = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!b) throw new M2MError('Config', { reason: `unknown crypto backend ${name}; available: ${Object.keys(table).join(', ')}` });
  active = b;
}

/** Names of the backends available here. */
export function availableBackends(): string[] {
  return Object.keys(backends());
}

export type { CryptoBackend };
