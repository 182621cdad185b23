/**
 * The `binary` message codec: the same messages as MessagePack arrays (no records,
 * no extensions), about half the size of the JSON. Byte layout: docs/PROTOCOL.md §"Binary
 * message codec". Every field is checked on input; anything else is InvalidMessage. Messages are
 * written by msgpack-encode.ts (msgpackr's bytes, without msgpackr); received bytes are read by
 * the bounded decoder of msgpack-decode.ts, and received capabilities are held to
 * CAPABILITY_LIMITS (message.ts).
 * @module
 */
import { CloseReason, M2MError, RejectionCode, isBytes, lengthOf, unsharedBytes } from '@m2m/core/internal';
import type { Algorithm } from '@m2m/core';
import { checkCapabilityLimits, Encodings, MAX_PROTOCOL_NAME_BYTES, MessageType, protocolNameFits } from '../message.js';
import { decodeMsgpack } from './msgpack-decode.js';
import { fastReadAcceptPayload, fastReadCapabilities, fastReadMessage, fastWriteAcceptPayload, fastWriteCapabilities, fastWriteMessage } from '#platform';
import { encodeMsgpack, type MsgpackInput } from './msgpack-encode.js';
import { copyOut, holdsOnlyOwn } from '#slab';
import type { Capabilities, DataPayload, Encoding, Message, MessagePayload, SecurityStatus } from '../message.js';

/** Payload kind tags. */
const KIND = { capabilities: 0, rejection: 1, data: 2, close: 3, empty: 4, handshake: 5 } as const;
/** Enum tables: a value's index is its wire number. */
const ALGOS: readonly Algorithm[] = ['none', 'm2m', 'tokennative', 'brotli'];
const REJECTIONS = Object.keys(RejectionCode) as RejectionCode[];
const REASONS = Object.keys(CloseReason) as CloseReason[];

// Plain MessagePack: arrays and fixmaps, 64-bit integers only when a value needs them.
const pack = (v: unknown[]): Uint8Array => encodeMsgpack(v as MsgpackInput);

/** Largest binary message accepted by default (the spec's 16 MiB message limit). */
export const MAX_BINARY_MESSAGE = 16 * 1024 * 1024;

const u64 = (n: number): number | bigint => (n > 0xffff_ffff ? BigInt(n) : n);
const optional = <T, R>(v: T | undefined, f: (x: T) => R): R | null => (v === undefined ? null : f(v));

function capabilitiesArray(c: Capabilities): unknown[] {
  const k = c.compression;
  const s = c.security;
  return [
    KIND.capabilities, c.version, c.agentId, c.agentType,
    k.algorithms.map((a) => ALGOS.indexOf(a)), u64(k.maxPayload), k.streaming, k.mlRouting,
    k.encodings.map((e) => Encodings.indexOf(e)), Encodings.indexOf(k.preferredEncoding),
    s.threatDetection, s.modelVersion, s.blockingMode, s.blockThreshold, c.extensions,
  ];
}

function payloadArray(p: MessagePayload): unknown[] {
  switch (p.kind) {
    case 'capabilities':
      return capabilitiesArray(p.value);
    case 'rejection':
      return [KIND.rejection, REJECTIONS.indexOf(p.value.code), p.value.message, optional(p.value.retryAfterMs, u64)];
    case 'data': {
      const d = p.value;
      const s = d.securityStatus;
      return [KIND.data, ALGOS.indexOf(d.algorithm), d.content, optional(d.originalSize, u64), s ? [s.scanned, s.safe, s.threatType ?? null, s.confidence ?? null] : null];
    }
    case 'close':
      return [KIND.close, REASONS.indexOf(p.value.reason), p.value.message];
    case 'empty':
      return [KIND.empty];
    case 'handshake':
      return [KIND.handshake, p.value.protocol ?? null, p.value.message];
  }
}

/** Capabilities alone as MessagePack (the Noise payload of HELLO). */
export function encodeCapabilities(c: Capabilities): Uint8Array {
  return fastWriteCapabilities(c) ?? pack(capabilitiesArray(c));
}

/** ACCEPT's Noise payload: `[session_id, capabilities]` as MessagePack. */
export function encodeAcceptPayload(sessionId: string, c: Capabilities): Uint8Array {
  return fastWriteAcceptPayload(sessionId, c) ?? pack([sessionId, capabilitiesArray(c)]);
}

/**
 * Reads {@link encodeCapabilities} output, or a capabilities array inside another value.
 * @throws M2MError: InvalidMessage (malformed), LimitExceeded (MessagePack bounds, a field over
 *   CAPABILITY_LIMITS).
 */
