/**
 * Browser platform: one-table CRC-32 (wire/crc32.ts), JS base64, brotli-wasm (streaming decompression with a
 * running total, because its one-shot `decompress` has no output cap), and no tokenizer rank
 * tables (1 to 2 MB each): TokenNative and token counting answer with a Tokenizer error
 * (wire/token-native.browser.ts), and js-tiktoken stays out of browser bundles.
 * @module
 */
import { M2MError } from '../errors/base.js';
import { BrotliDataError, BrotliLimitError, type Platform } from './types.js';
import type { BuiltHeader } from '../wire/header-build.js';
import { crc32Bytewise } from '../wire/crc32.js';
import { base64DecodeJs, base64EncodeJs } from '../wire/base64.js';
import { concatBytes, utf8ByteLengthPortable, utf8DecodeStrict, utf8Encode } from '../wire/bytes.js';
import initBrotli, { compress as brotliCompress, DecompressStream } from 'brotli-wasm/pkg.web/brotli_wasm.js';

// The glue and the wasm bytes are built into our browser bundle (scripts/brotli-wasm-plugin.ts),
// so bundlers need no wasm handling and no file has to sit beside the page. The bytes come
// through a dynamic import so that code-splitting bundlers keep them in a chunk of their own;
// the glue is a static import: the page loads it at once anyway (the await below), and inside
// the main chunk it compresses with the rest (a chunk of its own cost 0.6 KB more gzipped,
// bench/startup.ts). Named imports let the bundler leave out what we never call (its one-shot
// `decompress`, `CompressStream`). brotli-wasm initialises asynchronously; top-level await keeps
// the codec API synchronous.
await initBrotli((await import('brotli-wasm/pkg.web/brotli_wasm_bg.wasm')).default);

const CHUNK = 64 * 1024;
// brotli-wasm's BrotliStreamResultCode values (numbers here, so its frozen enum object stays out
// of the bundle; scripts/brotli-wasm-plugin.ts marks it pure).
const RESULT_SUCCESS = 1;
const NEEDS_MORE_OUTPUT = 3;

/** The browser implementation of {@link Platform}. */
export const platform: Platform = {
  name: 'browser',
  crc32: crc32Bytewise,
  base64Encode: base64EncodeJs,
  base64Decode: base64DecodeJs,
  utf8EncodeScratch: utf8Encode,
  utf8Length: utf8ByteLengthPortable,
  brotliCompress(data, quality) {
    // brotli-wasm exposes no window setting; its output still decodes everywhere.
    return brotliCompress(data, { quality });
  },
  brotliDecompress(data, maxOutput) {
    if (data.length === 0) throw new BrotliDataError('Invalid Data');
    // Every stream and result lives in wasm memory until freed (wasm-bindgen objects have no
    // finalizer here): freed as soon as read, or each decompression would keep its decoder state.
    const stream = new DecompressStream();
    const parts: Uint8Array[] = [];
    let total = 0;
    let offset = 0;
    try {
      for (;;) {
        let r;
        try {
          r = stream.decompress(data.subarray(offset), CHUNK);
        } catch (e) {
          throw new BrotliDataError('Invalid Data', { cause: e });
        }
        // Each getter copies out of wasm memory: read once.
        const { buf, code } = r;
        offset += r.input_offset;
        r.free();
        total += buf.length;
        if (total > maxOutput) throw new BrotliLimitError(maxOutput);
        parts.push(buf);
        if (code === RESULT_SUCCESS) break;
        // NeedsMoreInput means truncated (the whole input was given); any other code is unknown.
        if (code !== NEEDS_MORE_OUTPUT) throw new BrotliDataError('Invalid Data');
      }
    } finally {
      stream.free();
    }
    return concatBytes(...parts);
  },
  utf8Decode: utf8DecodeStrict,
  loadTokenizerRanks() {
    return undefined;
  },
  tiktoken() {
    throw new M2MError('Tokenizer', { reason: 'browser builds load no tokenizer rank tables' });
  },
};

/** No header scan in browsers (platform/index.node.ts has it): an empty body, so bundlers drop the call. */
export function scanInput(_json: string, _utf8Length: number | undefined): Uint8Array | undefined {
  return undefined;
}

/** No header scan in browsers: the encoder parses the JSON (an empty body, so bundlers drop the call). */
export function scanFrameHeader(_json: string, _jsonBytes: Uint8Array | undefined, _maxJsonDepth: number, _isAscii: boolean): BuiltHeader | undefined {
  return undefined;
}
