/**
 * M2M v1 frames (`#M2M|1|`): encoder, decoder and header inspector, byte-compatible with the
 * reference implementation (m2m-protocol 0.4.0), its quirks included, with a security policy
 * and size limits the reference lacks. Layout: docs/PROTOCOL.md §1, security modes and policy:
 * §2. Headers are built in header-build.ts and read in header-read.ts, the payload section is
 * read in frame-payload.ts, offsets are named in frame-layout.ts.
 * @module
 */
import { M2MError } from '../errors/base.js';
import { isBytes } from './bytes.js';
import { lengthOf, unsharedBytes } from './typed-array-intrinsics.js';
import { platform, scanFrameHeader, scanInput } from '#platform';
import { frameBytesToText, frameTextToBytes } from './frame-text.js';
import { cryptoFailure, decompressionError } from './frame-error.js';
import {
  AEAD_NONCE_SIZE,
  AEAD_TAG_SIZE,
  COMMON_FLAGS_OFFSET,
  FLAGS_OFFSET,
  HEADER_LEN_OFFSET,
  HMAC_TAG_SIZE,
  MIN_FRAME_WITH_SECURITY,
  PAYLOAD_LEN_SIZE,
  PAYLOAD_PREAMBLE_SIZE,
  PREFIX_LEN,
  SCHEMA_OFFSET,
  SECURITY_OFFSET,
  VARIABLE_HEADER_OFFSET,
} from './frame-layout.js';
import { readOpenedPayload, readOpenedPayloadTextFast, readPayload, readPayloadTextFast } from './frame-payload.js';
import { buildHeader, type PromptTokens } from './header-build.js';
import { checkHeaders, checkPrefix, readFixed, readHeaders } from './header-read.js';
import { CommonFlag, FIXED_HEADER_LEN, M2M_PREFIX_BYTES, securityMode, type FrameHeader, type SecurityMode } from './header.js';
import { parseForHeaders } from './json.js';
import { checkLimit, resolveLimits, type Limits } from './limits.js';
import type { FrameProtection } from './protection.js';

export { frameTextToBytes };

/** Payloads of at least this many UTF-8 bytes are Brotli-compressed. */
export const COMPRESSION_THRESHOLD = 100;
/** Brotli quality of M2M v1 payloads. */
export const FRAME_BROTLI_QUALITY = 5;
/** Brotli window (log2 bytes) of M2M v1 payloads. */
export const FRAME_BROTLI_LGWIN = 22;
/**
 * Under the `auto` policy, payloads below this many UTF-8 bytes go uncompressed: one Brotli call
 * costs tens of microseconds whatever the size, and on chat-sized JSON below 512 B it saves a few
 * dozen bytes at best (measurements: docs/ARCHITECTURE.md, Performance notes).
 */
export const AUTO_COMPRESSION_MIN_BYTES = 512;
/** Smallest Brotli window (RFC 7932 §9.1: lgwin 10 to 24). */
const MIN_BROTLI_LGWIN = 10;

/**
 * When a frame's payload is Brotli-compressed.
 * - `always`: the reference's rule, every payload of at least {@link COMPRESSION_THRESHOLD} bytes
 *   at window 22, even when the output is larger; frames stay byte-identical to the reference's.
 * - `auto`: payloads below {@link AUTO_COMPRESSION_MIN_BYTES} go plain, larger ones are compressed
 *   with a window sized to the input and sent plain when Brotli's output is not smaller. Every
 *   M2M decoder (the reference's included) reads both, by the header's COMPRESSED flag.
 */
export type FrameCompression = 'always' | 'auto';

