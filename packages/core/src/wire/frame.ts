/**
 * M2M v1 frames (`#M2M|1|`): encoder, decoder and header inspector, byte-compatible with the
 * reference implementation (m2m-protocol 0.4.0), its quirks included, with a security policy
 * and size limits the reference lacks. Layout: docs/PROTOCOL.md §2.
 * @module
 */
import { M2MError, isCryptoError, isSdkError, wrapCrypto } from '../errors/base.js';
import { platform } from '#platform';
import { BrotliDataError, BrotliLimitError } from '../platform/types.js';
import { base64Decode, base64Encode, Base64Error } from './base64.js';
import { utf8DecodeStrict, utf8ErrorText, isBytes } from './bytes.js';
import { utf8ByteLength } from './utf8-length.js';
import { estimateCost } from './cost.js';
import {
  CommonFlag,
  FIXED_HEADER_LEN,
  M2M_PREFIX,
  M2M_PREFIX_BYTES,
  RequestFlag,
  ResponseFlag,
  ROLE_CODES,
  SECURITY_RANK,
  schemaName,
  securityMode,
  type FinishReason,
  type FrameHeader,
  type ResponseHeader,
  type Role,
  type RoutingHeader,
  type SecurityMode,
} from './header.js';
import { asU64ToU32, parseForHeaders, RawNumber } from './json.js';
import { HeaderWriter } from './_header-writer.js';
import { checkLimit, DEFAULT_LIMITS, resolveLimits, type Limits } from './limits.js';
import type { FrameProtection } from './protection.js';
import { decodeVarintU32 } from './varint.js';

/** Payloads of at least this many UTF-8 bytes are Brotli-compressed. */
export const COMPRESSION_THRESHOLD = 100;
/** Brotli quality of M2M v1 payloads. */
export const FRAME_BROTLI_QUALITY = 5;
/** Brotli window (log2 bytes) of M2M v1 payloads. */
export const FRAME_BROTLI_LGWIN = 22;

/** Options of {@link encodeFrame}. */
export interface EncodeFrameOptions {
  /** HMAC or AEAD protection from `@m2m/crypto`; none for plain frames. */
  protection?: FrameProtection;
  limits?: Partial<Limits>;
  /**
   * Prompt tokens of a request for the header's cost estimate (e.g. `countRequestTokens`).
   * Without it, or when it returns `undefined`, the estimate uses the reference's
   * `content bytes / 4`, so default frames stay byte-identical to the reference's.
   */
  promptTokens?: (request: Readonly<Record<string, unknown>>) => number | undefined;
}

/** Options of {@link decodeFrame}. */
export interface DecodeFrameOptions {
  /** The protection to verify or decrypt with. */
  protection?: FrameProtection;
  /**
   * The weakest frame accepted. Defaults to the protection's mode (or `none` without one).
   * Reading the reference's unauthenticated frames with a key at hand needs `'none'`.
   */
  minSecurity?: SecurityMode;
  limits?: Partial<Limits>;
}

/** A decoded frame. */
export interface DecodedFrame {
  header: FrameHeader;
  /** The JSON text exactly as the sender gave it. */
  payload: string;
  /** CRC-32 of the payload as stored in the frame. */
  crc32: number;
}

function decompressionError(reason: string, cause?: unknown): M2MError<'Decompression'> {
  return new M2MError('Decompression', { reason }, cause === undefined ? undefined : { cause });
}

