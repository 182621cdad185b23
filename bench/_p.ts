import { readFileSync } from 'node:fs';
import { utf8ByteLength } from '@m2m/core';
import { compare } from './measure.js';
const o = JSON.parse(readFileSync('/work/shared/bench-corpus/request_200KB.json', 'utf8'));
const contents: string[] = o.messages.map((m: any) => m.content);
const r = compare({
  js: () => { let n = 0; for (const c of contents) n += utf8ByteLength(c); return n; },
  buf: () => { let n = 0; for (const c of contents) n += Buffer.byteLength(c, 'utf8'); return n; },
}, 7, 100);
console.log(contents.length, Object.entries(r).map(([k, v]) => `${k} ${(1e6 / v).toFixed(1)}µs`).join('  '));
for (const s of ['a\ud800b', '\udc00', 'é€😀', 'x'.repeat(10)]) console.log(JSON.stringify(s), utf8ByteLength(s), Buffer.byteLength(s, 'utf8'));
