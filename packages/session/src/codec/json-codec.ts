/**
 * The `json` message codec: byte for byte the reference's serde_json output (key order, enum
 * spellings, `model_version: null` kept, absent keys left out), and its input rules: the
 * payload is an untagged union tried as Capabilities → Rejection → Data → Empty, unknown keys
 * are ignored, `timestamp` is a required u64 (docs/PROTOCOL.md §4.1). Before anything is parsed,
 * one linear scan bounds the nesting depth and the element count; received capabilities are
 * held to CAPABILITY_LIMITS (message.ts).
 * @module
 */
import { M2MError, RejectionCode, CloseReason, ALGORITHMS, base64Decode, base64Encode, frameBytesToText, parseJsonExact, RawNumber, scanJson } from '@m2m/core/internal';
import { isFrameBytes } from '../frame-bytes.js';
import type { Algorithm } from '@m2m/core';
import { checkCapabilityLimits, Encodings, MAX_PROTOCOL_NAME_BYTES, MessageType, protocolNameFits } from '../message.js';
import type { Capabilities, CloseInfo, DataPayload, Encoding, HandshakePayload, Message, MessagePayload, RejectionInfo, SecurityStatus } from '../message.js';

/** serde's list of variants in the reference's error text (AUTH is this SDK's own). */
const REFERENCE_TYPES = MessageType.slice(0, 7);

/** Deepest nesting a session message needs (capabilities sit at depth 4). */
const MAX_DEPTH = 16;
/**
 * Most containers plus commas in one message: capabilities at CAPABILITY_LIMITS need about 200;
 * the rest leaves room for unknown keys, which serde ignores. Bounds what JSON.parse builds.
 */
export const MAX_JSON_MESSAGE_ELEMENTS = 1024;

function invalid(reason: string): M2MError<'InvalidMessage'> {
  return new M2MError('InvalidMessage', { reason });
}

// ---------------------------------------------------------------------------------------------
// Writing

/** serde_json's f64 text: shortest round-trip digits, integral values with `.0`, `e` without `+`. */
function f64Text(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x).replace('e+', 'e');
}
const str = JSON.stringify;

function capabilitiesJson(c: Capabilities): string {
  const k = c.compression;
  const s = c.security;
  const ext = Object.entries(c.extensions).map(([a, b]) => `${str(a)}:${str(b)}`).join(',');
  return (
    `{"version":${str(c.version)},"agent_id":${str(c.agentId)},"agent_type":${str(c.agentType)},` +
    `"compression":{"algorithms":${str(k.algorithms)},"max_payload":${k.maxPayload},"streaming":${k.streaming},` +
    `"ml_routing":${k.mlRouting},"encodings":${str(k.encodings)},"preferred_encoding":${str(k.preferredEncoding)}},` +
    `"security":{"threat_detection":${s.threatDetection},"model_version":${s.modelVersion === null ? 'null' : str(s.modelVersion)},` +
    `"blocking_mode":${s.blockingMode},"block_threshold":${f64Text(s.blockThreshold)}},"extensions":{${ext}}}`
  );
}

/**
 * Byte content as JSON text: an M2M frame in its text form (`#M2M|1|` + base64, docs/PROTOCOL.md
 * §1), any other bytes (a sealed control payload, whose first byte is never `#`) as base64.
 */
function contentText(c: string | Uint8Array): string {
  if (typeof c === 'string') return c;
  return isFrameBytes(c) ? frameBytesToText(c) : base64Encode(c);
}

