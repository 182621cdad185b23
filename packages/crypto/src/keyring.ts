/**
 * `Keyring`: keys by id with a current (default) key, the reference's session derivation
 * `m2m-v1|{context}|{sessionId}`, and rotation: a new key becomes current while older ones
 * keep decrypting until retired.
 * @module
 */
import { CryptoError } from '@m2m/core/internal';
import { KeyMaterial } from './key-material.js';

/**
 * Secret keys by id, with one current (default) key for new sessions; rotation keeps older keys
 * available by id until they are retired (disposed).
 * @example
 * ```ts
 * const ring = new Keyring();
 * ring.addKey('k1', key1);       // first key becomes the default
 * ring.rotate('k2', key2);       // k2 current; k1 still found by id
 * ring.retire('k1');
 * ```
 */
export class Keyring {
  readonly #keys = new Map<string, KeyMaterial>();
  #defaultId: string | undefined;

  /** Adds or replaces a key; the first key of an empty ring becomes the default. */
  addKey(id: string, key: Uint8Array | KeyMaterial): void {
    const wasEmpty = this.#keys.size === 0;
    this.#keys.get(id)?.dispose();
    this.#keys.set(id, key instanceof KeyMaterial ? key : new KeyMaterial(key));
    if (wasEmpty) this.#defaultId = id;
  }
  /** The key of `id`, or `undefined` when there is none. */
  getKey(id: string): KeyMaterial | undefined {
    return this.#keys.get(id);
  }
  /** The key of `id`. @throws CryptoError (Keyring/KeyNotFound) when there is none. */
  requireKey(id: string): KeyMaterial {
    const k = this.#keys.get(id);
    if (!k) throw new CryptoError('Keyring', 'KeyNotFound', { keyId: id });
    return k;
  }
  /** Id of the current key; `undefined` for an empty ring or after the default was retired. */
  get defaultKeyId(): string | undefined {
    return this.#defaultId;
  }
  /** The current key, or `undefined` when there is no default. */
  defaultKey(): KeyMaterial | undefined {
    return this.#defaultId === undefined ? undefined : this.#keys.get(this.#defaultId);
  }
  /** Makes an existing key the default. @throws CryptoError (Keyring/KeyNotFound) when there is none of `id`. */
  setDefault(id: string): void {
    if (!this.#keys.has(id)) throw new CryptoError('Keyring', 'KeyNotFound', { keyId: id });
    this.#defaultId = id;
  }
  /** Adds a key and makes it current; older keys stay available by id. */
  rotate(id: string, key: Uint8Array | KeyMaterial): void {
    this.addKey(id, key);
    this.#defaultId = id;
  }
  /** Removes and disposes a key; clears the default when it was the default. */
  retire(id: string): boolean {
    const k = this.#keys.get(id);
    if (!k) return false;
    k.dispose();
    this.#keys.delete(id);
    if (this.#defaultId === id) this.#defaultId = undefined;
    return true;
  }
  /** Alias of {@link retire}, as the reference names it. */
  removeKey(id: string): boolean {
    return this.retire(id);
  }
  /** Number of keys held. */
  get size(): number {
    return this.#keys.size;
  }
  /** The ids of all keys held, in insertion order. */
  ids(): string[] {
    return [...this.#keys.keys()];
  }
  /**
   * HKDF of the default key with info `m2m-v1|{context}|{sessionId}`, 32 bytes.
   * @throws CryptoError (Keyring/NoDefaultKey).
   */
  deriveSessionKey(context: string, sessionId: string): KeyMaterial {
    const k = this.defaultKey();
    if (!k) throw new CryptoError('Keyring', 'NoDefaultKey');
    return k.derive(`m2m-v1|${context}|${sessionId}`, 32);
  }
  /** A redacted description with the key count only, never key bytes. */
  toJSON(): string {
    return `Keyring(${this.#keys.size} keys, [REDACTED])`;
  }
}
