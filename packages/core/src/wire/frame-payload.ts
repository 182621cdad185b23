/**
 * The payload section of a frame: `payload_len`, `crc32`, then the stored payload, decompressed
 * under the limit, checked as UTF-8 and against the CRC (steps 6-11 of the reference decoder).
 * Layout: docs/PROTOCOL.md §1.
 * @module
 */
import { M2MError } from '../errors/base.js';
import { platform } from '#platform';
import { BrotliDataError, BrotliLimitError } from '../platform/types.js';
import { utf8ErrorText } from './bytes.js';
import { decompressionError } from './frame-error.js';
import { CRC_SIZE, PAYLOAD_LEN_SIZE, PAYLOAD_PREAMBLE_SIZE } from './frame-layout.js';
import { checkLimit, type Limits } from './limits.js';
import { crc32TableAscii, NON_ASCII, SMALL_CRC_BYTES } from './crc32.js';
import { bufferOf, byteOffsetOf } from './typed-array-intrinsics.js';

/** A payload as decoded: the JSON text and the CRC-32 stored with it. */
export interface PayloadRead {
  payload: string;
  crc32: number;
}

/**
 * The payload section of a plain (or HMAC-verified) frame, `frame[at..]` after its headers (an
 * offset rather than a view of the section: one view fewer per frame).
 */
export function readPayload(frame: Uint8Array, at: number, compressed: boolean, limits: Limits): PayloadRead {
  const payload = readPayloadText(frame, at, compressed, limits);
  return { payload, crc32: storedCrc };
}

// The CRC stored with the payload checkPreamble read last (equal to the computed one once the payload is read).
let storedCrc = 0;

/** {@link readPayload}'s text alone (no result object: a session drops the CRC). */
export function readPayloadText(frame: Uint8Array, at: number, compressed: boolean, limits: Limits): string {
  const start = checkPreamble(frame, at, limits);
  return finishPayload(frame.subarray(start, start + declaredLen), compressed, storedCrc, limits);
}

/**
 * {@link readPayloadText} for Node's session path (`decodeFramePayload`): the same checks, errors
 * and text, without a view of the payload when it is short (see {@link finishPayloadFast}).
 */
export function readPayloadTextFast(frame: Uint8Array, at: number, compressed: boolean, limits: Limits): string {
  const start = checkPreamble(frame, at, limits);
  return finishPayloadFast(frame, start, start + declaredLen, compressed, storedCrc, limits);
}

// The preamble checkPreamble read last: the declared payload length and the stored CRC.
let declaredLen = 0;

/**
 * Reads and checks `payload_len` and `crc32` at `frame[at..]` (sets `declaredLen`, `storedCrc`);
 * returns where the stored payload starts, which lies wholly inside the frame.
 */
function checkPreamble(frame: Uint8Array, at: number, limits: Limits): number {
  const available = frame.length - at;
  if (PAYLOAD_LEN_SIZE > available) throw decompressionError('Frame too short for payload length');
  const payloadLen = readU32LE(frame, at);
  // No allocation ever follows a declared length. By default a lie reads as the reference's
  // `Frame too short for payload` (frame_errors.json); a configured maxPayloadBytes names it.
  checkLimit('maxPayloadBytes', payloadLen, limits.maxPayloadBytes);
  if (PAYLOAD_PREAMBLE_SIZE > available) throw decompressionError('Frame too short for checksum');
  storedCrc = readU32LE(frame, at + PAYLOAD_LEN_SIZE);
  if (PAYLOAD_PREAMBLE_SIZE + payloadLen > available) throw decompressionError('Frame too short for payload');
  declaredLen = payloadLen;
  return at + PAYLOAD_PREAMBLE_SIZE;
}

/** The decrypted section of an AEAD frame: `payload_len` must match what is there exactly. */
export function readOpenedPayload(plain: Uint8Array, compressed: boolean, limits: Limits): PayloadRead {
  const crc = checkOpenedPreamble(plain);
  return { payload: finishPayload(plain.subarray(PAYLOAD_LEN_SIZE + CRC_SIZE), compressed, crc, limits), crc32: crc };
}

