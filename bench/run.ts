/**
 * `pnpm bench`: frame encode/decode throughput on ../shared/bench-corpus, each as a ratio
 * against node:zlib Brotli (quality 5, window 22) on the same bytes in the same process.
 * Crypto, session and handshake benchmarks are still to come (see the open issues).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { decodeFrame, encodeFrame } from '@m2m/core';

const dir = resolve(import.meta.dirname, '../../shared/bench-corpus');
if (!existsSync(dir)) {
  console.log(`bench corpus not found at ${dir}; nothing to measure`);
  process.exit(0);
}
const params = { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 22 };
function rate(fn: () => void, bytes: number): number {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < 300) {
    fn();
    n++;
  }
  return (bytes * n) / ((performance.now() - start) / 1000) / 1e6;
}
const enc: number[] = [];
const dec: number[] = [];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
  const json = readFileSync(resolve(dir, f), 'utf8');
  const bytes = Buffer.from(json);
  const frame = encodeFrame(json);
  const z = brotliCompressSync(bytes, { params });
  const e = rate(() => encodeFrame(json), bytes.length) / rate(() => brotliCompressSync(bytes, { params }), bytes.length);
  const d = rate(() => decodeFrame(frame), bytes.length) / rate(() => brotliDecompressSync(z), bytes.length);
  enc.push(e);
  dec.push(d);
  console.log(`${f.padEnd(22)} ${String(bytes.length).padStart(7)} B  encode ×${e.toFixed(2)}  decode ×${d.toFixed(2)} of node:zlib  (frame ${frame.length} B, ratio ${(bytes.length / frame.length).toFixed(2)})`);
}
const geo = (a: number[]) => Math.exp(a.reduce((s, x) => s + Math.log(x), 0) / a.length);
console.log(`geometric mean: encode ×${geo(enc).toFixed(2)}, decode ×${geo(dec).toFixed(2)} (target 0.80; Rust reference 0.64 / 0.74)`);
