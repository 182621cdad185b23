/**
 * Message buffers carved from slabs, one set of slabs per owner: a typed array over 64 bytes
 * gets its own backing store, which costs ten to forty times a small one in V8 (measured for a
 * 250-byte DATA message: docs/ARCHITECTURE.md, Performance notes). Messages of 65 bytes up to a
 * quarter of a full slab take a view of the owner's current slab; a full slab is dropped (never
 * reused, so no view ever sees another's bytes) and freed once its last view is gone, as Node's
 * own buffer pool. A view keeps at most {@link SLAB_BYTES} alive. Received messages are copied
 * out of the socket's chunks into a slab too ({@link Slab.copyOut}), and a received view is kept
 * as it is only when every byte its buffer holds is its owner's ({@link holdsOnlyOwn}: one of
 * these slabs, or a buffer that is the view itself), else copied ({@link Slab.keepOwn}): a typed
 * array with its own backing store cost 1.7-3 µs to make and collect here, about a tenth of a
 * 162 B message's whole path, while a view of someone else's buffer (a socket read, the NATS
 * client's read buffer holding other subjects' messages, Node's shared Buffer pool, memory
 * another thread shares) would hand the application whatever else that buffer holds, through
 * `.buffer` (test/keep-foreign.test.ts).
 *
 * Owners are connections (each transport, each NATS session end) and sessions (each `Session`
 * and its `SessionCore`), never the process:
 * a `.buffer` the application reaches from what one session hands it holds that connection's own
 * bytes and nothing of another's (a process-wide slab leaked other sessions' plaintext that way;
 * test/slab-isolation.test.ts). The codecs reach their session's slab through {@link useSlab},
 * set around the synchronous encode/decode calls; with none set they allocate arrays of their own.
 *
 * A buffer shared by several messages (a slab, a marked run) cannot be transferred
 * ({@link pinShared}): an application that transfers a received message's buffer
 * (`structuredClone(content, { transfer: [content.buffer] })`, `postMessage`) would otherwise
 * detach every message around it, including those the transport has not handed over yet
 * (test/detach-received.test.ts).
 * @module
 */
import { bufferOf, isArrayBuffer, M2MError } from '@m2m/core/internal';

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

/** Passed by {@link Slab} to {@link SlabBuffer}'s constructor: no one else makes one. */
const MINT = Symbol('slab');

/**
 * The ArrayBuffer of a slab, recognised by its private brand ({@link SlabBuffer.holds}), which
 * only this constructor adds and nothing else can (no `Object.setPrototypeOf` or own property
 * forges it). It replaced an entry in {@link ownBuffers} per slab: adding to a WeakSet and
 * sweeping the entry cost ~1 µs per slab, about as much as the 1 KiB backing store itself, and
 * every encrypted handshake makes two (one per side; docs/ARCHITECTURE.md, Performance notes).
 */
class SlabBuffer extends ArrayBuffer {
  #slab(): void {}
  /** @throws M2MError (Internal) unless called by {@link Slab} (the class is reachable as `.buffer.constructor`). */
  constructor(size: number, mint: symbol) {
    if (mint !== MINT) throw new M2MError('Internal', { reason: 'slab buffers are made by the session\'s slabs only' });
    super(size);
  }
  /** `slice` and the like make plain ArrayBuffers, not slabs. */
  static override get [Symbol.species](): ArrayBufferConstructor {
    return ArrayBuffer;
  }
  /** True for a buffer this module made as a slab. */
  static holds(buffer: ArrayBufferLike): boolean {
    return #slab in buffer;
  }
}

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
      const buffer = new SlabBuffer(size, MINT);
      pinShared(buffer);
      this.#slab = slab = new Uint8Array(buffer);
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

  /** `bytes` itself when its buffer holds only its owner's bytes ({@link holdsOnlyOwn}), else a {@link Slab.copyOut} of it. */
  keepOwn(bytes: Uint8Array): Uint8Array {
    return holdsOnlyOwn(bytes) ? bytes : this.copyOut(bytes);
  }
}

/** The slab the codecs carve from now (a session's, set by {@link useSlab}), or none. */
let active: Slab | undefined;

/**
 * Makes `slab` the one {@link allocate}, {@link copyOut} and {@link keepOwn} use, and returns the
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
  return active === undefined ? new Uint8Array(bytes) : active.copyOut(bytes);
}

/** {@link Slab.keepOwn} with the slab in use ({@link useSlab}); with none, copies into an array of its own. */
export function keepOwn(bytes: Uint8Array): Uint8Array {
  return holdsOnlyOwn(bytes) ? bytes : copyOut(bytes);
}

/**
 * Buffers that hold only one owner's bytes besides the slabs ({@link SlabBuffer}): what a
 * transport marks ({@link markOwn}). A WeakSet: nothing outside this module can add to it, and a buffer leaves it
 * when it is collected.
 */
const ownBuffers = new WeakSet<ArrayBufferLike>();

/**
 * Declares that `bytes`'s whole buffer holds only its owner's bytes (a transport's copy of one
 * connection's messages, e.g. a NATS run: transport/nats-transport.ts), so views of it are kept
 * as they are ({@link holdsOnlyOwn}).
 */
export function markOwn(bytes: Uint8Array): void {
  const buffer = bufferOf.call(bytes);
  ownBuffers.add(buffer);
  pinShared(buffer);
}

/** Node's `markAsUntransferable`, loaded on first use (a static import of node:worker_threads costs start-up time). */
let markAsUntransferable: ((buffer: ArrayBufferLike) => void) | undefined;

/**
 * Makes `buffer` untransferable (Node's `markAsUntransferable`): a transfer list naming it copies
 * it (Node 20) or throws a DataCloneError (later versions) instead of detaching it under the
 * other messages it holds. Detaching it anyway (a byte stream's `enqueue` does) is caught where
 * a transport reads a run (transport/nats-transport.ts, ws-batch.ts: a typed error).
 */
function pinShared(buffer: ArrayBufferLike): void {
  (markAsUntransferable ??= process.getBuiltinModule('node:worker_threads').markAsUntransferable)(buffer);
}

/**
 * Whether everything reachable through `bytes.buffer` is its owner's: the buffer is one of this
 * module's slabs or marked ({@link markOwn}), or it is an unshared ArrayBuffer that the view spans
 * exactly. Decided once per received message; views inside it inherit the answer. False for
 * a SharedArrayBuffer, whose bytes another thread can change after they were checked.
 */
export function holdsOnlyOwn(bytes: Uint8Array): boolean {
  const buffer = bufferOf.call(bytes);
  return SlabBuffer.holds(buffer) || ownBuffers.has(buffer) || (spansBuffer(bytes, buffer) && isArrayBuffer(buffer));
}

/**
 * Whether `bytes` spans all of `buffer` (its buffer, read by the caller with the built-in getter).
 * The offset and length through the prototype's getters: a subclass lying about them would only
 * make its own caller's bytes kept as they are.
 */
export function spansBuffer(bytes: Uint8Array, buffer: ArrayBufferLike): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength;
}

/**
 * Whether `bytes` spans its whole buffer and that buffer is an unshared ArrayBuffer: nothing but
 * `bytes` is reachable through it (the browser build's whole rule, slab.browser.ts). Read with
 * the built-in getters, which a subclass or an own property cannot shadow.
 */
export function isWholeBuffer(bytes: Uint8Array): boolean {
  const buffer = bufferOf.call(bytes);
  return spansBuffer(bytes, buffer) && isArrayBuffer(buffer);
}
