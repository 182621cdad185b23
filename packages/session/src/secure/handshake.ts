/**
 * The encrypted-session handshake: Noise inside HELLO, ACCEPT and (for three-message patterns)
 * AUTH. HELLO's Noise payload is the client's capabilities; ACCEPT's is the session id and the
 * server's capabilities (encrypted whenever the pattern has a key by then). Both payloads are
 * hashed into the handshake, so a change to either on the way fails the handshake: nobody in
 * the middle can downgrade algorithms or security. REJECT stays plaintext.
 * @module
 */
import { checkArg, CryptoError, isCryptoError, isSdkError, M2MError, toHex, utf8Encode } from '@m2m/core/internal';
import type { RejectionCode } from '@m2m/core';
import { constantTimeEqual, handshakePattern, HandshakeState, KeyMaterial, noiseKeyPair, type HandshakePattern, type NoiseKeyPair } from '@m2m/crypto';
import type { Clock } from '../clock.js';
import { decodeAcceptPayload, decodeCapabilities, encodeAcceptPayload, encodeCapabilities } from '../codec/binary-codec.js';
import type { Capabilities, Message } from '../message.js';
import { slabOfCore, type SessionCore } from '../session-core.js';
import { useSlab } from '#slab';
import { SecureChannel, type ChannelOptions } from './secure-channel.js';
import { TAKEN } from '../transport/types.js';
import { openControlMessage, sealControlMessage } from './control.js';
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
  /**
   * Accepts or refuses the peer once its static key is known (`allowKeys`, `knownKeys`, a
   * callback). A client must verify the server: with this, a pinned `remoteStaticKey`, or a psk.
   */
  verifyPeer?: PeerVerifier;
  /**
   * Client only: connect without verifying who the server is. Without verification an active
   * man in the middle can read and change everything, so this must be chosen by name.
   */
  insecureSkipPeerVerification?: boolean;
}

/** What the handshake established. */
export interface SecureResult {
  /** Cipher states for the transport phase: seals and opens DATA and control frames. */
  channel: SecureChannel;
  /** The peer's static key, when the pattern transmits or pre-shares one. */
  peerStaticKey?: Uint8Array;
  /** Noise's handshake hash (a channel binding). */
  handshakeHash: Uint8Array;
}

/**
 * This side's Noise payload (HELLO's capabilities, or with `sessionId` ACCEPT's `[session_id,
 * capabilities]`) encoded into the session's slab: a carved view instead of an array of its own
 * (over 64 bytes V8 gives one its own backing store, 1-3 µs to make and collect). Noise copies it
 * into its message at once, and the caller wipes it then ({@link written}), so no plaintext stays
 * beside the wire bytes carved after it.
 */
function payloadOf(core: SessionCore, sessionId?: string): Uint8Array {
  const previous = useSlab(slabOfCore(core));
  try {
    return sessionId === undefined ? encodeCapabilities(core.capabilities) : encodeAcceptPayload(sessionId, core.capabilities);
  } finally {
    useSlab(previous);
  }
}

/**
 * WriteMessage(payload) into a message carved from the core's own slab (SessionCore.allocate),
 * wiping the payload (from {@link payloadOf}) whether it succeeds or not.
 */
function written(hs: HandshakeState, payload: Uint8Array, core: SessionCore): Uint8Array {
  try {
    return hs.writeMessage(payload, core);
  } finally {
    payload.fill(0);
  }
}

/** Message exchange the handshake runs on. */
export interface HandshakeIo {
  send(m: Message): Promise<void>;
  next(stage: string): Promise<Message>;
}

const PROLOGUE = utf8Encode('M2M-session/1');

// Handshake messages are sent as `sent = io.send(…); if (sent !== TAKEN) await sent;`: a send
// the transport already took returns its shared resolved promise, and not awaiting it spares
// the async function a suspension and a microtask turn.
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
  return noiseKeyPair(k.exportSecret(), k.publicKey);
}