export function decodeCapabilities(input: Uint8Array | unknown[]): Capabilities {
  // The usual shape in one pass (./handshake-reader.ts, Node's platform); anything else through the generic decoder.
  const fast = input instanceof Uint8Array ? fastReadCapabilities(input) : undefined;
  if (fast) return fast;
  const v = input instanceof Uint8Array ? unpackValue(input, 'capabilities') : input;
  try {
    const p = readPayload(v, copy);
    if (p.kind !== 'capabilities') bad('expected capabilities');
    return (p as { value: Capabilities }).value;
  } catch (e) {
    if (e instanceof Bad) throw new M2MError('InvalidMessage', { reason: e.message });
    throw e;
  }
}

function unpackValue(bytes: Uint8Array, what: string): unknown {
  if (!isBytes(bytes)) throw new M2MError('InvalidMessage', { reason: `${what} must be a Uint8Array` });
  // Internal callers only (capabilities, control payloads): their bytes are Noise or AEAD
  // outputs, private arrays, never shared memory (decodeMessage copies a shared message).
  return decodeMsgpack(bytes);
}



/** A payload alone as MessagePack (§4.2's payload array; the plaintext of a sealed control message). */
export function encodePayloadBinary(p: MessagePayload): Uint8Array {
  return pack(payloadArray(p));
}

/**
 * Reads {@link encodePayloadBinary} output, bounded as a whole message is.
 * @throws M2MError: InvalidMessage (malformed), LimitExceeded (MessagePack bounds).
 */
export function decodePayloadBinary(bytes: Uint8Array): MessagePayload {
  const v = unpackValue(bytes, 'payload');
  try {
    return readPayload(v, copy);
  } catch (e) {
    if (e instanceof Bad) throw new M2MError('InvalidMessage', { reason: e.message });
    throw e;
  }
}

/**
 * Reads {@link encodeAcceptPayload} output.
 * @returns `undefined` when the value is not `[string, array]`.
 * @throws M2MError: InvalidMessage for malformed MessagePack or capabilities, LimitExceeded.
 */
export function decodeAcceptPayload(bytes: Uint8Array): { sessionId: string; capabilities: Capabilities } | undefined {
  const fast = bytes instanceof Uint8Array ? fastReadAcceptPayload(bytes) : undefined;
  if (fast) return fast;
  const v = unpackValue(bytes, 'MessagePack');
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !Array.isArray(v[1])) return undefined;
  return { sessionId: v[0], capabilities: decodeCapabilities(v[1]) };
}

/**
 * Encodes a message as MessagePack.
 * @example `encodeMessageBinary(ping)` → `94 04 a1 73 d3 … 91 04` (see docs/PROTOCOL.md)
 */
export function encodeMessageBinary(message: Message): Uint8Array {
  // DATA, bindings and sealed control messages: one sized allocation instead of the generic encoder's buffer and copy.
  const fast = fastWriteMessage(message);
  if (fast) return fast;
  const arr = [MessageType.indexOf(message.type), message.sessionId ?? null, u64(message.timestamp), message.payload ? payloadArray(message.payload) : null];
  return pack(arr);
}

// ---------------------------------------------------------------------------------------------

class Bad extends Error {}
const bad = (what: string): never => {
  throw new Bad(what);
};
const uint = (v: unknown, what: string): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : bad(`${what} must be an unsigned integer`));
const num = (v: unknown, what: string): number => (typeof v === 'number' && Number.isFinite(v) ? v : bad(`${what} must be a number`));
const text = (v: unknown, what: string): string => (typeof v === 'string' ? v : bad(`${what} must be a string`));
const bool = (v: unknown, what: string): boolean => (typeof v === 'boolean' ? v : bad(`${what} must be a boolean`));
const arr = (v: unknown, what: string, len?: number): unknown[] => {
  if (!Array.isArray(v)) return bad(`${what} must be an array`);
  if (len !== undefined && v.length !== len) bad(`${what} must have ${len} elements, got ${v.length}`);
  return v;
};
const nullable = <T>(v: unknown, f: (x: unknown) => T): T | undefined => (v === null ? undefined : f(v));
function pick<T>(table: readonly T[], v: unknown, what: string): T {
  const i = uint(v, what);
  return i < table.length ? table[i] : bad(`unknown ${what} ${i}`);
}