/** Options of {@link encodeFrame}. */
export interface EncodeFrameOptions {
  /** HMAC or AEAD protection from `@m2m/crypto`; none for plain frames. */
  protection?: FrameProtection;
  /**
   * Limits over `DEFAULT_LIMITS`: `maxMessageBytes` bounds the JSON's UTF-8 size and
   * `maxJsonDepth` its nesting while header fields are read; past either, LimitExceeded.
   */
  limits?: Partial<Limits>;
  /**
   * Prompt tokens of a request for the header's cost estimate (e.g. `countRequestTokens`).
   * Without it, or when it returns `undefined`, the estimate uses the reference's
   * `content bytes / 4`, so default frames stay byte-identical to the reference's.
   */
  promptTokens?: PromptTokens;
  /**
   * Compression policy (see {@link FrameCompression}). Default `always`, the reference's bytes;
   * sessions use `auto` (docs/PROTOCOL.md §1).
   */
  compression?: FrameCompression;
  /**
   * Under `auto`: payloads below this many UTF-8 bytes go plain (default
   * {@link AUTO_COMPRESSION_MIN_BYTES}); 0 tries Brotli on every payload and keeps it only
   * when smaller. Ignored under `always`.
   */
  compressionMinBytes?: number;
}

/** Options of {@link decodeFrame}. */
export interface DecodeFrameOptions {
  /** The protection to verify or decrypt with. */
  protection?: FrameProtection;
  /**
   * The weakest frame accepted. Defaults to the protection's mode (or `none` without one).
   * Reading the reference's unauthenticated frames with a key at hand needs `'none'`.
   */
  minSecurity?: SecurityMode;
  /**
   * Size limits over `DEFAULT_LIMITS`: the frame's size, its declared `header_len` and
   * `payload_len`, and the decompressed payload; past one, decoding fails with LimitExceeded.
   */
  limits?: Partial<Limits>;
}

