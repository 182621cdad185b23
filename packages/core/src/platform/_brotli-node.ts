/**
 * Brotli (RFC 7932) on node:zlib, with one encoder and one decoder reused across calls.
 *
 * Why: `brotliCompressSync` and `brotliDecompressSync` build a stream object and a native
 * coder for every call, which costs as much as compressing or decompressing a 2 KB message
 * (measured in bench/codec.ts). Keeping one native handle and re-initialising it is 25-35%
 * faster for chat-sized frames, with byte-identical output.
 *
 * How: through node:zlib's internal handle API (`_handle.init`, `_handle.writeSync`,
 * `_handle.reset`, `_writeState`), the same calls node:zlib's own synchronous functions make.
 * It is undocumented, so it is guarded three ways: the handle's shape is checked, a self-test
 * against the public functions runs before first use, and any surprise (a throw that is not a
 * data error) switches this module to the public functions for good. Data errors are reported
 * exactly as the public path reports them; the reused decoder is dropped after one.
 * @module
 */
import type * as Zlib from 'node:zlib';
import { BrotliDataError, BrotliLimitError } from './types.js';
import { concatBytes, toPlainBytes } from '../wire/bytes.js';

// node:zlib and its constants are read when a coder first runs (`load()`):
// a static import costs every process start-up time, Brotli or not (bench/startup.ts).
let zlib!: typeof Zlib;
let QUALITY = 0;
let LGWIN = 0;
let SIZE_HINT = 0;
let FINISH = 0;
/** Node's init takes one slot per Brotli parameter, unset ones as -1 (0xffffffff). */
let params!: Uint32Array;

function load(): void {
  if (params !== undefined) return;
  zlib = process.getBuiltinModule('node:zlib');
  ({ BROTLI_PARAM_QUALITY: QUALITY, BROTLI_PARAM_LGWIN: LGWIN, BROTLI_PARAM_SIZE_HINT: SIZE_HINT, BROTLI_OPERATION_FINISH: FINISH } = zlib.constants);
  params = new Uint32Array(Math.max(...Object.entries(zlib.constants).filter(([k]) => k.startsWith('BROTLI_PARAM_')).map(([, v]) => v)) + 1);
}

/** Inputs below this size get an output buffer just over their size (a small frame never needs more). */
const SMALL_INPUT = 64 * 1024;

function compressChunk(length: number): number {
  return length < SMALL_INPUT ? length + 64 : Math.min(2 ** Math.ceil(Math.log2(length / 2)), 8 << 20);
}

// JSON compresses about 4×; a chunk sized from the input saves re-growing and concatenating.
function decompressChunk(length: number): number {
  return Math.min(Math.max(1024, 2 ** Math.ceil(Math.log2(length * 6))), 8 << 20);
}

// ---------------------------------------------------------------------------------------------
// The public per-call path (also the reference for the self-test and the fallback).

function compressPerCall(data: Uint8Array, quality: number, lgwin: number): Uint8Array {
  load();
  // The size hint lets the encoder size its tables to the input; output bytes are unchanged
  // (checked against the reference's frames and the bench corpus).
  return toPlainBytes(zlib.brotliCompressSync(data, { params: { [QUALITY]: quality, [LGWIN]: lgwin, [SIZE_HINT]: data.length }, chunkSize: compressChunk(data.length) }));
}

function decompressPerCall(data: Uint8Array, maxOutput: number): Uint8Array {
  load();
  try {
    return toPlainBytes(zlib.brotliDecompressSync(data, { maxOutputLength: Math.max(1, maxOutput), chunkSize: decompressChunk(data.length) }));
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new BrotliLimitError(maxOutput);
    throw new BrotliDataError('Invalid Data', { cause: e });
  }
}

// ---------------------------------------------------------------------------------------------
// The reused-handle path.

/** The internal shape of a node:zlib Brotli stream that this module relies on. */
interface BrotliHandle {
  init(params: Uint32Array, writeState: Uint32Array, callback: () => void): unknown;
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void;
  reset(): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

/** A native coder with its write state and the last error it reported. */
class Coder {
  error: Error | undefined;
  private constructor(
    readonly stream: Zlib.BrotliCompress | Zlib.BrotliDecompress,
    readonly handle: BrotliHandle,
    readonly state: Uint32Array,
  ) {
    // Errors arrive synchronously through onerror, inside writeSync; node's own handler would
    // destroy the stream, so this coder records them instead.
    handle.onerror = (message, errno, code) => {
      this.error = Object.assign(new Error(message), { errno, code });
    };
  }

  static open(stream: Zlib.BrotliCompress | Zlib.BrotliDecompress): Coder | undefined {
    const s = stream as unknown as { _handle?: Partial<BrotliHandle>; _writeState?: unknown };
    const h = s._handle;
    if (!h || typeof h.init !== 'function' || typeof h.writeSync !== 'function' || typeof h.reset !== 'function') return undefined;
    if (!(s._writeState instanceof Uint32Array) || s._writeState.length < 2) return undefined;
    return new Coder(stream, h as BrotliHandle, s._writeState);
  }

  /** Frees the native coder now rather than at garbage collection. */
  close(): void {
    try {
      this.stream.close();
    } catch {
      // Already closed or never usable: nothing to free.
    }
  }

