/**
 * The byte writer for the variable frame headers. Headers are written for every frame, so one
 * writer and its buffer serve them all: a fresh buffer per header (and the DataView its f32
 * needed) cost more than building the header's fields (docs/ARCHITECTURE.md, Performance notes).
 * Each header is written by one call with its room reserved once (per-field calls cost about as
 * much again). Sharing is safe because writing a header never leaves this module: header-build.ts
 * runs every caller-supplied callback before it writes, and the encoder copies the bytes into the
 * frame (`copyTo`) before it builds another header (frame.ts, `encodeFrameWith`).
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

/** Writes one header at a time into a reused buffer. */
export class HeaderWriter {
  #buf = new Uint8Array(INITIAL_BYTES);
  #pos = 0;

  /** The buffer, grown (contents dropped) to hold at least `n` bytes. */
  #room(n: number): Uint8Array {
    if (n > this.#buf.length) this.#buf = new Uint8Array(Math.max(this.#buf.length * 2, n));
    return this.#buf;
  }
  /**
   * A routing header (docs/PROTOCOL.md §1): model as a short string, message count, `roleCount`
   * role codes from `roles` at 2 bits each (least significant first, 4 to a byte), content hint,
   * max tokens when given, cost as f32. Counts are below 2^32.
   */
  request(model: string, msgCount: number, roles: readonly number[], roleCount: number, contentHint: number, maxTokens: number | undefined, cost: number): this {
    const buf = this.#room(1 + model.length * 3 + 5 + ((roleCount + 3) >>> 2) + 5 + 5 + 4);
    let at = putVarint(buf, putShortString(buf, 0, model), msgCount);
    for (let r = 0; r < roleCount; r += 4) {
      let b = roles[r];
      if (r + 1 < roleCount) b |= roles[r + 1] << 2;
      if (r + 2 < roleCount) b |= roles[r + 2] << 4;
      if (r + 3 < roleCount) b |= roles[r + 3] << 6;
      buf[at++] = b & 0xff;
    }
    at = putVarint(buf, at, contentHint);
    if (maxTokens !== undefined) at = putVarint(buf, at, maxTokens);
    this.#pos = putF32(buf, at, cost);
    return this;
  }
  /**
   * A response header (docs/PROTOCOL.md §1): id and model as short strings, finish-reason byte,
   * prompt and completion tokens, then cached and reasoning tokens and the f32 cost, each only
   * when given. Counts are below 2^32.
   */
  response(id: string, model: string, finishByte: number, promptTokens: number, completionTokens: number, cached: number | undefined, reasoning: number | undefined, cost: number | undefined): this {
    const buf = this.#room(2 + (id.length + model.length) * 3 + 1 + 5 * 4 + 4);
    let at = putShortString(buf, putShortString(buf, 0, id), model);
    buf[at++] = finishByte & 0xff;
    at = putVarint(buf, at, promptTokens);
    at = putVarint(buf, at, completionTokens);
    if (cached !== undefined) at = putVarint(buf, at, cached);
    if (reasoning !== undefined) at = putVarint(buf, at, reasoning);
    this.#pos = cost === undefined ? at : putF32(buf, at, cost);
    return this;
  }
  /** Bytes of the last header written. */
  get length(): number {
    return this.#pos;
  }
  /**
   * Copies the last header's bytes to `out` at `at` (a loop: headers are a few dozen bytes, below
   * what a `set` call pays off for), then lets go of a buffer that a long model name or id grew
   * past {@link KEPT_BYTES}, so one huge header does not stay allocated.
   */
  copyTo(out: Uint8Array, at: number): void {
    const buf = this.#buf;
    for (let i = 0; i < this.#pos; i++) out[at + i] = buf[i];
    if (buf.length > KEPT_BYTES) this.#buf = new Uint8Array(INITIAL_BYTES);
  }
}

/** The reference's short string (a length byte, len mod 256, then every UTF-8 byte) into `buf` at `at`; returns the position after it. */
function putShortString(buf: Uint8Array, at: number, s: string): number {
  const n = s.length;
  // ASCII (model names, ids) byte by byte: cheaper than a TextEncoder call on a few bytes.
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    buf[at + 1 + i] = c;
  }
  const written = i === n ? n : te.encodeInto(s, buf.subarray(at + 1)).written;
  buf[at] = written & 0xff;
  return at + 1 + written;
}

/** Unsigned LEB128 of `v` (below 2^32) into `buf` at `at`; returns the position after it. */
function putVarint(buf: Uint8Array, at: number, v: number): number {
  while (v >= 0x80) {
    buf[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at++] = v;
  return at;
}

/** `x` as a little-endian f32 into `buf` at `at`; returns the position after it. */
function putF32(buf: Uint8Array, at: number, x: number): number {
  f32Scratch[0] = x;
  const le = hostLittleEndian;
  buf[at] = f32Bytes[le ? 0 : 3];
  buf[at + 1] = f32Bytes[le ? 1 : 2];
  buf[at + 2] = f32Bytes[le ? 2 : 1];
  buf[at + 3] = f32Bytes[le ? 3 : 0];
  return at + 4;
}

/** The one header writer (see the module comment for why sharing it is safe). */
export const headerWriter = new HeaderWriter();
