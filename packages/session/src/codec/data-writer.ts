/**
 * The binary codec's writer for the messages sent once per DATA: DATA itself, its binding
 * (secure/binding.ts) and sealed control messages, all `[type, session_id | nil, timestamp,
 * [2, algorithm, content, original_size | nil, nil]]`. It sizes the output first and writes it
 * in one allocation (a slab view when small, ./slab.ts) with the MessagePack primitives of
 * ./msgpack-encode.ts, the bytes msgpackr and the generic encoder write for the same array
 * (docs/PROTOCOL.md §4.2; test/frame-bytes.test.ts compares it with msgpackr). A message with a
 * security status goes through the generic encoder.
 *
 * A session's M2M frame can be encoded straight into its message ({@link frameAllocatorFor}):
 * the message is laid out around the frame when the frame's size is known, and writing the
 * message later copies nothing.
 * @module
 */
import type { Algorithm } from '@m2m/core';
import { M2MError, utf8ByteLength } from '@m2m/core/internal';
import type { Message } from '../message.js';
import { MessageType } from '../message.js';
import { BIN_HEAD, headSize, STR_HEAD, uintSize, writeHead, writeUint } from './msgpack-encode.js';
import { allocate } from '#slab';

const ALGO_INDEX: Readonly<Record<Algorithm, number>> = { none: 0, m2m: 1, tokennative: 2, brotli: 3 };
const TYPE_INDEX = new Map<string, number>(MessageType.map((t, i) => [t, i]));
const encoder = new TextEncoder();

/** Writes `text` (`bytes` long in UTF-8) at `at`: short ASCII byte by byte, the rest by `encodeInto` (no temporary array). */
function writeText(out: Uint8Array, at: number, text: string, bytes: number): number {
  if (bytes === text.length && bytes <= 64) {
    for (let i = 0; i < bytes; i++) out[at + i] = text.charCodeAt(i);
  } else encoder.encodeInto(text, out.subarray(at, at + bytes));
  return at + bytes;
}

// The last session id's UTF-8 length and, once written, its MessagePack str (header and bytes):
// a session writes the same id into every message, and copying its bytes costs about a quarter
// of reading its characters again (docs/ARCHITECTURE.md, Performance notes).
let lastSid = '';
let lastSidLen = 0;
let lastSidStr: Uint8Array | undefined;
const sidLength = (sid: string): number => (sid === lastSid ? lastSidLen : ((lastSid = sid), (lastSidStr = undefined), (lastSidLen = utf8ByteLength(sid))));

/** Writes session id `sid` as a MessagePack str at `at`; returns the position after it. */
function writeSid(out: Uint8Array, at: number, sid: string): number {
  const len = sidLength(sid);
  let str = lastSidStr;
  if (str === undefined) {
    str = new Uint8Array(headSize(len, STR_HEAD) + len);
    writeText(str, writeHead(str, 0, len, STR_HEAD), sid, len);
    // Kept for the next message only if it is small (a typed array up to 64 bytes lives on V8's heap).
    if (str.length <= 64) lastSidStr = str;
  }
  for (let i = 0; i < str.length; i++) out[at + i] = str[i]!;
  return at + str.length;
}

/** Type and algorithm numbers of a message this writer takes, or `undefined` (the generic encoder's). */
function shapeOf(m: Message): number | undefined {
  const p = m.payload;
  if (p?.kind !== 'data' || p.value.securityStatus !== undefined) return undefined;
  const type = TYPE_INDEX.get(m.type);
  const algo = ALGO_INDEX[p.value.algorithm];
  const size = p.value.originalSize;
  if (type === undefined || algo === undefined || !Number.isSafeInteger(m.timestamp) || m.timestamp < 0) return undefined;
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) return undefined;
  return (type << 8) | algo;
}

/** Bytes before the content's own bytes (its MessagePack header included). */
function prefixSize(m: Message, bodyLen: number, isStr: boolean): number {
  const sidLen = m.sessionId === undefined ? -1 : sidLength(m.sessionId);
  return 2 + (sidLen < 0 ? 1 : headSize(sidLen, STR_HEAD) + sidLen) + uintSize(m.timestamp) + 3 + headSize(bodyLen, isStr ? STR_HEAD : BIN_HEAD);
}

/** Bytes after the content. */
function suffixSize(m: Message): number {
  const size = (m.payload as { value: { originalSize?: number } }).value.originalSize;
  return (size === undefined ? 1 : uintSize(size)) + 1;
}

