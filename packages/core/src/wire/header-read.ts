/**
 * The decoder's side of the headers: prefix, fixed header, and the routing or response header,
 * read in the reference's order with its error texts (steps 1-5 of its decoder). Layout:
 * docs/PROTOCOL.md §1; offsets: frame-layout.ts.
 * @module
 */
import { M2MError } from '../errors/base.js';
import { utf8DecodeStrict, utf8ErrorText } from './bytes.js';
import { decompressionError } from './frame-error.js';
import {
  COMMON_FLAGS_OFFSET,
  FLAGS_OFFSET,
  FLAGS_RESERVED_OFFSET,
  HEADER_LEN_OFFSET,
  PREFIX_LEN,
  RESERVED_OFFSET,
  SCHEMA_OFFSET,
  SECURITY_OFFSET,
  VARIABLE_HEADER_OFFSET,
} from './frame-layout.js';
import {
  CommonFlag,
  FIXED_HEADER_LEN,
  M2M_PREFIX_BYTES,
  RequestFlag,
  ResponseFlag,
  ROLE_CODES,
  schemaName,
  securityMode,
  type FinishReason,
  type FrameHeader,
  type ResponseHeader,
  type Role,
  type RoutingHeader,
} from './header.js';
import { checkLimit, DEFAULT_LIMITS, type Limits } from './limits.js';
import { decodeVarintU32 } from './varint.js';

/** Step 1: the `#M2M|1|` prefix. */
export function checkPrefix(data: Uint8Array): void {
  if (data.length < PREFIX_LEN) throw decompressionError('Invalid M2M prefix');
  for (let i = 0; i < PREFIX_LEN; i++) if (data[i] !== M2M_PREFIX_BYTES[i]) throw decompressionError('Invalid M2M prefix');
}

/** Step 2: the 20-byte fixed header (its variable header not yet read). */
export function readFixed(data: Uint8Array): FrameHeader {
  if (data.length < VARIABLE_HEADER_OFFSET) throw decompressionError('Frame too short for fixed header');
  const headerLen = data[HEADER_LEN_OFFSET] | (data[HEADER_LEN_OFFSET + 1] << 8);
  const flagsCommon = data[COMMON_FLAGS_OFFSET];
  // Built whole, in one shape, so V8 keeps a single hidden class for every header.
  return {
    headerLen,
    schema: schemaName(data[SCHEMA_OFFSET]),
    schemaByte: data[SCHEMA_OFFSET],
    security: securityMode(data[SECURITY_OFFSET]),
    securityByte: data[SECURITY_OFFSET],
    flags: data[FLAGS_OFFSET] | (data[FLAGS_OFFSET + 1] << 8),
    flagsReserved: data[FLAGS_RESERVED_OFFSET],
    flagsCommon,
    compressed: (flagsCommon & CommonFlag.COMPRESSED) !== 0,
    reserved: data.slice(RESERVED_OFFSET, VARIABLE_HEADER_OFFSET),
    routing: null,
    response: null,
  };
}

function readShortString(data: Uint8Array, pos: number, what: 'model' | 'ID'): { value: string; next: number } {
  const cap = what === 'model' ? 'Model' : 'ID';
  if (pos >= data.length) throw decompressionError(`Missing ${what} length`);
  const len = data[pos];
  const start = pos + 1;
  if (start + len > data.length) throw decompressionError(`${cap} truncated`);
  const value = what === 'model' ? modelText(data, start, len) : utf8DecodeStrict(data.subarray(start, start + len));
  if (value === undefined) {
    const bytes = data.subarray(start, start + len);
    throw decompressionError(`Invalid ${what} UTF-8: ${utf8ErrorText(bytes)}`);
  }
  return { value, next: start + len };
}

// The last model name read, by its bytes: a session's frames repeat one model, and comparing a
// few bytes costs a fraction of decoding them (docs/ARCHITECTURE.md, Performance notes). Names
// up to 64 bytes are kept; a mismatch decodes as usual.
const MODEL_CACHE_BYTES = 64;
const lastModelBytes = new Uint8Array(MODEL_CACHE_BYTES);
let lastModelLen = -1;
let lastModel = '';

function modelText(data: Uint8Array, start: number, len: number): string | undefined {
  if (len === lastModelLen) {
    let i = 0;
    while (i < len && data[start + i] === lastModelBytes[i]) i++;
    if (i === len) return lastModel;
  }
  const bytes = data.subarray(start, start + len);
  const value = utf8DecodeStrict(bytes);
  if (value !== undefined && len <= MODEL_CACHE_BYTES) {
    lastModelBytes.set(bytes);
    lastModelLen = len;
    lastModel = value;
  }
  return value;
}

