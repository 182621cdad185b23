/**
 * The encrypted-session handshake: Noise inside HELLO, ACCEPT and (for three-message patterns)
 * AUTH. HELLO's Noise payload is the client's capabilities; ACCEPT's is the session id and the
 * server's capabilities (encrypted whenever the pattern has a key by then). Both payloads are
 * hashed into the handshake, so a change to either on the way fails the handshake: nobody in
 * the middle can downgrade algorithms or security. REJECT stays plaintext.
 * @module
 */
import { CryptoError, isCryptoError, isSdkError, M2MError, utf8Encode } from '@m2m/core';
import type { RejectionCode } from '@m2m/core';
import { HandshakeState, KeyMaterial, type NoiseKeyPair } from '@m2m/crypto';
import type { Clock } from '../clock.js';
import { decodeAcceptPayload, decodeCapabilities, encodeAcceptPayload, encodeCapabilities } from '../codec/binary-codec.js';
import type { Capabilities, Message } from '../message.js';
import type { SessionCore } from '../session-core.js';
import { SecureChannel, type ChannelOptions } from './secure-channel.js';
import { sealControlMessage } from './control.js';
import type { PeerIdentity, PeerVerifier } from './peer-verifier.js';

/** Noise patterns offered for sessions (each also with the psk modifiers Noise defines for it). */
export const SESSION_PATTERNS = ['NN', 'NK', 'XX', 'IK', 'KK'] as const;

/** Settings of an encrypted session. */
export interface SecureOptions extends ChannelOptions {
  /** Noise pattern, optionally with psk modifiers: `XX` (default), `IK`, `NK`, `KK`, `NN`, `XXpsk3`, `IKpsk2`, `NNpsk0`… */
  pattern?: string;
  /** This agent's static X25519 key pair (needed by XX, IK, KK, and by NK/IK/KK servers). */
  staticKey?: NoiseKeyPair | { publicKey: Uint8Array; exportSecret(): Uint8Array };
  /** The peer's static public key, when the pattern needs it in advance (NK, IK, KK clients; KK servers). */
  remoteStaticKey?: Uint8Array;
  /** A 32-byte pre-shared key for psk patterns (e.g. `organizationPsk(hierarchy)`). */
  psk?: Uint8Array | KeyMaterial;
  /** Accepts or refuses the peer once its static key is known. */
  verifyPeer?: PeerVerifier;
}

/** What the handshake established. */
export interface SecureResult {
  channel: SecureChannel;
  /** The peer's static key, when the pattern transmits or pre-shares one. */
  peerStaticKey?: Uint8Array;
  /** Noise's handshake hash (a channel binding). */
  handshakeHash: Uint8Array;
}

/** Message exchange the handshake runs on. */
export interface HandshakeIo {
  send(m: Message): Promise<void>;
  next(stage: string): Promise<Message>;
}

const PROLOGUE = utf8Encode('M2M-session/1');
const STAGES = ['', 'HELLO', 'ACCEPT', 'AUTH'];

/** A Handshake CryptoError naming the stage: `Handshake failed at message 2 (ACCEPT): …`. */
export function handshakeFailure(reason: 'Failed' | 'DecryptionFailed' | 'PeerRefused' | 'Malformed' | 'UnexpectedMessage', message: number, detail: string, cause?: unknown): CryptoError<'Handshake'> {
  return new CryptoError('Handshake', reason, { stage: STAGES[message] ?? `message ${message}`, message, detail }, cause === undefined ? undefined : { cause });
}

function restage(e: unknown, message: number): unknown {
  if (isCryptoError(e) && e.kind === 'Handshake') {
    const d = e.details as { detail: string };
    return handshakeFailure(e.reason as 'Failed', message, d.detail, e);
  }
  return e;
}

/** ReadMessage, with failures named by session stage (HELLO, ACCEPT, AUTH). */
function readStage(hs: HandshakeState, message: Uint8Array, n: number): Uint8Array {
  try {
    return hs.readMessage(message);
  } catch (e) {
    throw restage(e, n);
  }
}

function staticPair(k: SecureOptions['staticKey']): NoiseKeyPair | undefined {
  if (!k) return undefined;
  if ('secret' in k) return k;
  return { secret: k.exportSecret(), publicKey: k.publicKey };
}

function newHandshake(options: SecureOptions, initiator: boolean): HandshakeState {
  const psk = options.psk instanceof KeyMaterial ? options.psk.bytes.slice() : options.psk;
  try {
    return new HandshakeState({
      protocol: options.pattern ?? 'XX',
      initiator,
      prologue: PROLOGUE,
      s: staticPair(options.staticKey),
      rs: options.remoteStaticKey,
      psks: psk ? [psk] : [],
    });
  } catch (e) {
    throw restage(e, 1);
  }
}

async function verify(options: SecureOptions, hs: HandshakeState, caps: Capabilities, message: number): Promise<Uint8Array | undefined> {
  const staticKey = hs.rs;
  if (!staticKey) return undefined;
  if (options.verifyPeer) {
    const identity: PeerIdentity = { staticKey, agentId: caps.agentId, capabilities: caps };
    let ok = false;
    try {
      ok = await options.verifyPeer(identity);
    } catch (e) {
      throw handshakeFailure('PeerRefused', message, 'the identity hook failed', e);
    }
    if (!ok) throw handshakeFailure('PeerRefused', message, 'peer static key not allowed');
  }
  return staticKey;
}

