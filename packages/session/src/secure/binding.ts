/**
 * Binds the fields of a session message that travel outside its AEAD frame (type, session id,
 * timestamp, DATA's algorithm, original size and security status) to the frame: they are
 * appended to the frame's associated data, so a change to any of them on the way makes the
 * frame fail to open. docs/PROTOCOL.md §7.3 describes the bytes.
 * @module
 */
import type { AeadFrameProtection, AeadSealedFrame } from '@m2m/core';
import { encodeMessageBinary } from '../codec/binary-codec.js';
import type { DataPayload, Message } from '../message.js';
import { allocate } from '../codec/slab.js';
import { platform } from '#platform';

const EMPTY = new Uint8Array(0);

/**
 * The binding of a DATA or sealed control message: the binary codec's encoding (§4.2) of the
 * message with its DATA content replaced by the empty string (the content is the frame itself,
 * text or bytes alike). Codec-independent: a JSON session binds the same bytes as a binary one.
 * @throws M2MError (InvalidMessage) when the message cannot be encoded.
 */
export function messageBinding(m: Message): Uint8Array {
  const p = m.payload;
  const bound: Message = { type: m.type, timestamp: m.timestamp };
  if (m.sessionId !== undefined) bound.sessionId = m.sessionId;
  if (p) bound.payload = p.kind === 'data' ? { kind: 'data', value: { ...p.value, content: '' } } : p;
  return encodeMessageBinary(bound);
}

/**
 * Where one direction's `aad ‖ binding` is laid out (public bytes only: frame headers and message
 * fields), and which binding fields the bytes after `aadLength` were written for. Consecutive
 * DATA of a session differ in these fields only when the millisecond timestamp moves, so most
 * frames copy their headers and reuse the binding bytes already there: writing the binding was
 * the larger part of binding a frame (docs/ARCHITECTURE.md, Performance notes).
 */
class AadScratch {
  bytes = EMPTY;
  view = EMPTY;
  /** The `aad` length the binding was written after; -1 while nothing valid is there. */
  aadLength = -1;
  type: Message['type'] = 'DATA';
  sessionId: string | undefined;
  timestamp = 0;
  algorithm = '';
  originalSize: number | undefined;

  /** True when `binding` was written for exactly `m`'s binding fields after `aadLength` bytes. */
  holds(aadLength: number, m: Message, v: DataPayload): boolean {
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
  remember(aadLength: number, m: Message, v: DataPayload): void {
    this.aadLength = aadLength;
    this.type = m.type;
    this.sessionId = m.sessionId;
    this.timestamp = m.timestamp;
    this.algorithm = v.algorithm;
    this.originalSize = v.originalSize;
  }

  /** Room for `n` bytes (what was there is dropped, and the view of it). */
  reserve(n: number): void {
    if (n <= this.bytes.length) return;
    this.bytes = new Uint8Array(Math.max(n, 2 * this.bytes.length, 256));
    this.view = EMPTY;
    this.aadLength = -1;
  }

  /** `aad` copied in front of the binding already there; the view of both. */
  finish(aad: Uint8Array, n: number): Uint8Array {
    this.bytes.set(aad, 0);
    // Messages of one session bind the same number of bytes: one view serves them all. The view
    // is always of `bytes` (reserve() drops it), so its length alone decides: reading `.buffer`
    // twice cost ~50 ns a frame.
    if (this.view.length !== n) this.view = this.bytes.subarray(0, n);
    return this.view;
  }
}

/**
 * A protection that appends a message's binding to the associated data of every frame it seals
 * or opens. A session keeps one and names the message before each frame ({@link
 * BindingProtection.bindMessage}), so no closures are made per message (they showed in
 * profiles; docs/ARCHITECTURE.md, Performance notes); a DATA message's binding is written
 * straight after the frame headers into a buffer the protection reuses per direction (the AEAD
 * reads it during the call and keeps nothing), and kept there while the next message's binding
 * fields are the same ({@link AadScratch}). The frame headers start with their own length, so
 * `headers ‖ binding` splits one way only.
 */
export class BindingProtection implements AeadFrameProtection {
  readonly mode = 'aead' as const;
  readonly #inner: AeadFrameProtection;
  #binding: Uint8Array = EMPTY;
  #message: Message | undefined;
  /** Sealing's and opening's scratch (a session seals its own messages and opens its peer's). Made by the first frame. */
  #sealAad: AadScratch | undefined;
  #openAad: AadScratch | undefined;

