/**
 * The transport phase of an encrypted session: one key per direction (Noise Split), frames
 * sealed as M2M v1 AEAD frames whose 12-byte nonce carries the message counter, replay
 * protection, rekeying (Noise Rekey, §11.3) and a hard stop before the counter runs out.
 *
 * Nonce layout: byte 0 = kind (0 DATA, 1 control message), bytes 1–3 = key epoch (u24 LE),
 * bytes 4–11 = counter (u64 LE). One counter per direction covers both kinds, so control
 * messages (PING, PONG, CLOSE) are ordered and replay-checked with the data.
 * @module
 */
import { CryptoError, M2MError } from '@m2m/core/internal';
import type { AeadFrameProtection, AeadSealedFrame } from '@m2m/core';
import { chacha20poly1305Open, CipherState } from '@m2m/crypto';
import { sealParts, transportSealInPlace } from '@m2m/crypto/internal';
import type { Clock } from '../clock.js';
import { ReplayWindow } from './replay-window.js';
import { keptPlaintext } from '#platform';

/** Kinds carried in the nonce's first byte. */
const KIND_DATA = 0;
const KIND_CONTROL = 1;
const EMPTY = new Uint8Array(0);
/** A nonce may move the receiver at most this many epochs ahead. */
const MAX_EPOCH_JUMP = 8;

/** Transport-phase settings. */
export interface ChannelOptions {
  /** Rekey the sending key after this many messages (default 2^20). */
  rekeyAfterMessages?: number;
  /** …or after this long, in ms (default 1 hour). */
  rekeyAfterMs?: number;
  /** Reordering tolerated on receive: 0 = strict order (default; all SDK transports are ordered). */
  replayWindow?: number;
  /** Hard stop: no message is sent or accepted past this counter (default 2^48). */
  maxMessages?: number;
}

function rekeyed(k: Uint8Array): Uint8Array {
  const cs = new CipherState(k);
  cs.rekey();
  return cs.k!;
}

/** `n` (< 2^32) little-endian at `at` (byte writes: no DataView per frame). */
function putU32le(out: Uint8Array, at: number, n: number): void {
  out[at] = n & 0xff;
  out[at + 1] = (n >>> 8) & 0xff;
  out[at + 2] = (n >>> 16) & 0xff;
  out[at + 3] = (n >>> 24) & 0xff;
}

const u32le = (b: Uint8Array, at: number): number => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

function nonceOf(kind: number, epoch: number, counter: number): Uint8Array {
  return writeNonce(new Uint8Array(12), kind, epoch, counter);
}

function writeNonce(n: Uint8Array, kind: number, epoch: number, counter: number): Uint8Array {
  n[0] = kind;
  n[1] = epoch & 0xff;
  n[2] = (epoch >>> 8) & 0xff;
  n[3] = (epoch >>> 16) & 0xff;
  putU32le(n, 4, counter % 2 ** 32);
  putU32le(n, 8, Math.floor(counter / 2 ** 32));
  return n;
}

/** @throws M2MError of kind Config unless `v` is a positive safe integer. */
function positive(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 1) throw new M2MError('Config', { reason: `${name} must be a positive integer` });
}

/** The channel's sealing and opening for one nonce kind, set by {@link SecureChannel}'s static block. */
interface ChannelAccess {
  seal(c: SecureChannel, kind: number, aad: Uint8Array, plaintext: Uint8Array): AeadSealedFrame;
  open(c: SecureChannel, kind: number, aad: Uint8Array, sealed: Uint8Array): Uint8Array;
  sealInPlace(c: SecureChannel, kind: number, aad: Uint8Array, data: Uint8Array, nonce: Uint8Array, tag: Uint8Array): void;
  openTransient(c: SecureChannel, kind: number, aad: Uint8Array, sealed: Uint8Array): Uint8Array;
}
let channelAccess: ChannelAccess;

/**
 * A {@link SecureChannel}'s frame protection for one nonce kind (DATA or control). A class
 * rather than an object of four closures per kind: a handshake made eight such closures per side,
 * and per-handshake allocation is what the session's garbage collection pays for
 * (docs/ARCHITECTURE.md, Performance notes).
 */
