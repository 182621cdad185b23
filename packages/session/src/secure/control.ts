/**
 * PING, PONG and CLOSE of an encrypted session (and the AUTH key confirmation of two-message
 * handshakes) travel sealed: the message keeps its type, and its payload becomes the data shape
 * whose content is `nonce ‖ ciphertext ‖ tag` (control kind) of the message's own payload as
 * MessagePack (`[4]`, or `[3, reason, message]` for CLOSE). The associated data is the carrying
 * message's binding (./binding.ts), so a forged, replayed or edited control message cannot end a
 * session or change what the application sees. No JSON and no M2M frame on the way
 * (docs/PROTOCOL.md §7.3).
 * @module
 */
import { isCryptoError, M2MError, base64Decode, wrapCrypto } from '@m2m/core/internal';
import { decodePayloadBinary, encodePayloadBinary } from '../codec/binary-codec.js';
import type { Message, MessagePayload } from '../message.js';
import { messageBinding } from './binding.js';
import type { SecureChannel } from './secure-channel.js';

/** Types sealed as control messages after the handshake. */
export const CONTROL_TYPES: ReadonlySet<Message['type']> = new Set(['PING', 'PONG', 'CLOSE']);

const EMPTY_PAYLOAD: MessagePayload = { kind: 'empty' };

/** Seals a control message. @throws CryptoError (Nonce/Exhausted) past the hard stop. */
export function sealControlMessage(channel: SecureChannel, m: Message): Message {
  const inner = m.type === 'CLOSE' && m.payload?.kind === 'close' ? m.payload : EMPTY_PAYLOAD;
  const value: { algorithm: 'm2m'; content: string | Uint8Array } = { algorithm: 'm2m', content: '' };
  const out: Message = { type: m.type, timestamp: m.timestamp, payload: { kind: 'data', value } };
  if (m.sessionId !== undefined) out.sessionId = m.sessionId;
  value.content = channel.sealControl(encodePayloadBinary(inner), messageBinding(out));
  return out;
}

/** The sealed bytes of a control message: binary as the binary codec carries them, base64 text under the json codec. */
function sealedBytes(m: Message, content: string | Uint8Array): Uint8Array {
  if (typeof content !== 'string') return content;
  try {
    return base64Decode(content);
  } catch (e) {
    throw new M2MError('InvalidMessage', { reason: `sealed ${m.type} is not base64` }, { cause: e });
  }
}

/**
 * Opens a sealed control message: the sealed payload must authenticate together with the
 * carrying message's type, session id, timestamp and payload fields.
 * @throws M2MError: InvalidMessage (unsealed, malformed inside, or a payload its type cannot
 *   carry), ReplayDetected, Crypto (caused by the AEAD failure) for a forged or edited one.
 */
export function openControlMessage(channel: SecureChannel, m: Message): Message {
  if (m.payload?.kind !== 'data') throw new M2MError('InvalidMessage', { reason: `unauthenticated ${m.type} in an encrypted session` });
  let plain: Uint8Array;
  try {
    plain = channel.openControl(sealedBytes(m, m.payload.value.content), messageBinding(m));
  } catch (e) {
    // As a DATA frame that does not open: CRYPTO_ERROR caused by the AEAD failure.
    throw isCryptoError(e) ? wrapCrypto(e) : e;
  }
  const payload = decodePayloadBinary(plain);
  if (payload.kind !== 'empty' && !(payload.kind === 'close' && m.type === 'CLOSE')) {
    throw new M2MError('InvalidMessage', { reason: `sealed ${payload.kind} payload inside ${m.type}` });
  }
  const out: Message = { type: m.type, timestamp: m.timestamp, payload };
  if (m.sessionId !== undefined) out.sessionId = m.sessionId;
  return out;
}
