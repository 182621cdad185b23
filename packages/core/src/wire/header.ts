/**
 * M2M v1 frame headers: the 20-byte fixed header, the request routing header and the response
 * header, laid out byte for byte as the reference (m2m-protocol 0.4.0) writes and reads them.
 * @module
 */

/** The 7-byte ASCII prefix `#M2M|1|`. */
export const M2M_PREFIX = '#M2M|1|';
/** {@link M2M_PREFIX} as bytes. */
export const M2M_PREFIX_BYTES = Uint8Array.of(0x23, 0x4d, 0x32, 0x4d, 0x7c, 0x31, 0x7c);
/** Size of the fixed header. */
export const FIXED_HEADER_LEN = 20;

/** Schema names by byte. */
export type SchemaName = 'Request' | 'Response' | 'Stream' | 'EmbeddingRequest' | 'EmbeddingResponse' | 'Error' | 'Custom' | 'Unknown';

/** Security modes: the frame's byte 10. */
export type SecurityMode = 'none' | 'hmac' | 'aead';

/** Security mode byte values. */
export const SECURITY_BYTE: Readonly<Record<SecurityMode, number>> = { none: 0, hmac: 1, aead: 2 };

/** Strength order of {@link SecurityMode}s. */
export const SECURITY_RANK: Readonly<Record<SecurityMode, number>> = { none: 0, hmac: 1, aead: 2 };

/** Request flag bits (bits 0-15 when the schema is a request). */
export const RequestFlag = {
  HAS_SYSTEM_PROMPT: 0x0001,
  HAS_TOOLS: 0x0002,
  HAS_TOOL_CHOICE: 0x0004,
  HAS_IMAGES: 0x0008,
  STREAM_REQUESTED: 0x0010,
  HAS_RESPONSE_FORMAT: 0x0020,
  HAS_MAX_TOKENS: 0x0040,
  HAS_REASONING_EFFORT: 0x0080,
  HAS_SERVICE_TIER: 0x0100,
  HAS_SEED: 0x0200,
  HAS_LOGPROBS: 0x0400,
  HAS_USER_ID: 0x0800,
  HAS_TEMPERATURE: 0x1000,
  HAS_TOP_P: 0x2000,
  HAS_STOP: 0x4000,
} as const;

/** Response flag bits (bits 0-15 when the schema is a response). */
export const ResponseFlag = {
  HAS_TOOL_CALLS: 0x01,
  HAS_REFUSAL: 0x02,
  CONTENT_FILTERED: 0x04,
  HAS_USAGE: 0x08,
  TRUNCATED: 0x10,
  HAS_CACHED_TOKENS: 0x20,
  HAS_REASONING_TOKENS: 0x40,
  HAS_COST_ESTIMATE: 0x80,
} as const;

/** Common flag bits (fixed-header byte 7). */
export const CommonFlag = { COMPRESSED: 0x01, HAS_EXTENSIONS: 0x02 } as const;

/** Message roles in the routing header. */
export type Role = 'System' | 'User' | 'Assistant' | 'Tool';
/** Role codes by role. */
export const ROLE_CODES: readonly Role[] = ['System', 'User', 'Assistant', 'Tool'];

/** Finish reasons in the response header. */
export type FinishReason = 'Stop' | 'Length' | 'ToolCalls' | 'ContentFilter' | 'Unknown';

/** The 20-byte fixed header. */
export interface FixedHeader {
  /** Fixed plus variable header length (excluding the prefix). */
  headerLen: number;
  /**
   * The schema byte's name: 0x01 Request, 0x02 Response, 0x03 Stream, 0x04 EmbeddingRequest,
   * 0x05 EmbeddingResponse, 0x10 Error, 0xFE Custom; any other byte reads as `Unknown`.
   */
  schema: SchemaName;
  /** The schema byte as written (fixed-header byte 2, 0-255), kept when `schema` is `Unknown`. */
  schemaByte: number;
  /** The mode the security byte names: 0x01 `hmac`, 0x02 `aead`, any other value `none` (as the reference reads it). */
  security: SecurityMode;
  /** The security byte as written (fixed-header byte 3, 0-255). */
  securityByte: number;
  /** Request or response flags (u16). */
  flags: number;
  /** Fixed-header byte 6, after the flags: written as 0, not checked on read. */
  flagsReserved: number;
  /**
   * Common flags (fixed-header byte 7): bit 0x01 COMPRESSED, 0x02 HAS_EXTENSIONS (neither this SDK
   * nor the reference sets it); the other bits are reserved. See {@link CommonFlag}.
   */
  flagsCommon: number;
  /** Whether `flagsCommon` has COMPRESSED: the stored payload is a Brotli stream, not the JSON bytes. */
  compressed: boolean;
  /** The 12 reserved bytes (written as zeros; not checked on read). */
  reserved: Uint8Array;
}

