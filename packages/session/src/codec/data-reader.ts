/**
 * The binary codec's reader for the message that arrives once per DATA, the shape
 * data-writer.ts writes: `[type, session_id | nil, timestamp, [2, algorithm, content,
 * original_size | nil, nil]]`, read in one pass without building the generic value tree. It
 * accepts only that shape written in the usual encodings, the whole input and nothing else;
 * anything it does not take (a security status, a lying length, trailing bytes, an unusual
 * integer encoding, invalid UTF-8) it leaves to the bounded generic decoder, which gives the
 * same message or the exact error (test/frame-bytes.test.ts checks both agree).
 * @module
 */
import { utf8Text } from './utf8-text.js';
import type { Algorithm } from '@m2m/core';
import { MessageType, type DataPayload, type Message } from '../message.js';

const ALGOS: readonly Algorithm[] = ['none', 'm2m', 'tokennative', 'brotli'];

/** Read position; `-1` once the input left the shape (the caller then uses the generic decoder). */
let at = 0;
const NOTHING = new Uint8Array(0);
let src: Uint8Array = NOTHING;

function byte(): number {
  if (at < 0 || at >= src.length) {
    at = -1;
    return -1;
  }
  return src[at++];
}

function beUint(bytes: number): number {
  if (at < 0 || at + bytes > src.length) {
    at = -1;
    return 0;
  }
  let n = 0;
  for (let i = 0; i < bytes; i++) n = n * 256 + src[at++];
  return n;
}

/** An unsigned integer in fixint, uint8/16/32, or uint64/int64 within the safe range; `-1` otherwise. */
function uint(): number {
  const b = byte();
  if (b < 0) return -1;
  if (b < 0x80) return b;
  if (b === 0xcc) return beUint(1);
  if (b === 0xcd) return beUint(2);
  if (b === 0xce) return beUint(4);
  if (b === 0xcf || b === 0xd3) {
    const hi = beUint(4);
    const lo = beUint(4);
    // Above 2^53 - 1 (or a negative int64): not this reader's to judge.
    if (hi > 0x1f_ffff) at = -1;
    return hi * 2 ** 32 + lo;
  }
  at = -1;
  return -1;
}

/** The length of a str (`str` true) or bin header at the current byte; `-1` for anything else. */
function lengthOf(head: number, str: boolean): number {
  if (str && head >= 0xa0 && head <= 0xbf) return head & 0x1f;
  if (head === (str ? 0xd9 : 0xc4)) return beUint(1);
  if (head === (str ? 0xda : 0xc5)) return beUint(2);
  if (head === (str ? 0xdb : 0xc6)) return beUint(4);
  return -1;
}

function text(len: number): string | undefined {
  if (at < 0 || len < 0 || at + len > src.length) return undefined;
  const start = at;
  at += len;
  return utf8Text(src, start, at);
}

// The last session id read, as bytes and as text: a session reads the same id in every message,
// and comparing up to 64 bytes costs less than decoding them into a new string.
const lastSidBytes = new Uint8Array(64);
let lastSidLen = -1;
let lastSid = '';

function sessionIdText(len: number): string | undefined {
  if (at < 0 || len < 0 || at + len > src.length) return undefined;
  if (len === lastSidLen) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (src[at + i] !== lastSidBytes[i]) {
        same = false;
        break;
      }
    }
    if (same) {
      at += len;
      return lastSid;
    }
  }
  const start = at;
  const sid = text(len);
  if (sid !== undefined && len <= lastSidBytes.length) {
    lastSidBytes.set(src.subarray(start, start + len));
    lastSidLen = len;
    lastSid = sid;
  }
  return sid;
}

/**
 * The DATA-shaped message in `bytes`, or `undefined` when it is not one this reader takes.
 * `keep` turns the content's bytes (a view of `bytes`) into what the payload holds.
 */
export function readDataMessage(bytes: Uint8Array, keep: (view: Uint8Array) => Uint8Array): Message | undefined {
  src = bytes;
  at = 0;
  try {
    if (byte() !== 0x94) return undefined;
    const type = byte();
    if (type < 0 || type >= MessageType.length) return undefined;
    let sessionId: string | undefined;
    const sidHead = byte();
    if (sidHead !== 0xc0) {
      sessionId = sessionIdText(lengthOf(sidHead, true));
      if (sessionId === undefined) return undefined;
    }
    const timestamp = uint();
    if (at < 0 || byte() !== 0x95 || byte() !== 2) return undefined;
    const algo = byte();
    if (algo < 0 || algo >= ALGOS.length) return undefined;
    const head = byte();
    let content: string | Uint8Array;
    const strLen = lengthOf(head, true);
    if (strLen >= 0) {
      const s = text(strLen);
      if (s === undefined) return undefined;
      content = s;
    } else {
      const binLen = lengthOf(head, false);
      if (at < 0 || binLen < 0 || at + binLen > src.length) return undefined;
      content = keep(src.subarray(at, at + binLen));
      at += binLen;
    }
    let originalSize: number | undefined;
    if (src[at] === 0xc0) at++;
    else originalSize = uint();
    if (at < 0 || byte() !== 0xc0 || at !== src.length) return undefined;
    const value: DataPayload = { algorithm: ALGOS[algo], content };
    if (originalSize !== undefined) value.originalSize = originalSize;
    const m: Message = { type: MessageType[type], timestamp };
    if (sessionId !== undefined) m.sessionId = sessionId;
    m.payload = { kind: 'data', value };
    return m;
  } finally {
    src = NOTHING; // keep no reference to the caller's bytes
  }
}
