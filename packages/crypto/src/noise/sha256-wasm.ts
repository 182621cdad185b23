/**
 * Noise's HKDF and MixHash in one WebAssembly call each, on Node (the `#noise-speed` seam:
 * ./handshake-speed.ts; browsers make few handshakes and keep the generic path).
 *
 * Why: an XX handshake hashes 62 times (48 SHA-256 calls in its eight HKDFs, 14 in MixHash), each
 * one to three 64-byte blocks. Through libsodium every call crosses into native code (~0.2 µs of
 * N-API work on top of ~0.3 µs a block here), and the JavaScript around the six calls of an HKDF
 * (key pads, copies, wipes) cost as much again: ~6 µs an HKDF, a tenth of what a session adds
 * to the X25519 work. In WebAssembly the compression runs at ~0.33 µs a block, an HKDF is one
 * call of ten blocks (each key's padded blocks compressed once, the HMAC midstates reused), and
 * nothing crosses into native code (docs/ARCHITECTURE.md, Performance notes).
 *
 * The module (scripts/gen-noise-sha256-wasm.mjs, FIPS 180-4 SHA-256, RFC 2104 HMAC, Noise §4.3
 * HKDF) has its own memory, which nothing else can reach: the chaining key, the PRK and every
 * intermediate state are zeroed inside the call, the outputs as soon as they are copied out.
 * It is compiled on first use after {@link WASM_AFTER_CALLS} calls (a one-shot command never pays
 * the ~1 ms compile); until then, and wherever WebAssembly is missing, callers take the backend.
 * @module
 */
import { kindOf, lengthOf } from '@m2m/core/internal';
import { LAYOUT, WASM_BASE64 } from './sha256-wasm-bytes.js';

/** Calls made on the backend before the module is compiled. */
export const WASM_AFTER_CALLS = 64;
/** Largest HKDF input key material taken (Noise's are 0 or 32 bytes). */
const IKM_MAX = LAYOUT.MIX - LAYOUT.IKM;
/** Largest MixHash data taken (after the 32-byte h). */
const MIX_MAX = 2048;

interface Exports {
  memory: WebAssembly.Memory;
  hkdf(ikmLength: number, outputs: number): void;
  sha256(length: number): void;
}

let calls = 0;
let wasm: Exports | null | undefined; // undefined: not compiled yet; null: unavailable
let mem: Uint8Array;
let out1: Uint8Array;
let out2: Uint8Array;
let out3: Uint8Array;
let digest: Uint8Array;

function compiled(): Exports | null {
  if (wasm !== undefined) return wasm;
  if (++calls < WASM_AFTER_CALLS) return null;
  try {
    const module = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
    const exports = new WebAssembly.Instance(module).exports as unknown as Exports;
    // The memory never grows (nothing calls memory.grow), so these views stay valid.
    mem = new Uint8Array(exports.memory.buffer);
    out1 = mem.subarray(LAYOUT.OUT, LAYOUT.OUT + 32);
    out2 = mem.subarray(LAYOUT.OUT + 32, LAYOUT.OUT + 64);
    out3 = mem.subarray(LAYOUT.OUT + 64, LAYOUT.OUT + 96);
    digest = mem.subarray(LAYOUT.DIGEST, LAYOUT.DIGEST + 32);
    wasm = exports;
  } catch {
    wasm = null;
  }
  return wasm;
}

/** The real length of `x` when it is a Uint8Array (any realm), else -1. */
function bytesLength(x: unknown): number {
  return kindOf.call(x) === 'Uint8Array' ? (lengthOf.call(x) as number) : -1;
}

/**
 * Noise's HKDF(ck, ikm) into the caller's 32-byte arrays (`out1` may be `ck` itself); false
 * when it does not take these arguments now (not compiled yet, sizes other than Noise's), and
 * then nothing is written. Same bytes as the generic HKDF (cipher-state.ts).
 */
export function wasmHkdfInto(ck: Uint8Array, ikm: Uint8Array, o1: Uint8Array, o2: Uint8Array, o3: Uint8Array | undefined): boolean {
  const ikmLength = bytesLength(ikm);
  if (bytesLength(ck) !== 32 || ikmLength < 0 || ikmLength > IKM_MAX || bytesLength(o1) !== 32 || bytesLength(o2) !== 32 || (o3 !== undefined && bytesLength(o3) !== 32)) return false;
  const w = compiled();
  if (!w) return false;
  mem.set(ck, LAYOUT.CK);
  mem.set(ikm, LAYOUT.IKM);
  w.hkdf(ikmLength, o3 ? 3 : 2);
  o1.set(out1);
  o2.set(out2);
  if (o3) o3.set(out3);
  mem.fill(0, LAYOUT.OUT, LAYOUT.OUT + 96);
  return true;
}

/**
 * MixHash: `h` (32 bytes) replaced by SHA-256(h ‖ data); false when it does not take these
 * arguments now (nothing written). Both are public (the handshake hash and a key or ciphertext).
 */
export function wasmMixHash(h: Uint8Array, data: Uint8Array): boolean {
  const n = bytesLength(data);
  if (n < 0 || n > MIX_MAX || bytesLength(h) !== 32) return false;
  const w = compiled();
  if (!w) return false;
  mem.set(h, LAYOUT.MIX);
  mem.set(data, LAYOUT.MIX + 32);
  w.sha256(32 + n);
  h.set(digest);
  return true;
}

/**
 * A copy of the module's whole memory once compiled, else `undefined`: lets tests check that no
 * key material stays in it between calls.
 * @internal
 */
export function wasmMemoryCopy(): Uint8Array | undefined {
  return wasm ? mem.slice() : undefined;
}