function payloadJson(p: MessagePayload): string {
  switch (p.kind) {
    case 'capabilities':
      return capabilitiesJson(p.value);
    case 'rejection': {
      const r = p.value;
      return `{"code":${str(r.code)},"message":${str(r.message)}${r.retryAfterMs !== undefined ? `,"retry_after_ms":${r.retryAfterMs}` : ''}}`;
    }
    case 'data': {
      const d = p.value;
      let out = `{"algorithm":${str(d.algorithm)},"content":${str(contentText(d.content))}`;
      if (d.originalSize !== undefined) out += `,"original_size":${d.originalSize}`;
      if (d.securityStatus) {
        const s = d.securityStatus;
        out += `,"security_status":{"scanned":${s.scanned},"safe":${s.safe}`;
        if (s.threatType !== undefined) out += `,"threat_type":${str(s.threatType)}`;
        if (s.confidence !== undefined) out += `,"confidence":${f64Text(s.confidence)}`;
        out += '}';
      }
      return out + '}';
    }
    case 'close':
      return `{"reason":${str(p.value.reason)},"message":${str(p.value.message)}}`;
    case 'handshake':
      return `{${p.value.protocol !== undefined ? `"protocol":${str(p.value.protocol)},` : ''}"message":${str(base64Encode(p.value.message))}}`;
    case 'empty':
      return '{}';
  }
}

/**
 * A message as the reference's compact JSON.
 * @example `encodeMessageJson(ping)` → `{"type":"PING","session_id":"s","payload":{},"timestamp":1705520400000}`
 */
export function encodeMessageJson(message: Message): string {
  let out = `{"type":${str(message.type)}`;
  if (message.sessionId !== undefined) out += `,"session_id":${str(message.sessionId)}`;
  if (message.payload) out += `,"payload":${payloadJson(message.payload)}`;
  return `${out},"timestamp":${message.timestamp}}`;
}

// ---------------------------------------------------------------------------------------------
// Reading

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawNumber);
const has = (o: Record<string, Json>, k: string) => Object.hasOwn(o, k);

/** serde's `u64`: a plain non-negative integer literal. */
function asU64(v: Json): number | undefined {
  if (v instanceof RawNumber) return /^(0|[1-9]\d*)$/.test(v.raw) && Number(v.raw) <= Number.MAX_SAFE_INTEGER ? Number(v.raw) : undefined;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}
function asF64(v: Json): number | undefined {
  if (v instanceof RawNumber) return Number(v.raw);
  return typeof v === 'number' ? v : undefined;
}
const asBool = (v: Json) => (typeof v === 'boolean' ? v : undefined);
const asStr = (v: Json) => (typeof v === 'string' ? v : undefined);
const isAlgorithm = (v: Json): v is Algorithm => typeof v === 'string' && (ALGORITHMS as readonly string[]).includes(v);
const isEncoding = (v: Json): v is Encoding => typeof v === 'string' && (Encodings as readonly string[]).includes(v);

/** Reads Capabilities with serde's rules, or `undefined` when the object does not match. */
function readCapabilities(o: Record<string, Json>): Capabilities | undefined {
  const version = asStr(o.version);
  const agentId = asStr(o.agent_id);
  const agentType = asStr(o.agent_type);
  const c = o.compression;
  const s = o.security;
  if (version === undefined || agentId === undefined || agentType === undefined || !isObject(c) || !isObject(s)) return undefined;
  if (!Array.isArray(c.algorithms) || !c.algorithms.every(isAlgorithm)) return undefined;
  const maxPayload = asU64(c.max_payload);
  const streaming = asBool(c.streaming);
  const mlRouting = asBool(c.ml_routing);
  if (maxPayload === undefined || streaming === undefined || mlRouting === undefined) return undefined;
  let encodings: Encoding[] = [];
  if (has(c, 'encodings')) {
    if (!Array.isArray(c.encodings) || !c.encodings.every(isEncoding)) return undefined;
    encodings = c.encodings;
  }
  let preferredEncoding: Encoding = 'Cl100kBase';
  if (has(c, 'preferred_encoding')) {
    if (!isEncoding(c.preferred_encoding)) return undefined;
    preferredEncoding = c.preferred_encoding;
  }
  const threatDetection = asBool(s.threat_detection);
  const blockingMode = asBool(s.blocking_mode);
  const blockThreshold = asF64(s.block_threshold);
  if (threatDetection === undefined || blockingMode === undefined || blockThreshold === undefined) return undefined;
  let modelVersion: string | null = null;
  if (has(s, 'model_version') && s.model_version !== null) {
    if (typeof s.model_version !== 'string') return undefined;
    modelVersion = s.model_version;
  }
  const extensions: Record<string, string> = {};
  if (has(o, 'extensions')) {
    if (!isObject(o.extensions)) return undefined;
    for (const [k, v] of Object.entries(o.extensions)) {
      if (typeof v !== 'string') return undefined;
      extensions[k] = v;
    }
  }
  return {
    version,
    agentId,
    agentType,
    compression: { algorithms: c.algorithms, maxPayload, streaming, mlRouting, encodings, preferredEncoding },
    security: { threatDetection, modelVersion, blockingMode, blockThreshold },
    extensions,
  };
}