/** Wipes the copy of the static secret {@link staticPair} exported for one handshake (not the caller's own pair). */
function wipeCopy(options: SecureOptions, pair: NoiseKeyPair | undefined): void {
  if (pair && pair !== options.staticKey) pair.secret.fill(0);
}

/** True when the given side has a static key the other side learns (pre-message or transmitted). */
function hasStatic(p: HandshakePattern, side: 'initiator' | 'responder'): boolean {
  const pre = side === 'initiator' ? p.initiatorPre : p.responderPre;
  return pre.includes('s') || p.messages.some((tokens, i) => (i % 2 === 0) === (side === 'initiator') && tokens.includes('s'));
}

/** Which sides of a pattern have a static key the other learns. */
interface Statics {
  pattern: HandshakePattern;
  initiator: boolean;
  responder: boolean;
}
// By pattern name as given in the options: every handshake checks its settings, and the name
// parse and token scans are the same each time. Only valid names are kept, at most 256.
const staticsByName = new Map<string, Statics>();

/** Which sides of the pattern named `name` have a static key the other learns; `undefined` for an unknown pattern. */
export function staticsOf(name: string): Statics | undefined {
  const hit = staticsByName.get(name);
  if (hit) return hit;
  const pattern = handshakePattern(name.replace(/^Noise_|_25519_ChaChaPoly_SHA256$/g, ''));
  if (!pattern) return undefined;
  const statics = { pattern, initiator: hasStatic(pattern, 'initiator'), responder: hasStatic(pattern, 'responder') };
  if (staticsByName.size < 256) staticsByName.set(name, statics);
  return statics;
}

/**
 * Checks that an encrypted session's settings verify the peer (secure by default): a client
 * needs `verifyPeer`, a pinned `remoteStaticKey` (any pattern in which the server has a static
 * key), or a psk, unless it sets `insecureSkipPeerVerification: true`. On either side a
 * `verifyPeer` or pinned key is refused when the pattern never reveals the peer's static key
 * (it would silently check nothing). Servers accept any client by default.
 * @throws M2MError of kind Config naming what is missing; CryptoError (Handshake) for an unknown pattern.
 */
export function checkPeerVerification(options: SecureOptions, role: 'client' | 'server'): void {
  const name = options.pattern ?? 'XX';
  const statics = staticsOf(name);
  if (!statics) throw handshakeFailure('Failed', 1, `unsupported protocol ${name}`);
  const pattern = statics.pattern;
  const peerHasStatic = role === 'client' ? statics.responder : statics.initiator;
  if ((options.verifyPeer || options.remoteStaticKey) && !peerHasStatic) {
    throw new M2MError('Config', { reason: `${name}: the ${role === 'client' ? 'server' : 'client'} has no static key in this pattern, so verifyPeer / remoteStaticKey would check nothing (use XX, IK, KK${role === 'client' ? ' or NK' : ''})` });
  }
  if (role === 'server' || options.insecureSkipPeerVerification === true) return;
  const psk = options.psk !== undefined && pattern.messages.some((m) => m.includes('psk'));
  if (!options.verifyPeer && !options.remoteStaticKey && !psk) {
    throw new M2MError('Config', {
      reason: 'an encrypted connection must verify the server: pass secure.verifyPeer (allowKeys([serverKey.publicKey]), knownKeys, a callback), a pinned secure.remoteStaticKey, or a psk; secure.insecureSkipPeerVerification: true connects unverified (an active man in the middle can then read everything)',
    });
  }
}

function newHandshake(options: SecureOptions, initiator: boolean, s: NoiseKeyPair | undefined): HandshakeState {
  const psk = options.psk instanceof KeyMaterial ? options.psk.bytes.slice() : options.psk;
  try {
    return new HandshakeState({
      protocol: options.pattern ?? 'XX',
      initiator,
      prologue: PROLOGUE,
      s,
      rs: options.remoteStaticKey,
      psks: psk ? [psk] : [],
    });
  } catch (e) {
    throw restage(e, 1);
  }
}

