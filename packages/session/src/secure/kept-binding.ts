/**
 * The kept binding of DATA frames, Node only (`fastKeptBinding` of platform/fast-codec.node.ts;
 * browsers bind `aad ‖ messageBinding(m)` afresh per frame, secure/binding.ts). One direction's
 * `aad ‖ binding` is laid out in a reused buffer (public bytes only: frame headers and message
 * fields), with the binding fields it was written for. Consecutive DATA of a session differ in
 * these fields only when the millisecond timestamp moves, so most frames copy their headers and
 * reuse the binding bytes already there: writing the binding was the larger part of binding a
 * frame (docs/ARCHITECTURE.md, Performance notes).
 * @module
 */
import { writeBindingIfFits } from '../codec/data-writer.js';
import type { DataPayload, Message } from '../message.js';

const EMPTY = new Uint8Array(0);

/** One direction's kept `aad ‖ binding` (see the module comment). */
export class KeptBinding {
  bytes = EMPTY;
  view = EMPTY;
  /** The `aad` length the binding was written after; -1 while nothing valid is there. */
  aadLength = -1;
  type: Message['type'] = 'DATA';
  sessionId: string | undefined;
  timestamp = 0;
  algorithm = '';
  originalSize: number | undefined;

  /**
   * `aad ‖ binding of m` (a DATA message whose payload is `v`), laid out here and valid until the
   * next call; `undefined` when the one-pass writer does not take `m` (the caller binds it the
   * generic way). The AEAD reads these bytes during its call and keeps nothing.
   */
  layout(aad: Uint8Array, m: Message, v: DataPayload): Uint8Array | undefined {
    if (this.#holds(aad.length, m, v)) return this.#finish(aad, this.view.length);
    let size = writeBindingIfFits(this.bytes, aad.length, m);
    if (size < 0) return undefined;
    if (aad.length + size > this.bytes.length) {
      this.#reserve(aad.length + size);
      size = writeBindingIfFits(this.bytes, aad.length, m);
    }
    // A binding with a security status is not remembered: #holds() compares the fields below only.
    if (v.securityStatus === undefined) this.#remember(aad.length, m, v);
    else this.aadLength = -1;
    return this.#finish(aad, aad.length + size);
  }

  /** True when the bytes after `aadLength` were written for exactly `m`'s binding fields. */
  #holds(aadLength: number, m: Message, v: DataPayload): boolean {
    return (
      aadLength === this.aadLength &&
      m.timestamp === this.timestamp &&
      m.sessionId === this.sessionId &&
      m.type === this.type &&
      v.algorithm === this.algorithm &&
      v.originalSize === this.originalSize &&
      v.securityStatus === undefined
    );
  }

  /** Records that the binding of `m` now follows `aadLength` bytes of header. */
  #remember(aadLength: number, m: Message, v: DataPayload): void {
    this.aadLength = aadLength;
    this.type = m.type;
    this.sessionId = m.sessionId;
    this.timestamp = m.timestamp;
    this.algorithm = v.algorithm;
    this.originalSize = v.originalSize;
  }

  /** Room for `n` bytes (what was there is dropped, and the view of it). */
  #reserve(n: number): void {
    this.bytes = new Uint8Array(Math.max(n, 2 * this.bytes.length, 256));
    this.view = EMPTY;
    this.aadLength = -1;
  }

  /** `aad` copied in front of the binding already there; the view of both. */
  #finish(aad: Uint8Array, n: number): Uint8Array {
    this.bytes.set(aad, 0);
    // Messages of one session bind the same number of bytes: one view serves them all. The view
    // is always of `bytes` (#reserve() drops it), so its length alone decides: reading `.buffer`
    // twice cost ~50 ns a frame.
    if (this.view.length !== n) this.view = this.bytes.subarray(0, n);
    return this.view;
  }
}
