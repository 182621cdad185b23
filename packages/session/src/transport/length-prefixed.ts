/**
 * Reassembly of length-prefixed messages (a 4-byte big-endian length, then the bytes) from the
 * chunks a stream delivers: TCP sockets and framed HTTP bodies. Chunks are kept as received
 * (small ones copied together, so a trickle of tiny reads does not cost an object per byte)
 * and each message is copied once, when all its bytes are in (a small one into the message slab,
 * codec/slab.ts, so it pins at most 8 KiB): a trickled message costs its size, not its size
 * times the number of reads, and a message the application keeps does not keep the chunks it
 * arrived in alive.
 * @module
 */
import { COALESCE_BELOW, RUN_BYTES } from './byte-runs.js';
import { Slab } from '#slab';

/** Messages up to this size are carved from the message slab (codec/slab.ts: a typed array of its own costs microseconds); larger ones uninitialised (no zero fill). */
const SMALL_MESSAGE = 2048;

function allocate(n: number, slab: Slab): Uint8Array {
  if (n <= SMALL_MESSAGE) return slab.allocate(n);
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

// Chunks below COALESCE_BELOW are copied into a shared run buffer of RUN_BYTES instead of being
// kept one by one: a peer trickling one byte per TCP segment would otherwise make the reader
// hold a Buffer object (about 100 bytes) per byte it counts. The same policy as ./byte-runs.ts.

/** Reads length-prefixed messages out of a sequence of chunks. */
export class LengthPrefixedReader {
  /** This connection's message buffers (codec/slab.ts: no other connection's bytes share them). */
  #slab = new Slab();
  #chunks: Buffer[] = [];
  /** The last of `#chunks` while small chunks are being copied into it, and its bytes in use. */
  #run: Buffer | undefined;
  #runUsed = 0;
  /** Bytes of `#chunks[0]` already read. */
  #offset = 0;
  /** Bytes received and not yet read. */
  #bytes = 0;
  /** Length of the message being received, once its prefix is in (-1 before). */
  #expected = -1;

  /** Bytes received and not yet returned as (part of) a message. */
  get buffered(): number {
    return this.#bytes;
  }

  /** Pieces the buffered bytes are kept in: at most about one per {@link COALESCE_BELOW} bytes, whatever the chunk sizes. */
  get pieces(): number {
    return this.#chunks.length;
  }

  /** Adds received bytes (a small chunk is copied, so the caller's buffer is not kept). */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#bytes += chunk.length;
    if (chunk.length >= COALESCE_BELOW) {
      this.#run = undefined;
      this.#chunks.push(chunk);
      return;
    }
    let run = this.#run;
    if (!run || this.#runUsed + chunk.length > run.length) {
      run = this.#run = Buffer.allocUnsafeSlow(RUN_BYTES);
      this.#runUsed = 0;
      this.#chunks.push(run.subarray(0, 0));
    }
    chunk.copy(run, this.#runUsed);
    this.#runUsed += chunk.length;
    // The run is the last piece; its view grows (same start, so `#offset` into it stays right).
    this.#chunks[this.#chunks.length - 1] = run.subarray(0, this.#runUsed);
  }

  /**
   * The length of the next message once its 4-byte prefix is in, else -1. The caller checks it
   * against its limit before asking for the message.
   */
  nextLength(): number {
    if (this.#expected >= 0) return this.#expected;
    if (this.#bytes < 4) return -1;
    const first = this.#chunks[0];
    if (first.length - this.#offset >= 4) {
      this.#expected = first.readUInt32BE(this.#offset);
      this.#skip(4);
    } else {
      const head = this.#copy(4);
      this.#expected = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
    }
    return this.#expected;
  }

  /** The next whole message (its prefix read by {@link nextLength}), or undefined while incomplete. */
  take(): Uint8Array | undefined {
    const n = this.nextLength();
    if (n < 0 || this.#bytes < n) return undefined;
    this.#expected = -1;
    return this.#copy(n);
  }

  /** Every buffered byte as one message, for a body that is one message without a prefix (an HTTP POST). */
  takeAll(): Uint8Array {
    this.#expected = -1;
    return this.#copy(this.#bytes);
  }

  /** Drops everything (a connection that ends). */
  clear(): void {
    this.#chunks = [];
    this.#run = undefined;
    this.#offset = 0;
    this.#bytes = 0;
    this.#expected = -1;
  }

  #skip(n: number): void {
    this.#offset += n;
    this.#bytes -= n;
    if (this.#offset === this.#chunks[0].length) {
      this.#chunks.shift();
      this.#offset = 0;
      // A run read to its end starts afresh (its view left the list).
      if (this.#chunks.length === 0) this.#run = undefined;
    }
  }

  /** Removes the first `n` unread bytes into a new buffer (`n` ≤ what is buffered). */
  #copy(n: number): Uint8Array {
    const out = allocate(n, this.#slab);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0];
      const part = Math.min(c.length - this.#offset, n - at);
      // A plain view and `set`: Buffer#copy checks its arguments and makes the same view.
      out.set(new Uint8Array(c.buffer, c.byteOffset + this.#offset, part), at);
      at += part;
      this.#skip(part);
    }
    return out;
  }
}
