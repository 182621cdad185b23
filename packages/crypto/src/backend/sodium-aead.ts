/**
 * libsodium's ChaCha20-Poly1305 (RFC 8439 §2.8) as the sodium backend calls it
 * (backend/sodium.ts), straight into sodium-native's native binding where that is safe.
 *
 * Why: sodium-native's public functions check each argument with Node's `assert`, whose rest
 * parameters allocate an array per check: nine checks per call cost ~16-19% of a 64 B seal in
 * paired rounds on the shared machine (bench/crypto.ts), more than the rest of the frame
 * protection. The binding under them takes the same typed arrays without checks, and a wrong
 * argument there is not an exception but a crash (a string where a typed array belongs kills
 * the process). So every direct call is guarded here, cheaply, by what the binding needs: each
 * argument a `Uint8Array` of this realm, and the sizes libsodium's prototypes assume; anything
 * else goes through the public, checked function instead.
 *
 * The binding is sodium-native's own file (`binding.js`, shipped in the package), not a
 * documented API, so it is used only when (1) the installed version is one whose argument order
 * this code was written against (5.1 and later 5.x: `(c, mac, m, ad, npub, k)` and
 * `(m, c, ad, npub, k)`, the public functions without `nsec`), and (2) at load, a seal and an
 * open through it give the public functions' bytes and it refuses a forged tag. Otherwise every
 * call uses the public functions, with identical results.
 * @module
 */
import { bufferOf, byteOffsetOf, kindOf, lengthOf } from '@m2m/core/internal';

/** The public sodium-native functions used (the addon ships no types). */
export interface SodiumAeadPublic {
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(c: Uint8Array, mac: Uint8Array, m: Uint8Array, ad: Uint8Array, nsec: null, npub: Uint8Array, k: Uint8Array): number;
  /** `c` is ciphertext ‖ tag; throws when the tag does not verify. */
  crypto_aead_chacha20poly1305_ietf_decrypt(m: Uint8Array, nsec: null, c: Uint8Array, ad: Uint8Array, npub: Uint8Array, k: Uint8Array): number;
}

/** The same two calls in sodium-native's binding (5.1+): no `nsec`, no checks. */
interface SodiumAeadBinding {
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(c: Uint8Array, mac: Uint8Array, m: Uint8Array, ad: Uint8Array, npub: Uint8Array, k: Uint8Array): number;
  /** Returns the plaintext length, or a negative status when the tag does not verify. */
  crypto_aead_chacha20poly1305_ietf_decrypt(m: Uint8Array, c: Uint8Array, ad: Uint8Array, npub: Uint8Array, k: Uint8Array): number;
}

