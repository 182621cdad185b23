/**
 * The encoder's side of the variable header: routing header (requests) or response header
 * (responses) extracted from the JSON the way the reference's encoder does it. Layout:
 * docs/PROTOCOL.md §1 ("Routing header", "Response header").
 * @module
 */
import { estimateCost } from './cost.js';
import { RequestFlag, ResponseFlag } from './header.js';
import { asU64ToU32, RawNumber } from './json.js';
import { HeaderWriter } from './_header-writer.js';
import { utf8ByteLength } from './utf8-length.js';

/**
 * Prompt tokens of a request for the header's cost estimate (`EncodeFrameOptions.promptTokens`);
 * `undefined` falls back to the reference's `content bytes / 4`.
 */
export type PromptTokens = (request: Readonly<Record<string, unknown>>) => number | undefined;

/** Schema byte and flags for the fixed header, and the variable header's bytes. */
export interface BuiltHeader {
  schemaByte: number;
  flags: number;
  variable: Uint8Array;
}

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
