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
  type Role,
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

// Fields are read by position: each reader returns the position after its field and leaves the
// value here, so checking a header (a session, which needs only the payload) builds nothing.
let varintValue = 0;
let stringValue = '';

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

/** The position after the short string at `pos` (its text in {@link stringValue}): a length byte, then that many UTF-8 bytes. */
function shortStringEnd(data: Uint8Array, pos: number, what: 'model' | 'ID'): number {
  if (pos >= data.length) throw decompressionError(`Missing ${what} length`);
  const len = data[pos];
  const start = pos + 1;
  if (start + len > data.length) throw decompressionError(`${what === 'model' ? 'Model' : 'ID'} truncated`);
  const value = what === 'model' ? modelText(data, start, len) : utf8DecodeStrict(data.subarray(start, start + len));
  if (value === undefined) throw decompressionError(`Invalid ${what} UTF-8: ${utf8ErrorText(data.subarray(start, start + len))}`);
  stringValue = value;
  return start + len;
}

/** The routing header into `header`, or only its checks without one. */
function readRouting(data: Uint8Array, flags: number, limits: Limits, header: FrameHeader | undefined): void {
  let pos = varintEnd(data, shortStringEnd(data, VARIABLE_HEADER_OFFSET, 'model'));
  const model = stringValue;
  const msgCount = varintValue;
  const roleByteCount = Math.ceil((2 * msgCount) / 8);
  if (pos + roleByteCount > data.length) throw decompressionError('Roles truncated');
  const maxRoles = maxRoutingRoles(limits);
  if (msgCount > maxRoles) throw new M2MError('LimitExceeded', { limit: 'routingRoles', actual: msgCount, max: maxRoles });
  const rolesAt = pos;
  pos = varintEnd(data, pos + roleByteCount);
  const contentHint = varintValue;
  let maxTokens: number | null = null;
  if (flags & RequestFlag.HAS_MAX_TOKENS) {
    pos = varintEnd(data, pos);
    maxTokens = varintValue;
  }
  if (!header) return;
  const roles: Role[] = new Array(msgCount);
  for (let i = 0; i < msgCount; i++) roles[i] = ROLE_CODES[(data[rolesAt + (i >> 2)] >> (2 * (i & 3))) & 3];
  const estCostUsd = pos + 4 <= data.length ? readF32(data, pos) : null;
  header.routing = { model, msgCount, roles, contentHint, maxTokens, estCostUsd };
}

const FINISH: readonly FinishReason[] = ['Stop', 'Length', 'ToolCalls', 'ContentFilter'];

/** The response header into `header`, or only its checks without one. */
function readResponse(data: Uint8Array, flags: number, header: FrameHeader | undefined): void {
  let pos = shortStringEnd(data, VARIABLE_HEADER_OFFSET, 'ID');
  const id = stringValue;
  pos = shortStringEnd(data, pos, 'model');
  const model = stringValue;
  if (pos >= data.length) throw decompressionError('Missing finish reason');
  const fb = data[pos++];
  pos = varintEnd(data, pos);
  const promptTokens = varintValue;
  pos = varintEnd(data, pos);
  const completionTokens = varintValue;
  let cachedTokens: number | null = null;
  let reasoningTokens: number | null = null;
  if (flags & ResponseFlag.HAS_CACHED_TOKENS) {
    pos = varintEnd(data, pos);
    cachedTokens = varintValue;
  }
  if (flags & ResponseFlag.HAS_REASONING_TOKENS) {
    pos = varintEnd(data, pos);
    reasoningTokens = varintValue;
  }
  if (!header) return;
  const estCostUsd = flags & ResponseFlag.HAS_COST_ESTIMATE && pos + 4 <= data.length ? readF32(data, pos) : null;
  header.response = { id, model, finishReason: FINISH[fb] ?? 'Unknown', finishReasonByte: fb, promptTokens, completionTokens, cachedTokens, reasoningTokens, estCostUsd };
}

/**
 * Steps 3-5 of the reference decoder after the fixed header: header_len, then the variable
 * header, built into `header` or, without one, only checked.
 */
function readVariable(data: Uint8Array, headerLen: number, limits: Limits, header: FrameHeader | undefined): void {
  checkLimit('maxHeaderBytes', headerLen, limits.maxHeaderBytes);
  if (headerLen < FIXED_HEADER_LEN) throw decompressionError(`Invalid header_len: ${headerLen} < minimum ${FIXED_HEADER_LEN}`);
  if (PREFIX_LEN + headerLen > data.length) throw decompressionError('Frame too short for variable header');
  const flags = data[FLAGS_OFFSET] | (data[FLAGS_OFFSET + 1] << 8);
  switch (schemaName(data[SCHEMA_OFFSET])) {
    case 'Request':
    case 'EmbeddingRequest':
      readRouting(data, flags, limits, header);
      break;
    case 'Response':
    case 'EmbeddingResponse':
    case 'Error':
      readResponse(data, flags, header);
      break;
    default:
      break;
  }
}

/** Steps 2-5 of the reference decoder: fixed header, header_len, variable header. */
export function readHeaders(data: Uint8Array, limits: Limits = DEFAULT_LIMITS): FrameHeader {
  const header = readFixed(data);
  readVariable(data, header.headerLen, limits, header);
  return header;
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
  readVariable(data, headerLen, limits, undefined);
  return headerLen;
}