  constructor(inner: AeadFrameProtection) {
    this.#inner = inner;
  }

  /** The binding of the frame sealed or opened next, as bytes ({@link messageBinding}). */
  get binding(): Uint8Array {
    return this.#message ? messageBinding(this.#message) : this.#binding;
  }
  set binding(bytes: Uint8Array) {
    this.#binding = bytes;
    this.#message = undefined;
  }

  /** Binds the next frame sealed or opened to `m`'s fields (its binding is written when needed). */
  bindMessage(m: Message): void {
    this.#message = m;
  }

  /** Seals under `aad ‖ binding`. @throws what the inner protection throws. */
  seal(aad: Uint8Array, plaintext: Uint8Array): AeadSealedFrame {
    return this.#inner.seal(this.#aad(aad, (this.#sealAad ??= new AadScratch())), plaintext);
  }

  /** Opens under `aad ‖ binding`. @throws what the inner protection throws. */
  open(aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    return this.#inner.open(this.#aad(aad, (this.#openAad ??= new AadScratch())), sealed);
  }

  /** {@link BindingProtection.seal} into the frame's own bytes (protection.ts in @m2m/core). @throws what the inner protection throws. */
  sealInPlace(aad: Uint8Array, data: Uint8Array, nonce: Uint8Array, tag: Uint8Array): void {
    const bound = this.#aad(aad, (this.#sealAad ??= new AadScratch()));
    if (this.#inner.sealInPlace) return this.#inner.sealInPlace(bound, data, nonce, tag);
    const sealed = this.#inner.seal(bound, data);
    nonce.set(sealed.nonce);
    data.set(sealed.ciphertext);
    tag.set(sealed.tag);
  }

  /** {@link BindingProtection.open} into the inner protection's reused buffer when it has one. @throws what the inner protection throws. */
  openTransient(aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    const bound = this.#aad(aad, (this.#openAad ??= new AadScratch()));
    return this.#inner.openTransient ? this.#inner.openTransient(bound, sealed) : this.#inner.open(bound, sealed);
  }

  /** `aad ‖ binding of the bound message` (or of the bytes set), laid out in `scratch` for DATA. */
  #aad(aad: Uint8Array, scratch: AadScratch): Uint8Array {
    const m = this.#message;
    if (m === undefined) return joinAad(aad, this.#binding);
    const p = m.payload;
    if (p?.kind !== 'data') return joinAad(aad, messageBinding(m));
    const v = p.value;
    if (scratch.holds(aad.length, m, v)) return scratch.finish(aad, scratch.view.length);
    const fast = platform.fastCodec;
    let size = fast ? fast.writeBindingIfFits(scratch.bytes, aad.length, m) : -1;
    if (size < 0) {
      // The generic encoder (browsers; messages the one-pass writer does not take).
      const binding = messageBinding(m);
      size = binding.length;
      scratch.reserve(aad.length + size);
      scratch.bytes.set(binding, aad.length);
    } else if (aad.length + size > scratch.bytes.length) {
      scratch.reserve(aad.length + size);
      fast!.writeBindingIfFits(scratch.bytes, aad.length, m);
    }
    // A binding with a security status is not remembered: holds() compares the fields above only.
    if (v.securityStatus === undefined) scratch.remember(aad.length, m, v);
    else scratch.aadLength = -1;
    return scratch.finish(aad, aad.length + size);
  }
}

/** `aad ‖ binding`, carved from the message slab: around 70 bytes, past what V8 allocates cheaply (codec/slab.ts). */
function joinAad(aad: Uint8Array, binding: Uint8Array): Uint8Array {
  const out = allocate(aad.length + binding.length);
  out.set(aad, 0);
  out.set(binding, aad.length);
  return out;
}

/** `protection` with `binding` appended to the associated data of every frame it seals or opens. */
export function boundProtection(protection: AeadFrameProtection, binding: Uint8Array): AeadFrameProtection {
  const bound = new BindingProtection(protection);
  bound.binding = binding;
  return bound;
}