// ---------------------------------------------------------------------------------------------
// Header extraction from JSON (encoder side), wire-format notes §2.3, §2.5.2, §2.6.2

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawNumber);
}
const has = (o: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function roleCode(role: unknown): number | undefined {
  switch (role) {
    case 'system':
    case 'developer':
      return 0;
    case 'user':
      return 1;
    case 'assistant':
      return 2;
    case 'tool':
      return 3;
    default:
      return undefined;
  }
}

interface BuiltHeader {
  schemaByte: number;
  flags: number;
  variable: Uint8Array;
}

function buildRequestHeader(json: unknown, promptTokens?: EncodeFrameOptions['promptTokens']): BuiltHeader {
  let flags = 0;
  let model = '';
  let msgCount = 0;
  const roles: number[] = [];
  let contentHint = 0;
  let maxTokens: number | undefined;
  if (isObject(json)) {
    if (typeof json.model === 'string') model = json.model;
    const messages = Array.isArray(json.messages) ? json.messages : undefined;
    if (messages) {
      msgCount = messages.length;
      for (const m of messages) {
        if (!isObject(m)) continue;
        const code = roleCode(m.role);
        if (code !== undefined) roles.push(code);
        if (m.role === 'system' || m.role === 'developer') flags |= RequestFlag.HAS_SYSTEM_PROMPT;
        const content = m.content;
        if (typeof content === 'string') contentHint += utf8ByteLength(content);
        else if (Array.isArray(content)) {
          for (const part of content) {
            if (!isObject(part)) continue;
            if (typeof part.text === 'string') contentHint += utf8ByteLength(part.text);
            if (part.type === 'image_url') flags |= RequestFlag.HAS_IMAGES;
          }
        }
      }
    }
    if (has(json, 'tools') || has(json, 'functions')) flags |= RequestFlag.HAS_TOOLS;
    if (has(json, 'tool_choice') || has(json, 'function_call')) flags |= RequestFlag.HAS_TOOL_CHOICE;
    if (json.stream === true) flags |= RequestFlag.STREAM_REQUESTED;
    if (has(json, 'response_format')) flags |= RequestFlag.HAS_RESPONSE_FORMAT;
    if (has(json, 'max_tokens') || has(json, 'max_completion_tokens')) {
      flags |= RequestFlag.HAS_MAX_TOKENS;
      maxTokens = asU64ToU32(has(json, 'max_tokens') ? json.max_tokens : json.max_completion_tokens);
    }
    if (has(json, 'reasoning_effort')) flags |= RequestFlag.HAS_REASONING_EFFORT;
    if (has(json, 'service_tier')) flags |= RequestFlag.HAS_SERVICE_TIER;
    if (has(json, 'seed')) flags |= RequestFlag.HAS_SEED;
    if (has(json, 'logprobs')) flags |= RequestFlag.HAS_LOGPROBS;
    if (has(json, 'user')) flags |= RequestFlag.HAS_USER_ID;
    if (has(json, 'temperature')) flags |= RequestFlag.HAS_TEMPERATURE;
    if (has(json, 'top_p')) flags |= RequestFlag.HAS_TOP_P;
    if (has(json, 'stop')) flags |= RequestFlag.HAS_STOP;
  }
  contentHint = contentHint >>> 0;
  const w = new HeaderWriter();
  w.shortString(model);
  w.varint(msgCount >>> 0);
  // Roles: 2 bits each, least significant first, 4 to a byte.
  for (let i = 0; i < roles.length; i += 4) w.byte(roles[i] | ((roles[i + 1] ?? 0) << 2) | ((roles[i + 2] ?? 0) << 4) | ((roles[i + 3] ?? 0) << 6));
  w.varint(contentHint);
  if (maxTokens !== undefined) w.varint(maxTokens);
  const counted = promptTokens && isObject(json) ? promptTokens(json) : undefined;
  w.f32(estimateCost(model, counted ?? Math.floor(contentHint / 4), maxTokens ?? 500));
  const variable = w.finish();
  return { schemaByte: 0x01, flags, variable };
}

function finishReasonByte(v: unknown): number {
  switch (v) {
    case 'stop':
      return 0;
    case 'length':
      return 1;
    case 'tool_calls':
      return 2;
    case 'content_filter':
      return 3;
    default:
      return 0xff;
  }
}

function buildResponseHeader(json: Record<string, unknown>): BuiltHeader {
  let flags = 0;
  const id = typeof json.id === 'string' ? json.id : '';
  const model = typeof json.model === 'string' ? json.model : '';
  const choices = Array.isArray(json.choices) ? json.choices : undefined;
  const first = choices && choices.length > 0 && isObject(choices[0]) ? choices[0] : undefined;
  const message = first && isObject(first.message) ? first.message : undefined;
  if (message && has(message, 'tool_calls')) flags |= ResponseFlag.HAS_TOOL_CALLS;
  if (message && typeof message.refusal === 'string') flags |= ResponseFlag.HAS_REFUSAL;
  const finish = first ? first.finish_reason : undefined;
  if (finish === 'content_filter') flags |= ResponseFlag.CONTENT_FILTERED;
  if (finish === 'length') flags |= ResponseFlag.TRUNCATED;
  const usage = isObject(json.usage) ? json.usage : undefined;
  if (has(json, 'usage')) flags |= ResponseFlag.HAS_USAGE;
  const promptTokens = (usage && asU64ToU32(usage.prompt_tokens)) ?? 0;
  const completionTokens = (usage && asU64ToU32(usage.completion_tokens)) ?? 0;
  const ptd = usage && isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : undefined;
  const ctd = usage && isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : undefined;
  const cached = ptd ? asU64Raw(ptd.cached_tokens) : undefined;
  const reasoning = ctd ? asU64Raw(ctd.reasoning_tokens) : undefined;
  if (cached !== undefined && cached > 0) flags |= ResponseFlag.HAS_CACHED_TOKENS;
  if (reasoning !== undefined && reasoning > 0) flags |= ResponseFlag.HAS_REASONING_TOKENS;
  const w = new HeaderWriter();
  w.shortString(id);
  w.shortString(model);
  w.byte(finishReasonByte(finish));
  w.varint(promptTokens);
  w.varint(completionTokens);
  if (flags & ResponseFlag.HAS_CACHED_TOKENS) w.varint(lowU32(cached!));
  if (flags & ResponseFlag.HAS_REASONING_TOKENS) w.varint(lowU32(reasoning!));
  if (flags & ResponseFlag.HAS_USAGE) {
    flags |= ResponseFlag.HAS_COST_ESTIMATE;
    w.f32(estimateCost(model, promptTokens, completionTokens));
  }
  return { schemaByte: 0x02, flags, variable: w.finish() };
}

/** serde's `as_u64`: a number for safe integers, a bigint only for exact literals above 2^53. */
function asU64Raw(v: unknown): number | bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? (Number.isSafeInteger(v) ? v : BigInt(v)) : undefined;
  if (v instanceof RawNumber) return /^(0|[1-9]\d*)$/.test(v.raw) && BigInt(v.raw) <= 0xffffffffffffffffn ? BigInt(v.raw) : undefined;
  return undefined;
}

