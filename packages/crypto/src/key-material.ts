/**
 * `KeyMaterial`: secret bytes that never print, overwritten on dispose (best effort: the
 * JavaScript engine may have copied them), with HKDF derivation.
 * @module
 */
import { CryptoError, isBytes, utf8Encode } from '@m2m/core/internal';
import { hkdf } from './hkdf.js';

/**
 * Secret key bytes.
 * @example
 * ```ts
 * using k = KeyMaterial.fromHex('00'.repeat(32));
 * const sub = k.derive('m2m/v1/acme', 32);
 * ```
 */
export class KeyMaterial {
  #bytes: Uint8Array;
  #disposed = false;

  /** Wraps a copy of `bytes` (no validation, as the reference's `new`). */
  constructor(bytes: Uint8Array) {
    if (!isBytes(bytes)) throw new CryptoError('Key', 'Empty');
    this.#bytes = bytes.slice();
  }

  /** Wraps a copy of non-empty `bytes`. @throws CryptoError (Key/Empty) for empty bytes. */
  static tryNew(bytes: Uint8Array): KeyMaterial {
    if (!isBytes(bytes) || bytes.length === 0) throw new CryptoError('Key', 'Empty');
    return new KeyMaterial(bytes);
  }

  /** Wraps a copy of `bytes`, at least `min` bytes long. @throws CryptoError: Key/Empty, then Key/TooShort. */
  static tryNewWithMinLength(bytes: Uint8Array, min: number): KeyMaterial {
    if (!isBytes(bytes) || bytes.length === 0) throw new CryptoError('Key', 'Empty');
    if (bytes.length < min) throw new CryptoError('Key', 'TooShort', { got: bytes.length, min });
    return new KeyMaterial(bytes);
  }

  /** Key bytes from a hex string (either case). @throws CryptoError (Keyring/InvalidKey): odd length, non-hex character, empty. */
  static fromHex(hex: string): KeyMaterial {
    if (typeof hex !== 'string' || new TextEncoder().encode(hex).length % 2 !== 0) throw new CryptoError('Keyring', 'InvalidKey', { detail: 'Invalid hex string length' });
    if (!/^[0-9a-fA-F]*$/.test(hex)) throw new CryptoError('Keyring', 'InvalidKey', { detail: 'Invalid hex character' });
    if (hex.length === 0) throw new CryptoError('Keyring', 'InvalidKey', { detail: 'Key material is empty' });
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return new KeyMaterial(out);
  }

  /** The secret bytes (a view: do not keep it). @throws CryptoError (Key/Empty) after dispose. */
  get bytes(): Uint8Array {
    if (this.#disposed) throw new CryptoError('Key', 'Empty');
    return this.#bytes;
  }

  /** Key length in bytes (still readable after dispose). */
  get length(): number {
    return this.#bytes.length;
  }

  /**
   * HKDF-SHA256 with no salt: the reference's only KDF.
   * @throws CryptoError (Keyring/DerivationFailed) above 8160 bytes.
   */
  derive(info: string | Uint8Array, length = 32): KeyMaterial {
    const out = hkdf(this.bytes, undefined, typeof info === 'string' ? utf8Encode(info) : info, length);
    const k = new KeyMaterial(out);
    out.fill(0);
    return k;
  }

  /** Overwrites the bytes with zeros. */
  dispose(): void {
    this.#bytes.fill(0);
    this.#disposed = true;
  }
  /** Same as {@link KeyMaterial.dispose}, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
  /** A redacted description with the length only, never the bytes. */
  toString(): string {
    return `KeyMaterial([REDACTED, ${this.#bytes.length} bytes])`;
  }
  /** The redacted description of {@link KeyMaterial.toString}, so `JSON.stringify` never shows the bytes. */
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