/**
 * DATA content bytes (bin: an M2M frame, or a sealed control payload) are copied out of the
 * received message, so a payload the application keeps holds only its own; with `owned` (the
 * session's codec: the transport gave it the message), a frame stays a view of it when the
 * message's buffer holds only this connection's bytes (a slab or a buffer of its own:
 * `holdsOnlyOwn` in ./slab.ts, decided once per message), and is copied into the session's slab
 * otherwise (a view of a socket read, of the NATS client's read buffer, of Node's Buffer pool).
 */
// `new Uint8Array(v)`, not `v.slice()`: a Node Buffer's `slice` is a view of the same memory.
const copy = (v: Uint8Array): Uint8Array => new Uint8Array(v);
const keepView = (v: Uint8Array): Uint8Array => v;

/** How DATA bytes leave a message (see `copy`): decided once for the whole message. */
function keeperFor(bytes: Uint8Array, owned: boolean): (v: Uint8Array) => Uint8Array {
  return !owned ? copy : holdsOnlyOwn(bytes) ? keepView : copyOut;
}

/** DATA content: text (str) or bytes (bin, kept or copied by `keep`). */
function dataContent(v: unknown, keep: (v: Uint8Array) => Uint8Array): string | Uint8Array {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return keep(v);
  return bad('content must be a string or binary');
}

function readPayload(v: unknown, keep: (v: Uint8Array) => Uint8Array): MessagePayload {
  const a = arr(v, 'payload');
  switch (uint(a[0], 'payload kind')) {
    case KIND.capabilities: {
      arr(a, 'capabilities', 15);
      const ext = a[14];
      if (typeof ext !== 'object' || ext === null || Array.isArray(ext)) bad('extensions must be a map');
      const extensions: Record<string, string> = {};
      for (const [k, x] of Object.entries(ext as object)) extensions[k] = text(x, `extension ${k}`);
      const caps: Capabilities = {
        version: text(a[1], 'version'),
        agentId: text(a[2], 'agent_id'),
        agentType: text(a[3], 'agent_type'),
        compression: {
          algorithms: arr(a[4], 'algorithms').map((x) => pick(ALGOS, x, 'algorithm')),
          maxPayload: uint(a[5], 'max_payload'),
          streaming: bool(a[6], 'streaming'),
          mlRouting: bool(a[7], 'ml_routing'),
          encodings: arr(a[8], 'encodings').map((x) => pick<Encoding>(Encodings, x, 'encoding')),
          preferredEncoding: pick<Encoding>(Encodings, a[9], 'encoding'),
        },
        security: {
          threatDetection: bool(a[10], 'threat_detection'),
          modelVersion: nullable(a[11], (x) => text(x, 'model_version')) ?? null,
          blockingMode: bool(a[12], 'blocking_mode'),
          blockThreshold: num(a[13], 'block_threshold'),
        },
        extensions,
      };
      checkCapabilityLimits(caps);
      return { kind: 'capabilities', value: caps };
    }
    case KIND.rejection: {
      arr(a, 'rejection', 4);
      const value = { code: pick(REJECTIONS, a[1], 'rejection code'), message: text(a[2], 'message') } as { code: RejectionCode; message: string; retryAfterMs?: number };
      const ms = nullable(a[3], (x) => uint(x, 'retry_after_ms'));
      if (ms !== undefined) value.retryAfterMs = ms;
      return { kind: 'rejection', value };
    }
    case KIND.data: {
      arr(a, 'data', 5);
      const value: DataPayload = { algorithm: pick(ALGOS, a[1], 'algorithm'), content: dataContent(a[2], keep) };
      const size = nullable(a[3], (x) => uint(x, 'original_size'));
      if (size !== undefined) value.originalSize = size;
      const st = nullable(a[4], (x) => arr(x, 'security_status', 4));
      if (st) {
        const status: SecurityStatus = { scanned: bool(st[0], 'scanned'), safe: bool(st[1], 'safe') };
        const tt = nullable(st[2], (x) => text(x, 'threat_type'));
        const conf = nullable(st[3], (x) => num(x, 'confidence'));
        if (tt !== undefined) status.threatType = tt;
        if (conf !== undefined) status.confidence = conf;
        value.securityStatus = status;
      }
      return { kind: 'data', value };
    }
    case KIND.close:
      arr(a, 'close', 3);
      return { kind: 'close', value: { reason: pick(REASONS, a[1], 'close reason'), message: text(a[2], 'message') } };
    case KIND.empty:
      arr(a, 'empty payload', 1);
      return { kind: 'empty' };
    case KIND.handshake: {
      arr(a, 'handshake', 3);
      if (!(a[2] instanceof Uint8Array)) bad('handshake message must be binary');
      const protocol = nullable(a[1], (x) => text(x, 'protocol'));
      if (protocol !== undefined && !protocolNameFits(protocol)) bad(`protocol name longer than ${MAX_PROTOCOL_NAME_BYTES} bytes`);
      const message = new Uint8Array(a[2] as Uint8Array);
      return { kind: 'handshake', value: protocol === undefined ? { message } : { protocol, message } };
    }
    default:
      return bad(`unknown payload kind ${String(a[0])}`);
  }
}