/**
 * Checks the peer's static key against the pinned key and the `verifyPeer` hook. Returns a
 * promise only when there is a hook to wait for: without one, the handshake goes on without a
 * promise hop (the callers `await` only a promise).
 * @throws CryptoError (Handshake/PeerRefused).
 */
function verify(options: SecureOptions, hs: HandshakeState, caps: Capabilities, message: number): Uint8Array | undefined | Promise<Uint8Array | undefined> {
  const staticKey = hs.rs;
  if (!staticKey) return undefined;
  // A pinned key also holds where the pattern transmits the key (XX): it must be the one received.
  if (options.remoteStaticKey && !constantTimeEqual(options.remoteStaticKey, staticKey)) throw handshakeFailure('PeerRefused', message, `peer static key is not the pinned key (got ${keyPrint(staticKey)})`);
  return options.verifyPeer ? askVerifier(options.verifyPeer, staticKey, caps, message) : staticKey;
}

async function askVerifier(verifyPeer: PeerVerifier, staticKey: Uint8Array, caps: Capabilities, message: number): Promise<Uint8Array> {
  const identity: PeerIdentity = { staticKey, agentId: caps.agentId, capabilities: caps };
  let ok = false;
  try {
    ok = await verifyPeer(identity);
  } catch (e) {
    throw handshakeFailure('PeerRefused', message, 'the identity hook failed', e);
  }
  if (!ok) throw handshakeFailure('PeerRefused', message, `peer static key not allowed (${keyPrint(staticKey)})`);
  return staticKey;
}

/**
 * The start of a refused peer's public key, as `m2m serve` prints keys: enough for a user to see
 * which key arrived (often a server restarted with a new key) against the one they pinned.
 */
const keyPrint = (publicKey: Uint8Array): string => `${toHex(publicKey.subarray(0, 8))}…`;

function handshakeOf(m: Message, type: Message['type'], n: number): { protocol?: string; message: Uint8Array } {
  if (m.type !== type) throw handshakeFailure('UnexpectedMessage', n, `expected ${type}, got ${m.type}`);
  if (m.payload?.kind !== 'handshake') throw handshakeFailure('Malformed', n, `${type} carries no handshake message`);
  return m.payload.value;
}

/**
 * Client side: HELLO → ACCEPT → AUTH (Noise message 3, or the key confirmation of a
 * two-message pattern). Feeds the negotiated capabilities to `core`.
 * @throws M2MError (Config) before sending anything when the server would go unverified (see
 *   {@link checkPeerVerification}); CryptoError (Handshake, with stage and reason) or M2MError
 *   (Rejected, Timeout…).
 */
export async function clientHandshake(io: HandshakeIo, core: SessionCore, options: SecureOptions, clock: Clock): Promise<SecureResult> {
  checkPeerVerification(options, 'client');
  // A KeyPair's secret is exported for Noise; the copy is wiped once the handshake is over.
  const own = staticPair(options.staticKey);
  try {
    const hs = newHandshake(options, true, own);
    core.createHello();
    const msg1 = written(hs, payloadOf(core), core);
    const sent = io.send({ type: 'HELLO', timestamp: clock.now(), payload: { kind: 'handshake', value: { protocol: hs.protocolName, message: msg1 } } });
    if (sent !== TAKEN) await sent;
    const reply = await io.next('ACCEPT');
    if (reply.type === 'REJECT') {
      core.receive(reply); // throws Rejected
    }
    const accepted = decodeAcceptPayload(readStage(hs, handshakeOf(reply, 'ACCEPT', 2).message, 2));
    if (!accepted) throw handshakeFailure('Malformed', 2, 'ACCEPT payload is not [session id, capabilities]');
    // The session id inside the Noise payload is authenticated; the one outside must agree.
    if (reply.sessionId !== accepted.sessionId) throw handshakeFailure('Malformed', 2, 'ACCEPT session id differs from the authenticated one');
    const serverCaps = accepted.capabilities;
    const verified = verify(options, hs, serverCaps, 2);
    const peerStaticKey = verified instanceof Promise ? await verified : verified;
    try {
      core.receive({ type: 'ACCEPT', sessionId: accepted.sessionId, timestamp: reply.timestamp, payload: { kind: 'capabilities', value: serverCaps } });
    } catch (e) {
      throw isSdkError(e) ? e : restage(e, 2);
    }
    if (!hs.isComplete) {
      const msg3 = hs.writeMessage(undefined, core);
      const sentAuth = io.send({ type: 'AUTH', sessionId: core.id, timestamp: clock.now(), payload: { kind: 'handshake', value: { message: msg3 } } });
      if (sentAuth !== TAKEN) await sentAuth;
    }
    const channel = channelOf(hs, clock, options);
    if (needsConfirmation(hs)) {
      // Two-message patterns: prove to the server that a live client holds the keys (a replayed
      // HELLO cannot), with the first frame under the client's transport key.
      await io.send(sealControlMessage(channel, { type: 'AUTH', sessionId: core.id, timestamp: clock.now(), payload: { kind: 'empty' } }));
    }
    return { channel, peerStaticKey, handshakeHash: hs.handshakeHash };
  } finally {
    wipeCopy(options, own);
  }
}