function readRejection(o: Record<string, Json>): RejectionInfo | undefined {
  const code = asStr(o.code);
  const message = asStr(o.message);
  if (code === undefined || !Object.hasOwn(RejectionCode, code) || message === undefined) return undefined;
  const out: RejectionInfo = { code: code as RejectionCode, message };
  if (has(o, 'retry_after_ms') && o.retry_after_ms !== null) {
    const ms = asU64(o.retry_after_ms);
    if (ms === undefined) return undefined;
    out.retryAfterMs = ms;
  }
  return out;
}

function readData(o: Record<string, Json>): DataPayload | undefined {
  const content = asStr(o.content);
  if (!isAlgorithm(o.algorithm) || content === undefined) return undefined;
  const out: DataPayload = { algorithm: o.algorithm, content };
  if (has(o, 'original_size') && o.original_size !== null) {
    const n = asU64(o.original_size);
    if (n === undefined) return undefined;
    out.originalSize = n;
  }
  if (has(o, 'security_status') && o.security_status !== null) {
    const s = o.security_status;
    if (!isObject(s)) return undefined;
    const scanned = asBool(s.scanned);
    const safe = asBool(s.safe);
    if (scanned === undefined || safe === undefined) return undefined;
    const status: SecurityStatus = { scanned, safe };
    if (has(s, 'threat_type') && s.threat_type !== null) {
      if (typeof s.threat_type !== 'string') return undefined;
      status.threatType = s.threat_type;
    }
    if (has(s, 'confidence') && s.confidence !== null) {
      const c = asF64(s.confidence);
      if (c === undefined) return undefined;
      status.confidence = c;
    }
    out.securityStatus = status;
  }
  return out;
}

function readClose(o: Record<string, Json>): CloseInfo | undefined {
  const reason = asStr(o.reason);
  if (reason === undefined || !Object.hasOwn(CloseReason, reason)) return undefined;
  return { reason: reason as CloseInfo['reason'], message: asStr(o.message) ?? '' };
}

function readHandshake(o: Record<string, Json>): HandshakePayload | undefined {
  if (typeof o.message !== 'string') return undefined;
  let message: Uint8Array;
  try {
    message = base64Decode(o.message);
  } catch {
    return undefined;
  }
  if (has(o, 'protocol') && o.protocol !== null) {
    if (typeof o.protocol !== 'string') return undefined;
    if (!protocolNameFits(o.protocol)) throw invalid(`protocol name longer than ${MAX_PROTOCOL_NAME_BYTES} bytes`);
    return { protocol: o.protocol, message };
  }
  return { message };
}

/** The reference's untagged payload union, plus CLOSE's reason and handshake messages (read only on their types). */
export function readPayload(type: MessageType, o: Record<string, Json>): MessagePayload {
  const caps = readCapabilities(o);
  if (caps) {
    checkCapabilityLimits(caps);
    return { kind: 'capabilities', value: caps };
  }
  const rej = readRejection(o);
  if (rej) return { kind: 'rejection', value: rej };
  const data = readData(o);
  if (data) return { kind: 'data', value: data };
  if (type === 'CLOSE') {
    const close = readClose(o);
    if (close) return { kind: 'close', value: close };
  }
  if (type === 'HELLO' || type === 'ACCEPT' || type === 'AUTH') {
    const hs = readHandshake(o);
    if (hs) return { kind: 'handshake', value: hs };
  }
  return { kind: 'empty' };
}

/**
 * serde_json's text for a value of the wrong type (`invalid type: floating point \`1.5\`, expected
 * u64`, `invalid type: integer \`5\`, expected a string`; a negative integer for a u64 is
 * `invalid value: integer \`-1\``), without the position serde_json appends.
 */
