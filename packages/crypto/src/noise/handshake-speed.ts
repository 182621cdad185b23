/**
 * Handshake speed-ups on the Node side of the `#noise-speed` seam (package.json `imports`):
 * handshake messages carved from their owner's slab and a cache of the prologue's handshake hash. They pay at
 * thousands of handshakes a second (bench/handshake.ts); a browser makes a few, so its build
 * takes `handshake-speed.browser.ts` (a fresh array, a plain MixHash) and leaves this code out of
 * its bundle (issue 14's size target, bench/startup.ts).
 * @module
 */
import { bufferOf, concatBytes, CryptoError, isArrayBuffer, kindOf, lengthOf } from '@m2m/core/internal';
import { chacha20poly1305Open, sealInPlace } from '../aead.js';
import { getBackend } from '../backend.js';
import { constantTimeEqual, sha256 } from '../hmac.js';
import { handshakeHashOf, type SymmetricState } from './cipher-state.js';
import type { MessageAllocator } from './handshake-state.js';
import { wasmMixHash } from './sha256-wasm.js';

/** The least {@link messageBytes} asks an allocator for (see there). */
const SMALLEST_ASKED = 65;

/**
 * Room for a handshake message of `n` bytes: from the handshake's owner's `allocator` (a session
 * passes its own slab: a typed array over 64 bytes gets its own backing store in V8, 1.7-3 µs to
 * make and collect, session/src/codec/slab.ts), else an array of its own. There is no slab shared
 * by the process: a message's `.buffer` would show every other handshake's messages, and whoever
 * held one could overwrite or detach them before they were sent (test/slab-owners.test.ts). A
 * payload to encrypt is copied in and encrypted in place within one synchronous call (wiped if
 * that fails: `writeMessage`).
 * @throws CryptoError (Handshake/Failed) when the allocator returns anything but an unshared Uint8Array of `n` bytes.
 */
export function messageBytes(n: number, allocator: MessageAllocator | undefined): Uint8Array {
  if (allocator === undefined) return new Uint8Array(n);
  // At least 65 bytes asked for: a session's slab hands out arrays of 64 bytes or fewer as
  // arrays of their own, which V8 keeps on its heap until their first `.buffer`, `subarray` or
  // native call moves them to a backing store of their own (~1 µs, a malloc and a later free),
  // and a message gets all three (XX's third message is 64 bytes). A view of a larger carved
  // array is as private to its owner.
  const size = Math.max(n, SMALLEST_ASKED);
  const out = allocator.allocate(size);
  // Real sizes by the built-in getters: the handshake writes exactly n bytes into it.
  if (kindOf.call(out) !== 'Uint8Array' || lengthOf.call(out) !== size || !isArrayBuffer(bufferOf.call(out))) {
    throw new CryptoError('Handshake', 'Failed', { stage: 'writing a message', message: 0, detail: 'the message allocator must return an unshared Uint8Array of the requested length' });
  }
  return size === n ? out : out.subarray(0, n);
}


// h after InitializeSymmetric and MixHash(prologue), for the last prologue seen per protocol
// name (public: derived from the name and the prologue alone). Bounded; a session passes the
// same prologue every time.
const prologueHashes = new Map<string, { prologue: Uint8Array; h: Uint8Array }>();
const PROLOGUE_CACHE_MAX = 64;

/**
 * MixHash(prologue) on a SymmetricState fresh from InitializeSymmetric(protocolName), from the
 * cache when the same name and prologue were mixed before: the same h, one SHA-256 call fewer
 * per handshake side (HandshakeState's constructor).
 */
export function mixPrologue(ss: SymmetricState, protocolName: string, prologue: Uint8Array): void {
  const hit = prologueHashes.get(protocolName);
  const h = handshakeHashOf(ss);
  if (hit && constantTimeEqual(hit.prologue, prologue)) {
    h.set(hit.h);
    return;
  }
  ss.mixHash(prologue);
  if (prologue.length <= PROLOGUE_CACHE_MAX && (hit || prologueHashes.size < 256)) prologueHashes.set(protocolName, { prologue: prologue.slice(), h: h.slice() });
}

/** Largest MixHash input hashed through {@link mixScratch}; longer ones are concatenated. */
const MIX_SCRATCH_DATA = 1024;
const mixScratch = new Uint8Array(32 + MIX_SCRATCH_DATA);
// One view of it per input length (at most 1,057), so MixHash makes no view per call.
const mixViews: Uint8Array[] = [];
const mixView = (end: number) => (mixViews[end] ??= mixScratch.subarray(0, end));

/**
 * MixHash(data) into the handshake hash `h` (32 bytes, replaced in place): h ‖ data in a reused
 * buffer, hashed into h itself (the backend's `sha256Into` where it has one). Both are public
 * (the handshake hash is a channel binding; data is a public key or ciphertext), so the shared
 * scratch holds nothing secret. Browsers hash a fresh concatenation (handshake-speed.browser.ts).
 */
export function mixHashInto(h: Uint8Array, data: Uint8Array): void {
  if (wasmMixHash(h, data)) return;
  if (data.length > MIX_SCRATCH_DATA) {
    h.set(sha256(concatBytes(h, data)));
    return;
  }
  mixScratch.set(h, 0);
  mixScratch.set(data, 32);
  const input = mixView(32 + data.length);
  if (!getBackend().sha256Into?.(input, h)) h.set(sha256(input));
}

/**
 * Noise's EncryptWithAd in place: `data` (a view of the message being written) encrypted under
 * `k` and `nonce`, the tag into `tag`; on libsodium through the backend's own working arrays
 * (`noiseSealAt`, backend/sodium.ts), which spares each handshake's fresh key and h a move off
 * V8's heap on first native use; otherwise the general in-place seal. Same bytes either way, and
 * the same parameters as `sealInPlace` (browsers use it as is).
 * @throws CryptoError (Aead) as `sealInPlace`.
 */
export function sealAt(k: Uint8Array, nonce: Uint8Array, data: Uint8Array, ad: Uint8Array, tag: Uint8Array): void {
  if (!getBackend().noiseSealAt?.(k, nonce, data, ad, tag)) sealInPlace(k, nonce, data, ad, tag);
}

/**
 * Noise's DecryptWithAd of `sealed` (ciphertext ‖ tag) into a fresh array, as {@link sealAt}
 * through the backend's working arrays where it can (the parameters of `chacha20poly1305Open`).
 * @throws CryptoError: Aead/DataTooShort, Aead/DecryptionFailed, as `chacha20poly1305Open`.
 */
export function openField(k: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array {
  const backend = getBackend();
  const out = backend.noiseOpen ? backend.noiseOpen(k, nonce, ad, sealed) : null;
  if (out) return out;
  if (out === undefined) throw new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' }); // as the general open says it
  return chacha20poly1305Open(k, nonce, sealed, ad);
}
