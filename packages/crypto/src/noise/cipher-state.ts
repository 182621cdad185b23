/**
 * Noise CipherState and SymmetricState (Noise revision 34, §5.1 and §5.2) for
 * 25519_ChaChaPoly_SHA256.
 * @module
 */
import { CryptoError } from '@m2m/core/internal';
import { chacha20poly1305Seal } from '../aead.js';
import { hmacSha256, sha256 } from '../hmac.js';
import { getBackend } from '../backend.js';
import { mixHashInto, openField, sealAt } from '#noise-speed';
import { noiseHkdfIntoWith } from '#backend';

const EMPTY = new Uint8Array(0);
/** Largest nonce (2^64 - 1 is reserved, §5.1). */
const MAX_NONCE = 2n ** 64n - 1n;

/** ChaChaPoly nonce: 32 bits of zeros, then the 64-bit counter little-endian (§12.3). */
export function noiseNonce(n: bigint): Uint8Array {
  return writeNoiseNonce(new Uint8Array(12), n);
}

/** HKDF as Noise defines it (§4.3), returning two or three 32-byte outputs. */
export function noiseHkdf(ck: Uint8Array, ikm: Uint8Array, outputs: 2 | 3): Uint8Array[] {
  const out = [new Uint8Array(32), new Uint8Array(32)];
  if (outputs === 3) out.push(new Uint8Array(32));
  noiseHkdfInto(ck, ikm, out[0], out[1], out[2]);
  return out;
}

/**
 * {@link noiseHkdf} into the caller's 32-byte arrays (`out1` may be `ck` itself): the backend's
 * fused form when it has one (libsodium: backend/sodium.ts), else three HMACs, same bytes. The
 * intermediate keys are wiped.
 */
