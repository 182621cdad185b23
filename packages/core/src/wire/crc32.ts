/**
 * CRC-32/ISO-HDLC (zlib's crc32): reflected polynomial 0xEDB88320. A table version for
 * platforms without node:zlib; Node uses `zlib.crc32` through the platform module.
 * @module
 */

let table: Uint32Array | undefined;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** CRC-32 of bytes, computed with a lookup table. `crc32Table(utf8('123456789')) === 0xcbf43926`. */
export function crc32Table(data: Uint8Array): number {
  const t = (table ??= makeTable());
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
