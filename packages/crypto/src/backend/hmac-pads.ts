/**
 * The padded blocks of HMAC (RFC 2104 §2), shared by the backends that build HMAC-SHA256 from two
 * one-shot hashes into reused buffers (node.ts, sodium.ts).
 * @internal
 * @module
 */

/**
 * Writes `key ⊕ ipad ‖ data` into `inner` and `key ⊕ opad` into the first 64 bytes of `outer`.
 * `key` is at most 64 bytes (longer keys are hashed first by the caller).
 * @returns the length of the inner block (64 + data.length).
 */
export function writeHmacPads(key: Uint8Array, data: Uint8Array, inner: Uint8Array, outer: Uint8Array): number {
  for (let i = 0; i < key.length; i++) {
    inner[i] = key[i] ^ 0x36;
    outer[i] = key[i] ^ 0x5c;
  }
  inner.fill(0x36, key.length, 64);
  outer.fill(0x5c, key.length, 64);
  inner.set(data, 64);
  return 64 + data.length;
}
