/**
 * A growable byte writer for the variable frame headers: one allocation for the whole header
 * instead of one per field (the headers are written for every frame, so this is hot).
 * @module
 */
const te = new TextEncoder();

/** Appends header fields to one buffer. */
export class HeaderWriter {
  #buf = new Uint8Array(64);
  #pos = 0;
  #dv = new DataView(this.#buf.buffer);

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#pos + n));
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#dv = new DataView(next.buffer);
  }
  byte(b: number): void {
    this.#room(1);
    this.#buf[this.#pos++] = b & 0xff;
  }
  /** The reference's short string: a length byte (len mod 256), then every byte (docs/PROTOCOL.md §1). */
  shortString(s: string): void {
    this.#room(1 + s.length * 3);
    const { written } = te.encodeInto(s, this.#buf.subarray(this.#pos + 1));
    this.#buf[this.#pos] = written & 0xff;
    this.#pos += 1 + written;
  }
  /** Unsigned LEB128 of a value below 2^32. */
  varint(v: number): void {
    this.#room(5);
    while (v >= 0x80) {
      this.#buf[this.#pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#pos++] = v;
  }
  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }
  f32(x: number): void {
    this.#room(4);
    this.#dv.setFloat32(this.#pos, x, true);
    this.#pos += 4;
  }
  /** The written bytes. */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }
}
