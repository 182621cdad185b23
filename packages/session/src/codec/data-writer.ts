/**
 * The binary codec's writer for the messages sent once per DATA: DATA itself, its binding
 * (secure/binding.ts) and sealed control messages, all `[type, session_id | nil, timestamp,
 * [2, algorithm, content, original_size | nil, nil]]`. It sizes the output first and writes it
 * in one allocation (a slab view when small, ./slab.ts), the bytes msgpackr and the generic
 * encoder (./msgpack-encode.ts) write for the same array (docs/PROTOCOL.md §4.2;
 * test/frame-bytes.test.ts compares it with msgpackr). A message with a security status goes
 * through the generic encoder.
 * @module
 */
import type { Algorithm } from '@m2m/core';
import { utf8ByteLength } from '@m2m/core/internal';
import type { Message } from '../message.js';
import { MessageType } from '../message.js';
import { allocate } from './slab.js';

const ALGO_INDEX: Readonly<Record<Algorithm, number>> = { none: 0, m2m: 1, tokennative: 2, brotli: 3 };
const TYPE_INDEX = new Map<string, number>(MessageType.map((t, i) => [t, i]));
const encoder = new TextEncoder();

/** Bytes of an unsigned integer (smallest encoding; int64 `d3` above 2^32, as the generic encoder writes the codec's bigint timestamps). */
function uintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n <= 0xffff_ffff ? 5 : 9;
}

/** Big-endian `n` (< 2^32) in `bytes` bytes at `at`. */
function writeBe(out: Uint8Array, at: number, n: number, bytes: number): void {
  for (let i = bytes - 1; i >= 0; i--) {
    out[at + i] = n & 0xff;
    n >>>= 8;
  }
}

function writeUint(out: Uint8Array, at: number, n: number): number {
  if (n < 0x80) {
    out[at] = n;
    return at + 1;
  }
  if (n < 0x100) {
    out[at] = 0xcc;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    out[at] = 0xcd;
    writeBe(out, at + 1, n, 2);
    return at + 3;
  }
  if (n <= 0xffff_ffff) {
    out[at] = 0xce;
    writeBe(out, at + 1, n, 4);
    return at + 5;
  }
  out[at] = 0xd3;
  writeBe(out, at + 1, Math.floor(n / 2 ** 32), 4);
  writeBe(out, at + 5, n >>> 0, 4);
  return at + 9;
}

/** Header bytes of a str or bin of `len` bytes. */
function headSize(len: number, str: boolean): number {
  if (str && len < 0x20) return 1;
  return len < 0x100 ? 2 : len < 0x10000 ? 3 : 5;
}

function writeHead(out: Uint8Array, at: number, len: number, str: boolean): number {
  if (str && len < 0x20) {
    out[at] = 0xa0 | len;
    return at + 1;
  }
  if (len < 0x100) {
    out[at] = str ? 0xd9 : 0xc4;
    out[at + 1] = len;
    return at + 2;
  }
  if (len < 0x10000) {
    out[at] = str ? 0xda : 0xc5;
    writeBe(out, at + 1, len, 2);
    return at + 3;
  }
  out[at] = str ? 0xdb : 0xc6;
  writeBe(out, at + 1, len, 4);
  return at + 5;
}

/** Writes `text` (`bytes` long in UTF-8) at `at`: short ASCII byte by byte, the rest by `encodeInto` (no temporary array). */
function writeText(out: Uint8Array, at: number, text: string, bytes: number): number {
  if (bytes === text.length && bytes <= 64) {
    for (let i = 0; i < bytes; i++) out[at + i] = text.charCodeAt(i);
  } else encoder.encodeInto(text, out.subarray(at, at + bytes));
  return at + bytes;
}

/**
 * Writes a message whose payload is the data shape without a security status, or returns
 * `undefined` for any other message (the caller uses ./msgpack-encode.ts).
 */
export function writeDataMessage(m: Message): Uint8Array | undefined {
  const p = m.payload;
  if (p?.kind !== 'data' || p.value.securityStatus !== undefined) return undefined;
  const type = TYPE_INDEX.get(m.type);
  const algo = ALGO_INDEX[p.value.algorithm];
  const size = p.value.originalSize;
  if (type === undefined || algo === undefined || !Number.isSafeInteger(m.timestamp) || m.timestamp < 0) return undefined;
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) return undefined;
  const sid = m.sessionId;
  const sidLen = sid === undefined ? 0 : utf8ByteLength(sid);
  const content = p.value.content;
  const isStr = typeof content === 'string';
  const bodyLen = isStr ? utf8ByteLength(content) : content.length;
  const length =
    1 + 1 + (sid === undefined ? 1 : headSize(sidLen, true) + sidLen) + uintSize(m.timestamp) +
    1 + 1 + 1 + headSize(bodyLen, isStr) + bodyLen + (size === undefined ? 1 : uintSize(size)) + 1;
  const out = allocate(length);
  out[0] = 0x94;
  out[1] = type;
  let at = 2;
  if (sid !== undefined) {
    at = writeHead(out, at, sidLen, true);
    at = writeText(out, at, sid, sidLen);
  } else out[at++] = 0xc0;
  at = writeUint(out, at, m.timestamp);
  out[at++] = 0x95;
  out[at++] = 2;
  out[at++] = algo;
  at = writeHead(out, at, bodyLen, isStr);
  if (isStr) at = writeText(out, at, content, bodyLen);
  else {
    out.set(content, at);
    at += bodyLen;
  }
  at = size === undefined ? ((out[at] = 0xc0), at + 1) : writeUint(out, at, size);
  out[at] = 0xc0;
  return out;
}
