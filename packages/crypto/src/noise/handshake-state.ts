/**
 * Noise HandshakeState (revision 34, §5.3) for Noise_*_25519_ChaChaPoly_SHA256, any pattern of
 * {@link handshakePattern}, with psk modifiers and injectable ephemeral keys for tests.
 * @module
 */
import { CryptoError, isBytes, isCryptoError, unsharedBytes } from '@m2m/core/internal';
import { generateRawKeyPair, x25519SharedSecretInto } from '../x25519.js';
import { handshakePattern, type HandshakePattern, type Token } from './patterns.js';
import { CipherState, SymmetricState } from './cipher-state.js';
import { messageBytes, mixPrologue } from '#noise-speed';

const DHLEN = 32;
const EMPTY = new Uint8Array(0);

/** A Diffie-Hellman key pair as Noise uses it. */
export interface NoiseKeyPair {
  /** The 32-byte X25519 private key. */
  secret: Uint8Array;
  /** The 32-byte X25519 public key. */
  publicKey: Uint8Array;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The shape {@link noiseKeyPair} returns: the secret behind a getter, printed as the public key only. */
class RedactedNoiseKeyPair implements NoiseKeyPair {
  readonly #secret: Uint8Array;
  readonly publicKey: Uint8Array;
  constructor(secret: Uint8Array, publicKey: Uint8Array) {
    this.#secret = secret;
    this.publicKey = publicKey;
  }
  get secret(): Uint8Array {
    return this.#secret;
  }
  toJSON(): string {
    return `NoiseKeyPair(public ${Array.from(this.publicKey.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('')}…, secret [REDACTED])`;
  }
  [INSPECT](): string {
    return this.toJSON();
  }
}

/**
 * A {@link NoiseKeyPair} whose `secret` is readable but not an own enumerable property, and
 * which prints as its public key only (`util.inspect`, `JSON.stringify`, object spreads never
 * show the secret). A class with a private field: a handshake makes one per ephemeral key, and
 * this costs far less than defining properties on a plain object.
 */
export function noiseKeyPair(secret: Uint8Array, publicKey: Uint8Array): NoiseKeyPair {
  return new RedactedNoiseKeyPair(secret, publicKey);
}

/** A fresh X25519 key pair in the shape Noise uses (the secret is not enumerable, see {@link noiseKeyPair}). */
export function generateNoiseKeyPair(): NoiseKeyPair {
  const { secret, publicKey } = generateRawKeyPair();
  return noiseKeyPair(secret, publicKey);
}

/**
 * Where each DH result lands: it is mixed into the chaining key at once and wiped (the calls are
 * synchronous), so no handshake allocates one per DH.
 */
const dhScratch = new Uint8Array(DHLEN);

/** Where a handshake message may be carved (`HandshakeState.writeMessage`'s second argument). */
export interface MessageAllocator {
  /** A zeroed array of exactly `n` bytes that only the allocator's owner can reach (not shared memory). */
  allocate(n: number): Uint8Array;
}

/** Options of {@link HandshakeState}. */
export interface HandshakeOptions {
  /** Full name (`Noise_XX_25519_ChaChaPoly_SHA256`) or just the pattern (`XX`, `IKpsk2`). */
  protocol: string;
  /** True for the side that sends the first handshake message. */
  initiator: boolean;
  /** Data both sides mix in before the first message (§6); the handshake fails unless both used the same. Default empty. */
  prologue?: Uint8Array;
  /** Local static key pair. */
  s?: NoiseKeyPair;
  /** Local ephemeral key pair (tests only; generated otherwise). */
  e?: NoiseKeyPair;
  /** Remote static public key, when known in advance. */
  rs?: Uint8Array;
  /** Remote ephemeral public key (pre-message patterns only). */
  re?: Uint8Array;
  /** Pre-shared keys, 32 bytes each, consumed in order by psk tokens. */
  psks?: Uint8Array[];
}

/** What a protocol name resolves to; the same for every handshake with it. */
interface ProtocolInfo {
  pattern: HandshakePattern;
  protocolName: string;
  usesPsk: boolean;
}
// Resolved protocol names (a session makes two handshakes per connection, each with the same
// name): the parse and the pattern scan are done once. Bounded as the pattern cache is.
const protocols = new Map<string, ProtocolInfo>();

function protocolInfo(protocol: string): ProtocolInfo | undefined {
  const hit = protocols.get(protocol);
  if (hit) return hit;
  const m = /^(?:Noise_)?([A-Za-z0-9+]+?)(?:_25519_ChaChaPoly_SHA256)?$/.exec(protocol);
  const pattern = m ? handshakePattern(m[1]) : undefined;
  if (!pattern) return undefined;
  const info = Object.freeze({ pattern, protocolName: `Noise_${pattern.name}_25519_ChaChaPoly_SHA256`, usesPsk: pattern.messages.some((msg) => msg.includes('psk')) });
  if (protocols.size < 256) protocols.set(protocol, info);
  return info;
}

function handshakeError(reason: 'Failed' | 'DecryptionFailed' | 'Malformed' | 'UnexpectedMessage', message: number, detail: string, cause?: unknown): CryptoError<'Handshake'> {
  return new CryptoError('Handshake', reason, { stage: `message ${message}`, message, detail }, cause === undefined ? undefined : { cause });
}

/**
 * Drives one side of a Noise handshake. The symmetric state (chaining key) and the local key
 * pairs are private: `util.inspect`, `JSON.stringify` and spreads show no key material.
 * @example
 * ```ts
 * const i = new HandshakeState({ protocol: 'XX', initiator: true, s: generateNoiseKeyPair() });
 * const r = new HandshakeState({ protocol: 'XX', initiator: false, s: generateNoiseKeyPair() });
 * r.readMessage(i.writeMessage());
 * i.readMessage(r.writeMessage());
 * r.readMessage(i.writeMessage());
 * const { send } = i.split(); // i's send key is r's receive key
 * ```
 */
export class HandshakeState {
  /** The handshake pattern in use (tokens of every message). */
  readonly pattern: HandshakePattern;
  /** The full Noise protocol name (`Noise_XX_25519_ChaChaPoly_SHA256`). */
  readonly protocolName: string;
  /** Whether this side sends the first message. */
  readonly initiator: boolean;
  readonly #ss: SymmetricState;
  #s: NoiseKeyPair | undefined;
  #e: NoiseKeyPair | undefined;
  /** The remote static public key (given, or learned during the handshake). */
  rs: Uint8Array | undefined;
  /** The remote ephemeral public key (given for pre-message patterns, or learned during the handshake). */
  re: Uint8Array | undefined;
  #psks: Uint8Array[];
  #index = 0;
  #split: [CipherState, CipherState] | undefined;
  /** Whether the pattern has psk tokens (then each `e` also feeds MixKey, §9.2). */
  readonly #usesPsk: boolean;

