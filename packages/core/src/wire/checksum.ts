/**
 * CRC-32/ISO-HDLC through the platform's fastest implementation.
 * @module
 */
import { platform } from '#platform';

/** CRC-32 (zlib's) of bytes: `crc32(utf8Encode('123456789')) === 0xcbf43926`. */
export function crc32(data: Uint8Array): number {
  return platform.crc32(data);
}
