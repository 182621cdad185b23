/**
 * Binds the fields of a session message that travel outside its AEAD frame (type, session id,
 * timestamp, DATA's algorithm, original size and security status) to the frame: they are
 * appended to the frame's associated data, so a change to any of them on the way makes the
 * frame fail to open. docs/PROTOCOL.md §7.3 describes the bytes.
 * @module
 */
import { concatBytes } from '@m2m/core/internal';
import type { AeadFrameProtection } from '@m2m/core';
import { encodeMessageBinary } from '../codec/binary-codec.js';
import type { Message } from '../message.js';

/**
 * The binding of a DATA or sealed control message: the binary codec's encoding (§4.2) of the
 * message with its DATA content replaced by the empty string (the content is the frame itself).
 * Codec-independent: a JSON session binds the same bytes as a binary one.
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
 * `protection` with `binding` appended to the associated data of every frame it seals or opens.
 * The frame headers start with their own length, so `headers ‖ binding` splits one way only.
 */
export function boundProtection(protection: AeadFrameProtection, binding: Uint8Array): AeadFrameProtection {
  return {
    mode: 'aead',
    seal: (aad, plaintext) => protection.seal(concatBytes(aad, binding), plaintext),
    open: (aad, sealed) => protection.open(concatBytes(aad, binding), sealed),
  };
}
