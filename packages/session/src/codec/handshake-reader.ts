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
import { MsgpackCursor, RepeatedText } from './msgpack-cursor.js';
import { capabilityTemplate, type CapabilityTemplate } from './default-capabilities.js';
import { templateTail } from './handshake-writer.js';

const ALGOS: readonly Algorithm[] = ['none', 'm2m', 'tokennative', 'brotli'];

const c = new MsgpackCursor();

/** A boolean; a failed read for anything else. */
function bool(): boolean {
  const b = c.byte();
  if (b === 0xc3) return true;
  if (b !== 0xc2) c.at = -1;
  return false;
}

/** An index below `n` written as a positive fixint; `-1` (and a failed read) otherwise. */
function smallIndex(n: number): number {
  const b = c.byte();
  if (b >= 0 && b < n) return b;
  c.at = -1;
  return -1;
}

/** The element count of a fixarray (`0x90`) or fixmap (`0x80`) at the current byte; `-1` otherwise. */
function fixCount(family: number): number {
  const b = c.byte();
  if (b >= 0 && (b & 0xf0) === family) return b & 0x0f;
  c.at = -1;
  return -1;
}

/** A str's text (strict UTF-8); `undefined` (and a failed read) when it is not one. */
function text(): string | undefined {
  return c.textOf(c.strLength());
}

const floatBytes = new Uint8Array(8);
const floatView = new DataView(floatBytes.buffer);

/** A finite number in the forms the generic decoder reads as one; `NaN` (and a failed read) otherwise. */
function finite(): number {
  const { src, at } = c;
  const b = src[at];
  let v: number;
  if (b === 0xcb || b === 0xca) {
    const k = b === 0xcb ? 8 : 4;
    if (at + 1 + k > src.length) return (c.fail(), NaN);
    for (let i = 0; i < k; i++) floatBytes[i] = src[at + 1 + i];
    v = k === 8 ? floatView.getFloat64(0) : floatView.getFloat32(0);
    c.at = at + 1 + k;
  } else v = c.uint();
  if (c.at < 0 || !Number.isFinite(v)) return (c.fail(), NaN);
  return v;
}

const sessionIds = new RepeatedText(64);
const protocols = new RepeatedText(64);

/** Runs `read` over `bytes`; its result only when it took the whole input. */
function whole<T>(bytes: Uint8Array, read: () => T | undefined): T | undefined {
  c.begin(bytes);
  try {
    const v = read();
    return c.at === bytes.length ? v : undefined;
  } finally {
    c.release(); // keep no reference to the caller's bytes
  }
}

// ---------------------------------------------------------------------------------------------

/** What the Noise message's bytes (a view of the input) become in the message; set per call. */
// Not `v.slice()`: on a Node Buffer that is a view of the same memory.
const copyBody = (v: Uint8Array): Uint8Array => new Uint8Array(v);
let keepBody = copyBody;

