/**
 * Outgoing message buffers carved from a shared slab: a typed array over 64 bytes gets its own
 * backing store, which costs ten to forty times a small one in V8 (measured for a 250-byte DATA
 * message: docs/ARCHITECTURE.md, Performance notes). Messages of 65 bytes up to a quarter of the
 * slab take a view of the current slab; a full slab is dropped (never reused, so no view ever
 * sees another's bytes) and freed once its last view is gone, as Node's own buffer pool. A view
 * keeps at most {@link SLAB_BYTES} alive. Received messages are copied out of the socket's chunks
 * into the slab too ({@link copyOut}), and a received frame stays a view of its message when
 * that pins no more than a slab ({@link keepSmall}): a typed array with its own backing store
 * cost 1.7-3 µs to make and collect here, about a tenth of a 162 B message's whole path.
 * @module
 */

/** Bytes of one slab. */
export const SLAB_BYTES = 8192;
const MAX_CARVED = SLAB_BYTES / 4;

let slab = new Uint8Array(0);
let used = 0;

/** Up to this many bytes V8 keeps a typed array on its heap, cheaper than any view. */
const ON_HEAP = 64;

/** A zeroed array of `n` bytes: its own below 65 bytes and above a quarter slab, else a view of the current slab. */
export function allocate(n: number): Uint8Array {
  if (n <= ON_HEAP || n > MAX_CARVED) return new Uint8Array(n);
  if (used + n > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    used = 0;
  }
  const out = slab.subarray(used, used + n);
  used += (n + 7) & ~7; // 8-byte aligned, as Node's buffer pool
  return out;
}

/** A copy of `bytes` from {@link allocate}: a slab view when small, so it pins at most one slab. */
export function copyOut(bytes: Uint8Array): Uint8Array {
  const out = allocate(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * `bytes` itself when keeping it pins little more than itself (it is most of its buffer, or its
 * buffer is no larger than a slab), else a {@link copyOut} of it.
 */
export function keepSmall(bytes: Uint8Array): Uint8Array {
  const held = bytes.buffer.byteLength;
  return held <= SLAB_BYTES || bytes.byteLength * 2 >= held ? bytes : copyOut(bytes);
}