class KindProtection implements AeadFrameProtection {
  readonly mode = 'aead' as const;
  readonly #channel: SecureChannel;
  readonly #kind: number;
  constructor(channel: SecureChannel, kind: number) {
    this.#channel = channel;
    this.#kind = kind;
  }
  seal(aad: Uint8Array, plaintext: Uint8Array): AeadSealedFrame {
    return channelAccess.seal(this.#channel, this.#kind, aad, plaintext);
  }
  open(aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    return channelAccess.open(this.#channel, this.#kind, aad, sealed);
  }
  sealInPlace(aad: Uint8Array, data: Uint8Array, nonce: Uint8Array, tag: Uint8Array): void {
    channelAccess.sealInPlace(this.#channel, this.#kind, aad, data, nonce, tag);
  }
  openTransient(aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    return channelAccess.openTransient(this.#channel, this.#kind, aad, sealed);
  }
  /** Never shows key material. */
  toJSON(): string {
    return `FrameProtection(aead, ${this.#kind === KIND_DATA ? 'data' : 'control'})`;
  }
}

/** Both directions of an established encrypted session. */
export class SecureChannel {
  #sendKey: Uint8Array;
  #sendEpoch = 0;
  #sendCounter = 0;
  #sinceRekey = 0;
  #lastRekey: number;
  #recvKey: Uint8Array;
  #prevRecvKey: Uint8Array | undefined;
  #recvEpoch = 0;
  #window: ReplayWindow;
  #clock: Clock;
  #rekeyAfterMessages: number;
  #rekeyAfterMs: number;
  #maxMessages: number;
  /** Plaintexts opened by `data.openTransient`/`control.openTransient` (Node: secure/kept-plaintext.ts): this channel's only, wiped by the reader. */
  readonly #kept = keptPlaintext();
  readonly #recvNonce = new Uint8Array(12);

  /** @throws M2MError of kind Config for settings out of range. */
  constructor(send: CipherState, receive: CipherState, clock: Clock, options: ChannelOptions = {}) {
    if (!send.k || !receive.k) throw new CryptoError('Handshake', 'Failed', { stage: 'Split', message: 0, detail: 'transport keys missing' });
    this.#sendKey = send.k.slice();
    this.#recvKey = receive.k.slice();
    this.#clock = clock;
    this.#lastRekey = clock.now();
    this.#window = new ReplayWindow(options.replayWindow ?? 0);
    this.#rekeyAfterMessages = options.rekeyAfterMessages ?? 2 ** 20;
    this.#rekeyAfterMs = options.rekeyAfterMs ?? 3_600_000;
    this.#maxMessages = options.maxMessages ?? 2 ** 48;
    positive('rekeyAfterMessages', this.#rekeyAfterMessages);
    positive('rekeyAfterMs', this.#rekeyAfterMs);
    positive('maxMessages', this.#maxMessages);
  }

  /** Sending key epoch (how many times it was rekeyed). */
  get sendEpoch(): number {
    return this.#sendEpoch;
  }
  /** Receiving key epoch. */
  get receiveEpoch(): number {
    return this.#recvEpoch;
  }
  /** Messages sent so far. */
  get sent(): number {
    return this.#sendCounter;
  }

  #nextNonce(kind: number): Uint8Array {
    return nonceOf(kind, this.#sendEpoch, this.#nextCounter());
  }

  /** Counts a message to send (rekeying first when due). @throws CryptoError (Nonce/Exhausted) past the hard stop. */
  #nextCounter(): number {
    if (this.#sendCounter >= this.#maxMessages) {
      throw new CryptoError('Nonce', 'Exhausted', { detail: `session reached its limit of ${this.#maxMessages} messages; open a new session` });
    }
    if (this.#sinceRekey >= this.#rekeyAfterMessages || this.#clock.now() - this.#lastRekey >= this.#rekeyAfterMs) {
      this.#sendKey = rekeyed(this.#sendKey);
      this.#sendEpoch++;
      this.#sinceRekey = 0;
      this.#lastRekey = this.#clock.now();
    }
    this.#sinceRekey++;
    return this.#sendCounter++;
  }

  /** Seals `data` in place under the next nonce, written into `nonce` (the frame's own bytes). */
  #sealInPlace(kind: number, aad: Uint8Array, data: Uint8Array, nonce: Uint8Array, tag: Uint8Array): void {
    if (nonce.length !== 12) throw new CryptoError('Aead', 'EncryptionFailed', { detail: 'nonce must be 12 bytes' });
    const counter = this.#nextCounter();
    writeNonce(nonce, kind, this.#sendEpoch, counter);
    transportSealInPlace(this.#sendKey, nonce, data, aad, tag);
  }

  /**
   * {@link SecureChannel.#open} into the channel's reused plaintext buffer where it has one and
   * the plaintext fits (secure/kept-plaintext.ts, Node); else into an array of its own.
   */
  #openTransient(kind: number, aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    return this.#open(kind, aad, sealed, true);
  }

  /** Opens into the reused plaintext buffer when `transient` and the channel has one that fits, else into a fresh array. */
  #open(kind: number, aad: Uint8Array, sealed: Uint8Array, transient = false): Uint8Array {
    if (sealed.length < 28) throw new CryptoError('Aead', 'DataTooShort');
    // The nonce copied into the channel's own 12 bytes: cheaper than a view per frame.
    const nonce = this.#recvNonce;
    for (let i = 0; i < 12; i++) nonce[i] = sealed[i];
    if (nonce[0] !== kind) throw new CryptoError('Aead', 'DecryptionFailed', { detail: 'frame of the wrong kind for this message' });
    const epoch = nonce[1] | (nonce[2] << 8) | (nonce[3] << 16);
    const counter = u32le(nonce, 4) + u32le(nonce, 8) * 2 ** 32;
    if (counter >= this.#maxMessages) throw new M2MError('ReplayDetected', { counter });
    this.#window.check(counter);
    let key: Uint8Array;
    if (epoch === this.#recvEpoch) key = this.#recvKey;
    else if (epoch === this.#recvEpoch - 1 && this.#prevRecvKey) key = this.#prevRecvKey;
    else if (epoch > this.#recvEpoch && epoch - this.#recvEpoch <= MAX_EPOCH_JUMP) {
      key = this.#recvKey;
      for (let e = this.#recvEpoch; e < epoch; e++) key = rekeyed(key);
    } else throw new CryptoError('Aead', 'DecryptionFailed', { detail: `key epoch ${epoch} is not usable (current ${this.#recvEpoch})` });
    const ciphertext = sealed.subarray(12);
    const plain = (transient ? this.#kept?.open(key, nonce, ciphertext, aad) : undefined) ?? chacha20poly1305Open(key, nonce, ciphertext, aad);
    // Authenticated: only now does the frame move any state.
    if (epoch > this.#recvEpoch) {
      this.#prevRecvKey = this.#recvKey;
      this.#recvKey = key;
      this.#recvEpoch = epoch;
    }
    this.#window.commit(counter);
    return plain;
  }

  static {
    // KindProtection reaches the channel's private methods through these (one object per kind
    // and channel, no closures: see KindProtection).
    channelAccess = {
      seal: (c, kind, aad, plaintext) => {
        const nonce = c.#nextNonce(kind);
        const { ciphertext, tag } = sealParts(c.#sendKey, nonce, plaintext, aad);
        return { nonce, ciphertext, tag };
      },
      open: (c, kind, aad, sealed) => c.#open(kind, aad, sealed),
      sealInPlace: (c, kind, aad, data, nonce, tag) => c.#sealInPlace(kind, aad, data, nonce, tag),
      openTransient: (c, kind, aad, sealed) => c.#openTransient(kind, aad, sealed),
    };
  }

  /** Frame protection for DATA: pass to `encodeFrame`/`decodeFrame` (or the session core). */
  readonly data: AeadFrameProtection = new KindProtection(this, KIND_DATA);
  /** Frame protection for sealed control messages (PING, PONG, CLOSE). */
  readonly control: AeadFrameProtection = new KindProtection(this, KIND_CONTROL);

  /**
   * Seals a control message's payload (PING, PONG, CLOSE, AUTH; docs/PROTOCOL.md §7.3) without an
   * M2M frame around it: returns `nonce ‖ ciphertext ‖ tag` under the control kind, with `binding`
   * (see `messageBinding`) as the associated data, so the carrying message's fields are
   * authenticated too.
   * @throws CryptoError (Nonce/Exhausted) past the hard stop.
   */
  sealControl(plaintext: Uint8Array, binding: Uint8Array = EMPTY): Uint8Array {
    const { nonce, ciphertext, tag } = this.control.seal(binding, plaintext);
    const out = new Uint8Array(nonce.length + ciphertext.length + tag.length);
    out.set(nonce, 0);
    out.set(ciphertext, nonce.length);
    out.set(tag, nonce.length + ciphertext.length);
    return out;
  }

  /**
   * Opens what {@link SecureChannel.sealControl} sealed with the same `binding`.
   * @throws M2MError: ReplayDetected; CryptoError (Aead): forged, of the wrong kind, too short,
   *   or a changed binding.
   */
  openControl(sealed: Uint8Array, binding: Uint8Array = EMPTY): Uint8Array {
    return this.control.open(binding, sealed);
  }

  /** Never shows the keys (JSON logs). */
  toJSON(): string {
    return `SecureChannel(send epoch ${this.#sendEpoch}, ${this.#sendCounter} sent; receive epoch ${this.#recvEpoch}; keys [REDACTED])`;
  }
  /** Never shows the keys (console.log, util.inspect). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toJSON();
  }

  /** Overwrites the keys. */
  dispose(): void {
    this.#sendKey.fill(0);
    this.#recvKey.fill(0);
    this.#prevRecvKey?.fill(0);
    this.#kept?.wipe();
  }
}
