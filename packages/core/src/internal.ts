/**
 * `@m2m/core/internal`: helpers the SDK's packages and tests share. Not part of the public API:
 * names and behaviour may change in any release.
 * @module
 */
export { M2MErrorImpl, CryptoErrorImpl, wrapCrypto } from './errors/base.js';
export { redactDetails } from './errors/redact.js';
export { repetitionRatio } from './wire/codec.js';
export { encodeVarint, decodeVarint, readVarint, varintSize, VARINT_MAX, type VarintRead } from './wire/varint.js';
export { crc32Table } from './wire/crc32.js';
export { crc32 } from './wire/checksum.js';
export { base64Encode, base64Decode, Base64Error } from './wire/base64.js';
export { frameBytesToText } from './wire/frame-text.js';
export { encodeFrameWith } from './wire/frame.js';
export { estimateTokensFromBytes } from './wire/cost.js';
export { resolveLimits } from './wire/limits.js';
export { utf8Encode, utf8DecodeStrict, utf8ErrorText, concatBytes, isBytes, toPlainBytes } from './wire/bytes.js';
export { utf8ByteLength } from './wire/utf8-length.js';
export { utf8DecodeFast } from './wire/utf8-decode.js';
export { scanJson, parseJsonExact, RawNumber, type ExactJson, type JsonScan } from './wire/json.js';