// One scratch view for f32 reads: a DataView per read costs more than the read.
const f32Bytes = new Uint8Array(4);
const f32View = new DataView(f32Bytes.buffer);
function readF32(data: Uint8Array, pos: number): number {
  f32Bytes[0] = data[pos];
  f32Bytes[1] = data[pos + 1];
  f32Bytes[2] = data[pos + 2];
  f32Bytes[3] = data[pos + 3];
  return f32View.getFloat32(0, true);
}

/**
 * Most roles a routing header can carry: four to a byte of the largest variable header. The
 * reference reads `msg_count` roles from the rest of the frame, not from the header alone
 * (docs/PROTOCOL.md §1), so that is kept; but a count is checked against this before one role is
 * built, so a 12 MB frame claiming 48 M messages costs nothing (docs/ARCHITECTURE.md
 * "Resource budget").
 */
export function maxRoutingRoles(limits: Limits): number {
  return 4 * Math.max(0, Math.min(limits.maxHeaderBytes, 0xffff) - FIXED_HEADER_LEN);
}

function readRouting(data: Uint8Array, flags: number, limits: Limits): RoutingHeader {
  let pos = VARIABLE_HEADER_OFFSET;
  const model = readShortString(data, pos, 'model');
  pos = model.next;
  const mc = decodeVarintU32(data, pos);
  pos += mc.length;
  const roleByteCount = Math.ceil((2 * mc.value) / 8);
  if (pos + roleByteCount > data.length) throw decompressionError('Roles truncated');
  const maxRoles = maxRoutingRoles(limits);
  if (mc.value > maxRoles) throw new M2MError('LimitExceeded', { limit: 'routingRoles', actual: mc.value, max: maxRoles });
  const roles: Role[] = new Array(mc.value);
  for (let i = 0; i < mc.value; i++) roles[i] = ROLE_CODES[(data[pos + (i >> 2)] >> (2 * (i & 3))) & 3];
  pos += roleByteCount;
  const ch = decodeVarintU32(data, pos);
  pos += ch.length;
  let maxTokens: number | null = null;
  if (flags & RequestFlag.HAS_MAX_TOKENS) {
    const mt = decodeVarintU32(data, pos);
    pos += mt.length;
    maxTokens = mt.value;
  }
  const estCostUsd = pos + 4 <= data.length ? readF32(data, pos) : null;
  return { model: model.value, msgCount: mc.value, roles, contentHint: ch.value, maxTokens, estCostUsd };
}

const FINISH: readonly FinishReason[] = ['Stop', 'Length', 'ToolCalls', 'ContentFilter'];

function readResponse(data: Uint8Array, flags: number): ResponseHeader {
  let pos = VARIABLE_HEADER_OFFSET;
  const id = readShortString(data, pos, 'ID');
  pos = id.next;
  const model = readShortString(data, pos, 'model');
  pos = model.next;
  if (pos >= data.length) throw decompressionError('Missing finish reason');
  const fb = data[pos++];
  const pt = decodeVarintU32(data, pos);
  pos += pt.length;
  const ct = decodeVarintU32(data, pos);
  pos += ct.length;
  let cachedTokens: number | null = null;
  let reasoningTokens: number | null = null;
  if (flags & ResponseFlag.HAS_CACHED_TOKENS) {
    const v = decodeVarintU32(data, pos);
    pos += v.length;
    cachedTokens = v.value;
  }
  if (flags & ResponseFlag.HAS_REASONING_TOKENS) {
    const v = decodeVarintU32(data, pos);
    pos += v.length;
    reasoningTokens = v.value;
  }
  const estCostUsd = flags & ResponseFlag.HAS_COST_ESTIMATE && pos + 4 <= data.length ? readF32(data, pos) : null;
  return {
    id: id.value,
    model: model.value,
    finishReason: FINISH[fb] ?? 'Unknown',
    finishReasonByte: fb,
    promptTokens: pt.value,
    completionTokens: ct.value,
    cachedTokens,
    reasoningTokens,
    estCostUsd,
  };
}

/** Steps 2-5 of the reference decoder: fixed header, header_len, variable header. */
export function readHeaders(data: Uint8Array, limits: Limits = DEFAULT_LIMITS): FrameHeader {
  const header = readFixed(data);
  checkLimit('maxHeaderBytes', header.headerLen, limits.maxHeaderBytes);
  if (header.headerLen < FIXED_HEADER_LEN) throw decompressionError(`Invalid header_len: ${header.headerLen} < minimum ${FIXED_HEADER_LEN}`);
  if (PREFIX_LEN + header.headerLen > data.length) throw decompressionError('Frame too short for variable header');
  switch (header.schema) {
    case 'Request':
    case 'EmbeddingRequest':
      header.routing = readRouting(data, header.flags, limits);
      break;
    case 'Response':
    case 'EmbeddingResponse':
    case 'Error':
      header.response = readResponse(data, header.flags);
      break;
    default:
      break;
  }
  return header;
}

