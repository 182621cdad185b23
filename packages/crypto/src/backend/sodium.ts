/**
 * The Node fast path through libsodium (the optional `sodium-native` addon): ChaCha20-Poly1305
 * (RFC 8439 §2.8) and X25519 (RFC 7748 §5) on raw bytes; node:crypto for everything else.
 *
 * Why: each `createCipheriv` costs about 4 µs before a byte is encrypted (OpenSSL 3 fetches the
 * cipher per call), so node:crypto seals 64 B at ~13 MB/s while libsodium, called directly into
 * preallocated buffers, reaches ~43 MB/s. For large messages OpenSSL's assembly is faster. Where
 * the two cross depends on the CPU, the OpenSSL build and the load (24 KiB on one machine, under
 * 16 KiB on another), so it is measured, not assumed: seals and opens each pick a library per
 * size class from the CPU time of windows of real calls (backend/size-class-chooser.ts), and
 * bench/crypto.ts prints the choices.
 * X25519 on node:crypto needs a key import per new key; libsodium takes the raw 32 bytes
 * (bench/handshake.ts measures both).
 *
 * The addon is loaded lazily, on the {@link SODIUM_WARMUP_CALLS}th call that could use it: a
 * one-shot CLI run never pays its ~35 ms load, a session does so once. Without the addon (not
 * installed, or no prebuild for the platform) every call stays on node:crypto with identical
 * results.
 * @module
 */
import { createRequire } from 'node:module';
import { bufferOf, isArrayBuffer, kindOf, lengthOf } from '@m2m/core/internal';
import { nodeBackend } from './node.js';
import { writeHmacPads } from './hmac-pads.js';
import { SizeClassChooser } from './size-class-chooser.js';
import { sodiumAead, type SodiumAead, type SodiumAeadPublic } from './sodium-aead.js';
import type { CryptoBackend, SealedParts } from './types.js';
import { wasmHkdfInto } from '../noise/sha256-wasm.js';

/** Calls that could use the addon (small AEAD, X25519) made on node:crypto before it is loaded. */
export const SODIUM_WARMUP_CALLS = 64;

/** The part of sodium-native's API used here (it ships no types). */
interface Sodium extends SodiumAeadPublic {
  /** Throws when the result is all zeros (a low-order peer key). */
  crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void;
  randombytes_buf(b: Uint8Array): void;
  crypto_hash_sha256(out: Uint8Array, input: Uint8Array): void;
}

// Made on first use, not at import (bench/startup.ts): most processes never look for the addon.
let nodeRequire: NodeJS.Require | undefined;
const requireFn = (): NodeJS.Require => (nodeRequire ??= createRequire(import.meta.url));

/** Whether the addon can be found, without loading it. */
export function sodiumInstalled(): boolean {
  try {
    requireFn().resolve('sodium-native');
    return true;
  } catch {
    return false;
  }
}

let sodium: Sodium | null | undefined; // undefined: not tried yet; null: unavailable
let callsBeforeLoad = 0;
/**
 * SHA-256 of `input` into the 32-byte `out`, for the HMAC blocks of Noise's HKDF (set when the
 * addon loads): sodium-native's binding straight when it checks out ({@link directSha256}), else
 * the public function. Only this module's own blocks, inputs known to be Uint8Arrays and
 * outputs checked by {@link isBytes32} are passed.
 */
let hashInto: (out: Uint8Array, input: Uint8Array) => void = () => {
  throw new TypeError('sodium-native is not loaded');
};
let hashDirect = false;
/** libsodium's AEAD calls, set when the addon loads (direct binding calls where safe: backend/sodium-aead.ts). */
let aead: SodiumAead | undefined;

/** sodium-native's binding and version, for {@link sodiumAead}'s checks. */
function loadBinding(): { version: string; binding: unknown } {
  return { version: (requireFn()('sodium-native/package.json') as { version: string }).version, binding: requireFn()('sodium-native/binding.js') as unknown };
}

function loadSodium(): Sodium | null {
  try {
    return requireFn()('sodium-native') as Sodium;
  } catch {
    return null;
  }
}

/**
 * Process CPU time in µs, all threads: the choosers' clock. Work a library's calls cause on V8's
 * helper threads counts against it, and the moments the process is descheduled count against
 * neither (backend/size-class-chooser.ts). It costs ~1-2 µs a read: four reads (two windows) per
 * period of 32 to 4,096 calls of a class.
 */
function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