/** A seal's output arrays (backend/types.ts's `SealedParts`). */
export interface SealOutputs {
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/** libsodium's ChaCha20-Poly1305, as {@link sodiumAead} returns it. */
export interface SodiumAead {
  /** Whether calls go straight to the binding (false: through the public functions). */
  readonly direct: boolean;
  /**
   * Encrypts `m` into `c` (the same length; may be `m` itself; other overlaps are copied first)
   * and writes the 16-byte tag to `mac`.
   * @throws TypeError for arguments libsodium cannot take (types, or real sizes: shadowed
   * `length`/`byteLength` properties are not trusted).
   */
  seal(c: Uint8Array, mac: Uint8Array, m: Uint8Array, ad: Uint8Array, npub: Uint8Array, k: Uint8Array): void;
  /**
   * Decrypts `c` (ciphertext ‖ tag) into `m` (`c.length - 16` bytes): false when the tag does not
   * verify (then `m` holds zeros) or libsodium cannot take the arguments (then `m` is untouched).
   */
  open(m: Uint8Array, c: Uint8Array, ad: Uint8Array, npub: Uint8Array, k: Uint8Array): boolean;
  /**
   * Seals `m` into the outputs `alloc(n, k)` returns (`k` for an allocator that keeps slabs
   * per key, backend/sodium.ts), and returns them: a ciphertext and a tag, Uint8Arrays of this
   * realm of exactly `n` and 16 bytes that share memory with nothing a caller holds nor with
   * each other (the backend's own allocators), so the outputs are neither checked nor compared
   * with `m`.
   * @throws TypeError as {@link SodiumAead.seal}.
   */
  sealNew(m: Uint8Array, ad: Uint8Array, npub: Uint8Array, k: Uint8Array, alloc: (n: number, k: Uint8Array) => SealOutputs): SealOutputs;
  /**
   * Opens a frame's AEAD section `nonce(12) ‖ ciphertext ‖ tag(16)` into the plaintext array
   * `alloc(n)` returns (a Uint8Array of this realm of exactly `n` bytes, the plaintext's real
   * length, sharing memory with nothing a caller holds): `undefined` when the tag does not verify or
   * libsodium cannot take the arguments. The nonce and ciphertext are views made from the
   * frame's real buffer, offset and length.
   */
  openFrame(frame: Uint8Array, ad: Uint8Array, k: Uint8Array, alloc: (n: number) => Uint8Array): Uint8Array | undefined;
  /**
   * The real length of `data` when an in-place seal of it (`data` encrypted into itself, the tag
   * into `mac`) takes these arguments, else -1. {@link SodiumAead.sealFitted} may then run with
   * them, provided no other code runs in between (a getter could resize a buffer).
   */
  inPlaceFits(data: unknown, mac: unknown, ad: unknown, npub: unknown, k: unknown): number;
  /** The in-place seal of arguments {@link SodiumAead.inPlaceFits} took, without checking them again. */
  sealFitted(data: Uint8Array, mac: Uint8Array, ad: Uint8Array, npub: Uint8Array, k: Uint8Array): void;
  /** The plaintext length when an open takes these arguments (by their real sizes), else -1; see {@link SodiumAead.openFitted}. */
  openFits(m: unknown, c: unknown, ad: unknown, npub: unknown, k: unknown): number;
  /**
   * {@link SodiumAead.open} of arguments {@link SodiumAead.openFits} took (`n` what it returned),
   * without checking their sizes again (as {@link SodiumAead.sealFitted}); memory shared with `m`
   * at another offset is still copied first.
   */
  openFitted(m: Uint8Array, c: Uint8Array, ad: Uint8Array, npub: Uint8Array, k: Uint8Array, n: number): boolean;
}

// Sizes are read with core's built-in TypedArray getters (wire/typed-array-intrinsics.ts). A
// caller can shadow `length`, `byteLength` or `byteOffset` on an array (an own property, or a
// subclass getter) while libsodium uses the real sizes: a 64 KiB ciphertext whose `length` said 20
// made an open write zeros past a 4-byte output and crash the process.

/**
 * The real element count of `x` when it is a Uint8Array (of any realm, as core's `isBytes`
 * accepts; Buffer included), -1 otherwise: the built-in tag getter reads the array's internal
 * kind, so an object that only inherits from Uint8Array.prototype is not taken for one.
 */
function realLength(x: unknown): number {
  return kindOf.call(x) === 'Uint8Array' ? (lengthOf.call(x) as number) : -1;
}

/**
 * Whether `a` and `b` share memory without starting at the same byte (libsodium supports exact
 * in-place only). The byte ranges are compared first: ranges that do not meet cannot overlap in
 * any buffer, and the `buffer` getter is a C++ call (~30-40 ns here, twice per open before;
 * docs/ARCHITECTURE.md, Performance notes), so the buffers are compared only when they might.
 */
function overlapsShifted(a: Uint8Array, b: Uint8Array): boolean {
  const ao = byteOffsetOf.call(a) as number;
  const bo = byteOffsetOf.call(b) as number;
  if (ao === bo || ao >= bo + (lengthOf.call(b) as number) || bo >= ao + (lengthOf.call(a) as number)) return false;
  return bufferOf.call(a) === bufferOf.call(b);
}

/** {@link SodiumAead.inPlaceFits}: the in-place seal's five arguments read once each. */
function inPlaceFits(data: unknown, mac: unknown, ad: unknown, npub: unknown, k: unknown): number {
  const n = realLength(data);
  return realLength(mac) === 16 && kindOf.call(ad) === 'Uint8Array' && realLength(npub) === 12 && realLength(k) === 32 ? n : -1;
}

/**
 * Whether a seal's arguments are what libsodium's prototype assumes, by their real sizes. In
 * place (`c` the very array `m`, the frame encoder's case) the output is the input: one array to
 * read, and nothing to compare for overlap.
 */
function sealFits(c: unknown, mac: unknown, m: unknown, ad: unknown, npub: unknown, k: unknown): boolean {
  const n = realLength(m);
  return n >= 0 && (c === m || realLength(c) === n) && realLength(mac) === 16 && realLength(ad) >= 0 && realLength(npub) === 12 && realLength(k) === 32;
}

/** The plaintext length of an open whose arguments are what libsodium's prototype assumes (by their real sizes), else -1. */
function openFits(m: unknown, c: unknown, ad: unknown, npub: unknown, k: unknown): number {
  const n = realLength(c) - 16;
  return n >= 0 && realLength(m) === n && realLength(ad) >= 0 && realLength(npub) === 12 && realLength(k) === 32 ? n : -1;
}

/** Whether a fresh-output seal's inputs are what libsodium's prototype assumes: the plaintext's real length, else -1. */
function sealInputs(m: unknown, ad: unknown, npub: unknown, k: unknown): number {
  const n = realLength(m);
  return realLength(ad) >= 0 && realLength(npub) === 12 && realLength(k) === 32 ? n : -1;
}

/**
 * The nonce and ciphertext ‖ tag of a frame's AEAD section as views of its real memory (a
 * constructed view costs about half of a `subarray`, which also consults the array's species), or
 * `undefined` when `frame` is not a Uint8Array of at least 28 real bytes or the other inputs
 * do not fit.
 */
function frameViews(frame: unknown, ad: unknown, k: unknown): { npub: Uint8Array; c: Uint8Array } | undefined {
  const n = realLength(frame);
  if (n < 28 || realLength(ad) < 0 || realLength(k) !== 32) return undefined;
  const buffer = bufferOf.call(frame) as ArrayBuffer;
  const offset = byteOffsetOf.call(frame) as number;
  return { npub: new Uint8Array(buffer, offset, 12), c: new Uint8Array(buffer, offset + 12, n - 12) };
}

/** Refuses a seal libsodium cannot take (caught and typed by backend/sodium.ts's callers). */
function unfit(): never {
  throw new TypeError('arguments libsodium cannot take (types, or real sizes)');
}

/**
 * The public functions' behaviour as {@link SodiumAead}, behind the same size checks as the
 * direct calls: the public functions check `byteLength`, which a caller can shadow too.
 */
function checkedCalls(s: SodiumAeadPublic): SodiumAead {
  const openFitted: SodiumAead['openFitted'] = (m, c, ad, npub, k) => {
    try {
      s.crypto_aead_chacha20poly1305_ietf_decrypt(m, null, overlapsShifted(m, c) ? new Uint8Array(c) : c, ad, npub, k);
      return true;
    } catch {
      m.fill(0);
      return false;
    }
  };
  return {
    direct: false,
    seal(c, mac, m, ad, npub, k) {
      if (!sealFits(c, mac, m, ad, npub, k)) unfit();
      s.crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, mac, c !== m && overlapsShifted(c, m) ? new Uint8Array(m) : m, ad, null, npub, k);
    },
    sealNew(m, ad, npub, k, alloc) {
      const n = sealInputs(m, ad, npub, k);
      if (n < 0) unfit();
      const out = alloc(n, k);
      s.crypto_aead_chacha20poly1305_ietf_encrypt_detached(out.ciphertext, out.tag, m, ad, null, npub, k);
      return out;
    },
    openFrame(frame, ad, k, alloc) {
      const v = frameViews(frame, ad, k);
      if (!v) return undefined;
      const m = alloc(v.c.length - 16);
      try {
        s.crypto_aead_chacha20poly1305_ietf_decrypt(m, null, v.c, ad, v.npub, k);
        return m;
      } catch {
        return undefined;
      }
    },
    inPlaceFits,
    sealFitted(data, mac, ad, npub, k) {
      s.crypto_aead_chacha20poly1305_ietf_encrypt_detached(data, mac, data, ad, null, npub, k);
    },
    openFits,
    openFitted,
    // Arguments libsodium cannot take are a refusal, as a forged tag (what the backend did before).
    open(m, c, ad, npub, k) {
      const n = openFits(m, c, ad, npub, k);
      return n >= 0 && openFitted(m, c, ad, npub, k, n);
    },
  };
}

