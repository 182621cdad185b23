/**
 * Handshake speed-ups on the Node side of the `#noise-speed` seam (package.json `imports`):
 * a shared slab for handshake messages and a cache of the prologue's handshake hash. They pay at
 * thousands of handshakes a second (bench/handshake.ts); a browser makes a few, so its build
 * takes `handshake-speed.browser.ts` (a fresh array, a plain MixHash) and leaves this code out of
 * its bundle (issue 14's size target, bench/startup.ts).
 * @module
 */
import { constantTimeEqual } from '../hmac.js';
import { handshakeHashOf, type SymmetricState } from './cipher-state.js';

/** Messages from 65 bytes up to {@link SLAB_MESSAGE_MAX} are views of slabs of this size. */
const MESSAGE_SLAB = 16 * 1024;
const SLAB_MESSAGE_MAX = 2048;
const ON_HEAP = 64;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/**
 * Room for a handshake message of `n` bytes. A typed array over 64 bytes gets its own backing
 * store in V8, which costs 1.7-3 µs to make and collect (session/src/codec/slab.ts measured it),
 * and an XX handshake writes two such messages. A handshake message is public (an ephemeral key,
 * ciphertexts and tags, or a payload sent in the clear), so mid-sized ones are views of a shared
 * slab, carved forward and never reused, as the AEAD's ciphertexts are (backend/sodium.ts). A
 * payload to encrypt is copied in and encrypted in place within one synchronous call (wiped if
 * that fails: `writeMessage`).
 */
export function messageBytes(n: number): Uint8Array {
  if (n <= ON_HEAP || n > SLAB_MESSAGE_MAX) return new Uint8Array(n);
  if (slabUsed + n > slab.byteLength) {
    slab = new ArrayBuffer(MESSAGE_SLAB);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, n);
  slabUsed += (n + 7) & ~7;
  return out;
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
