/**
 * The read position the one-pass MessagePack readers share (data-reader.ts for DATA,
 * handshake-reader.ts for HELLO / ACCEPT / AUTH and capabilities). Each primitive reads at the
 * position; when the input leaves the shape a reader expects, the position becomes `-1` and stays
 * there, so the reader returns `undefined` and its caller hands the input to the bounded generic
 * decoder (msgpack-decode.ts), which gives the same value or the exact error. Nothing here
 * allocates for a declared length before checking it against the bytes left.
 * @internal
 * @module
 */
import { utf8Text } from './utf8-text.js';

const NOTHING = new Uint8Array(0);

/** A position in one input; `at` is `-1` once the input left the expected shape. */
export class MsgpackCursor {
  /** The input being read ({@link MsgpackCursor.release} drops it). */
  src: Uint8Array = NOTHING;
  /** Read position, or `-1`. */
  at = 0;

  /** Starts reading `bytes` from its first byte. */
  begin(bytes: Uint8Array): void {
    this.src = bytes;
    this.at = 0;
  }

  /** Keeps no reference to the caller's bytes once a read is over. */
  release(): void {
    this.src = NOTHING;
  }

  /** Marks the input as not this reader's. */
  fail(): undefined {
    this.at = -1;
    return undefined;
  }

  /** The next byte, or `-1` at the end (which also fails the read). */
  byte(): number {
    const at = this.at;
    if (at < 0 || at >= this.src.length) {
      this.at = -1;
      return -1;
    }
    this.at = at + 1;
    return this.src[at];
  }

  /** A big-endian unsigned integer of `bytes` bytes (0 and a failed read past the end). */
  beUint(bytes: number): number {
    const src = this.src;
    let at = this.at;
    if (at < 0 || at + bytes > src.length) {
      this.at = -1;
      return 0;
    }
    let n = 0;
    for (let i = 0; i < bytes; i++) n = n * 256 + src[at++];
    this.at = at;
    return n;
  }

  /** An unsigned integer in fixint, uint8/16/32, or uint64/int64 within the safe range; `-1` otherwise. */
  uint(): number {
    const b = this.byte();
    if (b < 0x80) return b; // -1 included
    if (b === 0xcc) return this.beUint(1);
    if (b === 0xcd) return this.beUint(2);
    if (b === 0xce) return this.beUint(4);
    if (b === 0xcf || b === 0xd3) {
      // A millisecond timestamp, in every message: both halves read here, not by two loops.
      const src = this.src;
      const at = this.at;
      if (at + 8 > src.length) {
        this.at = -1;
        return 0;
      }
      const hi = ((src[at] << 24) | (src[at + 1] << 16) | (src[at + 2] << 8) | src[at + 3]) >>> 0;
      const lo = ((src[at + 4] << 24) | (src[at + 5] << 16) | (src[at + 6] << 8) | src[at + 7]) >>> 0;
      // Above 2^53 - 1 (or a negative int64): the generic decoder's to judge.
      this.at = hi > 0x1f_ffff ? -1 : at + 8;
      return hi * 2 ** 32 + lo;
    }
    this.at = -1;
    return -1;
  }

  /**
   * The length of a str (`str` true: fixstr, str8/16/32) or bin (bin8/16/32) whose head byte
   * `head` was just read; `-1` for any other head (the position is left as it is, so a caller
   * may try the other family).
   */
  lengthOf(head: number, str: boolean): number {
    if (str && head >= 0xa0 && head <= 0xbf) return head & 0x1f;
    if (head === (str ? 0xd9 : 0xc4)) return this.beUint(1);
    if (head === (str ? 0xda : 0xc5)) return this.beUint(2);
    if (head === (str ? 0xdb : 0xc6)) return this.beUint(4);
    return -1;
  }

  /** The length of the str at the position; `-1` (and a failed read) for anything else. */
  strLength(): number {
    const n = this.lengthOf(this.byte(), true);
    if (n < 0) this.at = -1;
    return n;
  }

  /** The next `len` bytes as strict UTF-8 text; `undefined` (and a failed read) when they are not. */
  textOf(len: number): string | undefined {
    const at = this.at;
    if (at < 0 || len < 0 || at + len > this.src.length) return this.fail();
    this.at = at + len;
    return utf8Text(this.src, at, at + len) ?? this.fail();
  }
}

/**
 * A text a peer sends the same in every message (a session id, a Noise protocol name): the last
 * one read is kept as bytes and text, and the same bytes give the same string without decoding
 * them again (comparing up to `capacity` bytes costs less than a new string).
 */
export class RepeatedText {
  readonly #bytes: Uint8Array;
  #length = -1;
  #value = '';

  constructor(capacity: number) {
    this.#bytes = new Uint8Array(capacity);
  }

  /** The `len` bytes at `c`'s position as text (see {@link MsgpackCursor.textOf}). */
  read(c: MsgpackCursor, len: number): string | undefined {
    const src = c.src;
    const at = c.at;
    if (at < 0 || len < 0 || at + len > src.length) return c.fail();
    if (len === this.#length) {
      const kept = this.#bytes;
      // Four bytes a step, differences OR-ed: one branch per step instead of one per byte (a
      // session id is 36 bytes, read in every message).
      let diff = 0;
      let i = 0;
      for (const whole = len & ~3; i < whole; i += 4) {
        diff |= (src[at + i] ^ kept[i]) | (src[at + i + 1] ^ kept[i + 1]) | (src[at + i + 2] ^ kept[i + 2]) | (src[at + i + 3] ^ kept[i + 3]);
      }
      for (; i < len; i++) diff |= src[at + i] ^ kept[i];
      if (diff === 0) {
        c.at = at + len;
        return this.#value;
      }
    }
    const s = c.textOf(len);
    if (s !== undefined && len <= this.#bytes.length) {
      this.#bytes.set(src.subarray(at, at + len));
      this.#length = len;
      this.#value = s;
    }
    return s;
  }
}
