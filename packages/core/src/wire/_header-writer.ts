/**
 * The byte writer for the variable frame headers. Headers are written for every frame, so one
 * writer and its buffer serve them all: a fresh buffer per header (and the DataView its f32
 * needed) cost more than building the header's fields (docs/ARCHITECTURE.md, Performance notes).
 * Sharing is safe because writing a header never leaves this module: header-build.ts runs every
 * caller-supplied callback before `start()`, and the encoder copies the bytes into the frame
 * (`copyTo`) before it builds another header (frame.ts, `encodeFrameWith`).
 * @module
 */
const te = new TextEncoder();
// f32 through a 4-byte scratch array, its bytes copied out little-endian whatever the host's byte
// order (a Float32Array store rounds as DataView's setFloat32 does, and costs a fraction of it).
const f32Bytes = new Uint8Array(4);
const f32Scratch = new Float32Array(f32Bytes.buffer);
const hostLittleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

const INITIAL_BYTES = 256;
/** Largest writer buffer kept between headers. */
const KEPT_BYTES = 4096;

/** Appends header fields to one reused buffer. */
export class HeaderWriter {
  #buf = new Uint8Array(INITIAL_BYTES);
  #pos = 0;

  /** Starts a new header, dropping the previous one's bytes. */
  start(): this {
    this.#pos = 0;
    return this;
  }
  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#pos + n));
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }
  byte(b: number): void {
    this.#room(1);
    this.#buf[this.#pos++] = b & 0xff;
  }
  /** The reference's short string: a length byte (len mod 256), then every byte (docs/PROTOCOL.md §1). */
  shortString(s: string): void {
    const n = s.length;
    this.#room(1 + n * 3);
    const buf = this.#buf;
    const at = this.#pos + 1;
    // ASCII (model names, ids) byte by byte: cheaper than a TextEncoder call on a few bytes.
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + i] = c;
    }
    const written = i === n ? n : te.encodeInto(s, buf.subarray(at)).written;
    buf[this.#pos] = written & 0xff;
    this.#pos = at + written;
  }
  /**
   * A whole routing header (docs/PROTOCOL.md §1) in one call, its room reserved once: model as a
   * short string, message count, `roleCount` role codes from `roles` at 2 bits each (least
   * significant first, 4 to a byte), content hint, max tokens when given, cost as f32. The same
   * bytes as the separate calls (header-build.ts `writeRequestHeader`), at about half their cost.
   */
  request(model: string, msgCount: number, roles: readonly number[], roleCount: number, contentHint: number, maxTokens: number | undefined, cost: number): this {
    const n = model.length;
    this.#pos = 0;
    this.#room(1 + n * 3 + 5 + ((roleCount + 3) >>> 2) + 5 + 5 + 4);
    const buf = this.#buf;
    let i = 0;
    for (; i < n; i++) {
      const c = model.charCodeAt(i);
      if (c >= 0x80) break;
      buf[1 + i] = c;
    }
    const written = i === n ? n : te.encodeInto(model, buf.subarray(1)).written;
    buf[0] = written & 0xff;
    let at = putVarint(buf, 1 + written, msgCount);
    for (let r = 0; r < roleCount; r += 4) {
      let b = roles[r];
      if (r + 1 < roleCount) b |= roles[r + 1] << 2;
      if (r + 2 < roleCount) b |= roles[r + 2] << 4;
      if (r + 3 < roleCount) b |= roles[r + 3] << 6;
      buf[at++] = b & 0xff;
    }
    at = putVarint(buf, at, contentHint);
    if (maxTokens !== undefined) at = putVarint(buf, at, maxTokens);
    this.#pos = at;
    this.f32(cost);
    return this;
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
  f32(x: number): void {
    this.#room(4);
    f32Scratch[0] = x;
    const buf = this.#buf;
    const at = this.#pos;
    if (hostLittleEndian) {
      buf[at] = f32Bytes[0];
      buf[at + 1] = f32Bytes[1];
      buf[at + 2] = f32Bytes[2];
      buf[at + 3] = f32Bytes[3];
    } else {
      buf[at] = f32Bytes[3];
      buf[at + 1] = f32Bytes[2];
      buf[at + 2] = f32Bytes[1];
      buf[at + 3] = f32Bytes[0];
    }
    this.#pos = at + 4;
  }
  /** Bytes written since `start()`. */
  get length(): number {
    return this.#pos;
  }
  /**
   * Copies the bytes written since `start()` to `out` at `at` (a loop: headers are a few dozen
   * bytes, below what a `set` call pays off for), then lets go of a buffer that a long model name
   * or id grew past {@link KEPT_BYTES}, so one huge header does not stay allocated.
   */
  copyTo(out: Uint8Array, at: number): void {
    const buf = this.#buf;
    for (let i = 0; i < this.#pos; i++) out[at + i] = buf[i];
    if (buf.length > KEPT_BYTES) this.#buf = new Uint8Array(INITIAL_BYTES);
  }
}

/** Unsigned LEB128 of `v` (below 2^32) into `buf` at `at` (room checked by the caller); returns the position after it. */
function putVarint(buf: Uint8Array, at: number, v: number): number {
  while (v >= 0x80) {
    buf[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at++] = v;
  return at;
}

/** The one header writer (see the module comment for why sharing it is safe). */
export const headerWriter = new HeaderWriter();
