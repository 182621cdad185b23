/**
 * The binary codec's writer for what an encrypted session sends once per handshake: HELLO,
 * ACCEPT and AUTH carrying a Noise message (`[type, session_id | nil, timestamp, [5, protocol |
 * nil, message]]`) and the capabilities inside the Noise payloads (HELLO's capabilities array,
 * ACCEPT's `[session_id, capabilities]`). It sizes the output first and writes it in one
 * allocation (./slab.ts) with the primitives of ./msgpack-encode.ts, the bytes the generic
 * encoder writes for the same arrays (binary-codec.ts `payloadArray`, `capabilitiesArray`;
 * test/handshake-codec.test.ts compares the two). Anything unusual (an unknown enum value, a
 * negative or fractional integer field, a long list, an extension value that is not text, a
 * field of the wrong type) returns `undefined` and goes through the generic encoder, which
 * writes or refuses it as before.
 * @module
 */
import { utf8ByteLength } from '@m2m/core/internal';
import type { Capabilities, Message } from '../message.js';
import { Encodings } from '../message.js';
import { BIN_HEAD, headSize, STR_HEAD, uintSize, writeHead, writeUint } from './msgpack-encode.js';
import { allocate } from '#slab';
import { templateOf, type CapabilityTemplate } from './default-capabilities.js';

const TYPE_INDEX: Readonly<Record<string, number>> = { HELLO: 0, ACCEPT: 1, REJECT: 2, DATA: 3, PING: 4, PONG: 5, CLOSE: 6, AUTH: 7 };
const ALGO_INDEX: Readonly<Record<string, number>> = { none: 0, m2m: 1, tokennative: 2, brotli: 3 };
const encoder = new TextEncoder();
const hasOwn = Object.prototype.hasOwnProperty;

/** UTF-8 bytes of `s`: short ASCII counted here, the rest by the platform. */
function textBytes(s: string): number {
  if (s.length > 64) return utf8ByteLength(s);
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return utf8ByteLength(s);
  return s.length;
}

/** Writes `s` (`n` UTF-8 bytes, {@link textBytes}) as a MessagePack str at `at`. */
function writeText(out: Uint8Array, at: number, s: string, n: number): number {
  at = writeHead(out, at, n, STR_HEAD);
  if (n === s.length) {
    for (let i = 0; i < n; i++) out[at + i] = s.charCodeAt(i);
  } else encoder.encodeInto(s, out.subarray(at, at + n));
  return at + n;
}

const strSize = (n: number): number => headSize(n, STR_HEAD) + n;
const index = (table: Readonly<Record<string, number>>, key: unknown): number => (typeof key === 'string' && hasOwn.call(table, key) ? table[key] : -1);
const isSafeUint = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

// ---------------------------------------------------------------------------------------------
// Handshake messages

/**
 * Writes a message whose payload is a Noise handshake message, or returns `undefined` for any
 * other message or an unusual field (the caller uses the generic encoder).
 */