function noiseHkdfInto(ck: Uint8Array, ikm: Uint8Array, out1: Uint8Array, out2: Uint8Array, out3?: Uint8Array): void {
  if (noiseHkdfIntoWith(getBackend(), ck, ikm, out1, out2, out3)) return;
  const temp = hmacSha256(ck, ikm);
  // One buffer for the `previous output ‖ counter` inputs.
  const block = new Uint8Array(33);
  block[0] = 1;
  const o1 = hmacSha256(temp, block.subarray(0, 1));
  block.set(o1);
  block[32] = 2;
  const o2 = hmacSha256(temp, block);
  if (out3) {
    block.set(o2);
    block[32] = 3;
    const o3 = hmacSha256(temp, block);
    out3.set(o3);
    o3.fill(0);
  }
  out1.set(o1);
  out2.set(o2);
  for (const x of [temp, block, o1, o2]) x.fill(0);
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The nonce of the handshake's AEAD calls: they are synchronous and keep nothing (§5.1). */
const nonceScratch = new Uint8Array(12);

/** Writes the ChaChaPoly nonce of `n` into `out` (12 bytes), as {@link noiseNonce} returns it. */
function writeNoiseNonce(out: Uint8Array, n: bigint): Uint8Array {
  if (n <= 0xffffffffn) {
    const v = Number(n);
    out.fill(0);
    out[4] = v & 0xff;
    out[5] = (v >>> 8) & 0xff;
    out[6] = (v >>> 16) & 0xff;
    out[7] = v >>> 24;
    return out;
  }
  new DataView(out.buffer, out.byteOffset, 12).setBigUint64(4, n, true);
  out.fill(0, 0, 4);
  return out;
}

/**
 * §5.1: a key and a 64-bit nonce. The key lives in a private field, so `util.inspect`,
 * `JSON.stringify` and object spreads never see it; {@link CipherState.k} reads it on purpose.
 */
export class CipherState {
  #k: Uint8Array | undefined;
  /** The nonce counter `n` (§5.1): the nonce of the next message, incremented by each keyed encrypt and each successful decrypt; reset to 0 by `initializeKey`. */
  n = 0n;
  constructor(k?: Uint8Array) {
    this.#k = k;
  }
  /** The key (transport keys after Split; read deliberately, never printed). */
  get k(): Uint8Array | undefined {
    return this.#k;
  }
  /** InitializeKey(key). */
  initializeKey(k: Uint8Array | undefined): void {
    this.#k = k;
    this.n = 0n;
  }
  /** HasKey(): whether a key is set (before one is, EncryptWithAd/DecryptWithAd pass data through unchanged). */
  hasKey(): boolean {
    return this.k !== undefined;
  }
  /** SetNonce(nonce). */
  setNonce(n: bigint): void {
    this.n = n;
  }
  /** EncryptWithAd(ad, plaintext): a new array (the plaintext itself without a key). @throws CryptoError (Nonce/Exhausted). */
  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (!this.#k) return plaintext;
    const out = new Uint8Array(plaintext.length + 16);
    out.set(plaintext);
    this.encryptWithAdAt(ad, out, 0, plaintext.length);
    return out;
  }
  /**
   * EncryptWithAd(ad, plaintext) for a plaintext already at `out[at…at+len)`: encrypted in place,
   * the tag written right after it (the handshake message is built in one array, see
   * `HandshakeState.writeMessage`). Without a key the bytes stay as they are.
   * @returns where the written bytes end.
   * @throws CryptoError (Nonce/Exhausted, Aead).
   */
  encryptWithAdAt(ad: Uint8Array, out: Uint8Array, at: number, len: number): number {
    const k = this.#k;
    if (!k) return at + len;
    sealAt(k, this.#nonce(), out.subarray(at, at + len), ad, out.subarray(at + len, at + len + 16));
    this.n++;
    return at + len + 16;
  }
  /** DecryptWithAd(ad, ciphertext); the nonce advances only on success. @throws CryptoError (Aead). */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (!this.#k) return ciphertext;
    const out = openField(this.#k, this.#nonce(), ciphertext, ad);
    this.n++;
    return out;
  }
  /** The current nonce, written into the shared scratch. @throws CryptoError (Nonce/Exhausted) at 2^64-1. */
  #nonce(): Uint8Array {
    if (this.n >= MAX_NONCE) throw new CryptoError('Nonce', 'Exhausted', { detail: 'Noise nonce reached 2^64-1' });
    return writeNoiseNonce(nonceScratch, this.n);
  }
  /** Rekey() (§11.3): k = first 32 bytes of ENCRYPT(k, 2^64-1, zerolen, zeros(32)). */
  rekey(): void {
    if (!this.#k) return;
    this.#k = chacha20poly1305Seal(this.#k, noiseNonce(MAX_NONCE), new Uint8Array(32), EMPTY).subarray(0, 32).slice();
  }
  /** Overwrites the key. */
  dispose(): void {
    this.#k?.fill(0);
    this.#k = undefined;
  }
  /** Never shows the key (JSON logs). */
  toJSON(): string {
    return `CipherState(${this.k ? '[REDACTED key]' : 'no key'}, n=${this.n})`;
  }
  /** Never shows the key (console.log, util.inspect). */
  [INSPECT](): string {
    return this.toJSON();
  }
}

// h after InitializeSymmetric, by protocol name (public: it is derived from the name alone).
// Bounded; callers get copies.
const initialHashes = new Map<string, Uint8Array>();
const utf8 = new TextEncoder();

/** InitializeSymmetric's h: the name padded to 32 bytes, or its SHA-256 when longer. */
function initialHash(protocolName: string): Uint8Array {
  let h = initialHashes.get(protocolName);
  if (h) return h;
  const name = utf8.encode(protocolName);
  if (name.length <= 32) {
    h = new Uint8Array(32);
    h.set(name);
  } else h = sha256(name);
  if (initialHashes.size < 256) initialHashes.set(protocolName, h);
  return h;
}

/**
 * Reads and writes a SymmetricState's h (set by its static block; the prologue cache of
 * noise/handshake-speed.ts writes a cached h into a fresh state).
 * @internal
 */
export function handshakeHashOf(ss: SymmetricState): Uint8Array {
  return hashOf(ss);
}
let hashOf: (ss: SymmetricState) => Uint8Array;

/**
 * §5.2: chaining key, handshake hash and a CipherState. The chaining key (from which every
 * later key derives) is private and never printed. The chaining key, h and the handshake
 * cipher's key are three 32-byte arrays rewritten in place by MixKey and MixHash (a handshake
 * made about 40 such arrays per side, and what a session allocates is what its garbage
 * collection costs: docs/ARCHITECTURE.md, Performance notes).
 */
export class SymmetricState {
  readonly #ck: Uint8Array;
  readonly #h: Uint8Array;
  /** The handshake cipher's key, once MixKey ran (the cipher holds this same array). */
  #k: Uint8Array | undefined;
  /** The handshake's CipherState (§5.2), keyed by MixKey and used by EncryptAndHash / DecryptAndHash. */
  readonly cipher = new CipherState();
  /** InitializeSymmetric(protocolName). */
  constructor(protocolName: string) {
    // Both start as the initial hash (§5.2 InitializeSymmetric). Two arrays of 32 bytes, which V8
    // keeps on its heap: views of one 64-byte array (as before) cost that array a backing store
    // of its own, since `subarray` of an array on the heap moves it off first (~1 µs, a malloc
    // and a later free; docs/ARCHITECTURE.md, Performance notes).
    const initial = initialHash(protocolName);
    this.#h = new Uint8Array(initial);
    this.#ck = new Uint8Array(initial);
  }
  static {
    hashOf = (ss) => ss.#h;
  }
  /** A copy of the handshake hash h (public: a channel binding once the handshake is complete). */
  get h(): Uint8Array {
    return this.#h.slice();
  }
  /** MixKey(ikm). */
  mixKey(ikm: Uint8Array): void {
    const k = (this.#k ??= new Uint8Array(32));
    noiseHkdfInto(this.#ck, ikm, this.#ck, k);
    this.cipher.initializeKey(k);
  }
  /** MixHash(data) (Node: through a reused buffer, `#noise-speed`). */
  mixHash(data: Uint8Array): void {
    mixHashInto(this.#h, data);
  }
  /** MixKeyAndHash(ikm), for psk tokens. */
  mixKeyAndHash(ikm: Uint8Array): void {
    const k = (this.#k ??= new Uint8Array(32));
    const th = new Uint8Array(32);
    noiseHkdfInto(this.#ck, ikm, this.#ck, th, k);
    this.mixHash(th);
    th.fill(0);
    this.cipher.initializeKey(k);
  }
  /** EncryptAndHash(plaintext): a new array. */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const out = new Uint8Array(plaintext.length + (this.cipher.hasKey() ? 16 : 0));
    this.encryptAndHashInto(plaintext, out, 0);
    return out;
  }
  /**
   * EncryptAndHash of `plaintext` written into `out` at `at` (ciphertext, then the tag when
   * keyed), hashing what was written: the same bytes as {@link SymmetricState.encryptAndHash},
   * without an array per call.
   * @returns where the written bytes end.
   */
  encryptAndHashInto(plaintext: Uint8Array, out: Uint8Array, at: number): number {
    out.set(plaintext, at);
    const end = this.cipher.encryptWithAdAt(this.#h, out, at, plaintext.length);
    this.mixHash(out.subarray(at, end));
    return end;
  }
  /** DecryptAndHash(ciphertext). */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const p = this.cipher.decryptWithAd(this.#h, ciphertext);
    this.mixHash(ciphertext);
    return p;
  }
  /** Split(): the two transport CipherStates (initiator→responder, responder→initiator). */
  split(): [CipherState, CipherState] {
    const k1 = new Uint8Array(32);
    const k2 = new Uint8Array(32);
    noiseHkdfInto(this.#ck, EMPTY, k1, k2);
    return [new CipherState(k1), new CipherState(k2)];
  }
  /** Never shows the chaining key (JSON logs). */
  toJSON(): string {
    return `SymmetricState(${this.cipher.hasKey() ? 'keyed' : 'no key'}, chaining key [REDACTED])`;
  }
  /** Never shows the chaining key (console.log, util.inspect). */
  [INSPECT](): string {
    return this.toJSON();
  }
}