// Which library seals and opens each size class (0: libsodium, 1: node:crypto), from CPU time.
const sealChooser = new SizeClassChooser(cpuMicros);
const openChooser = new SizeClassChooser(cpuMicros);

/**
 * The library chosen so far for seals and opens of `size` bytes (both start on libsodium and
 * move once timings say so; see backend/size-class-chooser.ts).
 */
export function aeadChoiceFor(size: number): { seal: 'libsodium' | 'node:crypto'; open: 'libsodium' | 'node:crypto' } {
  const name = (c: 0 | 1) => (c === 0 ? 'libsodium' : 'node:crypto');
  return { seal: name(sealChooser.choiceFor(size)), open: name(openChooser.choiceFor(size)) };
}

/** The addon once loaded (after the warm-up, or at once when `eager`), else `null`. */
function loaded(eager: boolean): Sodium | null {
  if (sodium !== undefined) return sodium;
  if (!eager && ++callsBeforeLoad < SODIUM_WARMUP_CALLS) return null;
  sodium = loadSodium();
  if (sodium) {
    aead = sodiumAead(sodium, loadBinding);
    const s = sodium;
    const direct = directSha256(s, loadBinding);
    hashDirect = direct !== undefined;
    hashInto = direct ?? ((out, input) => s.crypto_hash_sha256(out, input));
  }
  return sodium;
}

/** {@link aead} once the addon is loaded (see {@link loaded}), else `null`. */
function loadedAead(eager: boolean): SodiumAead | null {
  return aead ?? (loaded(eager) ? aead! : null);
}

/**
 * sodium-native's binding SHA-256, when the installed version is one this was written against
 * (5.1 and later 5.x: `(out, input)`, status 0) and it hashes a fixed input as the public
 * function does; `undefined` otherwise.
 *
 * Why: the public `crypto_hash_sha256` checks its arguments with three Node `assert` calls
 * (each allocating its rest-parameter array) before the same binding call, and Noise's HKDF
 * makes 48 such calls per XX handshake (six per HKDF, eight HKDFs) and MixHash 14 more, each
 * hashing one to three blocks: ~190 short-lived arrays per handshake (docs/ARCHITECTURE.md,
 * Performance notes, sixth round). The binding takes typed arrays unchecked (a wrong type or a
 * 31-byte output aborts the process), so only this module's own HMAC blocks and outputs whose
 * real type and size were checked ({@link isBytes32}) are passed to it; MixHash's inputs
 * (`sha256Into`) are checked to be real Uint8Arrays too.
 */
function directSha256(s: Sodium, load: () => { version: string; binding: unknown }): ((out: Uint8Array, input: Uint8Array) => void) | undefined {
  try {
    const { version, binding } = load();
    const v = /^5\.(\d+)\./.exec(version);
    const hash = (binding as { crypto_hash_sha256?: unknown }).crypto_hash_sha256;
    if (!v || Number(v[1]) < 1 || typeof hash !== 'function') return undefined;
    const b = binding as { crypto_hash_sha256(out: Uint8Array, input: Uint8Array): number };
    const input = Uint8Array.from({ length: 100 }, (_, i) => (i * 29 + 7) & 255);
    const expected = new Uint8Array(32);
    s.crypto_hash_sha256(expected, input);
    const got = new Uint8Array(32);
    if (b.crypto_hash_sha256(got, input) !== 0 || !got.every((x, i) => x === expected[i])) return undefined;
    return (out, input) => {
      b.crypto_hash_sha256(out, input);
    };
  } catch {
    return undefined;
  }
}

// Sizes by core's built-in TypedArray getters: a caller can shadow `length` on an array, the binding sees the real size.

/** Whether `x` is really a Uint8Array of 32 bytes (any realm), as the binding's SHA-256 output must be. */
function isBytes32(x: unknown): boolean {
  return kindOf.call(x) === 'Uint8Array' && lengthOf.call(x) === 32;
}

/** Whether Noise's HKDF hashes through sodium-native's binding directly ({@link directSha256}); `undefined` before the addon is loaded. */
export function sodiumHashDirect(): boolean | undefined {
  return sodium ? hashDirect : undefined;
}

/** Whether libsodium's AEAD calls go straight to sodium-native's binding (backend/sodium-aead.ts); `undefined` before the addon is loaded. */
export function sodiumAeadDirect(): boolean | undefined {
  return aead?.direct;
}

/** From this size on, AEAD outputs are allocated without zero-filling (see {@link outputBytes}). */
export const UNZEROED_OUTPUT_MIN = 16384;