/** A decoded frame. */
export interface DecodedFrame {
  /** The fixed header and the routing or response header, as {@link inspectFrame} reads them. */
  header: FrameHeader;
  /** The JSON text exactly as the sender gave it. */
  payload: string;
  /** CRC-32 of the payload as stored in the frame. */
  crc32: number;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * Encodes LLM-API JSON as an M2M v1 frame, byte-identical to the reference's encoder
 * (with node:zlib) under the default `compression: 'always'`; `auto` sends small or
 * incompressible payloads plain. The JSON text is kept exactly; it is parsed only for the headers.
 *
 * @throws M2MError: Compression (`Invalid JSON: ...`, with `details.invalidJson`), LimitExceeded (size, JSON depth, a
 *   routing header past `header_len`'s 65535 bytes),
 *   Crypto (from the protection), Config (unknown `compression`, bad `compressionMinBytes`).
 * @example
 * ```ts
 * const frame = encodeFrame('{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}');
 * inspectFrame(frame).routing?.model; // 'gpt-4o'
 * ```
 */
export function encodeFrame(json: string, options: EncodeFrameOptions = {}): Uint8Array {
  return encodeFrameWith(json, options, newBytes);
}

const newBytes = (n: number): Uint8Array => new Uint8Array(n);
/** `#M2M|1|` and a fixed header of zeros: what every frame starts with before its fields are set. */
const FIXED_HEAD = new Uint8Array(VARIABLE_HEADER_OFFSET);
FIXED_HEAD.set(M2M_PREFIX_BYTES);
const utf8Encoder = new TextEncoder();

/**
 * {@link encodeFrame} with the frame's memory from `allocate` (called once per frame; every byte
 * of what it returns is overwritten): sessions pass a slab allocator, since a typed array over 64
 * bytes gets its own backing store, about a tenth of a small frame's encoding time
 * (docs/ARCHITECTURE.md, Performance notes). The bytes are the same as {@link encodeFrame}'s.
 * `allocate` must not encode a frame itself: the header writer and the payload's UTF-8 scratch
 * are shared between calls and still in use when it runs. `utf8Length`, when given, must be
 * `utf8ByteLength(json)` (a session has counted it already for its statistics).
 * @throws M2MError as {@link encodeFrame}.
 */
export function encodeFrameWith(json: string, options: EncodeFrameOptions, allocate: (n: number) => Uint8Array, utf8Length?: number): Uint8Array {
  if (typeof json !== 'string') throw new M2MError('Compression', { reason: 'Invalid JSON: input is not a string', invalidJson: 'input is not a string' });
  const limits = resolveLimits(options.limits);
  // Every option is read once, before the shared UTF-8 scratch is filled: a getter that encodes
  // another frame would otherwise overwrite this frame's bytes after they were scanned, and the
  // frame would carry the other JSON under a valid CRC (core/test/frame-reentrancy.test.ts).
  const { promptTokens, compression: givenCompression, compressionMinBytes, protection: givenProtection } = options;
  // The protection's mode too, once: its getter could encode another frame in the same way
  // (core/test/attack-protection-getter.test.ts). Checked where it was (checkProtection below).
  const givenMode = (givenProtection as { mode?: unknown } | null | undefined)?.mode;
  const compression = givenCompression ?? 'always';
  checkLimit('maxMessageBytes', json.length, limits.maxMessageBytes);
  // One pass over the text reads the header's fields (header-scan.ts, where the platform carries
  // it: Node's `#platform` scanInput and scanFrameHeader; short requests from their UTF-8 bytes,
  // which the frame needs anyway); what it cannot decide exactly, and a caller's token counter (it
  // needs the parsed request), takes the full parse. The byte scan's UTF-8 bytes come first (Node:
  // into a reused scratch), and their count with them (no pass to count).
  let jsonBytes = promptTokens ? undefined : scanInput(json, utf8Length);
  const jsonLen = (lastJsonBytes = utf8Length ?? jsonBytes?.length ?? platform.utf8Length(json));
  let built = promptTokens ? undefined : scanFrameHeader(json, jsonBytes, limits.maxJsonDepth, jsonLen === json.length);
  const parsed = built ? undefined : parseForHeaders(json, limits.maxJsonDepth);
  checkLimit('maxMessageBytes', jsonLen, limits.maxMessageBytes);
  built ??= buildHeader(parsed, promptTokens);
  // A plain payload is copied into the frame from its bytes, or encoded straight into it; a
  // compressed one needs its bytes first.
  const plain = sendsPlain(jsonLen, compression, compressionMinBytes ?? AUTO_COMPRESSION_MIN_BYTES);
  if (!plain) jsonBytes ??= platform.utf8EncodeScratch(json, jsonLen);
  const packed = plain ? undefined : compressPayload(jsonBytes!, compression === 'auto');
  const payloadLen = packed ? packed.length : jsonLen;
  const protection = checkProtection(givenProtection, givenMode);
  const mode = givenMode as FrameProtection['mode'] | undefined;
  const variableLen = built.variable.length;
  // The reference writes `header_len` as u16, so past 65535 it wraps and the payload is read from
  // the wrong place (../shared/reference/wire-format.md §2.5.3): such a frame never decodes, so
  // it is refused here instead of sent (about 260,000 messages, or an absurd model name).
  checkLimit('maxHeaderBytes', FIXED_HEADER_LEN + variableLen, 0xffff);
  const headersEnd = VARIABLE_HEADER_OFFSET + variableLen;
  const tail = PAYLOAD_PREAMBLE_SIZE + payloadLen;
  const aead = mode === 'aead';
  // AEAD frames are laid out whole at once: the plaintext section sits where its ciphertext
  // goes and is overwritten by it (no staging copy of the frame).
  const sectionAt = aead ? headersEnd + AEAD_NONCE_SIZE : headersEnd;
  const out = allocate(sectionAt + tail + (aead ? AEAD_TAG_SIZE : mode === 'hmac' ? HMAC_TAG_SIZE : 0));
  // The prefix and the fixed header's zero bytes in one copy, then its fields.
  out.set(FIXED_HEAD);
  const headerLen = FIXED_HEADER_LEN + variableLen;
  out[HEADER_LEN_OFFSET] = headerLen & 0xff;
  out[HEADER_LEN_OFFSET + 1] = headerLen >>> 8;
  out[SCHEMA_OFFSET] = built.schemaByte;
  // `SECURITY_BYTE[mode]`, which equals the rank (header.ts), without a keyed lookup: see rankOf.
  out[SECURITY_OFFSET] = mode ? rankOf(mode) : 0;
  out[FLAGS_OFFSET] = built.flags & 0xff;
  out[FLAGS_OFFSET + 1] = (built.flags >>> 8) & 0xff;
  if (packed) out[COMMON_FLAGS_OFFSET] = CommonFlag.COMPRESSED;
  built.variable.copyTo(out, VARIABLE_HEADER_OFFSET);
  const payloadAt = sectionAt + PAYLOAD_PREAMBLE_SIZE;
  let crc: number;
  if (packed) {
    out.set(packed, payloadAt);
    crc = platform.crc32(jsonBytes!);
  } else if (jsonBytes) {
    out.set(jsonBytes, payloadAt);
    crc = platform.crc32(jsonBytes);
  } else {
    const payload = out.subarray(payloadAt, payloadAt + jsonLen);
    utf8Encoder.encodeInto(json, payload);
    crc = platform.crc32(payload);
  }
  writeU32LE(out, sectionAt, payloadLen);
  writeU32LE(out, sectionAt + PAYLOAD_LEN_SIZE, crc);
  if (!protection) return out;
  try {
    if (mode === 'hmac') {
      const tag = (protection as Extract<FrameProtection, { mode: 'hmac' }>).sign(out.subarray(PREFIX_LEN, headersEnd + tail));
      out.set(tag, headersEnd + tail);
      return out;
    }
    const sealing = protection as Extract<FrameProtection, { mode: 'aead' }>;
    if (sealing.sealInPlace) {
      sealing.sealInPlace(out.subarray(PREFIX_LEN, headersEnd), out.subarray(sectionAt, sectionAt + tail), out.subarray(headersEnd, sectionAt), out.subarray(sectionAt + tail, sectionAt + tail + AEAD_TAG_SIZE));
      return out;
    }
    const { nonce, ciphertext, tag } = sealing.seal(out.subarray(PREFIX_LEN, headersEnd), out.subarray(sectionAt, sectionAt + tail));
    if (nonce.length !== AEAD_NONCE_SIZE || tag.length !== AEAD_TAG_SIZE || ciphertext.length !== tail) {
      throw new M2MError('Internal', { reason: 'frame protection returned parts of the wrong sizes' });
    }
    out.set(nonce, headersEnd);
    out.set(ciphertext, sectionAt);
    out.set(tag, sectionAt + tail);
    return out;
  } catch (e) {
    throw cryptoFailure(e);
  }
}

let lastJsonBytes = 0;

/**
 * The UTF-8 length of the JSON text of the frame {@link encodeFrameWith} encoded last (internal:
 * a session's statistics read it instead of counting the text again).
 */
export function lastFrameJsonBytes(): number {
  return lastJsonBytes;
}

function writeU32LE(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff;
  out[at + 1] = (v >>> 8) & 0xff;
  out[at + 2] = (v >>> 16) & 0xff;
  out[at + 3] = v >>> 24;
}

/** The window for an input: the smallest power of two holding it, within Brotli's range and at most the reference's. */
export function brotliWindowFor(length: number): number {
  return Math.min(FRAME_BROTLI_LGWIN, Math.max(MIN_BROTLI_LGWIN, Math.ceil(Math.log2(Math.max(1, length)))));
}

/**
 * Whether a payload of `length` UTF-8 bytes is stored without even trying Brotli (the policy's
 * size rule). @throws M2MError Config for an unknown policy or a bad `minBytes`.
 */
function sendsPlain(length: number, policy: FrameCompression, minBytes: number): boolean {
  if (policy !== 'auto' && policy !== 'always') throw new M2MError('Config', { reason: `compression must be 'always' or 'auto'` });
  if (!Number.isSafeInteger(minBytes) || minBytes < 0) throw new M2MError('Config', { reason: 'compressionMinBytes must be a non-negative integer' });
  return length < (policy === 'auto' ? minBytes : COMPRESSION_THRESHOLD);
}

/** The Brotli stream of a payload, or `undefined` when `auto` finds it not smaller than the payload. */
function compressPayload(jsonBytes: Uint8Array, auto: boolean): Uint8Array | undefined {
  let packed: Uint8Array;
  try {
    packed = platform.brotliCompress(jsonBytes, FRAME_BROTLI_QUALITY, auto ? brotliWindowFor(jsonBytes.length) : FRAME_BROTLI_LGWIN);
  } catch (e) {
    throw new M2MError('Compression', { reason: `Brotli compression failed: ${(e as Error).message}` }, { cause: e });
  }
  return auto && packed.length >= jsonBytes.length ? undefined : packed;
}

/** Text form: `#M2M|1|` + base64 of everything after the prefix. @throws M2MError as {@link encodeFrame}. */
export function encodeFrameText(json: string, options: EncodeFrameOptions = {}): string {
  return frameBytesToText(encodeFrame(json, options));
}

// ---------------------------------------------------------------------------------------------
// Decoding

function toBytes(input: Uint8Array, what: string): Uint8Array {
  if (!isBytes(input)) throw new M2MError('InvalidMessage', { reason: `${what} expects a Uint8Array` });
  // The decoders bound every read by `length`, but index reads and Node's latin1 copy
  // (frame-payload.ts finishPayloadFast) see the array's real extent: a `length` claiming more
  // made bytes past the end count as zeros in the CRC (test/attack-receive-path.test.ts).
  if (lengthOf.call(input) !== input.length) throw new M2MError('InvalidMessage', { reason: `${what} expects a Uint8Array whose length is its own` });
  return input;
}

/**
 * Reads a frame's headers (fixed plus routing or response header) without decompressing,
 * verifying or decrypting anything: what a router needs. Takes the binary form; for the text
 * form `#M2M|1|<base64>`, pass `frameTextToBytes(text)` (its bytes given here fail as too short).
 * @throws M2MError of kind Decompression for malformed headers.
 */
export function inspectFrame(bytes: Uint8Array, options: { limits?: Partial<Limits> } = {}): FrameHeader {
  // Shared memory (a SharedArrayBuffer) is read from a private copy, as in decodeFrame.
  const data = unsharedBytes(toBytes(bytes, 'inspectFrame'));
  checkLimit('maxMessageBytes', data.length, resolveLimits(options.limits).maxMessageBytes);
  checkPrefix(data);
  return readHeaders(data, resolveLimits(options.limits));
}

/** A caller's `protection` option, checked to be one (a plain object slips past TypeScript from JS). */
function checkProtection(p: FrameProtection | undefined, mode: unknown = (p as { mode?: unknown } | null | undefined)?.mode): FrameProtection | undefined {
  if (p === undefined || mode === 'aead' || mode === 'hmac') return p;
  throw new M2MError('Config', { reason: 'protection must be a FrameProtection (aeadProtection or hmacProtection from @m2m/crypto)' });
}

/**
 * Decodes an M2M v1 frame under a security policy: a frame weaker than `minSecurity` is
 * rejected whatever its security byte says; HMAC frames are verified and AEAD frames
 * decrypted with the given protection. Checks run in the reference's order, with its messages.
 * Takes the binary form; the text form `#M2M|1|<base64>` goes to {@link decodeFrameText}.
 * Without `protection` it is the reference's plain decoder: an HMAC frame decodes with its tag
 * unchecked (`header.security` says `hmac`) and an AEAD frame fails as `Frame too short for
 * payload`; `inspectFrame(bytes).security` tells which before decoding. A view of a
 * SharedArrayBuffer is copied first and the copy decoded (another thread could otherwise change
 * bytes between their check and their use); the caller's own unshared bytes must not change
 * while it runs (nothing here yields).
 *
 * @throws M2MError: Decompression (malformed), SecurityDowngrade (policy), Crypto (tag or key),
 *   LimitExceeded (size, decompression bomb).
 * @example
 * ```ts
 * const { header, payload } = decodeFrame(frame, { protection: aeadProtection(key) });
 * ```
 */
export function decodeFrame(bytes: Uint8Array, options: DecodeFrameOptions = {}): DecodedFrame {
  // Shared memory (a SharedArrayBuffer): decoded from a private copy, taken once, since another
  // thread can change a byte between its check and its use (headers read, then a different AAD
  // authenticated; a CRC over other bytes than those decoded: test/shared-memory.test.ts).
  // decodeFramePayload, internal, leaves this to its caller (the session's codec copies first).
  const data = unsharedBytes(toBytes(bytes, 'decodeFrame'));
  const limits = resolveLimits(options.limits);
  checkLimit('maxMessageBytes', data.length, limits.maxMessageBytes);
  const protection = checkProtection(options.protection);
  const mode = checkSecurity(data, options.minSecurity, protection);
  if (mode === 'none' || !protection) return decodePlain(data, limits);
  if (mode === 'hmac') return decodePlain(verifyHmac(data, protection as Extract<FrameProtection, { mode: 'hmac' }>), limits);
  const header = readHeaders(data, limits);
  const { payload, crc32 } = openAead(data, protection as Extract<FrameProtection, { mode: 'aead' }>, header.headerLen, header.compressed, limits, readOpenedPayload);
  return { header, payload, crc32 };
}

/**
 * {@link decodeFrame}'s payload alone, for a caller that discards the header (a session's
 * received DATA): the same checks in the same order, the same errors and the same payload, but
 * the headers are only checked, not built (`checkHeaders` in header-read.ts). Internal: unlike
 * {@link decodeFrame} it does not copy shared memory first; the caller passes bytes no other
 * thread can write (the session's codec copies a shared message before anything reads it).
 * @throws M2MError as {@link decodeFrame}.
 */
export function decodeFramePayload(bytes: Uint8Array, options: DecodeFrameOptions): string {
  const data = toBytes(bytes, 'decodeFrame');
  const limits = resolveLimits(options.limits);
  checkLimit('maxMessageBytes', data.length, limits.maxMessageBytes);
  const protection = checkProtection(options.protection);
  const mode = checkSecurity(data, options.minSecurity, protection);
  if (mode === 'none' || !protection) return plainPayload(data, limits);
  if (mode === 'hmac') return plainPayload(verifyHmac(data, protection as Extract<FrameProtection, { mode: 'hmac' }>), limits);
  const headerLen = checkHeaders(data, limits);
  return openAead(data, protection as Extract<FrameProtection, { mode: 'aead' }>, headerLen, (data[COMMON_FLAGS_OFFSET] & CommonFlag.COMPRESSED) !== 0, limits, readOpenedPayloadTextFast);
}

/**
 * `SECURITY_RANK[mode]` (header.ts: none 0, hmac 1, aead 2) by comparisons, -1 for anything that
 * is not a mode (an inherited name such as `toString` included). A keyed lookup by a mode string
 * goes megamorphic once plain and encrypted frames pass the same call site (V8 keeps one name per
 * keyed site): ~1% of a plaintext session's CPU beside XX sessions in one process
 * (docs/ARCHITECTURE.md, Performance notes). `core/test/frame-payload-decode.test.ts` holds it to the table.
 */
function rankOf(mode: string): number {
  return mode === 'none' ? 0 : mode === 'hmac' ? 1 : mode === 'aead' ? 2 : -1;
}

/**
 * The decoder's policy checks, in the reference's order: `minSecurity` and the protection, the
 * prefix, the minimum sizes, a downgrade, a protection of the wrong mode. Returns the frame's mode.
 */
function checkSecurity(data: Uint8Array, minSecurityOption: SecurityMode | undefined, protection: FrameProtection | undefined): SecurityMode {
  const minSecurity: SecurityMode = minSecurityOption ?? protection?.mode ?? 'none';
  const minRank = rankOf(minSecurity);
  if (minRank < 0) throw new M2MError('Config', { reason: `minSecurity must be none, hmac or aead` });
  if (minRank > 0 && !protection) throw new M2MError('Config', { reason: `minSecurity ${minSecurity} needs a protection to verify with` });
  checkPrefix(data);
  if (protection && data.length < MIN_FRAME_WITH_SECURITY) throw decompressionError('Frame too short');
  if (data.length < MIN_FRAME_WITH_SECURITY) readFixed(data);
  const mode = securityMode(data[SECURITY_OFFSET]);
  if (rankOf(mode) < minRank) throw new M2MError('SecurityDowngrade', { required: minSecurity, actual: mode });
  if (mode !== 'none' && protection && protection.mode !== mode) {
    throw decompressionError(`Frame security ${mode} does not match the configured ${protection.mode} protection`);
  }
  return mode;
}

function decodePlain(data: Uint8Array, limits: Limits): DecodedFrame {
  const header = readHeaders(data, limits);
  const { payload, crc32 } = readPayload(data, PREFIX_LEN + header.headerLen, header.compressed, limits);
  return { header, payload, crc32 };
}

function plainPayload(data: Uint8Array, limits: Limits): string {
  const headerLen = checkHeaders(data, limits);
  return readPayloadTextFast(data, PREFIX_LEN + headerLen, (data[COMMON_FLAGS_OFFSET] & CommonFlag.COMPRESSED) !== 0, limits);
}

/** Verifies an HMAC frame's tag; returns the frame without it. */
function verifyHmac(data: Uint8Array, protection: Extract<FrameProtection, { mode: 'hmac' }>): Uint8Array {
  if (data.length < VARIABLE_HEADER_OFFSET + HMAC_TAG_SIZE) throw decompressionError('Frame too short for HMAC');
  try {
    protection.verify(data.subarray(PREFIX_LEN, data.length - HMAC_TAG_SIZE), data.subarray(data.length - HMAC_TAG_SIZE));
  } catch (e) {
    throw cryptoFailure(e);
  }
  return data.subarray(0, data.length - HMAC_TAG_SIZE);
}

/** Opens an AEAD frame's sealed section after its checked headers (`headerLen` bytes) and reads its payload with `read`. */
function openAead<T>(data: Uint8Array, protection: Extract<FrameProtection, { mode: 'aead' }>, headerLen: number, compressed: boolean, limits: Limits, read: (plain: Uint8Array, compressed: boolean, limits: Limits) => T): T {
  const sealed = data.subarray(PREFIX_LEN + headerLen);
  if (sealed.length < AEAD_NONCE_SIZE + AEAD_TAG_SIZE) throw decompressionError('Frame too short for AEAD payload');
  const aad = data.subarray(PREFIX_LEN, PREFIX_LEN + headerLen);
  const transient = protection.openTransient !== undefined;
  let plain: Uint8Array;
  try {
    plain = transient ? protection.openTransient!(aad, sealed) : protection.open(aad, sealed);
  } catch (e) {
    throw cryptoFailure(e);
  }
  try {
    return read(plain, compressed, limits);
  } finally {
    // A reused plaintext buffer keeps nothing once the payload is a string (protection.ts).
    if (transient) plain.fill(0);
  }
}

/**
 * Decodes the text form `#M2M|1|<base64>` (strict base64) under the same policy as
 * {@link decodeFrame}.
 * @throws M2MError of kind Decompression: `Invalid M2M prefix`, `Base64 decode failed: ...`.
 */
export function decodeFrameText(text: string, options: DecodeFrameOptions = {}): DecodedFrame {
  return decodeFrame(frameTextToBytes(text, options.limits), options);
}
