/**
 * Byte helpers: UTF-8, hex, concatenation. Public APIs take and return `Uint8Array`.
 * @module
 */
import { M2MError } from '../errors/base.js';
import { kindOf } from './typed-array-intrinsics.js';

const encoder = new TextEncoder();
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string. */
export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * The UTF-8 length of a string without encoding it, in portable JavaScript (a lone surrogate
 * counts 3 bytes, as the U+FFFD that TextEncoder writes for it). Platforms with a native count
 * use theirs: see `utf8ByteLength` in `utf8-length.ts`.
 */
export function utf8ByteLengthPortable(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Decodes UTF-8 strictly. On failure returns `undefined` so callers can build the
 * reference's error text with {@link utf8ErrorText}.
 */
export function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return fatalDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The text Rust's `Utf8Error` displays for invalid bytes (`invalid utf-8 sequence of 1 bytes
 * from index 0`, `incomplete utf-8 byte sequence from index 5`), so our messages match the
 * reference's. Follows the validation of Rust's `core::str::from_utf8`.
 */
export function utf8ErrorText(b: Uint8Array): string {
  const n = b.length;
  for (let i = 0; i < n; ) {
    const first = b[i];
    if (first < 0x80) {
      i++;
      continue;
    }
    const width = first >= 0xc2 && first <= 0xdf ? 2 : first >= 0xe0 && first <= 0xef ? 3 : first >= 0xf0 && first <= 0xf4 ? 4 : 0;
    if (width === 0) return `invalid utf-8 sequence of 1 bytes from index ${i}`;
    // The second byte's range depends on the first (no overlong forms, surrogates or code points
    // past U+10FFFF); every later byte is a plain continuation byte.
    const low = first === 0xe0 ? 0xa0 : first === 0xf0 ? 0x90 : 0x80;
    const high = first === 0xed ? 0x9f : first === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < width; k++) {
      if (i + k >= n) return `incomplete utf-8 byte sequence from index ${i}`;
      const c = b[i + k];
      if (k === 1 ? c < low || c > high : (c & 0xc0) !== 0x80) return `invalid utf-8 sequence of ${k} bytes from index ${i}`;
    }
    i += width;
  }
  return 'invalid utf-8';
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

/**
 * Bytes of a hex string (either case, even length).
 * @throws M2MError of kind InvalidMessage on odd length or a non-hex character.
 */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0) throw new M2MError('InvalidMessage', { reason: 'Invalid hex string length' });
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new M2MError('InvalidMessage', { reason: 'Invalid hex character' });
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** Concatenates byte arrays into a new one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** True when `x` is really a Uint8Array, of any realm (a Node Buffer counts; it is a subclass); a Proxy of one does not count. */
export function isBytes(x: unknown): x is Uint8Array {
  // By the built-in tag getter: a Proxy of a Uint8Array, or an object made from
  // Uint8Array.prototype, passes `instanceof` but makes every built-in getter throw a bare TypeError.
  return kindOf.call(x) === 'Uint8Array';
}

/** A plain Uint8Array over the same memory as a Buffer or other Uint8Array subclass (no copy). */
export function toPlainBytes(x: Uint8Array): Uint8Array {
  return x.constructor === Uint8Array ? x : new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}