/** Writes everything before the content's bytes, from `start`; returns where they go. */
function writePrefix(out: Uint8Array, start: number, m: Message, shape: number, bodyLen: number, isStr: boolean): number {
  out[start] = 0x94;
  out[start + 1] = shape >>> 8;
  let at = start + 2;
  const sid = m.sessionId;
  if (sid !== undefined) at = writeSid(out, at, sid);
  else out[at++] = 0xc0;
  at = writeUint(out, at, m.timestamp);
  out[at++] = 0x95;
  out[at++] = 2;
  out[at++] = shape & 0xff;
  return writeHead(out, at, bodyLen, isStr ? STR_HEAD : BIN_HEAD);
}

/** Writes original_size (or nil) and the security status's nil at `at`. */
function writeSuffix(out: Uint8Array, at: number, m: Message): void {
  const size = (m.payload as { value: { originalSize?: number } }).value.originalSize;
  at = size === undefined ? ((out[at] = 0xc0), at + 1) : writeUint(out, at, size);
  out[at] = 0xc0;
}

// A frame laid out inside its message by the allocator of `frameAllocatorFor`: the message it
// belongs to, the frame's view and the whole message's bytes, written but for the frame, with
// the fields they were written from. Held until the message is written.
let placingFor: Message | undefined;
let placedFor: Message | undefined;
let placedFrame: Uint8Array | undefined;
let placedMessage: Uint8Array | undefined;
let placedValue: DataValue | undefined;
let placedType = '';
let placedSid: string | undefined;
let placedTimestamp = 0;
let placedAlgorithm = '';
let placedSize: number | undefined;

/** The DATA payload's value as this writer reads it. */
interface DataValue {
  readonly algorithm: string;
  readonly content: string | Uint8Array;
  readonly originalSize?: number;
  readonly securityStatus?: unknown;
}

function allocateInMessage(n: number): Uint8Array {
  const m = placingFor;
  placingFor = undefined;
  const shape = m === undefined ? undefined : shapeOf(m);
  if (m === undefined || shape === undefined) return allocate(n);
  const at = prefixSize(m, n, false);
  const out = allocate(at + n + suffixSize(m));
  // The fields around the frame are written now, once; writeDataMessage checks they still hold.
  writePrefix(out, 0, m, shape, n, false);
  writeSuffix(out, at + n, m);
  const value = (m.payload as { value: DataValue }).value;
  placedFor = m;
  placedMessage = out;
  placedValue = value;
  placedType = m.type;
  placedSid = m.sessionId;
  placedTimestamp = m.timestamp;
  placedAlgorithm = value.algorithm;
  placedSize = value.originalSize;
  placedFrame = out.subarray(at, at + n);
  return placedFrame;
}

/** Whether `m` is the message `allocateInMessage` wrote last, its frame as content, with the fields it was written from. */
function isPlaced(m: Message): boolean {
  const p = m.payload;
  if (p?.kind !== 'data') return false;
  const v = p.value;
  return (
    v === placedValue &&
    v.content === placedFrame &&
    v.securityStatus === undefined &&
    m.type === placedType &&
    m.sessionId === placedSid &&
    m.timestamp === placedTimestamp &&
    v.algorithm === placedAlgorithm &&
    v.originalSize === placedSize
  );
}

/**
 * An allocator for `encodeFrameWith` (called once, with the frame's size) that lays the frame
 * out inside the binary message `m` will become once the frame is its content, so
 * {@link writeDataMessage} then copies and writes nothing. Synchronous use only: the next call
 * replaces it. A message the writer does not take gets a plain slab view.
 */
export function frameAllocatorFor(m: Message): (n: number) => Uint8Array {
  placingFor = m;
  return allocateInMessage;
}

const DATA_TYPE = TYPE_INDEX.get('DATA')!;
const NO_HEAD = new Uint8Array(0);

/**
 * Writes one session's plaintext M2M DATA messages, `[DATA, session_id, timestamp, [2, m2m,
 * frame, nil, nil]]`, around their frames without a `Message` to read them from: the bytes
 * {@link frameAllocatorFor} and {@link writeDataMessage} write for the same message, for
 * `Session.send` under the binary codec (`SessionCore.compress` with a writer). The array head
 * and the session id's str, the same in every message of a session, are kept and copied.
 * Synchronous use: {@link FrameMessageWriter.start} gives the allocator for `encodeFrameWith`
 * (called once, with the frame's size), then {@link FrameMessageWriter.take} gives the message.
 */
export class FrameMessageWriter {
  /** `0x94`, DATA's type number and the session id as a str (nil when none), for `#sid`. */
  #head = NO_HEAD;
  #sid: string | undefined | null = null;
  #timestamp = 0;
  #message: Uint8Array | undefined;
  /** The allocator `start` gives: the frame's view inside its message (one closure per writer, not per message). */
  readonly #allocate: (n: number) => Uint8Array = (n) => this.#place(n);