function serdeInvalid(v: Json, expected: 'u64' | 'a string'): string {
  const num = v instanceof RawNumber ? v.raw : typeof v === 'number' ? String(v) : undefined;
  let unexpected: string;
  if (num !== undefined && /^-?(0|[1-9]\d*)$/.test(num)) {
    if (expected === 'u64') return `invalid value: integer \`${num}\`, expected u64`;
    unexpected = `integer \`${num}\``;
  } else if (num !== undefined) {
    const f = String(Number(num));
    unexpected = `floating point \`${/[.eE]|Infinity|NaN/.test(f) ? f : `${f}.0`}\``;
  } else if (typeof v === 'string') unexpected = `string ${JSON.stringify(v)}`;
  else if (typeof v === 'boolean') unexpected = `boolean \`${v}\``;
  else if (v === null) unexpected = 'null';
  else unexpected = Array.isArray(v) ? 'sequence' : 'map';
  return `invalid type: ${unexpected}, expected ${expected}`;
}

/** Column (1-based, one-line input) just after the string value of the top-level `"type"` key. */
function typeColumn(text: string): number {
  const m = /"type"\s*:\s*"(?:[^"\\]|\\.)*"/.exec(text);
  return m ? m.index + m[0].length : 1;
}

/**
 * Parses a message from the reference's JSON.
 * @throws M2MError of kind InvalidMessage with serde_json's text (`unknown variant \`hello\`, …`,
 *   ``missing field `timestamp` ``) for anything the reference would not parse, and for nesting
 *   deeper than 16; LimitExceeded for more than {@link MAX_JSON_MESSAGE_ELEMENTS} elements or
 *   capability fields over CAPABILITY_LIMITS.
 */
export function decodeMessageJson(text: string): Message {
  if (typeof text !== 'string') throw invalid('message must be a string');
  let root: Json;
  try {
    const scan = scanJson(text, MAX_DEPTH, MAX_JSON_MESSAGE_ELEMENTS);
    root = scan.ambiguousNumbers ? parseJsonExact(text) : JSON.parse(text);
  } catch (e) {
    if (e instanceof M2MError && e.kind === 'LimitExceeded') {
      if ((e as M2MError<'LimitExceeded'>).details.limit === 'jsonDepth') throw invalid(`nesting deeper than ${MAX_DEPTH}`);
      throw e;
    }
    try {
      parseJsonExact(text); // for serde's text of the syntax error
    } catch (exact) {
      throw new M2MError('InvalidMessage', { reason: (exact as Error).message }, { cause: e });
    }
    throw new M2MError('InvalidMessage', { reason: (e as Error).message }, { cause: e });
  }
  if (!isObject(root)) throw invalid('invalid type: expected struct Message');
  if (!has(root, 'type')) throw invalid('missing field `type`');
  const type = root.type;
  if (typeof type !== 'string' || !(MessageType as readonly string[]).includes(type)) {
    if (typeof type !== 'string') throw invalid('invalid type: expected variant identifier');
    throw invalid(`unknown variant \`${type}\`, expected one of ${REFERENCE_TYPES.map((t) => `\`${t}\``).join(', ')} at line 1 column ${typeColumn(text)}`);
  }
  const t = type as MessageType;
  let sessionId: string | undefined;
  if (has(root, 'session_id') && root.session_id !== null) {
    if (typeof root.session_id !== 'string') throw invalid(serdeInvalid(root.session_id, 'a string'));
    sessionId = root.session_id;
  }
  let payload: MessagePayload | undefined;
  if (has(root, 'payload') && root.payload !== null) {
    if (!isObject(root.payload)) throw invalid('data did not match any variant of untagged enum MessagePayload');
    payload = readPayload(t, root.payload);
  }
  if (!has(root, 'timestamp')) throw invalid('missing field `timestamp`');
  const timestamp = asU64(root.timestamp);
  if (timestamp === undefined) throw invalid(serdeInvalid(root.timestamp, 'u64'));
  const msg: Message = { type: t, timestamp };
  if (sessionId !== undefined) msg.sessionId = sessionId;
  if (payload) msg.payload = payload;
  return msg;
}