/**
 * A fresh output array of `n` bytes for libsodium to overwrite completely. From
 * {@link UNZEROED_OUTPUT_MIN} bytes on its memory is not zero-filled first (`allocUnsafeSlow`:
 * its own ArrayBuffer of exactly `n` bytes, never a slice of Node's shared pool, so `.buffer`
 * shows nothing else): zero-filling a 1 MiB output took a fifth as long as sealing it
 * (docs/ARCHITECTURE.md, Performance notes). An open that fails drops the array unread.
 */
function outputBytes(n: number): Uint8Array {
  if (n < UNZEROED_OUTPUT_MIN) return new Uint8Array(n);
  return new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n);
}

/** An owner's ciphertext slabs (see {@link sealOutputs}): the current one and how far it is carved. */
interface OwnerSlab {
  buffer: ArrayBuffer;
  used: number;
}

/** The largest ciphertext slab; an owner's first is {@link FIRST_CIPHERTEXT_SLAB}, each next one twice the last. */
const CIPHERTEXT_SLAB = 64 * 1024;
const FIRST_CIPHERTEXT_SLAB = 1024;
// One set of slabs per key array: the owner is whoever holds the key (aeadProtection keeps a
// private copy of its key, a SecureChannel its own send key). A process-wide slab let any
// caller reach every other caller's ciphertexts through `.buffer`, overwrite them before they
// were sent, or detach them all by transferring that buffer (test/slab-owners.test.ts).
const ownerSlabs = new WeakMap<Uint8Array, OwnerSlab>();
let lastKey: Uint8Array | undefined;
let lastSlab: OwnerSlab | undefined;

/**
 * Room for a seal under `key` of `n` bytes: the ciphertext and, right after it, the 16-byte tag.
 * A fresh zero-filled array of 1 KiB took a fifth of a 1 KiB seal, and a fresh array of 64
 * bytes or fewer, which V8 keeps on its heap, is moved to a backing store of its own (a malloc
 * and a copy, freed by the collector later) the moment the binding touches it: a 64 B seal's
 * fresh ciphertext and tag cost about half of the whole seal (docs/ARCHITECTURE.md, Performance
 * notes). So every tag, and every ciphertext below {@link UNZEROED_OUTPUT_MIN}, is a view into
 * slabs carved forward and never reused, like Node's Buffer pool; the slabs belong to the key's
 * holder, never to the process, so a ciphertext's `.buffer` holds only ciphertexts and tags its
 * own key sealed (public bytes on their way to the same peer). A holder's first slab is 1 KiB,
 * doubling up to 64 KiB, so a key that seals once holds little. Plaintexts (opens) never come
 * from a slab. One call, one slab lookup and one carve per seal.
 */
function sealOutputs(n: number, key: Uint8Array): SealedParts {
  const big = n >= UNZEROED_OUTPUT_MIN;
  const need = big ? 16 : n + 16;
  let owner = key === lastKey ? lastSlab : ownerSlabs.get(key);
  if (owner === undefined) ownerSlabs.set(key, (owner = { buffer: new ArrayBuffer(0), used: 0 }));
  lastKey = key;
  lastSlab = owner;
  let buffer = owner.buffer;
  let at = owner.used;
  // A detached slab (its holder transferred a ciphertext's `.buffer`) has 0 bytes: a new one is made.
  if (at + need > buffer.byteLength) {
    let size = Math.min(CIPHERTEXT_SLAB, Math.max(FIRST_CIPHERTEXT_SLAB, buffer.byteLength * 2));
    while (size < need) size *= 2; // need ≤ UNZEROED_OUTPUT_MIN + 15 < 2 × CIPHERTEXT_SLAB
    owner.buffer = buffer = new ArrayBuffer(size);
    at = 0;
  }
  owner.used = at + need;
  if (big) return { ciphertext: outputBytes(n), tag: new Uint8Array(buffer, at, 16) };
  return { ciphertext: new Uint8Array(buffer, at, n), tag: new Uint8Array(buffer, at + n, 16) };
}

/** Fresh outputs of a seal of `n` bytes (see {@link sodiumSeal} for when). */
function freshOutputs(n: number): SealedParts {
  return { ciphertext: outputBytes(n), tag: new Uint8Array(16) };
}

function sodiumSeal(a: SodiumAead, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): SealedParts {
  // The holder's earlier ciphertexts' `.buffer` shows its slab's free part: a plaintext viewed
  // there would be overwritten by its own ciphertext or tag (shifted: sealed after it was clobbered).
  const owner = key === lastKey ? lastSlab : ownerSlabs.get(key);
  const inSlab = owner !== undefined && kindOf.call(plaintext) === 'Uint8Array' && bufferOf.call(plaintext) === owner.buffer;
  return a.sealNew(plaintext, aad, nonce, key, inSlab ? freshOutputs : sealOutputs);
}

