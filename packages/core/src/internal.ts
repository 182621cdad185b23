/**
 * `@m2m/core/internal`: helpers the SDK's packages and tests share. Not part of the public API:
 * names and behaviour may change in any release.
 *
 * It also re-exports the public values that `@m2m/crypto` and `@m2m/session` use: they import
 * them from here, so that loading a session never loads what only the main entry holds (the
 * scanner, model cards, token counting, log writers: about half of core's code; see
 * bench/startup.ts). The classes are the same objects as the main entry's (one shared chunk in
 * dist/), so a session declaration that names `M2MError` through this path (see
 * packages/session/api/) means the public class; eslint.config.js keeps those packages from
 * importing values from `@m2m/core`.
 * @module
 */
export { M2MError, CryptoError, isSdkError, isM2MError, isCryptoError } from './errors/base.js';
export { checkArg } from './errors/check-arg.js';
export { RejectionCode, CloseReason } from './errors/enums.js';
export { compress, decompress, detectAlgorithm, ALGORITHMS } from './wire/codec.js';
export { encodeFrame, decodeFrame, encodeFrameText, decodeFrameText, frameTextToBytes } from './wire/frame.js';
export { toHex, fromHex } from './wire/bytes.js';
export { M2MErrorImpl, CryptoErrorImpl, wrapCrypto } from './errors/base.js';
export { repetitionRatio } from './wire/codec.js';
export { encodeVarint, decodeVarint, readVarint, varintSize, VARINT_MAX, type VarintRead } from './wire/varint.js';
export { crc32Bytewise, crc32Table } from './wire/crc32.js';
export { crc32 } from './wire/checksum.js';
export { base64Encode, base64Decode, Base64Error } from './wire/base64.js';
export { frameBytesToText } from './wire/frame-text.js';
export { encodeFrameWith, decodeFramePayload, lastFrameJsonBytes } from './wire/frame.js';
export { estimateTokensFromBytes } from './wire/cost.js';
export { resolveLimits } from './wire/limits.js';
export { utf8Encode, utf8DecodeStrict, utf8ErrorText, concatBytes, isBytes, toPlainBytes } from './wire/bytes.js';
export { kindOf, lengthOf, bufferOf, byteOffsetOf, isArrayBuffer, unsharedBytes } from './wire/typed-array-intrinsics.js';
export { utf8ByteLength } from './wire/utf8-length.js';
export { utf8DecodeFast } from './wire/utf8-decode.js';
export { scanJson, parseJsonExact, RawNumber, type ExactJson, type JsonScan } from './wire/json.js';
