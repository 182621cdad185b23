/**
 * The binary codec's reader for what an encrypted session receives once per handshake, the
 * shapes ./handshake-writer.ts writes: HELLO, ACCEPT and AUTH carrying a Noise message
 * (`[type, session_id | nil, timestamp, [5, protocol | nil, message]]`), the capabilities array
 * (HELLO's Noise payload) and ACCEPT's `[session_id, capabilities]`, each read in one pass
 * without building the generic value tree. It takes only those shapes written in the usual
 * encodings (fixarray/fixmap containers, so the MessagePack element and depth bounds cannot be
 * reached), with every field valid, filling the whole input; anything else (a lying length,
 * trailing bytes, an unknown enum value, a field of the wrong type, an unusual integer encoding,
 * invalid UTF-8) returns `undefined` and goes to the bounded generic decoder, which gives the
 * same value or the exact error (test/handshake-codec.test.ts checks both agree). Received
 * capabilities are held to CAPABILITY_LIMITS here as in the generic path.
 * @module
 */
import type { Algorithm } from '@m2m/core';
import { checkCapabilityLimits, Encodings, MessageType, protocolNameFits, type Capabilities, type Encoding, type Message } from '../message.js';
import { utf8Text } from './utf8-text.js';

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
  if (b < 0x80) return b; // -1 included
  if (b === 0xcc) return beUint(1);
  if (b === 0xcd) return beUint(2);
  if (b === 0xce) return beUint(4);
  if (b === 0xcf || b === 0xd3) {
    const hi = beUint(4);
    const lo = beUint(4);
    if (hi > 0x1f_ffff) at = -1; // above 2^53 - 1, or a negative int64
    return hi * 2 ** 32 + lo;
  }
  at = -1;
  return -1;
}

/** A boolean; sets `at` to -1 for anything else. */
function bool(): boolean {
  const b = byte();
  if (b === 0xc3) return true;
  if (b !== 0xc2) at = -1;
  return false;
}

/** An index below `n` written as a positive fixint; `-1` (and `at` -1) otherwise. */
function smallIndex(n: number): number {
  const b = byte();
  if (b >= 0 && b < n) return b;
  at = -1;
  return -1;
}

/** The element count of a fixarray (`0x90`) or fixmap (`0x80`) at the current byte; `-1` otherwise. */
function fixCount(family: number): number {
  const b = byte();
  if (b >= 0 && (b & 0xf0) === family) return b & 0x0f;
  at = -1;
  return -1;
}

/** The length of the str at the current byte (fixstr, str8/16/32); `-1` for anything else. */
function strLength(): number {
  const b = byte();
  if (b >= 0xa0 && b <= 0xbf) return b & 0x1f;
  if (b === 0xd9) return beUint(1);
  if (b === 0xda) return beUint(2);
  if (b === 0xdb) return beUint(4);
  at = -1;
  return -1;
}

/** A str's text (strict UTF-8); `undefined` (and `at` -1) when it is not one. */
function text(): string | undefined {
  const len = strLength();
  if (at < 0 || at + len > src.length) return fail();
  const start = at;
  at += len;
  return utf8Text(src, start, at) ?? fail();
}

function fail(): undefined {
  at = -1;
  return undefined;
}

const floatBytes = new Uint8Array(8);
const floatView = new DataView(floatBytes.buffer);

/** A finite number in the forms the generic decoder reads as one; `NaN` (and `at` -1) otherwise. */
function finite(): number {
  const b = src[at];
  let v: number;
  if (b === 0xcb || b === 0xca) {
    const k = b === 0xcb ? 8 : 4;
    if (at + 1 + k > src.length) return (fail(), NaN);
    for (let i = 0; i < k; i++) floatBytes[i] = src[at + 1 + i];
    v = k === 8 ? floatView.getFloat64(0) : floatView.getFloat32(0);
    at += 1 + k;
  } else v = uint();
  if (at < 0 || !Number.isFinite(v)) return (fail(), NaN);
  return v;
}

/**
 * A text that a peer sends the same in every message (a session id, the protocol name): the
 * last one read is kept as bytes and text, and the same bytes give the same string without
 * decoding them again (as data-reader.ts does for the session id).
 */
class RepeatedText {
  private readonly bytes: Uint8Array;
  private length = -1;
  private value = '';
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }
  read(): string | undefined {
    const len = strLength();
    if (at < 0 || at + len > src.length) return fail();
    if (len === this.length) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (src[at + i] !== this.bytes[i]) {
          same = false;
          break;
        }
      }
      if (same) {
        at += len;
        return this.value;
      }
    }
    const start = at;
    at += len;
    const s = utf8Text(src, start, at);
    if (s === undefined) return fail();
    if (len <= this.bytes.length) {
      this.bytes.set(src.subarray(start, at));
      this.length = len;
      this.value = s;
    }
    return s;
  }
}
const sessionIds = new RepeatedText(64);
const protocols = new RepeatedText(64);