/** Opens of at most this many bytes decrypt into {@link openScratch} (see {@link plaintextBytes}). */
const SMALL_PLAINTEXT_MAX = 64;
/** Where small opens decrypt: plaintext, wiped after every open that used it (see {@link plaintextOut}). */
const openScratch = new Uint8Array(SMALL_PLAINTEXT_MAX);
const openScratchViews: Uint8Array[] = [];

/**
 * The array an open of `n` bytes decrypts into. Up to {@link SMALL_PLAINTEXT_MAX} bytes, a view of
 * this module's {@link openScratch}, copied out by {@link plaintextOut}: a fresh array that small
 * lives on V8's heap, and the binding's first touch moves it to a backing store of its own (a
 * malloc and a copy, freed by the collector later), about a fifth of a 64 B open, while
 * copying 64 bytes into a fresh array that stays on the heap costs a few nanoseconds
 * (docs/ARCHITECTURE.md, Performance notes). Larger: a fresh array ({@link outputBytes}). `n` is
 * the plaintext's real length (sodium-aead.ts reads it), so a view is always exactly `n` bytes.
 */
function plaintextBytes(n: number): Uint8Array {
  return n <= SMALL_PLAINTEXT_MAX ? (openScratchViews[n] ??= openScratch.subarray(0, n)) : outputBytes(n);
}

/**
 * What an open into {@link plaintextBytes} gives the caller: a scratch view's bytes in a fresh
 * array of their own (its `.buffer` shows nothing else), the scratch wiped, whether or not the
 * tag verified (libsodium zeroes its output then; wiped anyway).
 */
function plaintextOut(m: Uint8Array | undefined): Uint8Array | undefined {
  if (m === undefined) {
    openScratch.fill(0);
    return undefined;
  }
  const n = m.length; // an array this module made: its length is its own
  if (n > SMALL_PLAINTEXT_MAX) return m;
  const out = new Uint8Array(n);
  out.set(m);
  m.fill(0);
  return out;
}

/** A copy of {@link openScratch}, for tests that check no plaintext is left in it. */
export function openScratchCopy(): Uint8Array {
  return openScratch.slice();
}

function sodiumOpen(a: SodiumAead, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
  // The output is sized by `sealed`'s real length: a `length` getter that lies made 100 bytes
  // allocate 1 GiB here (test/attack-aead-slabs.test.ts); `open` refuses anything else.
  const plaintext = plaintextBytes(Math.max(0, bytesLength(sealed) - 16));
  return plaintextOut(a.open(plaintext, sealed, aad, nonce, key) ? plaintext : undefined);
}

/** Copies a node:crypto seal's parts into the caller's buffers (the in-place seal's fallback). */
function nodeSealInPlace(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array, tag: Uint8Array): void {
  const parts = nodeBackend.chachaSeal(key, nonce, data, aad);
  data.set(parts.ciphertext);
  tag.set(parts.tag);
}

/** Opens with node:crypto into `out` (the open-into's fallback); the temporary plaintext is wiped. */
function nodeOpenInto(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out: Uint8Array): boolean {
  const plain = nodeBackend.chachaOpen(key, nonce, sealed, aad);
  if (!plain) return false;
  out.set(plain);
  plain.fill(0);
  return true;
}

/** X25519 into `out`; libsodium refuses an all-zero result, which is reported as zeros so the policy layer (x25519.ts) decides. */
function scalarmultInto(s: Sodium, secret: Uint8Array, publicKey: Uint8Array, out: Uint8Array): void {
  try {
    s.crypto_scalarmult(out, secret, publicKey);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_ASSERTION') throw e;
    out.fill(0);
  }
}

/**
 * Inputs up to this size hash on libsodium, longer ones on node:crypto: libsodium's portable
 * SHA-256 costs ~0.3 µs per 64-byte block where OpenSSL uses the CPU's SHA extensions, so its
 * cheaper call wins only for a few blocks (Noise's inputs are 1 to ~100 bytes; bench/crypto.ts
 * HMAC rows).
 */
