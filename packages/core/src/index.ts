/**
 * `@m2m/core`: the M2M SDK's error model and wire codec. Features that browser pages rarely
 * need have entries of their own, so that bundles without them stay small (bench/startup.ts):
 * the security scanner (`@m2m/core/scan`), model cards and token counting (`@m2m/core/models`),
 * log writers (`@m2m/core/logging`), each code's description and remedy and what each REJECT code,
 * CLOSE reason and threat type means (`@m2m/core/explain`),
 * the tools around errors (`createError`, serialization, HTTP bodies, chains, retry: `@m2m/core/errors`)
 * and translated messages (`@m2m/core/localize`). Every export is listed here on purpose: the
 * API report (packages/core/api/) shows any change to this surface in review. Helpers that the SDK's own packages share (byte and
 * UTF-8 utilities, base64, varints, CRC-32, exact JSON scanning) are in `@m2m/core/internal`,
 * with no stability promise.
 * @module
 */

// Errors: the model and the catalog (the tools around them: `@m2m/core/errors`).
export { RejectionCode, CloseReason, ThreatType, type ThreatSeverity } from './errors/enums.js';
export type { ReasonDetails, M2MErrorDetailsMap, StreamDetails, M2MErrorKind, CryptoReasonMap, CryptoErrorKind, CryptoErrorDetailsMap, ErrorCategory } from './errors/kinds.js';
export { catalogEntry, type ErrorCatalogEntry, type ErrorCode } from './errors/catalog.js';
export { errorCatalog } from './errors/catalog-list.js';
export { M2MError, CryptoError, M2MBaseError, isM2MError, isCryptoError, isSdkError, type ErrorOptions, type M2MErrorConstructor, type CryptoErrorConstructor } from './errors/base.js';
export type { Locale } from './errors/messages.js';

// The wire codec: frames, their headers, the text formats.
export { encodeFrame, decodeFrame, inspectFrame, encodeFrameText, decodeFrameText, frameTextToBytes, COMPRESSION_THRESHOLD, AUTO_COMPRESSION_MIN_BYTES, type FrameCompression, type EncodeFrameOptions, type DecodeFrameOptions, type DecodedFrame } from './wire/frame.js';
export {
  M2M_PREFIX, M2M_PREFIX_BYTES, FIXED_HEADER_LEN, SECURITY_BYTE, SECURITY_RANK, RequestFlag, ResponseFlag, CommonFlag, ROLE_CODES, schemaName, securityMode, requestFlagNames, responseFlagNames,
  type SchemaName, type SecurityMode, type Role, type FinishReason, type FixedHeader, type RoutingHeader, type ResponseHeader, type FrameHeader,
} from './wire/header.js';
export type { FrameProtection, HmacFrameProtection, AeadFrameProtection, AeadSealedFrame } from './wire/protection.js';
export { compress, decompress, detectAlgorithm, selectAlgorithm, ALGORITHMS, ALGORITHM_NAMES, type Algorithm, type CompressOptions } from './wire/codec.js';
export { encodeBrotliText, decodeBrotliText, BROTLI_PREFIX } from './wire/brotli-format.js';
export { encodeTokenNative, decodeTokenNative, TOKEN_NATIVE_PREFIX } from '#token-native';
export type { TokenizerEncoding } from './wire/token-native.js';
export { estimateCost } from './wire/cost.js';
export { DEFAULT_LIMITS, type Limits } from './wire/limits.js';
export { toHex, fromHex } from './wire/bytes.js';

// The security scanner's types and defaults; the scanner itself is `@m2m/core/scan`.
export { DEFAULT_BLOCK_THRESHOLD, DEFAULT_MAX_DEPTH } from './security/defaults.js';
export type { Scanner } from './security/scan.js';
export type { Threat, ScanResult, ScanInput, ScanOptions, ScanSegment, ChatRequestLike, ChatMessageLike, ChatContentPart, Detector, DetectorContext, DetectorFinding } from './security/types.js';
