/**
 * Byte offsets and sizes of an M2M v1 frame (docs/PROTOCOL.md §1 "M2M v1 frame"), named once so
 * the encoder and the decoders agree. Offsets count from the first byte of the `#M2M|1|` prefix.
 * @module
 */
import { FIXED_HEADER_LEN } from './header.js';

/** Length of the `#M2M|1|` prefix. */
export const PREFIX_LEN = 7;
/** `header_len` (u16 LE): fixed plus variable header, without the prefix. */
export const HEADER_LEN_OFFSET = PREFIX_LEN;
/** Schema byte. */
export const SCHEMA_OFFSET = 9;
/** Security byte (`SECURITY_BYTE` in header.ts). */
export const SECURITY_OFFSET = 10;
/** Request or response flags (u16 LE). */
export const FLAGS_OFFSET = 11;
/** The reserved flags byte. */
export const FLAGS_RESERVED_OFFSET = 13;
/** Common flags (`CommonFlag` in header.ts). */
export const COMMON_FLAGS_OFFSET = 14;
/** The 12 reserved bytes. */
export const RESERVED_OFFSET = 15;
/** First byte of the variable (routing or response) header. */
export const VARIABLE_HEADER_OFFSET = PREFIX_LEN + FIXED_HEADER_LEN;
/** Smallest frame whose security byte can be read. */
export const MIN_FRAME_WITH_SECURITY = SECURITY_OFFSET + 1;

/** `payload_len` (u32) then `crc32` (u32) open the payload section. */
export const PAYLOAD_LEN_SIZE = 4;
/** Size of the stored CRC-32. */
export const CRC_SIZE = 4;
/** `payload_len` plus `crc32`. */
export const PAYLOAD_PREAMBLE_SIZE = PAYLOAD_LEN_SIZE + CRC_SIZE;

/** HMAC-SHA256 tag after an HMAC frame. */
export const HMAC_TAG_SIZE = 32;
/** ChaCha20-Poly1305 nonce before an AEAD frame's ciphertext. */
export const AEAD_NONCE_SIZE = 12;
/** ChaCha20-Poly1305 tag after an AEAD frame's ciphertext. */
export const AEAD_TAG_SIZE = 16;