function handshakeOf(m: Message, type: Message['type'], n: number): { protocol?: string; message: Uint8Array } {
  if (m.type !== type) throw handshakeFailure('UnexpectedMessage', n, `expected ${type}, got ${m.type}`);
  if (m.payload?.kind !== 'handshake') throw handshakeFailure('Malformed', n, `${type} carries no handshake message`);
  return m.payload.value;
}

/**
 * Client side: HELLO → ACCEPT (→ AUTH). Feeds the negotiated capabilities to `core`.
 * @throws CryptoError (Handshake, with stage and reason) or M2MError (Rejected, Timeout…).
 */
export async function clientHandshake(io: HandshakeIo, core: SessionCore, options: SecureOptions, clock: Clock): Promise<SecureResult> {
  const hs = newHandshake(options, true);
  core.createHello();
  const msg1 = hs.writeMessage(encodeCapabilities(core.capabilities));
  await io.send({ type: 'HELLO', timestamp: clock.now(), payload: { kind: 'handshake', value: { protocol: hs.protocolName, message: msg1 } } });
  const reply = await io.next('ACCEPT');
  if (reply.type === 'REJECT') {
    core.receive(reply); // throws Rejected
  }
  const accepted = decodeAcceptPayload(readStage(hs, handshakeOf(reply, 'ACCEPT', 2).message, 2));
  if (!accepted) throw handshakeFailure('Malformed', 2, 'ACCEPT payload is not [session id, capabilities]');
  const serverCaps = accepted.capabilities;
  const peerStaticKey = await verify(options, hs, serverCaps, 2);
  try {
    core.receive({ type: 'ACCEPT', sessionId: accepted.sessionId, timestamp: reply.timestamp, payload: { kind: 'capabilities', value: serverCaps } });
  } catch (e) {
    throw isSdkError(e) ? e : restage(e, 2);
  }
  if (!hs.isComplete) {
    const msg3 = hs.writeMessage(new Uint8Array(0));
    await io.send({ type: 'AUTH', sessionId: core.id, timestamp: clock.now(), payload: { kind: 'handshake', value: { message: msg3 } } });
  }
  const { send, receive } = hs.split();
  return { channel: new SecureChannel(send, receive, clock, options), peerStaticKey, handshakeHash: hs.handshakeHash.slice() };
}

/** A server's early verdict (limits). */
export type EarlyDecision = { code: RejectionCode; message: string; retryAfterMs?: number } | undefined;

/**
 * Server side, after the HELLO arrived: ACCEPT (← AUTH), or a plaintext REJECT.
 * @returns the result, or `undefined` after sending REJECT.
 * @throws CryptoError (Handshake) for a failed handshake; the caller closes the transport.
 */
export async function serverHandshake(io: HandshakeIo, core: SessionCore, options: SecureOptions, clock: Clock, hello: Message, early: EarlyDecision): Promise<SecureResult | undefined> {
  const reject = async (code: RejectionCode, message: string, retryAfterMs?: number) => {
    await io.send(core.reject(code, message, retryAfterMs));
    return undefined;
  };
  const hs = newHandshake(options, false);
  if (hello.type !== 'HELLO') throw handshakeFailure('UnexpectedMessage', 1, `expected HELLO, got ${hello.type}`);
  if (hello.payload?.kind !== 'handshake' || hello.payload.value.protocol !== hs.protocolName) {
    const offered = hello.payload?.kind === 'handshake' ? (hello.payload.value.protocol ?? 'no protocol') : 'a plaintext session';
    return reject('SECURITY_POLICY', `this server requires an encrypted session with ${hs.protocolName}, not ${offered}`);
  }
  if (early) return reject(early.code, early.message, early.retryAfterMs);
  const clientCaps = decodeCapabilities(readStage(hs, hello.payload.value.message, 1));
  let peerStaticKey: Uint8Array | undefined;
  try {
    peerStaticKey = await verify(options, hs, clientCaps, 1);
  } catch (e) {
    await reject('SECURITY_POLICY', (e as Error).message);
    throw e;
  }
  const { reply } = core.receive({ type: 'HELLO', timestamp: hello.timestamp, payload: { kind: 'capabilities', value: clientCaps } });
  if (!reply || reply.type === 'REJECT') {
    if (reply) await io.send(reply);
    return undefined;
  }
  const msg2 = hs.writeMessage(encodeAcceptPayload(core.id, core.capabilities));
  await io.send({ type: 'ACCEPT', sessionId: core.id, timestamp: clock.now(), payload: { kind: 'handshake', value: { message: msg2 } } });
  if (!hs.isComplete) {
    readStage(hs, handshakeOf(await io.next('AUTH'), 'AUTH', 3).message, 3);
    try {
      peerStaticKey = await verify(options, hs, clientCaps, 3);
    } catch (e) {
      // The client already holds transport keys: tell it why with an authenticated CLOSE.
      const { send, receive } = hs.split();
      const channel = new SecureChannel(send, receive, clock, options);
      const close = core.close('ERROR', (e as Error).message);
      if (close) await io.send(sealControlMessage(channel, close)).catch(() => undefined);
      channel.dispose();
      throw e;
    }
  }
  const { send, receive } = hs.split();
  return { channel: new SecureChannel(send, receive, clock, options), peerStaticKey, handshakeHash: hs.handshakeHash.slice() };
}

/** The organisation's shared psk from the reference's key hierarchy (`m2m/v1/{org}/shared`). */
export function organizationPsk(hierarchy: { deriveSharedKey(): KeyMaterial }): Uint8Array {
  const k = hierarchy.deriveSharedKey();
  const out = k.bytes.slice(0, 32);
  k.dispose();
  if (out.length !== 32) throw new M2MError('Config', { reason: 'the shared key must be at least 32 bytes' });
  return out;
}
