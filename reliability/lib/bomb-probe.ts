/**
 * Runs one decompression bomb in a fresh process and reports its outcome, its decode time and
 * the process's peak memory, so a test can show the limit held before the memory was spent.
 * The bomb is built by streaming, so building it never holds the expanded data.
 * Usage: node … bomb-probe.ts brotli-10x|brotli-1000x|brotli-text-1000x
 */
import { createBrotliCompress, constants } from 'node:zlib';
import { decodeFrame, decompress, encodeFrame, isSdkError } from '@m2m/core';
import { Prng } from './prng.js';

const MiB = 1024 * 1024;

/** Brotli of `size` bytes made chunk by chunk: `redundant` (all 'a') or about 10× compressible. */
async function bomb(size: number, redundant: boolean): Promise<Uint8Array> {
  const rng = new Prng(42);
  const enc = createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 22 } });
  const parts: Buffer[] = [];
  enc.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((r) => enc.on('end', r));
  for (let off = 0; off < size; off += MiB) {
    const chunk = Buffer.alloc(Math.min(MiB, size - off), 0x61);
    if (!redundant) for (let i = 0; i < chunk.length; i++) if (rng.int(1000) < 55) chunk[i] = 0x61 + rng.int(26);
    if (!enc.write(chunk)) await new Promise((r) => enc.once('drain', r));
  }
  enc.end();
  await done;
  return new Uint8Array(Buffer.concat(parts));
}

/** A valid compressed frame whose payload is replaced by `payload`. */
function frameWith(payload: Uint8Array): Uint8Array {
  const small = encodeFrame(`{"model":"x","messages":[],"pad":"${'a'.repeat(120)}"}`);
  const headersEnd = 7 + (small[7] | (small[8] << 8));
  const frame = new Uint8Array(headersEnd + 8 + payload.length);
  frame.set(small.subarray(0, headersEnd));
  new DataView(frame.buffer).setUint32(headersEnd, payload.length, true);
  frame.set(payload, headersEnd + 8);
  return frame;
}

const kase = process.argv[2];
const expanded = kase === 'brotli-10x' ? 40 * MiB : 64 * MiB;
const payload = await bomb(expanded, kase !== 'brotli-10x');
const input = kase === 'brotli-text-1000x' ? `#M2M[v3.0]|DATA:${Buffer.from(payload).toString('base64')}` : frameWith(payload);
const limit = kase === 'brotli-10x' ? 4 * MiB : kase === 'brotli-text-1000x' ? 8 * MiB : 16 * MiB;
global.gc?.();
const rssBefore = process.memoryUsage().rss / MiB;
const peakBefore = process.resourceUsage().maxRSS / 1024;
let outcome: string;
const t0 = performance.now();
try {
  if (typeof input === 'string') decompress(input, { limits: { maxDecompressedBytes: limit } });
  else decodeFrame(input, { limits: { maxDecompressedBytes: limit } });
  outcome = 'accepted';
} catch (e) {
  outcome = isSdkError(e) ? e.code : `non-SDK ${(e as Error).message}`;
}
const ms = performance.now() - t0;
const peakAfter = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ case: kase, outcome, ratio: Math.round(expanded / payload.length), expandedMb: expanded / MiB, limitMb: limit / MiB, ms: Math.round(ms), rssBeforeMb: Math.round(rssBefore), peakBeforeMb: Math.round(peakBefore), peakAfterMb: Math.round(peakAfter) }));