/** The low 32 bits (Rust's `as u32`). */
const lowU32 = (v: number | bigint): number => (typeof v === 'bigint' ? Number(v & 0xffffffffn) : v % 2 ** 32);


/** Request or response, as the reference's `M2MCodec::encode` decides (wire-format notes §2.4). */
function buildHeader(json: unknown, promptTokens?: EncodeFrameOptions['promptTokens']): BuiltHeader {
  if (isObject(json)) {
    if (has(json, 'messages') && has(json, 'model')) return buildRequestHeader(json, promptTokens);
    if (has(json, 'choices') || (typeof json.id === 'string' && json.id.startsWith('chatcmpl-'))) return buildResponseHeader(json);
  }
  return buildRequestHeader(json);
}

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * Encodes LLM-API JSON as an M2M v1 frame, byte-identical to the reference's encoder
 * (with node:zlib). The JSON text is kept exactly; it is parsed only for the headers.
 *
 * @throws M2MError: Compression (`Invalid JSON: ...`), LimitExceeded (size, JSON depth),
 *   Crypto (from the protection).
 * @example
 * ```ts
 * const frame = encodeFrame('{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}');
 * inspectFrame(frame).routing?.model; // 'gpt-4o'
 * ```
 */
export function encodeFrame(json: string, options: EncodeFrameOptions = {}): Uint8Array {
  if (typeof json !== 'string') throw new M2MError('Compression', { reason: 'Invalid JSON: input is not a string' });
  const limits = resolveLimits(options.limits);
  checkLimit('maxMessageBytes', json.length, limits.maxMessageBytes);
  const parsed = parseForHeaders(json, limits.maxJsonDepth);
  const jsonBytes = platform.utf8EncodeScratch(json);
  checkLimit('maxMessageBytes', jsonBytes.length, limits.maxMessageBytes);
  const built = buildHeader(parsed, options.promptTokens);
  const compressed = jsonBytes.length >= COMPRESSION_THRESHOLD;
  let payload: Uint8Array;
  if (compressed) {
    try {
      payload = platform.brotliCompress(jsonBytes, FRAME_BROTLI_QUALITY, FRAME_BROTLI_LGWIN);
    } catch (e) {
      throw new M2MError('Compression', { reason: `Brotli compression failed: ${(e as Error).message}` }, { cause: e });
    }
  } else payload = jsonBytes;
  const crc = platform.crc32(jsonBytes);
  const protection = options.protection;
  const headerLen = (FIXED_HEADER_LEN + built.variable.length) & 0xffff;
  const headersEnd = 7 + FIXED_HEADER_LEN + built.variable.length;
  const tail = 8 + payload.length;
  const out = new Uint8Array(headersEnd + tail + (protection?.mode === 'hmac' ? 32 : 0));
  out.set(M2M_PREFIX_BYTES, 0);
  const dv = new DataView(out.buffer);
  dv.setUint16(7, headerLen, true);
  out[9] = built.schemaByte;
  out[10] = protection ? (protection.mode === 'hmac' ? 1 : 2) : 0;
  dv.setUint16(11, built.flags, true);
  out[13] = 0;
  out[14] = compressed ? CommonFlag.COMPRESSED : 0;
  out.set(built.variable, 27);
  dv.setUint32(headersEnd, payload.length, true);
  dv.setUint32(headersEnd + 4, crc, true);
  out.set(payload, headersEnd + 8);
  if (!protection) return out;
  try {
    if (protection.mode === 'hmac') {
      const tag = protection.sign(out.subarray(7, headersEnd + tail));
      out.set(tag, headersEnd + tail);
      return out;
    }
    const { nonce, ciphertext, tag } = protection.seal(out.subarray(7, headersEnd), out.subarray(headersEnd, headersEnd + tail));
    if (nonce.length !== 12 || tag.length !== 16 || ciphertext.length !== tail) {
      throw new M2MError('Internal', { reason: 'frame protection returned parts of the wrong sizes' });
    }
    const frame = new Uint8Array(headersEnd + 12 + tail + 16);
    frame.set(out.subarray(0, headersEnd), 0);
    frame.set(nonce, headersEnd);
    frame.set(ciphertext, headersEnd + 12);
    frame.set(tag, headersEnd + 12 + tail);
    return frame;
  } catch (e) {
    throw cryptoFailure(e);
  }
}