/** Direct binding calls behind the checks that make them safe. */
function directCalls(b: SodiumAeadBinding): SodiumAead {
  // Success returns the plaintext length; anything else (a negative status) is a refusal.
  const openFitted = (m: Uint8Array, c: Uint8Array, ad: Uint8Array, npub: Uint8Array, k: Uint8Array, n: number): boolean =>
    b.crypto_aead_chacha20poly1305_ietf_decrypt(m, overlapsShifted(m, c) ? new Uint8Array(c) : c, ad, npub, k) === n;
  return {
    direct: true,
    seal(c, mac, m, ad, npub, k) {
      if (!sealFits(c, mac, m, ad, npub, k)) unfit();
      b.crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, mac, c !== m && overlapsShifted(c, m) ? new Uint8Array(m) : m, ad, npub, k);
    },
    // The fresh output shares memory with no input, so neither its size nor an overlap is checked.
    sealNew(m, ad, npub, k, alloc) {
      const n = sealInputs(m, ad, npub, k);
      if (n < 0) unfit();
      const out = alloc(n, k);
      b.crypto_aead_chacha20poly1305_ietf_encrypt_detached(out.ciphertext, out.tag, m, ad, npub, k);
      return out;
    },
    openFrame(frame, ad, k, alloc) {
      const v = frameViews(frame, ad, k);
      if (!v) return undefined;
      const n = v.c.length - 16;
      const m = alloc(n);
      return b.crypto_aead_chacha20poly1305_ietf_decrypt(m, v.c, ad, v.npub, k) === n ? m : undefined;
    },
    open(m, c, ad, npub, k) {
      const n = openFits(m, c, ad, npub, k);
      return n >= 0 && openFitted(m, c, ad, npub, k, n);
    },
    inPlaceFits,
    sealFitted(data, mac, ad, npub, k) {
      b.crypto_aead_chacha20poly1305_ietf_encrypt_detached(data, mac, data, ad, npub, k);
    },
    openFits,
    openFitted,
  };
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Whether `calls` seal and open like the public functions `s` and refuse a forged tag (run
 * once, at load, on a fixed 37-byte message).
 */