  /** @throws CryptoError (Handshake/Failed) for an unknown pattern or missing keys. */
  constructor(o: HandshakeOptions) {
    const info = protocolInfo(o.protocol);
    if (!info) throw handshakeError('Failed', 0, `unsupported protocol ${o.protocol}`);
    const pattern = info.pattern;
    this.pattern = pattern;
    this.protocolName = info.protocolName;
    this.initiator = o.initiator;
    this.#usesPsk = info.usesPsk;
    this.#ss = new SymmetricState(this.protocolName);
    mixPrologue(this.#ss, this.protocolName, o.prologue ?? EMPTY);
    this.#s = o.s;
    this.#e = o.e;
    this.rs = o.rs;
    this.re = o.re;
    this.#psks = o.psks?.length ? [...o.psks] : [];
    this.#preMessage(pattern.initiatorPre, this.initiator);
    this.#preMessage(pattern.responderPre, !this.initiator);
  }

  /** Hashes a pre-message's keys (§7.1). A method, not a closure made per handshake. */
  #preMessage(tokens: readonly Token[], local: boolean): void {
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      const key = t === 's' ? (local ? this.#s?.publicKey : this.rs) : local ? this.#e?.publicKey : this.re;
      if (!key) throw handshakeError('Failed', 0, `pre-message needs the ${local ? 'local' : 'remote'} ${t === 's' ? 'static' : 'ephemeral'} key`);
      this.#ss.mixHash(key);
      if (t === 'e' && this.#usesPsk) this.#ss.mixKey(key);
    }
  }


  /** True when it is this side's turn to write. */
  get isMyTurn(): boolean {
    return (this.#index % 2 === 0) === this.initiator;
  }

  /** True once every handshake message has been processed. */
  get isComplete(): boolean {
    return this.#index >= this.pattern.messages.length;
  }

  /** A copy of the handshake hash h (channel binding), final once complete. */
  get handshakeHash(): Uint8Array {
    return this.#ss.h;
  }

  /** Number of the next handshake message (1-based). */
  get messageNumber(): number {
    return this.#index + 1;
  }

  /** DH(a, b) into {@link dhScratch} (wiped by {@link HandshakeState.mixDh} once mixed). */
  private dh(a: NoiseKeyPair | undefined, b: Uint8Array | undefined, n: number, token: string): Uint8Array {
    if (!a || !b) throw handshakeError('Failed', n, `token ${token} needs a key this side does not have`);
    try {
      x25519SharedSecretInto(a.secret, b, dhScratch);
    } catch (e) {
      throw handshakeError('Failed', n, `key agreement for ${token} failed`, e);
    }
    return dhScratch;
  }

  private mixDh(token: Token, n: number): void {
    const init = this.initiator;
    let shared: Uint8Array;
    switch (token) {
      case 'ee':
        shared = this.dh(this.#e, this.re, n, token);
        break;
      case 'es':
        shared = init ? this.dh(this.#e, this.rs, n, token) : this.dh(this.#s, this.re, n, token);
        break;
      case 'se':
        shared = init ? this.dh(this.#s, this.re, n, token) : this.dh(this.#e, this.rs, n, token);
        break;
      case 'ss':
        shared = this.dh(this.#s, this.rs, n, token);
        break;
      default:
        return;
    }
    try {
      this.#ss.mixKey(shared);
    } finally {
      shared.fill(0);
    }
  }

  private psk(n: number): void {
    const psk = this.#psks.shift();
    if (!psk || psk.length !== 32) throw handshakeError('Failed', n, 'a 32-byte psk is required');
    this.#ss.mixKeyAndHash(psk);
  }

  /**
   * WriteMessage(payload): the next handshake message. On Node it is carved by `allocator` when
   * one is given (a session passes its own slab, so the message shares memory only with its
   * owner's bytes; `allocate(n)` must return a zeroed, unshared Uint8Array of exactly `n` bytes
   * that nobody else holds); otherwise, and always in browsers, it is an array of its own.
   * @throws CryptoError (Handshake/UnexpectedMessage) out of turn; (Handshake/Failed) when the allocator returns a wrong array.
   */
  writeMessage(payload: Uint8Array = EMPTY, allocator?: MessageAllocator): Uint8Array {
    const n = this.messageNumber;
    if (this.isComplete || !this.isMyTurn) throw handshakeError('UnexpectedMessage', n, 'not this side\'s turn to write');
    const tokens = this.pattern.messages[this.#index];
    // The whole message in one array: keys and payload are written (and encrypted) in place,
    // instead of a ciphertext, a tag and their join per token plus a final concatenation.
    const out = messageBytes(this.#messageLength(tokens, payload.length), allocator);
    try {
      this.#writeTokens(tokens, payload, out, n);
    } catch (e) {
      out.fill(0); // a payload copied in, not yet encrypted, must not stay in the owner's slab
      throw e;
    }
    this.#index++;
    return out;
  }

  /** Writes the message's fields into `out` (sized by {@link HandshakeState.#messageLength}). */
  #writeTokens(tokens: readonly Token[], payload: Uint8Array, out: Uint8Array, n: number): void {
    let pos = 0;
    // Indexed loops: a for-of here allocated an iterator result per token (heap sampling).
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t === 'e') {
        this.#e ??= generateNoiseKeyPair();
        const pub = this.#e.publicKey;
        out.set(pub, pos);
        pos += DHLEN;
        this.#ss.mixHash(pub);
        if (this.#usesPsk) this.#ss.mixKey(pub);
      } else if (t === 's') {
        if (!this.#s) throw handshakeError('Failed', n, 'a local static key is required');
        pos = this.#ss.encryptAndHashInto(this.#s.publicKey, out, pos);
      } else if (t === 'psk') this.psk(n);
      else this.mixDh(t, n);
    }
    pos = this.#ss.encryptAndHashInto(payload, out, pos);
    if (pos !== out.length) throw handshakeError('Failed', n, 'message length mismatch');
  }

  /**
   * The length of the next message with a payload of `payloadLength` bytes: a cipher key exists
   * once a DH or psk token (or, with psk patterns, an `e`) ran, and from then on encrypted
   * fields carry a 16-byte tag (§5.3 WriteMessage).
   */
  #messageLength(tokens: readonly Token[], payloadLength: number): number {
    let keyed = this.#ss.cipher.hasKey();
    let len = 0;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t === 'e') {
        len += DHLEN;
        if (this.#usesPsk) keyed = true;
      } else if (t === 's') len += keyed ? DHLEN + 16 : DHLEN;
      else keyed = true;
    }
    return len + payloadLength + (keyed ? 16 : 0);
  }

  /**
   * ReadMessage(message): processes the peer's handshake message and returns its payload.
   * @throws CryptoError (Handshake): Malformed (length), DecryptionFailed (tampered, wrong key or psk).
   */
  readMessage(message: Uint8Array): Uint8Array {
    const n = this.messageNumber;
    if (this.isComplete || this.isMyTurn) throw handshakeError('UnexpectedMessage', n, 'not this side\'s turn to read');
    // Shared memory is read from a private copy: keys, ciphertexts and what is hashed must be the same bytes.
    if (isBytes(message)) message = unsharedBytes(message);
    let pos = 0;
    const tokens = this.pattern.messages[this.#index];
    try {
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        if (t === 'e') {
          if (pos + DHLEN > message.length) throw handshakeError('Malformed', n, 'message too short for the ephemeral key');
          this.re = message.slice(pos, (pos += DHLEN));
          this.#ss.mixHash(this.re);
          if (this.#usesPsk) this.#ss.mixKey(this.re);
        } else if (t === 's') {
          const len = this.#ss.cipher.hasKey() ? DHLEN + 16 : DHLEN;
          if (pos + len > message.length) throw handshakeError('Malformed', n, 'message too short for the static key');
          this.rs = this.#ss.decryptAndHash(message.subarray(pos, (pos += len))).slice();
        } else if (t === 'psk') this.psk(n);
        else this.mixDh(t, n);
      }
      const payload = this.#ss.decryptAndHash(message.subarray(pos));
      this.#index++;
      return payload;
    } catch (e) {
      if (isCryptoError(e) && e.kind === 'Handshake') throw e;
      if (isCryptoError(e) && e.kind === 'Aead') throw handshakeError('DecryptionFailed', n, 'message did not authenticate (tampered, wrong key or wrong psk)', e);
      throw handshakeError('Failed', n, (e as Error)?.message ?? 'failed', e);
    }
  }

  /** Never shows key material (JSON logs). */
  toJSON(): string {
    return `HandshakeState(${this.protocolName}, ${this.initiator ? 'initiator' : 'responder'}, message ${this.messageNumber}, keys [REDACTED])`;
  }
  /** Never shows key material (console.log, util.inspect). */
  [INSPECT](): string {
    return this.toJSON();
  }

  /**
   * Split(): transport CipherStates as [send, receive] for this side.
   * @throws CryptoError (Handshake/Failed) before completion.
   */
  split(): { send: CipherState; receive: CipherState } {
    if (!this.isComplete) throw handshakeError('Failed', this.messageNumber, 'handshake not complete');
    this.#split ??= this.#ss.split();
    const [c1, c2] = this.#split;
    return this.initiator ? { send: c1, receive: c2 } : { send: c2, receive: c1 };
  }
}