/** Runs `read` over `bytes`; its result only when it took the whole input. */
function whole<T>(bytes: Uint8Array, read: () => T | undefined): T | undefined {
  src = bytes;
  at = 0;
  try {
    const v = read();
    return at === src.length ? v : undefined;
  } finally {
    src = NOTHING; // keep no reference to the caller's bytes
  }
}

// ---------------------------------------------------------------------------------------------

/** What the Noise message's bytes (a view of the input) become in the message; set per call. */
const copyBody = (v: Uint8Array): Uint8Array => v.slice();
let keepBody = copyBody;

function handshakeMessage(): Message | undefined {
  if (byte() !== 0x94) return undefined;
  const type = smallIndex(MessageType.length);
  let sessionId: string | undefined;
  if (src[at] === 0xc0) at++;
  else if ((sessionId = sessionIds.read()) === undefined) return undefined;
  const timestamp = uint();
  if (at < 0 || byte() !== 0x93 || byte() !== 5) return undefined;
  let protocol: string | undefined;
  if (src[at] === 0xc0) at++;
  else if ((protocol = protocols.read()) === undefined || !protocolNameFits(protocol)) return undefined;
  const head = byte();
  const len = head === 0xc4 ? beUint(1) : head === 0xc5 ? beUint(2) : head === 0xc6 ? beUint(4) : -1;
  if (at < 0 || len < 0 || at + len !== src.length) return undefined;
  const message = keepBody(src.subarray(at, at + len));
  at += len;
  const m: Message = { type: MessageType[type], timestamp };
  if (sessionId !== undefined) m.sessionId = sessionId;
  m.payload = { kind: 'handshake', value: protocol === undefined ? { message } : { protocol, message } };
  return m;
}

/**
 * The handshake message in `bytes` (HELLO, ACCEPT, AUTH or any type with a handshake payload),
 * or `undefined` when it is not one this reader takes. `keep` turns the Noise message's bytes (a
 * view of `bytes`) into what the payload holds: a copy by default; the session's codec, handed
 * the transport's message, keeps the view when that pins little (binary-codec.ts, `keepOwned`).
 */
export function readHandshakeMessage(bytes: Uint8Array, keep: (view: Uint8Array) => Uint8Array = copyBody): Message | undefined {
  keepBody = keep;
  return whole(bytes, handshakeMessage);
}

function capabilities(): Capabilities | undefined {
  if (byte() !== 0x9f || byte() !== 0) return undefined;
  const version = text();
  const agentId = text();
  const agentType = text();
  const algorithms: Algorithm[] = [];
  for (let n = fixCount(0x90); n > 0; n--) algorithms.push(ALGOS[smallIndex(ALGOS.length)]);
  const maxPayload = uint();
  const streaming = bool();
  const mlRouting = bool();
  const encodings: Encoding[] = [];
  for (let n = fixCount(0x90); n > 0; n--) encodings.push(Encodings[smallIndex(Encodings.length)]);
  const preferred = smallIndex(Encodings.length);
  const threatDetection = bool();
  let modelVersion: string | null = null;
  if (src[at] === 0xc0) at++;
  else modelVersion = text() ?? null;
  const blockingMode = bool();
  const blockThreshold = finite();
  const extensions: Record<string, string> = {};
  for (let n = fixCount(0x80); n > 0 && at >= 0; n--) {
    const key = text();
    const value = text();
    // The generic path's map holds `__proto__` as an own key that its copy then drops: its call.
    if (key === '__proto__') return fail();
    if (key !== undefined && value !== undefined) extensions[key] = value;
  }
  if (at < 0) return undefined;
  const caps: Capabilities = {
    version: version!,
    agentId: agentId!,
    agentType: agentType!,
    compression: { algorithms, maxPayload, streaming, mlRouting, encodings, preferredEncoding: Encodings[preferred] },
    security: { threatDetection, modelVersion, blockingMode, blockThreshold },
    extensions,
  };
  return caps;
}

/**
 * The capabilities array in `bytes` (HELLO's Noise payload), or `undefined` when this reader
 * does not take it.
 * @throws M2MError: LimitExceeded for a field over CAPABILITY_LIMITS (as the generic path).
 */
export function readCapabilities(bytes: Uint8Array): Capabilities | undefined {
  const caps = whole(bytes, capabilities);
  if (caps) checkCapabilityLimits(caps);
  return caps;
}

function acceptPayload(): { sessionId: string; capabilities: Capabilities } | undefined {
  if (byte() !== 0x92) return undefined;
  const sessionId = sessionIds.read();
  if (sessionId === undefined) return undefined;
  const caps = capabilities();
  return caps && { sessionId, capabilities: caps };
}

/**
 * ACCEPT's Noise payload `[session_id, capabilities]` in `bytes`, or `undefined` when this
 * reader does not take it.
 * @throws M2MError: LimitExceeded for a capability over CAPABILITY_LIMITS (as the generic path).
 */
export function readAcceptPayload(bytes: Uint8Array): { sessionId: string; capabilities: Capabilities } | undefined {
  const accepted = whole(bytes, acceptPayload);
  if (accepted) checkCapabilityLimits(accepted.capabilities);
  return accepted;
}