function agreesWithPublic(calls: SodiumAead, s: SodiumAeadPublic): boolean {
  const k = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
  const npub = Uint8Array.from({ length: 12 }, (_, i) => 200 - i);
  const ad = Uint8Array.from({ length: 5 }, (_, i) => i + 50);
  const m = Uint8Array.from({ length: 37 }, (_, i) => i * 3);
  const c = new Uint8Array(37);
  const mac = new Uint8Array(16);
  calls.seal(c, mac, m, ad, npub, k);
  const c2 = new Uint8Array(37);
  const mac2 = new Uint8Array(16);
  s.crypto_aead_chacha20poly1305_ietf_encrypt_detached(c2, mac2, m, ad, null, npub, k);
  if (!equal(c, c2) || !equal(mac, mac2) || equal(c, m)) return false;
  const sealed = new Uint8Array(53);
  sealed.set(c);
  sealed.set(mac, 37);
  const opened = new Uint8Array(37);
  if (!calls.open(opened, sealed, ad, npub, k) || !equal(opened, m)) return false;
  sealed[52] ^= 1;
  return !calls.open(opened, sealed, ad, npub, k) && opened.every((x) => x === 0);
}

/**
 * libsodium's AEAD calls over the loaded addon `s`: direct binding calls when `loadBinding`
 * finds a sodium-native version this code knows (5.1+ in major 5) and they pass the check
 * against the public functions, else the public functions.
 */
export function sodiumAead(s: SodiumAeadPublic, loadBinding: () => { version: string; binding: unknown } | null): SodiumAead {
  const checked = checkedCalls(s);
  try {
    const found = loadBinding();
    const v = found && /^5\.(\d+)\./.exec(found.version);
    if (!found || !v || Number(v[1]) < 1) return checked;
    const b = found.binding as Partial<SodiumAeadBinding>;
    if (typeof b.crypto_aead_chacha20poly1305_ietf_encrypt_detached !== 'function' || typeof b.crypto_aead_chacha20poly1305_ietf_decrypt !== 'function') return checked;
    const direct = directCalls(b as SodiumAeadBinding);
    return agreesWithPublic(direct, s) ? direct : checked;
  } catch {
    return checked;
  }
}