export function writeHandshakeMessage(m: Message): Uint8Array | undefined {
  const p = m.payload;
  if (p?.kind !== 'handshake') return undefined;
  const type = index(TYPE_INDEX, m.type);
  const sid = m.sessionId;
  const protocol = p.value.protocol;
  const body = p.value.message;
  if (type < 0 || !isSafeUint(m.timestamp) || !(body instanceof Uint8Array)) return undefined;
  if ((sid !== undefined && typeof sid !== 'string') || (protocol !== undefined && typeof protocol !== 'string')) return undefined;
  const sidLen = sid === undefined ? -1 : textBytes(sid);
  const protoLen = protocol === undefined ? -1 : textBytes(protocol);
  const length = 2 + (sidLen < 0 ? 1 : strSize(sidLen)) + uintSize(m.timestamp) + 2 + (protoLen < 0 ? 1 : strSize(protoLen)) + headSize(body.length, BIN_HEAD) + body.length;
  const out = allocate(length);
  out[0] = 0x94;
  out[1] = type;
  let at = sidLen < 0 ? ((out[2] = 0xc0), 3) : writeText(out, 2, sid!, sidLen);
  at = writeUint(out, at, m.timestamp);
  out[at++] = 0x93;
  out[at++] = 5;
  at = protoLen < 0 ? ((out[at] = 0xc0), at + 1) : writeText(out, at, protocol!, protoLen);
  at = writeHead(out, at, body.length, BIN_HEAD);
  out.set(body, at);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Capabilities

// Sizes measured by `capabilitiesSize` for the write that follows (one synchronous call).
let versionLen = 0;
let agentIdLen = 0;
let agentTypeLen = 0;
let modelLen = 0;
/** UTF-8 lengths of the extensions' keys and values, in order; `extCount` of them are this call's. */
const extLens: number[] = [];
let extCount = 0;
const floatBytes = new Uint8Array(8);
const floatView = new DataView(floatBytes.buffer);

/** A number written as the generic encoder would, in a form this writer takes: 0 when it does not. */
function numberSize(v: number): number {
  if (v >>> 0 === v) return uintSize(v);
  if (v >> 0 === v) return 0; // negative 32-bit integers: the generic encoder's forms
  return 9;
}

/** Bytes of the capabilities array, or -1 when this writer leaves them to the generic encoder. */
function capabilitiesSize(c: Capabilities): number {
  const k = c.compression;
  const s = c.security;
  if (typeof c.version !== 'string' || typeof c.agentId !== 'string' || typeof c.agentType !== 'string') return -1;
  if (!Array.isArray(k.algorithms) || k.algorithms.length > 15 || !Array.isArray(k.encodings) || k.encodings.length > 15) return -1;
  for (const a of k.algorithms) if (index(ALGO_INDEX, a) < 0) return -1;
  for (const e of k.encodings) if (Encodings.indexOf(e) < 0) return -1;
  if (Encodings.indexOf(k.preferredEncoding) < 0 || !isSafeUint(k.maxPayload)) return -1;
  if (typeof k.streaming !== 'boolean' || typeof k.mlRouting !== 'boolean' || typeof s.threatDetection !== 'boolean' || typeof s.blockingMode !== 'boolean') return -1;
  if (s.modelVersion !== null && typeof s.modelVersion !== 'string') return -1;
  if (typeof s.blockThreshold !== 'number') return -1;
  const thresholdSize = numberSize(s.blockThreshold);
  if (thresholdSize === 0) return -1;
  const ext = c.extensions as unknown;
  if (typeof ext !== 'object' || ext === null || Array.isArray(ext) || ArrayBuffer.isView(ext)) return -1;
  let extSize = 1;
  // A counter, not `extLens.length = 0`: setting an array's length is a runtime call.
  extCount = 0;
  for (const key in ext) {
    if (!hasOwn.call(ext, key)) continue;
    const value = (ext as Record<string, unknown>)[key];
    if (typeof value !== 'string' || extCount >= 30) return -1;
    const kl = textBytes(key);
    const vl = textBytes(value);
    extLens[extCount++] = kl;
    extLens[extCount++] = vl;
    extSize += strSize(kl) + strSize(vl);
  }
  // `for in` over own keys visits them in Object.keys order (the generic encoder's) without
  // making an array; inherited keys are skipped, symbols neither of them writes.
  versionLen = textBytes(c.version);
  agentIdLen = textBytes(c.agentId);
  agentTypeLen = textBytes(c.agentType);
  modelLen = s.modelVersion === null ? -1 : textBytes(s.modelVersion);
  return (
    2 + strSize(versionLen) + strSize(agentIdLen) + strSize(agentTypeLen) + 1 + k.algorithms.length + uintSize(k.maxPayload) + 2 + 1 + k.encodings.length + 1 + 1 +
    (modelLen < 0 ? 1 : strSize(modelLen)) + 1 + thresholdSize + extSize
  );
}

/** Writes the capabilities array measured by {@link capabilitiesSize} at `at`. */
function writeCapabilitiesAt(out: Uint8Array, at: number, c: Capabilities): void {
  const k = c.compression;
  const s = c.security;
  out[at++] = 0x9f;
  out[at++] = 0;
  at = writeText(out, at, c.version, versionLen);
  at = writeText(out, at, c.agentId, agentIdLen);
  at = writeText(out, at, c.agentType, agentTypeLen);
  out[at++] = 0x90 | k.algorithms.length;
  for (const a of k.algorithms) out[at++] = ALGO_INDEX[a];
  at = writeUint(out, at, k.maxPayload);
  out[at++] = k.streaming ? 0xc3 : 0xc2;
  out[at++] = k.mlRouting ? 0xc3 : 0xc2;
  out[at++] = 0x90 | k.encodings.length;
  for (const e of k.encodings) out[at++] = Encodings.indexOf(e);
  out[at++] = Encodings.indexOf(k.preferredEncoding);
  out[at++] = s.threatDetection ? 0xc3 : 0xc2;
  at = modelLen < 0 ? ((out[at] = 0xc0), at + 1) : writeText(out, at, s.modelVersion!, modelLen);
  out[at++] = s.blockingMode ? 0xc3 : 0xc2;
  const v = s.blockThreshold;
  if (v >>> 0 === v) at = writeUint(out, at, v);
  else {
    out[at] = 0xcb;
    floatView.setFloat64(0, v);
    out.set(floatBytes, at + 1);
    at += 9;
  }
  const ext = c.extensions as Record<string, string>;
  out[at++] = 0x80 | (extCount >> 1);
  let i = 0;
  for (const key in ext) {
    if (!hasOwn.call(ext, key)) continue;
    at = writeText(out, at, key, extLens[i++]);
    at = writeText(out, at, ext[key], extLens[i++]);
  }
}

/**
 * The bytes of `t`'s capabilities array from `agent_type` to its end, written once: its parts are
 * frozen, and `version` and `agent_type` are checked to be the template's before it is used
 * (./handshake-reader.ts compares received capabilities with it).
 */
export function templateTail(t: CapabilityTemplate): Uint8Array {
  if (t.tail) return t.tail;
  const p = t.parts;
  const size = capabilitiesSize(p);
  const whole = new Uint8Array(size);
  writeCapabilitiesAt(whole, 0, p);
  // [0x9f, 0, version, agent_id (the template's is empty: one byte), agent_type, …]
  return (t.tail = whole.slice(2 + strSize(versionLen) + strSize(agentIdLen)));
}

// Set by `measure` for the write that follows (one synchronous call).
let tail: Uint8Array | undefined;

/**
 * Bytes of the capabilities array (-1: the generic encoder's): a session's own default
 * capabilities (./default-capabilities.ts) are their version and agent id followed by the
 * template's bytes, anything else is checked and measured field by field.
 */
function measure(c: Capabilities): number {
  const t = templateOf(c);
  if (!t || typeof c.agentId !== 'string') {
    tail = undefined;
    return capabilitiesSize(c);
  }
  tail = templateTail(t);
  versionLen = textBytes(c.version);
  agentIdLen = textBytes(c.agentId);
  return 2 + strSize(versionLen) + strSize(agentIdLen) + tail.length;
}

/** Writes the capabilities array sized by {@link measure} at `at`. */
function writeMeasured(out: Uint8Array, at: number, c: Capabilities): void {
  if (!tail) return writeCapabilitiesAt(out, at, c);
  out[at++] = 0x9f;
  out[at++] = 0;
  at = writeText(out, at, c.version, versionLen);
  out.set(tail, writeText(out, at, c.agentId, agentIdLen));
}

/** The capabilities array alone (HELLO's Noise payload), or `undefined` for the generic encoder. */
export function writeCapabilities(c: Capabilities): Uint8Array | undefined {
  const size = measure(c);
  if (size < 0) return undefined;
  const out = allocate(size);
  writeMeasured(out, 0, c);
  return out;
}

/** ACCEPT's Noise payload `[session_id, capabilities]`, or `undefined` for the generic encoder. */
export function writeAcceptPayload(sessionId: string, c: Capabilities): Uint8Array | undefined {
  if (typeof sessionId !== 'string') return undefined;
  const size = measure(c);
  if (size < 0) return undefined;
  const sidLen = textBytes(sessionId);
  const out = allocate(1 + strSize(sidLen) + size);
  out[0] = 0x92;
  writeMeasured(out, writeText(out, 1, sessionId, sidLen), c);
  return out;
}
