/**
 * Strict RFC 4648 base64 (standard alphabet, padding required, no whitespace, zero trailing
 * bits), matching the Rust `base64` crate's STANDARD engine the reference uses. Node's
 * `Buffer` is lenient, so validation is done here before decoding.
 * @module
 */
import { platform } from '#platform';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) VALUE[ALPHABET.charCodeAt(i)] = i;
const PAD = 61; // '='

/** Encodes bytes as padded standard base64. */
export function base64Encode(bytes: Uint8Array): string {
  return platform.base64Encode(bytes);
}

/** A base64 failure with the text the Rust crate displays. */
export class Base64Error extends Error {
  override readonly name = 'Base64Error';
}

/**
 * Decodes strict padded standard base64.
 * @throws Base64Error with the reference's texts: `Invalid symbol 33, offset 0.`,
 *   `Invalid input length: 5`, `Invalid last symbol 66, offset 3.`, `Invalid padding`.
 */
export function base64Decode(text: string): Uint8Array {
  const n = text.length;
  let firstPad = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 256 && VALUE[c] >= 0) {
      if (firstPad >= 0) throw new Base64Error(`Invalid symbol ${PAD}, offset ${firstPad}.`);
      continue;
    }
    if (c === PAD) {
      if (firstPad < 0) firstPad = i;
      continue;
    }
    // Non-ASCII characters are reported by their first UTF-8 byte, as Rust sees bytes.
    const byte = c < 0x80 ? c : new TextEncoder().encode(text[i])[0];
    throw new Base64Error(`Invalid symbol ${byte}, offset ${i}.`);
  }
  const dataLen = firstPad < 0 ? n : firstPad;
  if (dataLen % 4 === 1) throw new Base64Error(`Invalid input length: ${dataLen}`);
  const padLen = n - dataLen;
  const expectedPad = (4 - (dataLen % 4)) % 4;
  if (padLen !== expectedPad) throw new Base64Error('Invalid padding');
  if (dataLen % 4 !== 0) {
    const last = dataLen - 1;
    const v = VALUE[text.charCodeAt(last)];
    const mask = dataLen % 4 === 2 ? 0x0f : 0x03;
    if ((v & mask) !== 0) throw new Base64Error(`Invalid last symbol ${text.charCodeAt(last)}, offset ${last}.`);
  }
  return platform.base64Decode(text);
}

/** Pure-JS base64 encoder used where no native one exists. */
export function base64EncodeJs(bytes: Uint8Array): string {
  let out = '';
  const n = bytes.length;
  // Bytes past the end read as undefined, which the shifts take as 0; their symbols are padding.
  for (let i = 0; i < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + (i + 1 < n ? ALPHABET[(v >> 6) & 63] : '=') + (i + 2 < n ? ALPHABET[v & 63] : '=');
  }
  return out;
}

/** Pure-JS decoder for already-validated base64. */
export function base64DecodeJs(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === PAD) end--;
  // Exactly the decoded length (validated input: no group of one symbol); symbols past the end
  // read as 0, and writes past the array's end are dropped.
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  for (let i = 0, o = 0; i < end; i += 4) {
    const v = (VALUE[text.charCodeAt(i)] << 18) | (VALUE[text.charCodeAt(i + 1)] << 12) | (i + 2 < end ? VALUE[text.charCodeAt(i + 2)] << 6 : 0) | (i + 3 < end ? VALUE[text.charCodeAt(i + 3)] : 0);
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  return out;
}
