/**
 * Node platform: node:zlib for CRC-32 and Brotli (byte-identical to the reference's Brotli;
 * coders reused across calls, see `_brotli-node.ts`), Buffer for base64 and UTF-8.
 * @module
 */
import { createRequire } from 'node:module';
import * as nodeBuffer from 'node:buffer';
import type { Platform } from './types.js';
import { nodeBrotliCompress, nodeBrotliDecompress } from './_brotli-node.js';
import { utf8EncodeScratch } from './_utf8-scratch-node.js';
import { crc32Table, SMALL_CRC_BYTES } from '../wire/crc32.js';
import { crc32Scratch } from './_crc32-wasm-node.js';
import { toPlainBytes, utf8DecodeStrict } from '../wire/bytes.js';
import { scanHeader, scanHeaderBytes } from '../wire/header-scan.js';
import type { BuiltHeader } from '../wire/header-build.js';

// Made on first use: `createRequire` and the module's `import.meta` cost ~0.5 ms of every cold
// import (bench/startup.ts), and only the tokenizer's rank tables need them.
let nodeRequire: NodeJS.Require | undefined;
const require = (id: string): unknown => (nodeRequire ??= createRequire(import.meta.url))(id);
// simdutf validation (Node ≥ 18.14 / 19.6) then a latin1 copy for ASCII, which is the common case
// for JSON and cheaper than a fatal TextDecoder (bench/codec.ts).
const { isUtf8, isAscii } = nodeBuffer as { isUtf8?: (b: Uint8Array) => boolean; isAscii?: (b: Uint8Array) => boolean };
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, s: number, e: number) => string }).latin1Slice;
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice: (this: Uint8Array, s: number, e: number) => string }).utf8Slice;
function utf8DecodeFast(bytes: Uint8Array): string | undefined {
  if (!isUtf8 || !isAscii || bytes.length < 256) return utf8DecodeStrict(bytes);
  if (isAscii(bytes)) return latin1Slice.call(bytes, 0, bytes.length);
  return isUtf8(bytes) ? utf8Slice.call(bytes, 0, bytes.length) : undefined;
}

// node:zlib loads on first use (a static import costs start-up time, bench/startup.ts); its
// crc32 exists from Node 20.15 on. Short inputs take the tables (a frame's JSON in the UTF-8 scratch
// by WebAssembly, in place: _crc32-wasm-node.ts): the native call costs more there.
let nativeCrc: ((d: Uint8Array) => number) | null | undefined;
function crc32(d: Uint8Array): number {
  if (d.length < SMALL_CRC_BYTES) return crc32Scratch(d);
  if (nativeCrc === undefined) nativeCrc = (process.getBuiltinModule('node:zlib') as { crc32?: (d: Uint8Array) => number }).crc32 ?? null;
  return nativeCrc ? nativeCrc(d) >>> 0 : crc32Table(d);
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** The Node implementation of {@link Platform}. */
export const platform: Platform = {
  name: 'node',
  crc32,
  base64Encode: (bytes) => asBuffer(bytes).toString('base64'),
  base64Decode: (text) => toPlainBytes(Buffer.from(text, 'base64')),
  utf8EncodeScratch,
  utf8Length: (text) => Buffer.byteLength(text, 'utf8'),
  brotliCompress: nodeBrotliCompress,
  brotliDecompress: nodeBrotliDecompress,
  utf8Decode: utf8DecodeFast,
  asciiText: (bytes, start, end) => latin1Slice.call(bytes, start, end),
  loadTokenizerRanks(name) {
    const m = require(`js-tiktoken/ranks/${name}`) as { default?: unknown };
    return m.default ?? m;
  },
  tiktoken: () => (require('js-tiktoken/lite') as typeof import('js-tiktoken/lite')).Tiktoken,
  scanHeader,
  scanHeaderBytes,
};

/**
 * The encoder's scan input (wire/frame.ts, encodeFrameWith): the JSON's UTF-8 bytes, into the
 * reused scratch, where the platform scans bytes; `undefined` where it scans the text or not at
 * all. Browsers' `#platform` answers `undefined` from an empty body (no scan there: bundlers drop
 * the call and no scan code reaches a page).
 */
export function scanInput(json: string, utf8Length: number | undefined): Uint8Array | undefined {
  return platform.scanHeaderBytes ? platform.utf8EncodeScratch(json, utf8Length) : undefined;
}

/**
 * The encoder's one-pass header scan (wire/header-scan.ts): from the bytes of {@link scanInput}
 * when given, else (or when it cannot decide) from the text; `undefined` for the full parse.
 */
export function scanFrameHeader(json: string, jsonBytes: Uint8Array | undefined, maxJsonDepth: number, isAscii: boolean): BuiltHeader | undefined {
  const built = jsonBytes && platform.scanHeaderBytes ? platform.scanHeaderBytes(jsonBytes, json, maxJsonDepth, isAscii) : undefined;
  return built ?? platform.scanHeader?.(json, maxJsonDepth, isAscii);
}
