/**
 * The encoder's side of the variable header: routing header (requests) or response header
 * (responses) extracted from the JSON the way the reference's encoder does it. Layout:
 * docs/PROTOCOL.md §1 ("Routing header", "Response header").
 * @module
 */
import { estimateCost } from './cost.js';
import { RequestFlag, ResponseFlag } from './header.js';
import { asU64ToU32, RawNumber } from './json.js';
import { headerWriter, type HeaderWriter } from './_header-writer.js';
import { utf8ByteLength } from './utf8-length.js';

/**
 * Prompt tokens of a request for the header's cost estimate (`EncodeFrameOptions.promptTokens`);
 * `undefined` falls back to the reference's `content bytes / 4`.
 */
export type PromptTokens = (request: Readonly<Record<string, unknown>>) => number | undefined;

/** Schema byte and flags for the fixed header, and the writer holding the variable header. */
export interface BuiltHeader {
  schemaByte: number;
  flags: number;
  /** The shared header writer (`_header-writer.ts`): copy its bytes out before the next header is built. */
  variable: HeaderWriter;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawNumber);
}
const has = (o: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The reference's role code of a message role, `undefined` for roles it skips. */
export function roleCode(role: unknown): number | undefined {
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

/** Request flags set by a top-level key's mere presence (the reference's `contains_key`). */
export function presenceFlag(key: string): number {
  switch (key) {
    case 'tools':
    case 'functions':
      return RequestFlag.HAS_TOOLS;
    case 'tool_choice':
    case 'function_call':
      return RequestFlag.HAS_TOOL_CHOICE;
    case 'response_format':
      return RequestFlag.HAS_RESPONSE_FORMAT;
    case 'max_tokens':
    case 'max_completion_tokens':
      return RequestFlag.HAS_MAX_TOKENS;
    case 'reasoning_effort':
      return RequestFlag.HAS_REASONING_EFFORT;
    case 'service_tier':
      return RequestFlag.HAS_SERVICE_TIER;
    case 'seed':
      return RequestFlag.HAS_SEED;
    case 'logprobs':
      return RequestFlag.HAS_LOGPROBS;
    case 'user':
      return RequestFlag.HAS_USER_ID;
    case 'temperature':
      return RequestFlag.HAS_TEMPERATURE;
    case 'top_p':
      return RequestFlag.HAS_TOP_P;
    case 'stop':
      return RequestFlag.HAS_STOP;
    default:
      return 0;
  }
}

function buildRequestHeader(json: unknown, promptTokens?: PromptTokens): BuiltHeader {
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
    // One pass over the own keys instead of a hasOwnProperty call per flag (a fifth of the cost).
    const keys = Object.keys(json);
    for (let i = 0; i < keys.length; i++) flags |= presenceFlag(keys[i]);
    if (json.stream === true) flags |= RequestFlag.STREAM_REQUESTED;
    if (flags & RequestFlag.HAS_MAX_TOKENS) maxTokens = asU64ToU32(has(json, 'max_tokens') ? json.max_tokens : json.max_completion_tokens);
  }
  // The caller's token count runs before any byte is written: the shared writer is never left
  // half-written while code outside this module runs.
  const counted = promptTokens && isObject(json) ? promptTokens(json) : undefined;
  return writeRequestHeader(flags, model, msgCount, roles, roles.length, contentHint, maxTokens, counted);
}

/**
 * Writes a routing header from its extracted fields (both extractors end here: the object walk
 * above and the text scan in header-scan.ts). `roles` holds `roleCount` role codes;
 * `promptTokens` replaces the reference's `content bytes / 4` when given.
 */
export function writeRequestHeader(flags: number, model: string, msgCount: number, roles: readonly number[], roleCount: number, contentHint: number, maxTokens: number | undefined, promptTokens: number | undefined): BuiltHeader {
  contentHint = contentHint >>> 0;
  const cost = estimateCost(model, promptTokens ?? Math.floor(contentHint / 4), maxTokens ?? 500);
  return { schemaByte: 0x01, flags, variable: headerWriter.request(model, msgCount >>> 0, roles, roleCount, contentHint, maxTokens, cost) };
}

/** The response header's finish-reason byte. */
export function finishReasonByte(v: unknown): number {
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
  return writeResponseHeader(flags, id, model, finishReasonByte(finish), promptTokens, completionTokens, cached, reasoning);
}

/**
 * Writes a response header from its extracted fields (shared by the object walk above and the
 * text scan in header-scan.ts). `flags` carries the flags known from the JSON's shape; the
 * token-detail and cost flags are added here.
 */
export function writeResponseHeader(flags: number, id: string, model: string, finishByte: number, promptTokens: number, completionTokens: number, cached: number | bigint | undefined, reasoning: number | bigint | undefined): BuiltHeader {
  if (cached !== undefined && cached > 0) flags |= ResponseFlag.HAS_CACHED_TOKENS;
  if (reasoning !== undefined && reasoning > 0) flags |= ResponseFlag.HAS_REASONING_TOKENS;
  const cost = flags & ResponseFlag.HAS_USAGE ? estimateCost(model, promptTokens, completionTokens) : 0;
  const usage = (flags & ResponseFlag.HAS_USAGE) !== 0;
  if (usage) flags |= ResponseFlag.HAS_COST_ESTIMATE;
  const w = headerWriter.response(id, model, finishByte, promptTokens, completionTokens, flags & ResponseFlag.HAS_CACHED_TOKENS ? lowU32(cached!) : undefined, flags & ResponseFlag.HAS_REASONING_TOKENS ? lowU32(reasoning!) : undefined, usage ? cost : undefined);
  return { schemaByte: 0x02, flags, variable: w };
}

/** serde's `as_u64`: a number for safe integers, a bigint only for exact literals above 2^53. */
function asU64Raw(v: unknown): number | bigint | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? (Number.isSafeInteger(v) ? v : BigInt(v)) : undefined;
  if (v instanceof RawNumber) return /^(0|[1-9]\d*)$/.test(v.raw) && BigInt(v.raw) <= 0xffffffffffffffffn ? BigInt(v.raw) : undefined;
  return undefined;
}

/** The low 32 bits (Rust's `as u32`). */
const lowU32 = (v: number | bigint): number => (typeof v === 'bigint' ? Number(v & 0xffffffffn) : v % 2 ** 32);

/**
 * Request or response, as the reference's `M2MCodec::encode` decides: an object with `messages`
 * and `model` is a request; one with `choices`, or a string `id` starting `chatcmpl-`, a response;
 * anything else a request (docs/PROTOCOL.md §1).
 */
export function buildHeader(json: unknown, promptTokens?: PromptTokens): BuiltHeader {
  if (isObject(json)) {
    if (has(json, 'messages') && has(json, 'model')) return buildRequestHeader(json, promptTokens);
    if (has(json, 'choices') || (typeof json.id === 'string' && json.id.startsWith('chatcmpl-'))) return buildResponseHeader(json);
  }
  return buildRequestHeader(json);
}
