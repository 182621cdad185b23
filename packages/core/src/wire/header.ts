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
  schema: SchemaName;
  schemaByte: number;
  security: SecurityMode;
  securityByte: number;
  /** Request or response flags (u16). */
  flags: number;
  flagsReserved: number;
  flagsCommon: number;
  compressed: boolean;
  /** The 12 reserved bytes (written as zeros; not checked on read). */
  reserved: Uint8Array;
}

/** The routing header of requests: what a router reads without decompressing. */
export interface RoutingHeader {
  model: string;
  msgCount: number;
  roles: Role[];
  contentHint: number;
  /** `null` when the flag is absent or no value was written. */
  maxTokens: number | null;
  /** f32 cost estimate in USD, or `null` when no bytes are left for it. */
  estCostUsd: number | null;
}

/** The response header. */
export interface ResponseHeader {
  id: string;
  model: string;
  finishReason: FinishReason;
  finishReasonByte: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number | null;
  reasoningTokens: number | null;
  estCostUsd: number | null;
}

/** Everything readable without decompression or crypto. */
export interface FrameHeader extends FixedHeader {
  routing: RoutingHeader | null;
  response: ResponseHeader | null;
}

/** Schema name of a schema byte. */
export function schemaName(b: number): SchemaName {
  switch (b) {
    case 0x01:
      return 'Request';
    case 0x02:
      return 'Response';
    case 0x03:
      return 'Stream';
    case 0x04:
      return 'EmbeddingRequest';
    case 0x05:
      return 'EmbeddingResponse';
    case 0x10:
      return 'Error';
    case 0xfe:
      return 'Custom';
    default:
      return 'Unknown';
  }
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