/**
 * The transport channel from Split. The channel keeps its own copies of the two keys; the split
 * CipherStates are wiped at once rather than left to the garbage collector with the keys in them.
 * @throws M2MError of kind Config for channel settings out of range.
 */
function channelOf(hs: HandshakeState, clock: Clock, options: SecureOptions): SecureChannel {
  const { send, receive } = hs.split();
  try {
    return new SecureChannel(send, receive, clock, options);
  } finally {
    send.dispose();
    receive.dispose();
  }
}

/** Patterns whose last handshake message comes from the server need a key confirmation from the client. */
function needsConfirmation(hs: HandshakeState): boolean {
  return hs.pattern.messages.length % 2 === 0;
}

/** A server's early verdict (limits). */
export type EarlyDecision = { code: RejectionCode; message: string; retryAfterMs?: number } | undefined;

/** Sends a plaintext REJECT during the handshake; resolves with `undefined` (no session). */
async function sendReject(io: HandshakeIo, core: SessionCore, code: RejectionCode, message: string, retryAfterMs?: number): Promise<undefined> {
  await io.send(core.reject(code, message, retryAfterMs));
  return undefined;
}

/**
 * Server side, after the HELLO arrived: ACCEPT ← AUTH, or a plaintext REJECT. Resolves only
 * once a live client has proven it holds the keys (Noise message 3, or the key confirmation).
 * @returns the result, or `undefined` after sending REJECT.
 * @throws CryptoError (Handshake) for a failed handshake; the caller closes the transport.
 */
