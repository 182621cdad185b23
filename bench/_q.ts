import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { encodeFrame } from '@m2m/core';
const json = readFileSync('/work/shared/bench-corpus/' + process.argv[2], 'utf8');
const bytes = Buffer.from(json);
const params = { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 22 };
const f = process.argv[3] === 'zlib' ? () => brotliCompressSync(bytes, { params }) : () => encodeFrame(json);
const t = performance.now(); let n = 0;
while (performance.now() - t < 5000) { f(); n++; }
console.log(((performance.now() - t) / n * 1000).toFixed(1), 'µs/op');