/**
 * Decodes a binary message. The bytes are checked structurally first (every declared length
 * against the bytes left, depth 8, 1,024 elements, no extension types), so decoding allocates
 * at most a small multiple of the input.
 * @throws M2MError: InvalidMessage for malformed MessagePack (lying lengths included), trailing
 *   bytes, unknown message types or enum values, wrong field types, and input over `maxBytes`;
 *   LimitExceeded for nesting, element count or capability fields over their bounds.
 */
export function decodeMessageBinary(bytes: Uint8Array, maxBytes = MAX_BINARY_MESSAGE): Message {
  return decodeMessage(bytes, maxBytes, false);
}

/**
 * {@link decodeMessageBinary} for bytes the caller hands over (a transport's received message,
 * never written again): DATA bytes may stay views of `bytes` (see `dataContent`).
 * @throws as {@link decodeMessageBinary}.
 */
export function decodeOwnedMessageBinary(bytes: Uint8Array): Message {
  return decodeMessage(bytes, MAX_BINARY_MESSAGE, true);
}

function decodeMessage(bytes: Uint8Array, maxBytes: number, owned: boolean): Message {
  if (!isBytes(bytes)) throw new M2MError('InvalidMessage', { reason: 'binary message must be a Uint8Array' });
  // Every reader bounds its reads by `length`, but index reads (undefined past the real end) and
  // the DATA reader's views (made from the buffer) see the real extent: an own `length` claiming
  // more crashed the generic decoder with a bare TypeError (test/attack-receive-path.test.ts).
  if (lengthOf.call(bytes) !== bytes.length) throw new M2MError('InvalidMessage', { reason: 'binary message must be a Uint8Array whose length is its own' });
  if (bytes.length > maxBytes) throw new M2MError('InvalidMessage', { reason: `binary message of ${bytes.length} bytes exceeds ${maxBytes}` });
  // DATA bytes stay views of the message only when its buffer holds this connection's bytes
  // alone (./slab.ts holdsOnlyOwn), which is never shared memory; any other message is decoded
  // from a private copy when it is shared (a SharedArrayBuffer: another thread could change a
  // byte between its check and its use; test/keep-foreign.test.ts). One buffer lookup for a
  // message in a slab, the usual case.
  const keep = keeperFor(bytes, owned);
  if (keep !== keepView) bytes = unsharedBytes(bytes);
  // The DATA and handshake shapes in one pass (Node: platform/fast-codec.node.ts); anything else
  // (or anything odd) through the generic decoder.
  return fastReadMessage(bytes, keep) ?? decodeStructuredWith(bytes, keep);
}

/**
 * The generic path of {@link decodeMessageBinary}: MessagePack value first (bounded), then the
 * message's fields. Exported for tests that hold the one-pass reader to it.
 * @throws as {@link decodeMessageBinary}.
 */
export function decodeStructured(bytes: Uint8Array, owned = false): Message {
  return decodeStructuredWith(bytes, keeperFor(bytes, owned));
}

function decodeStructuredWith(bytes: Uint8Array, keep: (v: Uint8Array) => Uint8Array): Message {
  const v = decodeMsgpack(bytes);
  try {
    const a = arr(v, 'message', 4);
    const msg: Message = { type: pick(MessageType, a[0], 'message type'), timestamp: uint(a[2], 'timestamp') };
    const sid = nullable(a[1], (x) => text(x, 'session_id'));
    if (sid !== undefined) msg.sessionId = sid;
    const payload = a[3] === null ? undefined : readPayload(a[3], keep);
    if (payload) msg.payload = payload;
    return msg;
  } catch (e) {
    if (e instanceof Bad) throw new M2MError('InvalidMessage', { reason: e.message });
    if (e instanceof M2MError) throw e;
    throw new M2MError('InvalidMessage', { reason: `malformed message: ${(e as Error)?.message ?? String(e)}` }, { cause: e });
  }
}
