/**
 * PING, PONG and CLOSE of an encrypted session travel sealed: the message keeps its type, and
 * its payload becomes an AEAD frame (control kind) of `{"type":…,"reason":…,"message":…}`, so a
 * forged or replayed CLOSE cannot end a session.
 * @module
 */
import { CloseReason, M2MError } from '@m2m/core';
import type { Message } from '../message.js';
import type { SecureChannel } from './secure-channel.js';

/** Types sealed as control messages. */
export const CONTROL_TYPES: ReadonlySet<Message['type']> = new Set(['PING', 'PONG', 'CLOSE']);

/** Seals a control message. @throws CryptoError (Nonce/Exhausted) past the hard stop. */
export function sealControlMessage(channel: SecureChannel, m: Message): Message {
  const inner: Record<string, string> = { type: m.type };
  if (m.payload?.kind === 'close') {
    inner.reason = m.payload.value.reason;
    inner.message = m.payload.value.message;
  }
  const content = channel.sealControl(JSON.stringify(inner));
  const out: Message = { type: m.type, timestamp: m.timestamp, payload: { kind: 'data', value: { algorithm: 'm2m', content } } };
  if (m.sessionId !== undefined) out.sessionId = m.sessionId;
  return out;
}

/**
 * Opens a sealed control message.
 * @throws M2MError: InvalidMessage (unsealed or mismatched), ReplayDetected, Crypto (forged).
 */
export function openControlMessage(channel: SecureChannel, m: Message): Message {
  if (m.payload?.kind !== 'data') throw new M2MError('InvalidMessage', { reason: `unauthenticated ${m.type} in an encrypted session` });
  const inner = JSON.parse(channel.openControl(m.payload.value.content)) as { type?: string; reason?: string; message?: string };
  if (inner.type !== m.type) throw new M2MError('InvalidMessage', { reason: `sealed ${String(inner.type)} inside ${m.type}` });
  const out: Message = { type: m.type, timestamp: m.timestamp };
  if (m.sessionId !== undefined) out.sessionId = m.sessionId;
  if (m.type === 'CLOSE' && typeof inner.reason === 'string' && inner.reason in CloseReason) {
    out.payload = { kind: 'close', value: { reason: inner.reason as CloseReason, message: String(inner.message ?? '') } };
  } else out.payload = { kind: 'empty' };
  return out;
}