const SODIUM_HASH_MAX = 128;
// Padded HMAC blocks in reused buffers, zeroed after each use (they hold the key's pads and
// possibly secret data), with a view per input length so no call allocates one.
const innerPad = new Uint8Array(64 + SODIUM_HASH_MAX);
const outerPad = new Uint8Array(64 + 32);
const outerDigest = outerPad.subarray(64);
const innerViews: Uint8Array[] = [];
const innerView = (end: number) => (innerViews[end] ??= innerPad.subarray(0, end));

/**
 * HMAC-SHA256 (RFC 2104) from two one-shot libsodium SHA-256 calls: Noise's HKDF makes 24 of
 * these per handshake side, and a direct call into preallocated buffers costs about half of a
 * `crypto.hash` (which resolves the algorithm and allocates a Buffer each time).
 */
function sodiumHmac(s: Sodium, key: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length > SODIUM_HASH_MAX) return nodeBackend.hmacSha256(key, data);
  const k = key.length > 64 ? sodiumSha256(s, key) : key;
  const end = writeHmacPads(k, data, innerPad, outerPad);
  s.crypto_hash_sha256(outerDigest, innerView(end));
  const tag = new Uint8Array(32);
  s.crypto_hash_sha256(tag, outerPad);
  innerPad.fill(0, 0, end);
  outerPad.fill(0);
  return tag;
}

/** Writes `key ⊕ ipad` and `key ⊕ opad` (key of at most 64 bytes) into the HMAC blocks. */
function padKey(key: Uint8Array, n = key.length): void {
  for (let i = 0; i < n; i++) {
    innerPad[i] = key[i] ^ 0x36;
    outerPad[i] = key[i] ^ 0x5c;
  }
  innerPad.fill(0x36, n, 64);
  outerPad.fill(0x5c, n, 64);
}

/**
 * HMAC of the `dataLength` bytes already at `innerPad[64…]` under the key {@link padKey} wrote,
 * into `out` (this module's PRK, or an output {@link sodiumNoiseHkdfInto} checked).
 */
function padHmacInto(dataLength: number, out: Uint8Array): void {
  hashInto(outerDigest, innerView(64 + dataLength));
  hashInto(out, outerPad);
}

// The HKDF's PRK (HMAC(ck, ikm)) and its outputs: secret, zeroed after each call. The binding
// writes only into these module arrays, never into the caller's: a typed array of 64 bytes or
// fewer lives on V8's heap until native code first touches it, and that touch moves its bytes
// to a backing store of their own (a malloc, a copy, and a free by the collector later: ~1 µs
// each, and a handshake passed a dozen fresh arrays so; docs/ARCHITECTURE.md, Performance notes).
const prk = new Uint8Array(32);
/** {@link CryptoBackend.sha256Into}'s output before it is copied out (public: MixHash's h). */
const digest = new Uint8Array(32);
const okm = new Uint8Array(96);
const okm1 = okm.subarray(0, 32);
const okm2 = okm.subarray(32, 64);
const okm3 = okm.subarray(64, 96);

/**
 * Noise's HKDF (§4.3) in one pass over the reused HMAC blocks, into the caller's arrays: the same
 * six (or eight) SHA-256 calls as three HMACs, but each key is padded once and no intermediate
 * array is made (three `hmacSha256` calls cost ~6.7-7.2 µs here, this ~5.6 µs; a handshake runs
 * eight HKDFs). `out1` may be `ck` itself (`ck` is read only by the first padding). Every
 * scratch byte (pads, PRK, inner digest) is zeroed before returning.
 */
function sodiumNoiseHkdfInto(ck: Uint8Array, ikm: Uint8Array, out1: Uint8Array, out2: Uint8Array, out3: Uint8Array | undefined): boolean {
  // Real lengths of real Uint8Arrays, read before the outputs are checked: after the checks no
  // caller code may run (a `length` getter could detach or shrink an output's buffer, and the
  // binding would then write 32 bytes where there are none: a crash).
  const ckLength = kindOf.call(ck) === 'Uint8Array' ? (lengthOf.call(ck) as number) : 65;
  const ikmLength = kindOf.call(ikm) === 'Uint8Array' ? (lengthOf.call(ikm) as number) : SODIUM_HASH_MAX + 1;
  if (ckLength > 64 || ikmLength > SODIUM_HASH_MAX || !isBytes32(out1) || !isBytes32(out2) || (out3 && !isBytes32(out3))) return false;
  padKey(ck, ckLength);
  innerPad.set(ikm, 64);
  padHmacInto(ikmLength, prk);
  padKey(prk);
  innerPad[64] = 1;
  padHmacInto(1, okm1);
  innerPad.set(okm1, 64);
  innerPad[96] = 2;
  padHmacInto(33, okm2);
  if (out3) {
    innerPad.set(okm2, 64);
    innerPad[96] = 3;
    padHmacInto(33, okm3);
    out3.set(okm3);
  }
  out1.set(okm1);
  out2.set(okm2);
  innerPad.fill(0, 0, 64 + Math.max(33, ikmLength));
  outerPad.fill(0);
  prk.fill(0);
  okm.fill(0);
  return true;
}

