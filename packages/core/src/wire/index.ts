/**
 * The wire codec: M2M v1 frames, text forms, TokenNative, Brotli, and their primitives.
 * @module
 */
export { encodeFrame, decodeFrame, inspectFrame, encodeFrameText, decodeFrameText, frameTextToBytes, COMPRESSION_THRESHOLD, type EncodeFrameOptions, type DecodeFrameOptions, type DecodedFrame } from './frame.js';
export * from './header.js';
export type { FrameProtection, HmacFrameProtection, AeadFrameProtection, AeadSealedFrame } from './protection.js';
export { compress, decompress, detectAlgorithm, selectAlgorithm, repetitionRatio, ALGORITHMS, ALGORITHM_NAMES, type Algorithm, type CompressOptions } from './codec.js';
export { encodeBrotliText, decodeBrotliText, BROTLI_PREFIX } from './brotli-format.js';
export { encodeTokenNative, decodeTokenNative, TOKEN_NATIVE_PREFIX, type TokenizerEncoding } from './token-native.js';
export { encodeVarint, decodeVarint, readVarint, varintSize, VARINT_MAX, type VarintRead } from './varint.js';
export { crc32Table } from './crc32.js';
export { base64Encode, base64Decode, Base64Error } from './base64.js';
export { estimateCost, estimateTokensFromBytes } from './cost.js';
export { DEFAULT_LIMITS, resolveLimits, type Limits } from './limits.js';
export { utf8Encode, utf8DecodeStrict, utf8ErrorText, toHex, fromHex, concatBytes, isBytes, toPlainBytes } from "./bytes.js";
export { utf8ByteLength } from "./utf8-length.js";
export { utf8DecodeFast } from "./utf8-decode.js";
export { crc32 } from './checksum.js';
export { scanJson, parseJsonExact, RawNumber, type ExactJson, type JsonScan } from './json.js';