/** The routing header of requests: what a router reads without decompressing. */
export interface RoutingHeader {
  /**
   * The request's `model` (`''` when it is missing or not a string). Names of 256 bytes or more
   * read back wrong, with the fields after them (docs/PROTOCOL.md §1).
   */
  model: string;
  /** How many entries the request's `messages` array has (a varint, u32); `roles` has this many. */
  msgCount: number;
  /**
   * One role per message, from 2-bit codes: System 0 (also `developer`), User 1, Assistant 2,
   * Tool 3. The encoder writes no code for other roles, so after such a message the list is
   * shifted and the fields that follow may read wrong; the payload is unaffected.
   */
  roles: Role[];
  /**
   * UTF-8 bytes of the messages' text (string `content`, or the `text` of each `content` part),
   * summed; the reference's cost estimate takes a quarter of it as prompt tokens.
   */
  contentHint: number;
  /** `null` when the flag is absent or no value was written. */
  maxTokens: number | null;
  /** f32 cost estimate in USD, or `null` when no bytes are left for it. */
  estCostUsd: number | null;
}

/** The response header. */
export interface ResponseHeader {
  /** The response's `id` (like `chatcmpl-…`), `''` when it is missing or not a string. */
  id: string;
  /** The response's `model`, `''` when it is missing or not a string. */
  model: string;
  /**
   * `choices[0].finish_reason` by its byte: 0 `Stop`, 1 `Length`, 2 `ToolCalls`, 3
   * `ContentFilter`; any other byte reads as `Unknown` (encoders write 0xFF for other reasons).
   */
  finishReason: FinishReason;
  /** The finish reason byte as written (0-255). */
  finishReasonByte: number;
  /** `usage.prompt_tokens`: 0 when absent or not a whole number ≥ 0; the low 32 bits of larger ones. */
  promptTokens: number;
  /** `usage.completion_tokens`: 0 when absent or not a whole number ≥ 0; the low 32 bits of larger ones. */
  completionTokens: number;
  /** `usage.prompt_tokens_details.cached_tokens`, or `null` unless flag 0x20 (HAS_CACHED_TOKENS) is set; encoders set it only for a count above 0. */
  cachedTokens: number | null;
  /** `usage.completion_tokens_details.reasoning_tokens`, or `null` unless flag 0x40 (HAS_REASONING_TOKENS) is set; encoders set it only for a count above 0. */
  reasoningTokens: number | null;
  /**
   * The sender's f32 cost estimate in USD (from the model's price table and the token counts),
   * or `null` when flag 0x80 (HAS_COST_ESTIMATE, set with `usage`) is clear or fewer than 4
   * bytes are left in the frame.
   */
  estCostUsd: number | null;
}

/** Everything readable without decompression or crypto. */
export interface FrameHeader extends FixedHeader {
  /** The routing header of Request and EmbeddingRequest frames; `null` for every other schema. */
  routing: RoutingHeader | null;
  /** The response header of Response, EmbeddingResponse and Error frames; `null` for every other schema. */
  response: ResponseHeader | null;
}

/** {@link schemaName}'s table, by schema byte. */
const SCHEMA_NAMES: Readonly<Record<number, SchemaName>> = { 0x01: 'Request', 0x02: 'Response', 0x03: 'Stream', 0x04: 'EmbeddingRequest', 0x05: 'EmbeddingResponse', 0x10: 'Error', 0xfe: 'Custom' };

/** Schema name of a schema byte. */
export function schemaName(b: number): SchemaName {
  return SCHEMA_NAMES[b] ?? 'Unknown';
}

/** Security mode of a security byte (unknown values read as none, as the reference does). */
export function securityMode(b: number): SecurityMode {
  return b === 1 ? 'hmac' : b === 2 ? 'aead' : 'none';
}

/** Names of the set request flags. */
export function requestFlagNames(flags: number): string[] {
  return Object.entries(RequestFlag).filter(([, v]) => flags & v).map(([k]) => k);
}
/** Names of the set response flags. */
export function responseFlagNames(flags: number): string[] {
  return Object.entries(ResponseFlag).filter(([, v]) => flags & v).map(([k]) => k);
}
