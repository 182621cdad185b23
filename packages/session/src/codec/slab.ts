/**
 * Message buffers carved from slabs, one set of slabs per owner: a typed array over 64 bytes
 * gets its own backing store, which costs ten to forty times a small one in V8 (measured for a
 * 250-byte DATA message: docs/ARCHITECTURE.md, Performance notes). Messages of 65 bytes up to a
 * quarter of a full slab take a view of the owner's current slab; a full slab is dropped (never
 * reused, so no view ever sees another's bytes) and freed once its last view is gone, as Node's
 * own buffer pool. A view keeps at most {@link SLAB_BYTES} alive. Received messages are copied
 * out of the socket's chunks into a slab too ({@link Slab.copyOut}), and a received frame stays a
 * view of its message when that pins no more than a slab ({@link Slab.keepSmall}): a typed array
 * with its own backing store cost 1.7-3 µs to make and collect here, about a tenth of a 162 B
 * message's whole path.
 *
 * Owners are connections (each transport, each NATS session end) and sessions (each `Session`
 * and its `SessionCore`), never the process:
 * a `.buffer` the application reaches from what one session hands it holds that connection's own
 * bytes and nothing of another's (a process-wide slab leaked other sessions' plaintext that way;
 * test/slab-isolation.test.ts). The codecs reach their session's slab through {@link useSlab},
 * set around the synchronous encode/decode calls; with none set they allocate arrays of their own.
 * @module
 */

/** Bytes of a full slab: the most one view pins. */
export const SLAB_BYTES = 8192;
/**
 * An owner's first slab; each next one doubles up to {@link SLAB_BYTES}, so an idle connection
 * holds 1-2 KiB, not 8 (10k connections with a transport and a session each: ~20-40 MB, not 160),
 * and a busy one reaches full slabs after 7 KiB of messages.
 */
const FIRST_SLAB_BYTES = 1024;
const MAX_CARVED = SLAB_BYTES / 4;

/** Up to this many bytes V8 keeps a typed array on its heap, cheaper than any view. */
const ON_HEAP = 64;

const NONE = new Uint8Array(0);

/** The slabs of one owner (a connection's transport, a session): views of them hold only its bytes. */
export class Slab {
  #slab = NONE;
  #used = 0;

  /** A zeroed array of `n` bytes: its own below 65 bytes and above a quarter slab, else a view of this owner's current slab. */
  allocate(n: number): Uint8Array {
    if (n <= ON_HEAP || n > MAX_CARVED) return new Uint8Array(n);
    let slab = this.#slab;
    let used = this.#used;
    if (used + n > slab.length) {
      let size = slab.length === 0 ? FIRST_SLAB_BYTES : Math.min(SLAB_BYTES, slab.length * 2);
      while (size < n) size *= 2; // n ≤ MAX_CARVED < SLAB_BYTES
      this.#slab = slab = new Uint8Array(size);
      used = 0;
    }
    this.#used = used + ((n + 7) & ~7); // 8-byte aligned, as Node's buffer pool
    return slab.subarray(used, used + n);
  }

  /** A copy of `bytes` from {@link Slab.allocate}: a slab view when small, so it pins at most one slab. */
  copyOut(bytes: Uint8Array): Uint8Array {
    const out = this.allocate(bytes.length);
    out.set(bytes);
    return out;
  }

  /**
   * `bytes` itself when keeping it pins little more than itself (it is most of its buffer, or its
   * buffer is no larger than a slab), else a {@link Slab.copyOut} of it.
   */
  keepSmall(bytes: Uint8Array): Uint8Array {
    return pinsLittle(bytes) ? bytes : this.copyOut(bytes);
  }
}

/** The slab the codecs carve from now (a session's, set by {@link useSlab}), or none. */
let active: Slab | undefined;

/**
 * Makes `slab` the one {@link allocate}, {@link copyOut} and {@link keepSmall} use, and returns the
 * one it replaces, to be set back when the caller's synchronous work is done (in a `finally`).
 */
export function useSlab(slab: Slab | undefined): Slab | undefined {
  const previous = active;
  active = slab;
  return previous;
}

/** {@link Slab.allocate} of the slab in use ({@link useSlab}); with none, an array of its own. */
export function allocate(n: number): Uint8Array {
  return active === undefined ? new Uint8Array(n) : active.allocate(n);
}

/** {@link Slab.copyOut} of the slab in use ({@link useSlab}); with none, a copy of its own. */
export function copyOut(bytes: Uint8Array): Uint8Array {
  return active === undefined ? bytes.slice() : active.copyOut(bytes);
}

/** {@link Slab.keepSmall} with the slab in use ({@link useSlab}); with none, copies into an array of its own. */
export function keepSmall(bytes: Uint8Array): Uint8Array {
  return pinsLittle(bytes) ? bytes : copyOut(bytes);
}

/** Whether keeping `bytes` pins little more than itself: it is most of its buffer, or its buffer is no larger than a slab. */
export function pinsLittle(bytes: Uint8Array): boolean {
  const held = bytes.buffer.byteLength;
  return held <= SLAB_BYTES || bytes.byteLength * 2 >= held;
}