  /**
   * Sets the next message's session id and timestamp when this writer takes the message (M2M
   * DATA of a plaintext session, no `bound`; without `extra`'s original size or security status;
   * the timestamp a safe non-negative integer) and returns the allocator to pass to
   * `encodeFrameWith`; `undefined` for anything else (nothing set): the generic encoder's.
   */
  start(sid: string | undefined, timestamp: number, algorithm: string, extra: { includeOriginalSize?: boolean; securityStatus?: unknown }, bound: unknown): ((n: number) => Uint8Array) | undefined {
    this.#message = undefined;
    if (algorithm !== 'm2m' || bound !== undefined || extra.includeOriginalSize || extra.securityStatus !== undefined) return undefined;
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) return undefined;
    if (sid !== this.#sid) {
      const head = new Uint8Array(2 + (sid === undefined ? 1 : headSize(sidLength(sid), STR_HEAD) + sidLength(sid)));
      head[0] = 0x94;
      head[1] = DATA_TYPE;
      if (sid === undefined) head[2] = 0xc0;
      else writeSid(head, 2, sid);
      this.#head = head;
      this.#sid = sid;
    }
    this.#timestamp = timestamp;
    return this.#allocate;
  }

  #place(n: number): Uint8Array {
    const head = this.#head;
    const timestamp = this.#timestamp;
    const at = head.length + uintSize(timestamp) + 3 + headSize(n, BIN_HEAD);
    const out = allocate(at + n + 2);
    out.set(head);
    const p = writeUint(out, head.length, timestamp);
    out[p] = 0x95;
    out[p + 1] = 2;
    out[p + 2] = ALGO_INDEX.m2m;
    writeHead(out, p + 3, n, BIN_HEAD);
    // original_size and security status: nil.
    out[at + n] = 0xc0;
    out[at + n + 1] = 0xc0;
    this.#message = out;
    return out.subarray(at, at + n);
  }

  /** The message laid out by the allocator since the last {@link FrameMessageWriter.start}. @throws M2MError Internal when there is none. */
  take(): Uint8Array {
    const m = this.#message;
    this.#message = undefined;
    if (m === undefined) throw new M2MError('Internal', { reason: 'no DATA message was laid out' });
    return m;
  }
}

/**
 * Writes a message whose payload is the data shape without a security status, or returns
 * `undefined` for any other message (the caller uses ./msgpack-encode.ts).
 */
export function writeDataMessage(m: Message): Uint8Array | undefined {
  if (m === placedFor) {
    const placed = isPlaced(m) ? placedMessage : undefined;
    placedFor = placedFrame = placedMessage = placedValue = undefined;
    // Laid out and written around its frame already, from the fields it still has; a message
    // changed since is written afresh below.
    if (placed !== undefined) return placed;
  }
  const shape = shapeOf(m);
  if (shape === undefined) return undefined;
  const content = (m.payload as { value: { content: string | Uint8Array } }).value.content;
  const isStr = typeof content === 'string';
  const bodyLen = isStr ? utf8ByteLength(content) : content.length;
  const prefix = prefixSize(m, bodyLen, isStr);
  const length = prefix + bodyLen + suffixSize(m);
  const out = allocate(length);
  let at = writePrefix(out, 0, m, shape, bodyLen, isStr);
  if (isStr) at = writeText(out, at, content, bodyLen);
  else {
    out.set(content, at);
    at += bodyLen;
  }
  writeSuffix(out, at, m);
  return out;
}

/**
 * Bytes of `m`'s binding as this writer writes it (secure/binding.ts: `m` with its DATA content
 * replaced by the empty string), or -1 when `m` is not of its shape.
 */
export function bindingSize(m: Message): number {
  return shapeOf(m) === undefined ? -1 : prefixSize(m, 0, true) + suffixSize(m);
}

/** Writes `m`'s binding ({@link bindingSize} bytes, which must not be -1) into `out` at `at`. */
export function writeBinding(out: Uint8Array, at: number, m: Message): void {
  writeSuffix(out, writePrefix(out, at, m, shapeOf(m)!, 0, true), m);
}

/**
 * {@link bindingSize} and {@link writeBinding} in one step, the message's shape read once (a
 * sealed DATA frame binds its message on both ends; secure/binding.ts): writes the binding at
 * `at` when it fits in `out` and returns its size, -1 when this writer does not take `m`.
 */
export function writeBindingIfFits(out: Uint8Array, at: number, m: Message): number {
  const shape = shapeOf(m);
  if (shape === undefined) return -1;
  const size = prefixSize(m, 0, true) + suffixSize(m);
  if (at + size <= out.length) writeSuffix(out, writePrefix(out, at, m, shape, 0, true), m);
  return size;
}
