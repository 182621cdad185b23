/**
 * The built-in `%TypedArray%.prototype` getters, read once (ECMA-262 §23.2.3). Called on an
 * array, each reads its internal slot, so an own or subclass `length`, `buffer` or
 * `Symbol.toStringTag` cannot lie to it, and it works on arrays of any realm; on anything that
 * is not a typed array `kindOf` returns `undefined` and the others throw. The decoders use them
 * where a read past an array's real extent would matter (test/attack-receive-path.test.ts), and
 * crypto's libsodium guards (backend/sodium.ts, sodium-aead.ts) where native code would. Internal.
 * @module
 */
const getter = (key: PropertyKey) => Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, key)!.get!;

/** The array's kind (`'Uint8Array'`, ...), or `undefined` for a non-typed-array (a Proxy of one included). */
export const kindOf = /* @__PURE__ */ getter(Symbol.toStringTag) as (this: unknown) => string | undefined;
/** The array's real element count. */
export const lengthOf = /* @__PURE__ */ getter('length') as (this: unknown) => number;
/** The array's real backing buffer. */
export const bufferOf = /* @__PURE__ */ getter('buffer') as (this: unknown) => ArrayBufferLike;
/** The array's real offset into its buffer. */
export const byteOffsetOf = /* @__PURE__ */ getter('byteOffset') as (this: unknown) => number;

/**
 * Whether `buffer` is an ArrayBuffer of this realm: false for a SharedArrayBuffer, whose bytes
 * another thread can change between a decoder's check and its use, and for anything else (an
 * ArrayBuffer of another realm included: treated as shared, so copied, the safe side). The
 * other thread cannot change what this realm's object inherits from; a brand check through
 * `ArrayBuffer.prototype.byteLength`'s getter would also catch code of this thread that
 * re-parents a SharedArrayBuffer, and cost ~100 bytes more in the browser bundle.
 */
export function isArrayBuffer(buffer: unknown): boolean {
  return buffer instanceof ArrayBuffer;
}

/**
 * `bytes` itself, or a private copy when it lies in shared memory (a SharedArrayBuffer): another
 * thread can change a byte between a decoder's check of it and its use, or between an AEAD
 * open's tag check and its decryption. One lookup of the real buffer.
 */
export function unsharedBytes(bytes: Uint8Array): Uint8Array {
  return isArrayBuffer(bufferOf.call(bytes)) ? bytes : new Uint8Array(bytes);
}
