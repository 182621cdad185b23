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
import { allocate } from '../codec/slab.js';

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
 * A protection that appends `binding` to the associated data of every frame it seals or opens.
 * A session keeps one and sets `binding` before each frame, so no closures are made per message
 * (they showed in profiles; docs/ARCHITECTURE.md, Performance notes). The frame headers start
 * with their own length, so `headers ‖ binding` splits one way only.
 */
export class BindingProtection implements AeadFrameProtection {
  readonly mode = 'aead' as const;
  /** The binding of the message whose frame is sealed or opened next. */
  binding: Uint8Array = EMPTY;
  readonly #inner: AeadFrameProtection;

  constructor(inner: AeadFrameProtection) {
    this.#inner = inner;
  }

  /** Seals under `aad ‖ binding`. @throws what the inner protection throws. */
  seal(aad: Uint8Array, plaintext: Uint8Array): AeadSealedFrame {
    return this.#inner.seal(joinAad(aad, this.binding), plaintext);
  }

  /** Opens under `aad ‖ binding`. @throws what the inner protection throws. */
  open(aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    return this.#inner.open(joinAad(aad, this.binding), sealed);
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
