/**
 * PING, PONG and CLOSE of an encrypted session (and the AUTH key confirmation of two-message
 * handshakes) travel sealed: the message keeps its type, and its payload becomes an AEAD frame
 * (control kind) of `{"type":…,"reason":…,"message":…}` whose associated data also binds the
 * carrying message's fields (./binding.ts), so a forged, replayed or edited control message
 * cannot end a session or change what the application sees.
 * @module
 */
import { CloseReason, M2MError } from '@m2m/core/internal';
import type { Message } from '../message.js';
import { messageBinding } from './binding.js';
import type { SecureChannel } from './secure-channel.js';

/** Types sealed as control messages after the handshake. */
export const CONTROL_TYPES: ReadonlySet<Message['type']> = new Set(['PING', 'PONG', 'CLOSE']);

/** Seals a control message. @throws CryptoError (Nonce/Exhausted) past the hard stop. */
export function sealControlMessage(channel: SecureChannel, m: Message): Message {
  const inner: Record<string, string> = { type: m.type };
  if (m.payload?.kind === 'close') {
    inner.reason = m.payload.value.reason;
    inner.message = m.payload.value.message;
  }
  const value = { algorithm: 'm2m' as const, content: '' };
  const out: Message = { type: m.type, timestamp: m.timestamp, payload: { kind: 'data', value } };
  if (m.sessionId !== undefined) out.sessionId = m.sessionId;
  value.content = channel.sealControl(JSON.stringify(inner), messageBinding(out));
  return out;
}

/**
 * Opens a sealed control message: the frame must authenticate together with the carrying
 * message's type, session id, timestamp and payload fields.
 * @throws M2MError: InvalidMessage (unsealed or mismatched), ReplayDetected, Crypto (forged or edited).
 */
export function openControlMessage(channel: SecureChannel, m: Message): Message {
  if (m.payload?.kind !== 'data') throw new M2MError('InvalidMessage', { reason: `unauthenticated ${m.type} in an encrypted session` });
  const json = channel.openControl(m.payload.value.content, messageBinding(m));
  let inner: { type?: unknown; reason?: unknown; message?: unknown };
  try {
    inner = JSON.parse(json) as typeof inner;
  } catch (e) {
    throw new M2MError('InvalidMessage', { reason: `sealed ${m.type} is not JSON` }, { cause: e });
  }
  if (typeof inner !== 'object' || inner === null || inner.type !== m.type) throw new M2MError('InvalidMessage', { reason: `sealed ${String(inner?.type)} inside ${m.type}` });
  const out: Message = { type: m.type, timestamp: m.timestamp };
  if (m.sessionId !== undefined) out.sessionId = m.sessionId;
  if (m.type === 'CLOSE' && typeof inner.reason === 'string' && Object.hasOwn(CloseReason, inner.reason)) {
    out.payload = { kind: 'close', value: { reason: inner.reason as CloseReason, message: typeof inner.message === 'string' ? inner.message : '' } };
  } else out.payload = { kind: 'empty' };
  return out;
}