function cryptoFailure(e: unknown): unknown {
  if (isCryptoError(e)) return wrapCrypto(e);
  if (isSdkError(e)) return e;
  return new M2MError('Internal', { reason: `frame protection failed: ${(e as Error)?.message ?? String(e)}` }, { cause: e });
}

/** Text form: `#M2M|1|` + base64 of everything after the prefix. */
export function encodeFrameText(json: string, options: EncodeFrameOptions = {}): string {
  const frame = encodeFrame(json, options);
  return M2M_PREFIX + base64Encode(frame.subarray(7));
}

// ---------------------------------------------------------------------------------------------
// Decoding

function checkPrefix(data: Uint8Array): void {
  if (data.length < 7) throw decompressionError('Invalid M2M prefix');
  for (let i = 0; i < 7; i++) if (data[i] !== M2M_PREFIX_BYTES[i]) throw decompressionError('Invalid M2M prefix');
}

function readFixed(data: Uint8Array): FrameHeader {
  if (data.length < 7 + FIXED_HEADER_LEN) throw decompressionError('Frame too short for fixed header');
  const headerLen = data[7] | (data[8] << 8);
  const flagsCommon = data[14];
  // Built whole, in one shape, so V8 keeps a single hidden class for every header.
  return {
    headerLen,
    schema: schemaName(data[9]),
    schemaByte: data[9],
    security: securityMode(data[10]),
    securityByte: data[10],
    flags: data[11] | (data[12] << 8),
    flagsReserved: data[13],
    flagsCommon,
    compressed: (flagsCommon & CommonFlag.COMPRESSED) !== 0,
    reserved: data.slice(15, 27),
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
  const bytes = data.subarray(start, start + len);
  const value = utf8DecodeStrict(bytes);
  if (value === undefined) throw decompressionError(`Invalid ${what} UTF-8: ${utf8ErrorText(bytes)}`);
  return { value, next: start + len };
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

function readRouting(data: Uint8Array, flags: number): RoutingHeader {
  let pos = 27;
  const model = readShortString(data, pos, 'model');
  pos = model.next;
  const mc = decodeVarintU32(data, pos);
  pos += mc.length;
  const roleByteCount = Math.ceil((2 * mc.value) / 8);
  if (pos + roleByteCount > data.length) throw decompressionError('Roles truncated');
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
  let pos = 27;
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
function readHeaders(data: Uint8Array, limits: Limits = DEFAULT_LIMITS): FrameHeader {
  const header = readFixed(data);
  checkLimit('maxHeaderBytes', header.headerLen, limits.maxHeaderBytes);
  if (header.headerLen < FIXED_HEADER_LEN) throw decompressionError(`Invalid header_len: ${header.headerLen} < minimum 20`);
  if (27 + (header.headerLen - FIXED_HEADER_LEN) > data.length) throw decompressionError('Frame too short for variable header');
  switch (header.schema) {
    case 'Request':
    case 'EmbeddingRequest':
      header.routing = readRouting(data, header.flags);
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

function toBytes(input: Uint8Array, what: string): Uint8Array {
  if (!isBytes(input)) throw new M2MError('InvalidMessage', { reason: `${what} expects a Uint8Array` });
  return input;
}

/**
 * Reads a frame's headers (fixed plus routing or response header) without decompressing,
 * verifying or decrypting anything: what a router needs.
 * @throws M2MError of kind Decompression for malformed headers.
 */
export function inspectFrame(bytes: Uint8Array, options: { limits?: Partial<Limits> } = {}): FrameHeader {
  const data = toBytes(bytes, 'inspectFrame');
  checkLimit('maxMessageBytes', data.length, resolveLimits(options.limits).maxMessageBytes);
  checkPrefix(data);
  return readHeaders(data, resolveLimits(options.limits));
}

/** The payload section after the headers: payload_len, crc, payload; steps 6-11. */
function readPayload(section: Uint8Array, compressed: boolean, limits: Limits): { payload: string; crc32: number } {
  if (4 > section.length) throw decompressionError('Frame too short for payload length');
  const dv = new DataView(section.buffer, section.byteOffset, section.byteLength);
  const payloadLen = dv.getUint32(0, true);
  // No allocation ever follows a declared length. By default a lie reads as the reference's
  // `Frame too short for payload` (frame_errors.json); a configured maxPayloadBytes names it.
  checkLimit('maxPayloadBytes', payloadLen, limits.maxPayloadBytes);
  if (8 > section.length) throw decompressionError('Frame too short for checksum');
  const stored = dv.getUint32(4, true);
  if (8 + payloadLen > section.length) throw decompressionError('Frame too short for payload');
  return finishPayload(section.subarray(8, 8 + payloadLen), compressed, stored, limits);
}

function finishPayload(stored: Uint8Array, compressed: boolean, crc: number, limits: Limits): { payload: string; crc32: number } {
  let raw = stored;
  if (compressed) {
    try {
      raw = platform.brotliDecompress(stored, limits.maxDecompressedBytes);
    } catch (e) {
      if (e instanceof BrotliLimitError) throw new M2MError('LimitExceeded', { limit: 'maxDecompressedBytes', actual: limits.maxDecompressedBytes + 1, max: limits.maxDecompressedBytes }, { cause: e });
      throw decompressionError(`Brotli decompression failed: ${e instanceof BrotliDataError ? 'Invalid Data' : String(e)}`, e);
    }
  } else checkLimit('maxDecompressedBytes', raw.length, limits.maxDecompressedBytes);
  const text = platform.utf8Decode(raw);
  if (text === undefined) throw decompressionError(`Invalid UTF-8: ${utf8ErrorText(raw)}`);
  const computed = platform.crc32(raw);
  if (computed !== crc) throw decompressionError(`Checksum mismatch: expected ${hex8(crc)}, got ${hex8(computed)}`);
  return { payload: text, crc32: crc };
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/**
 * Decodes an M2M v1 frame under a security policy: a frame weaker than `minSecurity` is
 * rejected whatever its security byte says; HMAC frames are verified and AEAD frames
 * decrypted with the given protection. Checks run in the reference's order, with its messages.
 *
 * @throws M2MError: Decompression (malformed), SecurityDowngrade (policy), Crypto (tag or key),
 *   LimitExceeded (size, decompression bomb).
 * @example
 * ```ts
 * const { header, payload } = decodeFrame(frame, { protection: aeadProtection(key) });
 * ```
 */
export function decodeFrame(bytes: Uint8Array, options: DecodeFrameOptions = {}): DecodedFrame {
  const data = toBytes(bytes, 'decodeFrame');
  const limits = resolveLimits(options.limits);
  checkLimit('maxMessageBytes', data.length, limits.maxMessageBytes);
  const protection = options.protection;
  const minSecurity: SecurityMode = options.minSecurity ?? protection?.mode ?? 'none';
  if (!(minSecurity in SECURITY_RANK)) throw new M2MError('Config', { reason: `minSecurity must be none, hmac or aead` });
  if (SECURITY_RANK[minSecurity] > 0 && !protection) throw new M2MError('Config', { reason: `minSecurity ${minSecurity} needs a protection to verify with` });
  checkPrefix(data);
  if (protection && data.length <= 10) throw decompressionError('Frame too short');
  if (data.length <= 10) readFixed(data);
  const mode = securityMode(data[10]);
  if (SECURITY_RANK[mode] < SECURITY_RANK[minSecurity]) throw new M2MError('SecurityDowngrade', { required: minSecurity, actual: mode });
  if (mode === 'none' || !protection) return decodePlain(data, limits);
  if (protection.mode !== mode) {
    throw decompressionError(`Frame security ${mode} does not match the configured ${protection.mode} protection`);
  }
  return mode === 'hmac' ? decodeHmac(data, protection as Extract<FrameProtection, { mode: 'hmac' }>, limits) : decodeAead(data, protection as Extract<FrameProtection, { mode: 'aead' }>, limits);
}

function decodePlain(data: Uint8Array, limits: Limits): DecodedFrame {
  const header = readHeaders(data, limits);
  const { payload, crc32 } = readPayload(data.subarray(7 + header.headerLen), header.compressed, limits);
  return { header, payload, crc32 };
}

function decodeHmac(data: Uint8Array, protection: Extract<FrameProtection, { mode: 'hmac' }>, limits: Limits): DecodedFrame {
  if (data.length < 7 + 20 + 32) throw decompressionError('Frame too short for HMAC');
  try {
    protection.verify(data.subarray(7, data.length - 32), data.subarray(data.length - 32));
  } catch (e) {
    throw cryptoFailure(e);
  }
  return decodePlain(data.subarray(0, data.length - 32), limits);
}

function decodeAead(data: Uint8Array, protection: Extract<FrameProtection, { mode: 'aead' }>, limits: Limits): DecodedFrame {
  const header = readHeaders(data, limits);
  const sealed = data.subarray(7 + header.headerLen);
  if (sealed.length < 12 + 16) throw decompressionError('Frame too short for AEAD payload');
  let plain: Uint8Array;
  try {
    plain = protection.open(data.subarray(7, 7 + header.headerLen), sealed);
  } catch (e) {
    throw cryptoFailure(e);
  }
  if (plain.length < 8) throw decompressionError('Decrypted payload too short');
  const dv = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const payloadLen = dv.getUint32(0, true);
  const crc = dv.getUint32(4, true);
  if (plain.length - 8 !== payloadLen) throw decompressionError(`Payload length mismatch: expected ${payloadLen}, got ${plain.length - 8}`);
  const { payload, crc32 } = finishPayload(plain.subarray(8), header.compressed, crc, limits);
  return { header, payload, crc32 };
}

/**
 * Decodes the text form `#M2M|1|<base64>` (strict base64) under the same policy as
 * {@link decodeFrame}.
 * @throws M2MError of kind Decompression: `Invalid M2M prefix`, `Base64 decode failed: ...`.
 */
export function decodeFrameText(text: string, options: DecodeFrameOptions = {}): DecodedFrame {
  return decodeFrame(frameTextToBytes(text, options.limits), options);
}

/** The binary frame of a text form, without decoding it further. */
export function frameTextToBytes(text: string, limits?: Partial<Limits>): Uint8Array {
  if (typeof text !== 'string') throw new M2MError('InvalidMessage', { reason: 'decodeFrameText expects a string' });
  checkLimit('maxMessageBytes', text.length, resolveLimits(limits).maxMessageBytes);
  if (!text.startsWith(M2M_PREFIX)) throw decompressionError('Invalid M2M prefix');
  let body: Uint8Array;
  try {
    body = base64Decode(text.slice(7));
  } catch (e) {
    if (e instanceof Base64Error) throw decompressionError(`Base64 decode failed: ${e.message}`, e);
    throw e;
  }
  const out = new Uint8Array(7 + body.length);
  out.set(M2M_PREFIX_BYTES, 0);
  out.set(body, 7);
  return out;
}
