/**
 * Binds the fields of a session message that travel outside its AEAD frame (type, session id,
 * timestamp, DATA's algorithm, original size and security status) to the frame: they are
 * appended to the frame's associated data, so a change to any of them on the way makes the
 * frame fail to open. docs/PROTOCOL.md §7.3 describes the bytes.
 * @module
 */
import type { AeadFrameProtection, AeadSealedFrame } from '@m2m/core';
import { encodeMessageBinary } from '../codec/binary-codec.js';
import type { Message } from '../message.js';
import type { KeptBinding } from './kept-binding.js';
import { allocate } from '#slab';
import { fastKeptBinding } from '#platform';

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
 * A protection that appends a message's binding to the associated data of every frame it seals
 * or opens. A session keeps one and names the message before each frame ({@link
 * BindingProtection.bindMessage}), so no closures are made per message (they showed in
 * profiles; docs/ARCHITECTURE.md, Performance notes); a DATA message's binding is written
 * straight after the frame headers into a buffer the protection reuses per direction (the AEAD
 * reads it during the call and keeps nothing), and kept there while the next message's binding
 * fields are the same (secure/kept-binding.ts, Node only: browsers write `aad ‖ binding` afresh
 * per frame). The frame headers start with their own length, so
 * `headers ‖ binding` splits one way only.
 */
export class BindingProtection implements AeadFrameProtection {
  readonly mode = 'aead' as const;
  readonly #inner: AeadFrameProtection;
  #binding: Uint8Array = EMPTY;
  #message: Message | undefined;
  /** Sealing's and opening's kept binding (a session seals its own messages and opens its peer's), Node only. Made by the first DATA frame. */
  #sealAad: KeptBinding | undefined;
  #openAad: KeptBinding | undefined;

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
    return this.#inner.seal(this.#aad(aad, true), plaintext);
  }

  /** Opens under `aad ‖ binding`. @throws what the inner protection throws. */
  open(aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    return this.#inner.open(this.#aad(aad, false), sealed);
  }

  /** {@link BindingProtection.seal} into the frame's own bytes (protection.ts in @m2m/core). @throws what the inner protection throws. */
  sealInPlace(aad: Uint8Array, data: Uint8Array, nonce: Uint8Array, tag: Uint8Array): void {
    const bound = this.#aad(aad, true);
    if (this.#inner.sealInPlace) return this.#inner.sealInPlace(bound, data, nonce, tag);
    const sealed = this.#inner.seal(bound, data);
    nonce.set(sealed.nonce);
    data.set(sealed.ciphertext);
    tag.set(sealed.tag);
  }

  /** {@link BindingProtection.open} into the inner protection's reused buffer when it has one. @throws what the inner protection throws. */
  openTransient(aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    const bound = this.#aad(aad, false);
    return this.#inner.openTransient ? this.#inner.openTransient(bound, sealed) : this.#inner.open(bound, sealed);
  }

  /** `aad ‖ binding of the bound message` (or of the bytes set); a DATA message's laid out in its direction's kept binding where the platform has one. */
  #aad(aad: Uint8Array, sealing: boolean): Uint8Array {
    const m = this.#message;
    if (m === undefined) return joinAad(aad, this.#binding);
    const p = m.payload;
    if (p?.kind === 'data') {
      const kept = sealing ? (this.#sealAad ??= fastKeptBinding()) : (this.#openAad ??= fastKeptBinding());
      const bound = kept?.layout(aad, m, p.value);
      if (bound) return bound;
    }
    return joinAad(aad, messageBinding(m));
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