/** Largest field {@link noiseSealAt} and {@link noiseOpen} take (a handshake's are 0 to ~200 bytes; larger ones take the general calls). */
const NOISE_FIELD_MAX = 1024;
/** Largest associated data they take (Noise's is h, 32 bytes). */
const NOISE_AD_MAX = 64;
// Their working memory, made once: the binding sees only these arrays, never a handshake's own
// (each fresh array up to 64 bytes would be moved off V8's heap on first native use: see `okm`).
// Key and plaintext are wiped after each call.
const noiseKey = new Uint8Array(32);
const noiseNonce = new Uint8Array(12);
const noiseTag = new Uint8Array(16);
const noiseAd = new Uint8Array(NOISE_AD_MAX);
const noiseIn = new Uint8Array(NOISE_FIELD_MAX + 16);
const noiseOut = new Uint8Array(NOISE_FIELD_MAX);
// One view per length, made on first use (as MixHash's, noise/handshake-speed.ts).
const adViews: Uint8Array[] = [];
const inViews: Uint8Array[] = [];
const outViews: Uint8Array[] = [];

/** The real length of `x` when it is a Uint8Array (any realm), else -1. */
function bytesLength(x: unknown): number {
  return kindOf.call(x) === 'Uint8Array' ? (lengthOf.call(x) as number) : -1;
}

/**
 * Copies `key`, `nonce` and `ad` into the working arrays; the view of `ad` there, or `undefined`
 * when a size is not one these calls take (nothing copied then).
 */
function noiseInputs(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array): Uint8Array | undefined {
  const adLength = bytesLength(ad);
  if (bytesLength(key) !== 32 || bytesLength(nonce) !== 12 || adLength < 0 || adLength > NOISE_AD_MAX) return undefined;
  noiseKey.set(key);
  noiseNonce.set(nonce);
  const adView = (adViews[adLength] ??= noiseAd.subarray(0, adLength));
  adView.set(ad);
  return adView;
}

/** {@link CryptoBackend.noiseSealAt} on libsodium, through the working arrays (no size-class choice: libsodium is the faster below 1 KiB). */
function noiseSealAt(a: SodiumAead, key: Uint8Array, nonce: Uint8Array, data: Uint8Array, ad: Uint8Array, tag: Uint8Array): boolean {
  const len = bytesLength(data);
  if (len < 0 || len > NOISE_FIELD_MAX || bytesLength(tag) !== 16) return false;
  const adView = noiseInputs(key, nonce, ad);
  if (!adView) return false;
  const work = (inViews[len] ??= noiseIn.subarray(0, len));
  work.set(data);
  try {
    a.seal(work, noiseTag, work, adView, noiseNonce, noiseKey);
  } finally {
    noiseKey.fill(0);
  }
  // Ciphertext and tag are public; the plaintext was overwritten in place.
  data.set(work);
  tag.set(noiseTag);
  return true;
}

