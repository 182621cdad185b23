/**
 * Node platform: node:zlib for CRC-32 and Brotli (byte-identical to the reference's Brotli),
 * Buffer for base64.
 * @module
 */
import * as zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { BrotliDataError, BrotliLimitError, type Platform } from './types.js';
import { crc32Table } from '../wire/crc32.js';

const require = createRequire(import.meta.url);
const nativeCrc = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function plain(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The Node implementation of {@link Platform}. */
export const platform: Platform = {
  name: 'node',
  crc32: nativeCrc ? (d) => nativeCrc(d) >>> 0 : crc32Table,
  base64Encode: (bytes) => asBuffer(bytes).toString('base64'),
  base64Decode: (text) => plain(Buffer.from(text, 'base64')),
  brotliCompress(data, quality, lgwin) {
    return plain(
      zlib.brotliCompressSync(data, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
          [zlib.constants.BROTLI_PARAM_LGWIN]: lgwin,
        },
      }),
    );
  },
  brotliDecompress(data, maxOutput) {
    if (data.length === 0) throw new BrotliDataError('Invalid Data');
    try {
      return plain(zlib.brotliDecompressSync(data, { maxOutputLength: Math.max(1, maxOutput) }));
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new BrotliLimitError(maxOutput);
      throw new BrotliDataError('Invalid Data', { cause: e });
    }
  },
  loadTokenizerRanks(name) {
    const m = require(`js-tiktoken/ranks/${name}`) as { default?: unknown };
    return m.default ?? m;
  },
};