function handshakeMessage(): Message | undefined {
  if (c.byte() !== 0x94) return undefined;
  const type = smallIndex(MessageType.length);
  let sessionId: string | undefined;
  if (c.src[c.at] === 0xc0) c.at++;
  else if ((sessionId = sessionIds.read(c, c.strLength())) === undefined) return undefined;
  const timestamp = c.uint();
  if (c.at < 0 || c.byte() !== 0x93 || c.byte() !== 5) return undefined;
  let protocol: string | undefined;
  if (c.src[c.at] === 0xc0) c.at++;
  else if ((protocol = protocols.read(c, c.strLength())) === undefined || !protocolNameFits(protocol)) return undefined;
  const len = c.lengthOf(c.byte(), false);
  const { src, at } = c;
  if (at < 0 || len < 0 || at + len !== src.length) return undefined;
  const message = keepBody(src.subarray(at, at + len));
  c.at = at + len;
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

/** True when the last {@link capabilities} call read the template's bytes (their limits hold by construction). */
let templated = false;

/**
 * The capabilities in `src` from `at` (just past the array's `[0x9f, 0]`) to its end when they are
 * `t`'s: the template's version, any agent id (a fixstr or str8 of valid UTF-8), then exactly the
 * template's tail; `undefined` otherwise (the cursor is then wherever it stopped).
 */
function matchTemplate(src: Uint8Array, at: number, t: CapabilityTemplate): Capabilities | undefined {
  const tail = templateTail(t);
  const version = t.parts.version;
  // version: a fixstr of the template's (ASCII) text
  if (src[at] !== (0xa0 | version.length)) return undefined;
  for (let i = 0; i < version.length; i++) if (src[at + 1 + i] !== version.charCodeAt(i)) return undefined;
  at += 1 + version.length;
  const head = src[at];
  const idLen = (head & 0xe0) === 0xa0 ? head & 0x1f : head === 0xd9 ? src[at + 1] : -1;
  const idAt = at + (head === 0xd9 ? 2 : 1);
  if (idLen < 0 || idAt + idLen + tail.length !== src.length) return undefined;
  for (let i = 0, j = idAt + idLen; i < tail.length; i++, j++) if (src[j] !== tail[i]) return undefined;
  c.at = idAt;
  const agentId = c.textOf(idLen);
  if (agentId === undefined) return undefined;
  c.at = src.length;
  const p = t.parts;
  const k = p.compression;
  const sec = p.security;
  // A fresh value, as the generic reader builds it (the application may keep and change the peer's).
  return {
    version,
    agentId,
    agentType: p.agentType,
    compression: { algorithms: t.algorithms.slice(), maxPayload: k.maxPayload, streaming: k.streaming, mlRouting: k.mlRouting, encodings: t.encodings.slice(), preferredEncoding: k.preferredEncoding },
    security: { threatDetection: sec.threatDetection, modelVersion: sec.modelVersion, blockingMode: sec.blockingMode, blockThreshold: sec.blockThreshold },
    extensions: {},
  };
}

function capabilities(): Capabilities | undefined {
  templated = false;
  if (c.byte() !== 0x9f || c.byte() !== 0) return undefined;
  // The defaults an m2m-ts session announces (./default-capabilities.ts): compared as bytes, the
  // agent id alone decoded.
  const { src, at } = c;
  const known = matchTemplate(src, at, capabilityTemplate(true)) ?? matchTemplate(src, at, capabilityTemplate(false));
  if (known) {
    templated = true;
    return known;
  }
  c.at = at;
  const version = text();
  const agentId = text();
  const agentType = text();
  const algorithms: Algorithm[] = [];
  for (let n = fixCount(0x90); n > 0; n--) algorithms.push(ALGOS[smallIndex(ALGOS.length)]);
  const maxPayload = c.uint();
  const streaming = bool();
  const mlRouting = bool();
  const encodings: Encoding[] = [];
  for (let n = fixCount(0x90); n > 0; n--) encodings.push(Encodings[smallIndex(Encodings.length)]);
  const preferred = smallIndex(Encodings.length);
  const threatDetection = bool();
  let modelVersion: string | null = null;
  if (c.src[c.at] === 0xc0) c.at++;
  else modelVersion = text() ?? null;
  const blockingMode = bool();
  const blockThreshold = finite();
  const extensions: Record<string, string> = {};
  for (let n = fixCount(0x80); n > 0 && c.at >= 0; n--) {
    const key = text();
    const value = text();
    // The generic path's map holds `__proto__` as an own key that its copy then drops: its call.
    if (key === '__proto__') return c.fail();
    if (key !== undefined && value !== undefined) extensions[key] = value;
  }
  if (c.at < 0) return undefined;
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
  if (caps && !templated) checkCapabilityLimits(caps);
  return caps;
}

function acceptPayload(): { sessionId: string; capabilities: Capabilities } | undefined {
  if (c.byte() !== 0x92) return undefined;
  const sessionId = sessionIds.read(c, c.strLength());
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
  if (accepted && !templated) checkCapabilityLimits(accepted.capabilities);
  return accepted;
}