/** {@link CryptoBackend.noiseOpen} on libsodium, through the working arrays. */
function noiseOpen(a: SodiumAead, key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined | null {
  const n = bytesLength(sealed) - 16;
  if (n < 0 || n > NOISE_FIELD_MAX) return null;
  const adView = noiseInputs(key, nonce, ad);
  if (!adView) return null;
  // A private copy: shared memory read once (as aead.ts's opens do).
  const c = (inViews[n + 16] ??= noiseIn.subarray(0, n + 16));
  c.set(sealed);
  const m = (outViews[n] ??= noiseOut.subarray(0, n));
  let ok: boolean;
  try {
    ok = a.open(m, c, adView, noiseNonce, noiseKey);
  } finally {
    noiseKey.fill(0);
  }
  if (!ok) return undefined;
  const plaintext = new Uint8Array(n);
  plaintext.set(m);
  m.fill(0);
  return plaintext;
}

function sodiumSha256(s: Sodium, data: Uint8Array): Uint8Array {
  if (data.length > 64 + SODIUM_HASH_MAX) return nodeBackend.sha256(data);
  const out = new Uint8Array(32);
  s.crypto_hash_sha256(out, data);
  return out;
}

function makeBackend(name: string, eager: boolean): CryptoBackend {
  return {
    ...nodeBackend,
    name,
    chachaSeal(key, nonce, plaintext, aad) {
      const a = aead ?? loadedAead(eager);
      if (!a) return nodeBackend.chachaSeal(key, nonce, plaintext, aad);
      const pick = sealChooser.pick(plaintext.length);
      if (pick < 2) return pick === 0 ? sodiumSeal(a, key, nonce, plaintext, aad) : nodeBackend.chachaSeal(key, nonce, plaintext, aad);
      const out = pick === 2 ? sodiumSeal(a, key, nonce, plaintext, aad) : nodeBackend.chachaSeal(key, nonce, plaintext, aad);
      sealChooser.record(plaintext.length, pick === 2 ? 0 : 1);
      return out;
    },
    chachaOpen(key, nonce, sealed, aad) {
      if (sealed.length < 16) return undefined;
      const a = aead ?? loadedAead(eager);
      if (!a) return nodeBackend.chachaOpen(key, nonce, sealed, aad);
      const size = sealed.length - 16;
      const pick = openChooser.pick(size);
      const out = (pick & 1) === 0 ? sodiumOpen(a, key, nonce, sealed, aad) : nodeBackend.chachaOpen(key, nonce, sealed, aad);
      // Only windows of opens that authenticate count: libsodium refuses a bad tag before
      // decrypting, so forged frames would otherwise make it look faster than it is.
      if (!out) openChooser.discard(size);
      else if (pick >= 2) openChooser.record(size, pick === 2 ? 0 : 1);
      return out;
    },
    // The frame decoder's open (protection.ts): libsodium takes the nonce and ciphertext as views
    // it makes of the frame itself; node:crypto gets the same views as chachaOpen's arguments.
    chachaOpenFrame(key, frame, aad) {
      if (frame.length < 28) return undefined;
      const a = aead ?? loadedAead(eager);
      if (!a) return nodeBackend.chachaOpen(key, frame.subarray(0, 12), frame.subarray(12), aad);
      const size = frame.length - 28;
      const pick = openChooser.pick(size);
      const out = (pick & 1) === 0 ? plaintextOut(a.openFrame(frame, aad, key, plaintextBytes)) : nodeBackend.chachaOpen(key, frame.subarray(0, 12), frame.subarray(12), aad);
      if (!out) openChooser.discard(size);
      else if (pick >= 2) openChooser.record(size, pick === 2 ? 0 : 1);
      return out;
    },
    // The same choice per size class as chachaSeal/chachaOpen, without output arrays: libsodium
    // encrypts in place (its detached encrypt allows c == m) and decrypts into the caller's buffer.
    chachaSealInPlace(key, nonce, data, aad, tag) {
      const a = aead ?? loadedAead(eager);
      if (!a) return nodeSealInPlace(key, nonce, data, aad, tag);
      const pick = sealChooser.pick(data.length);
      if (pick === 0) return a.seal(data, tag, data, aad, nonce, key);
      if (pick === 1) return nodeSealInPlace(key, nonce, data, aad, tag);
      if (pick === 2) a.seal(data, tag, data, aad, nonce, key);
      else nodeSealInPlace(key, nonce, data, aad, tag);
      sealChooser.record(data.length, pick === 2 ? 0 : 1);
    },
    chachaOpenInto(key, nonce, sealed, aad, out) {
      if (sealed.length < 16 || out.length !== sealed.length - 16) return false;
      const a = aead ?? loadedAead(eager);
      if (!a) return nodeOpenInto(key, nonce, sealed, aad, out);
      const size = out.length;
      const pick = openChooser.pick(size);
      const ok = (pick & 1) === 0 ? a.open(out, sealed, aad, nonce, key) : nodeOpenInto(key, nonce, sealed, aad, out);
      if (!ok) openChooser.discard(size);
      else if (pick >= 2) openChooser.record(size, pick === 2 ? 0 : 1);
      return ok;
    },
    // One check of the real arguments, then the same choice and calls as chachaSealInPlace /
    // chachaOpenInto: a session's transport AEAD went through the checks of aead.ts, of these
    // and of sodium-aead.ts before (crypto/src/transport-aead.ts; docs/ARCHITECTURE.md).
    // Before the addon is loaded these take nothing (the checked path counts the calls that load it).
    chachaSealInPlaceIfFits(key, nonce, data, aad, tag) {
      const a = aead;
      const n = a ? a.inPlaceFits(data, tag, aad, nonce, key) : -1;
      if (n < 0) return false;
      const pick = sealChooser.pick(n);
      if (pick === 0) a!.sealFitted(data, tag, aad, nonce, key);
      else if (pick === 1) nodeSealInPlace(key, nonce, data, aad, tag);
      else {
        if (pick === 2) a!.sealFitted(data, tag, aad, nonce, key);
        else nodeSealInPlace(key, nonce, data, aad, tag);
        sealChooser.record(n, pick === 2 ? 0 : 1);
      }
      return true;
    },
    chachaOpenIntoIfFits(key, nonce, sealed, aad, out) {
      const a = aead;
      const n = a ? a.openFits(out, sealed, aad, nonce, key) : -1;
      // Shared memory goes to aead.ts's openInto, which opens a private copy: another thread can
      // change a ciphertext byte between the tag check and the decryption (test/shared-memory.test.ts).
      if (n < 0 || !isArrayBuffer(bufferOf.call(sealed))) return undefined;
      const pick = openChooser.pick(n);
      const ok = (pick & 1) === 0 ? a!.openFitted(out, sealed, aad, nonce, key, n) : nodeOpenInto(key, nonce, sealed, aad, out);
      if (!ok) openChooser.discard(n);
      else if (pick >= 2) openChooser.record(n, pick === 2 ? 0 : 1);
      return ok;
    },
    // Hashing uses the addon once something else loaded it (a hash alone never pays its load).
    hmacSha256: (key, data) => (sodium ? sodiumHmac(sodium, key, data) : eager && loaded(true) ? sodiumHmac(sodium!, key, data) : nodeBackend.hmacSha256(key, data)),
    sha256: (data) => (sodium ? sodiumSha256(sodium, data) : eager && loaded(true) ? sodiumSha256(sodium!, data) : nodeBackend.sha256(data)),
    // One WebAssembly call where it takes them (noise/sha256-wasm.ts), else libsodium's hashes.
    noiseHkdfInto: (ck, ikm, out1, out2, out3) => {
      if (wasmHkdfInto(ck, ikm, out1, out2, out3)) return true;
      const s = sodium ?? (eager ? loaded(true) : null);
      return s ? sodiumNoiseHkdfInto(ck, ikm, out1, out2, out3) : false;
    },
    sha256Into(data, out) {
      const s = sodium ?? (eager ? loaded(true) : null);
      if (!s || data.length > 64 + SODIUM_HASH_MAX || !isBytes32(out) || kindOf.call(data) !== 'Uint8Array') return false;
      // Through the module's own output (see `okm`): Noise's h is a fresh array per handshake.
      hashInto(digest, data);
      out.set(digest);
      return true;
    },
    // Before the addon is loaded these take nothing (the general calls count toward loading it).
    noiseSealAt: (key, nonce, data, ad, tag) => (aead ? noiseSealAt(aead, key, nonce, data, ad, tag) : false),
    noiseOpen: (key, nonce, ad, sealed) => (aead ? noiseOpen(aead, key, nonce, ad, sealed) : null),
    x25519(secret, publicKey) {
      const s = loaded(eager);
      if (!s) return nodeBackend.x25519(secret, publicKey);
      const shared = new Uint8Array(32);
      scalarmultInto(s, secret, publicKey, shared);
      return shared;
    },
    x25519Into(secret, publicKey, out) {
      // Before the addon is loaded the caller falls back to x25519, which counts the warm-up.
      const s = sodium ?? (eager ? loaded(true) : null);
      if (!s) return false;
      scalarmultInto(s, secret, publicKey, out);
      return true;
    },
    x25519PublicKey(secret) {
      const s = loaded(eager);
      if (!s) return nodeBackend.x25519PublicKey(secret);
      const pub = new Uint8Array(32);
      s.crypto_scalarmult_base(pub, secret);
      return pub;
    },
    x25519Generate() {
      const s = loaded(eager);
      if (!s) return nodeBackend.x25519Generate();
      const secret = new Uint8Array(32);
      s.randombytes_buf(secret);
      const publicKey = new Uint8Array(32);
      s.crypto_scalarmult_base(publicKey, secret);
      return { secret, publicKey };
    },
  };
}

/** Node's default: libsodium for X25519 and for the AEAD size classes where it measures faster (after the warm-up), node:crypto otherwise. */
export const sodiumBackend: CryptoBackend = makeBackend('sodium', false);

/** The same without the warm-up, so tests and benchmarks exercise libsodium from the first call. */
export const sodiumEagerBackend: CryptoBackend = makeBackend('sodium', true);