export async function serverHandshake(io: HandshakeIo, core: SessionCore, options: SecureOptions, clock: Clock, hello: Message, early: EarlyDecision): Promise<SecureResult | undefined> {
  checkPeerVerification(options, 'server');
  const own = staticPair(options.staticKey);
  try {
    const hs = newHandshake(options, false, own);
    if (hello.type !== 'HELLO') throw handshakeFailure('UnexpectedMessage', 1, `expected HELLO, got ${hello.type}`);
    if (hello.payload?.kind !== 'handshake' || hello.payload.value.protocol !== hs.protocolName) {
      const offered = hello.payload?.kind === 'handshake' ? (hello.payload.value.protocol ?? 'no protocol') : 'a plaintext session';
      return sendReject(io, core, 'SECURITY_POLICY', `this server requires an encrypted session with ${hs.protocolName}, not ${offered}`);
    }
    if (early) return sendReject(io, core, early.code, early.message, early.retryAfterMs);
    const clientCaps = decodeCapabilities(readStage(hs, hello.payload.value.message, 1));
    let peerStaticKey: Uint8Array | undefined;
    try {
      const verified = verify(options, hs, clientCaps, 1);
      peerStaticKey = verified instanceof Promise ? await verified : verified;
    } catch (e) {
      // Without the refused key's print (keyPrint): message 1 encrypts the key (test/attack-reject-text.test.ts).
      await sendReject(io, core, 'SECURITY_POLICY', (e as Error).message.replace(/[\da-f]{16}/, ''));
      throw e;
    }
    const { reply } = core.receive({ type: 'HELLO', timestamp: hello.timestamp, payload: { kind: 'capabilities', value: clientCaps } });
    if (!reply || reply.type === 'REJECT') {
      if (reply) await io.send(reply);
      return undefined;
    }
    const msg2 = written(hs, payloadOf(core, core.id), core);
    const sent = io.send({ type: 'ACCEPT', sessionId: core.id, timestamp: clock.now(), payload: { kind: 'handshake', value: { message: msg2 } } });
    if (sent !== TAKEN) await sent;
    if (hs.isComplete) return confirmClient(io, core, hs, options, clock, peerStaticKey);
    // Three-message patterns (XX): message 3 is written with keys from the server's fresh
    // ephemeral key, so it already proves a live client.
    const auth = await io.next('AUTH');
    try {
      readStage(hs, handshakeOf(auth, 'AUTH', 3).message, 3);
      if (auth.sessionId !== core.id) throw handshakeFailure('Malformed', 3, 'AUTH carries another session id');
      const verified = verify(options, hs, clientCaps, 3);
      peerStaticKey = verified instanceof Promise ? await verified : verified;
    } catch (e) {
      // The client holds transport keys already, but maybe not ours (a wrong psk): a plaintext
      // REJECT is what it can read, ending its session with REJECTED (session-core.ts). Without
      // the key print: message 3 encrypts the client's key (test/attack-reject-text.test.ts).
      await sendReject(io, core, 'SECURITY_POLICY', (e as Error).message.replace(/[\da-f]{16}/, '')).catch(() => undefined);
      throw e;
    }
    return { channel: channelOf(hs, clock, options), peerStaticKey, handshakeHash: hs.handshakeHash };
  } finally {
    wipeCopy(options, own);
  }
}

/**
 * Two-message patterns: the server admits the session only once the client's AUTH key
 * confirmation opens under the client's transport key (a sealed control frame, counter 0).
 * A replayed or edited HELLO has no live client behind it, so it ends here (or at the deadline).
 * @throws CryptoError (Handshake) at message 3 (AUTH).
 */
async function confirmClient(io: HandshakeIo, core: SessionCore, hs: HandshakeState, options: SecureOptions, clock: Clock, peerStaticKey: Uint8Array | undefined): Promise<SecureResult> {
  const channel = channelOf(hs, clock, options);
  try {
    const auth = await io.next('AUTH');
    if (auth.type !== 'AUTH') throw handshakeFailure('UnexpectedMessage', 3, `expected AUTH, got ${auth.type}`);
    if (auth.sessionId !== core.id) throw handshakeFailure('Malformed', 3, 'AUTH carries another session id');
    try {
      openControlMessage(channel, auth);
    } catch (e) {
      throw handshakeFailure('DecryptionFailed', 3, 'the key confirmation did not authenticate', e);
    }
  } catch (e) {
    channel.dispose();
    throw e;
  }
  return { channel, peerStaticKey, handshakeHash: hs.handshakeHash };
}

/**
 * The organisation's shared psk from the reference's key hierarchy (`m2m/v1/{org}/shared`).
 * @throws M2MError (Config) when `hierarchy` is not a key hierarchy or the derived key is shorter than 32 bytes.
 */
export function organizationPsk(hierarchy: { deriveSharedKey(): KeyMaterial }): Uint8Array {
  checkArg(hierarchy?.deriveSharedKey, 'organizationPsk', 'a KeyHierarchy', hierarchy);
  const k = hierarchy.deriveSharedKey();
  const out = k.bytes.slice(0, 32);
  k.dispose();
  if (out.length !== 32) throw new M2MError('Config', { reason: 'the shared key must be at least 32 bytes' });
  return out;
}
