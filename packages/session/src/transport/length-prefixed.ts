/**
 * Reassembly of length-prefixed messages (a 4-byte big-endian length, then the bytes) from the
 * chunks a stream delivers: TCP sockets and framed HTTP bodies. Chunks are kept as received
 * and each message is copied once, into its own buffer, when all its bytes are in: a trickled
 * message costs its size, not its size times the number of reads, and a message the
 * application keeps does not keep the chunks it arrived in alive.
 * @module
 */

/** Messages up to this size are allocated by V8; larger ones uninitialised (no zero fill). */
const SMALL_MESSAGE = 4096;

function allocate(n: number): Uint8Array {
  if (n < SMALL_MESSAGE) return new Uint8Array(n);
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/** Reads length-prefixed messages out of a sequence of chunks. */
export class LengthPrefixedReader {
  #chunks: Buffer[] = [];
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

  /** Adds received bytes. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
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

  /** Drops everything (a connection that ends). */
  clear(): void {
    this.#chunks = [];
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
    }
  }

  /** Removes the first `n` unread bytes into a new buffer (`n` ≤ what is buffered). */
  #copy(n: number): Uint8Array {
    const out = allocate(n);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0];
      const part = Math.min(c.length - this.#offset, n - at);
      c.copy(out, at, this.#offset, this.#offset + part);
      at += part;
      this.#skip(part);
    }
    return out;
  }
}