  /** Runs the whole input through with FINISH, collecting output chunks; stops past `maxOutput`. */
  run(data: Uint8Array, chunk: number, maxOutput: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    let inOffset = 0;
    let inLength = data.length;
    for (;;) {
      // Never more room than one byte past the limit: a bomb stops there without a larger buffer.
      const out = Buffer.allocUnsafe(Math.max(1, Math.min(chunk, maxOutput + 1 - total)));
      this.error = undefined;
      this.handle.writeSync(FINISH, data, inOffset, inLength, out, 0, out.length);
      if (this.error) throw new BrotliDataError('Invalid Data', { cause: this.error });
      const availOut = this.state[0];
      const availIn = this.state[1];
      const produced = out.length - availOut;
      if (produced > 0) {
        parts.push(toPlainBytes(out).subarray(0, produced));
        total += produced;
        if (total > maxOutput) throw new BrotliLimitError(maxOutput);
      }
      inOffset += inLength - availIn;
      inLength = availIn;
      // Room left in the output means the coder is done (node:zlib's own loop condition).
      if (availOut !== 0) break;
    }
    return parts.length === 1 ? parts[0] : concatBytes(...parts);
  }
}

const noop = () => {};
let encoder: Coder | undefined;
let decoder: Coder | undefined;
/** `undefined` until the self-test ran; then whether the reused handles are in use. */
let reuse: boolean | undefined;

function compressReused(data: Uint8Array, quality: number, lgwin: number): Uint8Array {
  load();
  encoder ??= Coder.open(zlib.createBrotliCompress());
  if (!encoder) throw new Error('node:zlib Brotli handle has an unexpected shape');
  // init() builds a fresh native encoder with these parameters (reset() would drop them).
  params.fill(0xffffffff);
  params[QUALITY] = quality;
  params[LGWIN] = lgwin;
  params[SIZE_HINT] = data.length;
  if (encoder.handle.init(params, encoder.state, noop) === false) throw new Error('node:zlib Brotli encoder init failed');
  return encoder.run(data, compressChunk(data.length), Number.MAX_SAFE_INTEGER);
}

function decompressReused(data: Uint8Array, maxOutput: number): Uint8Array {
  load();
  decoder ??= Coder.open(zlib.createBrotliDecompress());
  if (!decoder) throw new Error('node:zlib Brotli handle has an unexpected shape');
  const d = decoder;
  try {
    const out = d.run(data, decompressChunk(data.length), Math.max(1, maxOutput));
    d.handle.reset();
    return out;
  } catch (e) {
    // A coder that failed mid-stream is not trusted again; the next call opens a new one.
    d.close();
    decoder = undefined;
    throw e;
  }
}

/** The self-test: the reused handles must agree with the public functions byte for byte. */
function selfTest(): boolean {
  try {
    const sample = new TextEncoder().encode(JSON.stringify({ model: 'gpt-4o', messages: Array.from({ length: 6 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}: ${'m2m '.repeat(20 + i)}` })) }));
    // Quality 5 is not node's default (11), so a match shows init() applied the parameters; a
    // second round shows the coders survive reuse. (Quality 11 would add ~9 ms to every
    // process's first frame; the tests check it.)
    const expected = compressPerCall(sample, 5, 22);
    for (let round = 0; round < 2; round++) {
      const got = compressReused(sample, 5, 22);
      if (Buffer.compare(got, expected) !== 0) return false;
      if (Buffer.compare(decompressReused(got, sample.length), sample) !== 0) return false;
    }
    const truncated = expected.subarray(0, 20);
    try {
      decompressReused(truncated, 1 << 20);
      return false;
    } catch (e) {
      if (!(e instanceof BrotliDataError)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function useReused(): boolean {
  if (reuse === undefined) {
    reuse = selfTest();
    if (!reuse) closeAll();
  }
  return reuse;
}

/** Turns the reused handles off for good after an unexpected failure. */
function giveUp(): void {
  reuse = false;
  closeAll();
}

function closeAll(): void {
  encoder?.close();
  decoder?.close();
  encoder = decoder = undefined;
}

/**
 * Brotli-compresses `data` (quality and window as given) into bytes identical to
 * `brotliCompressSync`'s. @throws Error only if node:zlib itself fails.
 */
export function nodeBrotliCompress(data: Uint8Array, quality: number, lgwin: number): Uint8Array {
  if (useReused()) {
    try {
      return compressReused(data, quality, lgwin);
    } catch {
      giveUp();
    }
  }
  return compressPerCall(data, quality, lgwin);
}

/**
 * Decompresses one Brotli stream, stopping once the output passes `maxOutput`.
 * @throws BrotliDataError for malformed or truncated input; BrotliLimitError past the limit.
 */
export function nodeBrotliDecompress(data: Uint8Array, maxOutput: number): Uint8Array {
  if (data.length === 0) throw new BrotliDataError('Invalid Data');
  if (useReused()) {
    try {
      return decompressReused(data, maxOutput);
    } catch (e) {
      if (e instanceof BrotliDataError || e instanceof BrotliLimitError) throw e;
      giveUp();
    }
  }
  return decompressPerCall(data, maxOutput);
}

/** Which path is in use: `reused-handle` after a passed self-test, `per-call` otherwise (for tests and diagnostics). */
export function nodeBrotliPath(): 'reused-handle' | 'per-call' {
  return useReused() ? 'reused-handle' : 'per-call';
}

/** Forces the per-call path (`false`) or a fresh self-test (`true`); for tests. */
export function setNodeBrotliReuse(enabled: boolean): void {
  closeAll();
  reuse = enabled ? undefined : false;
}

/** The public per-call functions, for differential tests. */
export const perCall = { compress: compressPerCall, decompress: decompressPerCall };
