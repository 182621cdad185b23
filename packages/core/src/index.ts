/**
 * `@m2m/core`: the M2M SDK's error model, wire codec, token counting, model cards and the
 * asynchronous calls of the security scanner (`@m2m/core/scan` has all of it, synchronous
 * calls included; the scanner loads on first use; translated messages are in
 * `@m2m/core/localize`). Every export is listed here on purpose: the API report (packages/core/api/) shows
 * any change to this surface in review. Helpers that the SDK's own packages share (byte and
 * UTF-8 utilities, base64, varints, CRC-32, exact JSON scanning) are in `@m2m/core/internal`,
 * with no stability promise.
 * @module
 */

// Errors: the model, the catalog, and the tools around it.
export { RejectionCode, rejectionCodeInfo, CloseReason, closeReasonInfo, ThreatType, threatTypeInfo, compressionErrorCodes, type ThreatSeverity, type CompressionErrorName } from './errors/enums.js';
export type { ReasonDetails, M2MErrorDetailsMap, StreamDetails, M2MErrorKind, CryptoReasonMap, CryptoErrorKind, CryptoErrorDetailsMap, ErrorCategory } from './errors/kinds.js';
export { errorCatalog, catalogEntry, type ErrorCatalogEntry, type ErrorCode } from './errors/catalog.js';
export { M2MError, CryptoError, M2MBaseError, isM2MError, isCryptoError, isSdkError, type ErrorOptions, type M2MErrorConstructor, type CryptoErrorConstructor } from './errors/base.js';
export { createError } from './errors/create.js';
export { serializeError, deserializeError, isSerializedSdkError, publicCode, AUTHENTICATION_FAILURE_CODES, type SerializedError, type SerializeOptions, type ErrorView } from './errors/serialize.js';
export { formatErrorChain, type FormatChainOptions } from './errors/format.js';
export { toErrorResponse, type ErrorResponseBody } from './errors/response.js';
export type { Locale } from './errors/messages.js';
export { withRetry, type RetryOptions } from './errors/retry.js';
export { errSerializer } from './errors/pino.js';
export { winstonErrorFormat, type WinstonErrorFormatOptions, type WinstonFormatLike, type WinstonInfo } from './errors/winston.js';
export { bunyanSerializers, type BunyanSerializer } from './errors/bunyan.js';
export { errorChainAttributes, recordErrorChain, type ErrorChainAttributes, type OtelAttributeValue, type OtelSpanLike, type OtelLogRecordLike, type OtelRecordObject } from './errors/otel.js';

// The wire codec: frames, their headers, the text formats.
export { encodeFrame, decodeFrame, inspectFrame, encodeFrameText, decodeFrameText, frameTextToBytes, COMPRESSION_THRESHOLD, AUTO_COMPRESSION_MIN_BYTES, type FrameCompression, type EncodeFrameOptions, type DecodeFrameOptions, type DecodedFrame } from './wire/frame.js';
export {
  M2M_PREFIX, M2M_PREFIX_BYTES, FIXED_HEADER_LEN, SECURITY_BYTE, SECURITY_RANK, RequestFlag, ResponseFlag, CommonFlag, ROLE_CODES, schemaName, securityMode, requestFlagNames, responseFlagNames,
  type SchemaName, type SecurityMode, type Role, type FinishReason, type FixedHeader, type RoutingHeader, type ResponseHeader, type FrameHeader,
} from './wire/header.js';
export type { FrameProtection, HmacFrameProtection, AeadFrameProtection, AeadSealedFrame } from './wire/protection.js';
export { compress, decompress, detectAlgorithm, selectAlgorithm, ALGORITHMS, ALGORITHM_NAMES, type Algorithm, type CompressOptions } from './wire/codec.js';
export { encodeBrotliText, decodeBrotliText, BROTLI_PREFIX } from './wire/brotli-format.js';
export { encodeTokenNative, decodeTokenNative, TOKEN_NATIVE_PREFIX, type TokenizerEncoding } from './wire/token-native.js';
export { estimateCost } from './wire/cost.js';
export { DEFAULT_LIMITS, type Limits } from './wire/limits.js';
export { toHex, fromHex } from './wire/bytes.js';

// Tokens and model cards.
export { countTokens, countChatTokens, countRequestTokens, TOKENS_PER_MESSAGE, TOKENS_PER_NAME, REPLY_PRIMING_TOKENS, MAX_COUNT_CHARS, type CountTokensOptions, type CountableMessage } from './tokens/count.js';
export { modelEncoding, DEFAULT_ENCODING, type TokenEncoding } from './tokens/encoding.js';
export { MODEL_CARDS, PRICES_AS_OF, PRICES_SOURCE, type ModelCard } from './models/cards.js';
export { getModel, findModelCard, searchModels, listModels, modelCost } from './models/registry.js';

// The security scanner: loaded on first call here; `@m2m/core/scan` has the synchronous calls.
export { scanAsync, assertSafeAsync } from './security/lazy.js';
export { DEFAULT_BLOCK_THRESHOLD, DEFAULT_MAX_DEPTH } from './security/defaults.js';
export type { Scanner } from './security/scan.js';
export type { Threat, ScanResult, ScanInput, ScanOptions, ScanSegment, ChatRequestLike, ChatMessageLike, ChatContentPart, Detector, DetectorContext, DetectorFinding } from './security/types.js';