/** Checks a decrypted section's `payload_len` against what follows it; returns its stored CRC. */
function checkOpenedPreamble(plain: Uint8Array): number {
  if (plain.length < PAYLOAD_PREAMBLE_SIZE) throw decompressionError('Decrypted payload too short');
  const payloadLen = readU32LE(plain, 0);
  if (plain.length - PAYLOAD_PREAMBLE_SIZE !== payloadLen) throw decompressionError(`Payload length mismatch: expected ${payloadLen}, got ${plain.length - PAYLOAD_PREAMBLE_SIZE}`);
  return readU32LE(plain, PAYLOAD_LEN_SIZE);
}

/**
 * {@link readOpenedPayload}'s text alone for Node's session path (`decodeFramePayload`): the same
 * checks, errors and text (see {@link finishPayloadFast}).
 */
export function readOpenedPayloadTextFast(plain: Uint8Array, compressed: boolean, limits: Limits): string {
  const crc = checkOpenedPreamble(plain);
  return finishPayloadFast(plain, PAYLOAD_PREAMBLE_SIZE, plain.length, compressed, crc, limits);
}

/**
 * {@link finishPayload} of `buf[start, end)` where the platform copies ASCII as latin1
 * (`platform.asciiText`, Node): a short uncompressed payload takes one pass that computes its
 * CRC-32 and notes any byte above 0x7F (`crc32TableAscii`); ASCII text is then copied as latin1
 * (UTF-8 and latin1 agree there), other text is decoded strictly. The checks and their order are
 * finishPayload's (limit, UTF-8, CRC); anything longer or compressed goes to finishPayload.
 */
function finishPayloadFast(buf: Uint8Array, start: number, end: number, compressed: boolean, crc: number, limits: Limits): string {
  const ascii = platform.asciiText;
  const len = end - start;
  if (compressed || ascii === undefined || len >= SMALL_CRC_BYTES || len > limits.maxDecompressedBytes) return finishPayload(buf.subarray(start, end), compressed, crc, limits);
  let computed = crc32TableAscii(buf, start, end);
  let text: string;
  if (computed < NON_ASCII) text = ascii(buf, start, end);
  else {
    computed -= NON_ASCII;
    const raw = ownBytes(buf, start, end);
    const decoded = platform.utf8Decode(raw);
    if (decoded === undefined) throw invalidUtf8(raw);
    text = decoded;
  }
  if (computed !== crc) throw checksumMismatch(crc, computed);
  return text;
}

// The CRC above read `buf`'s own bytes; the text must come from the same bytes, not from what an
// own or subclass `subarray` (or its species constructor) hands out (test/attack-receive-path.test.ts).
function ownBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bufferOf.call(buf), byteOffsetOf.call(buf) + start, end - start);
}

function finishPayload(stored: Uint8Array, compressed: boolean, crc: number, limits: Limits): string {
  let raw = stored;
  if (compressed) {
    try {
      raw = platform.brotliDecompress(stored, limits.maxDecompressedBytes);
    } catch (e) {
      if (e instanceof BrotliLimitError) throw new M2MError('LimitExceeded', { limit: 'maxDecompressedBytes', actual: limits.maxDecompressedBytes + 1, max: limits.maxDecompressedBytes }, { cause: e });
      throw decompressionError(`Brotli decompression failed: ${e instanceof BrotliDataError ? 'Invalid Data' : String(e)}`, e);
    }
  } else checkLimit('maxDecompressedBytes', raw.length, limits.maxDecompressedBytes);
  const text = platform.utf8Decode(raw);
  if (text === undefined) throw invalidUtf8(raw);
  const computed = platform.crc32(raw);
  if (computed !== crc) throw checksumMismatch(crc, computed);
  return text;
}

const invalidUtf8 = (raw: Uint8Array) => decompressionError(`Invalid UTF-8: ${utf8ErrorText(raw)}`);
const checksumMismatch = (stored: number, computed: number) => decompressionError(`Checksum mismatch: expected ${hex8(stored)}, got ${hex8(computed)}`);

// Byte by byte: a DataView per frame cost more than the reads (docs/ARCHITECTURE.md, Performance notes).
function readU32LE(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