// ---------------------------------------------------------------------------------------------
// The same checks without the header: what a session needs from a received frame (its payload).

/** The value of the varint {@link varintEnd} read last. */
let varintValue = 0;

/** The position after the varint at `pos` (its value in {@link varintValue}); the errors of `decodeVarintU32`. */
function varintEnd(data: Uint8Array, pos: number): number {
  const b = pos < data.length ? data[pos] : -1;
  if (b >= 0 && b < 0x80) {
    varintValue = b;
    return pos + 1;
  }
  const v = decodeVarintU32(data, pos);
  varintValue = v.value;
  return pos + v.length;
}

/** The position after the short string at `pos` (`readShortString`'s checks and errors, no result object). */
function shortStringEnd(data: Uint8Array, pos: number, what: 'model' | 'ID'): number {
  if (pos >= data.length) throw decompressionError(`Missing ${what} length`);
  const len = data[pos];
  const start = pos + 1;
  if (start + len > data.length) throw decompressionError(`${what === 'model' ? 'Model' : 'ID'} truncated`);
  const value = what === 'model' ? modelText(data, start, len) : utf8DecodeStrict(data.subarray(start, start + len));
  if (value === undefined) throw decompressionError(`Invalid ${what} UTF-8: ${utf8ErrorText(data.subarray(start, start + len))}`);
  return start + len;
}

/**
 * {@link readHeaders} without building the header: the same checks in the same order, the same
 * errors, for a frame whose prefix was checked. Returns `header_len`. A session reads only the
 * payload of a frame it receives; the header object (with its copy of the reserved bytes, the
 * roles array and the routing object) was most of what a received 162 B frame allocated
 * (docs/ARCHITECTURE.md, Performance notes). `test/frame-payload-decode.test.ts` holds both to
 * the same outcome.
 */
export function checkHeaders(data: Uint8Array, limits: Limits): number {
  if (data.length < VARIABLE_HEADER_OFFSET) throw decompressionError('Frame too short for fixed header');
  const headerLen = data[HEADER_LEN_OFFSET] | (data[HEADER_LEN_OFFSET + 1] << 8);
  checkLimit('maxHeaderBytes', headerLen, limits.maxHeaderBytes);
  if (headerLen < FIXED_HEADER_LEN) throw decompressionError(`Invalid header_len: ${headerLen} < minimum ${FIXED_HEADER_LEN}`);
  if (PREFIX_LEN + headerLen > data.length) throw decompressionError('Frame too short for variable header');
  const flags = data[FLAGS_OFFSET] | (data[FLAGS_OFFSET + 1] << 8);
  switch (schemaName(data[SCHEMA_OFFSET])) {
    case 'Request':
    case 'EmbeddingRequest':
      checkRouting(data, flags, limits);
      break;
    case 'Response':
    case 'EmbeddingResponse':
    case 'Error':
      checkResponse(data, flags);
      break;
    default:
      break;
  }
  return headerLen;
}

/** {@link readRouting}'s checks. */
function checkRouting(data: Uint8Array, flags: number, limits: Limits): void {
  let pos = varintEnd(data, shortStringEnd(data, VARIABLE_HEADER_OFFSET, 'model'));
  const msgCount = varintValue;
  const roleByteCount = Math.ceil((2 * msgCount) / 8);
  if (pos + roleByteCount > data.length) throw decompressionError('Roles truncated');
  const maxRoles = maxRoutingRoles(limits);
  if (msgCount > maxRoles) throw new M2MError('LimitExceeded', { limit: 'routingRoles', actual: msgCount, max: maxRoles });
  pos = varintEnd(data, pos + roleByteCount);
  if (flags & RequestFlag.HAS_MAX_TOKENS) varintEnd(data, pos);
}

/** {@link readResponse}'s checks. */
function checkResponse(data: Uint8Array, flags: number): void {
  let pos = shortStringEnd(data, shortStringEnd(data, VARIABLE_HEADER_OFFSET, 'ID'), 'model');
  if (pos >= data.length) throw decompressionError('Missing finish reason');
  pos = varintEnd(data, varintEnd(data, pos + 1));
  if (flags & ResponseFlag.HAS_CACHED_TOKENS) pos = varintEnd(data, pos);
  if (flags & ResponseFlag.HAS_REASONING_TOKENS) varintEnd(data, pos);
}
