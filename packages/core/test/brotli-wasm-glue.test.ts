/**
 * brotli-wasm's glue as the browser bundle carries it (scripts/brotli-wasm-plugin.ts `trimGlue`):
 * the loading paths and members the browser platform never uses are gone, and a glue the cuts do
 * not recognise fails the build. (The trimmed glue runs in headless Chromium in
 * packages/session/test/http-cors-browser.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trimGlue } from '../../../scripts/brotli-wasm-plugin.js';

const glueFile = join(dirname(createRequire(import.meta.url).resolve('brotli-wasm')), 'pkg.web', 'brotli_wasm.js');
const glue = readFileSync(glueFile, 'utf8');

describe('trimGlue', () => {
  it('drops the loading paths and members the platform never uses', () => {
    for (const gone of ['instantiateStreaming', 'import.meta.url', 'fetch(', 'set buf(', 'total_out(', '__destroy_into_raw']) expect(glue).toContain(gone);
    const trimmed = trimGlue(glue);
    for (const gone of ['instantiateStreaming', 'import.meta.url', 'fetch(', 'set buf(', 'total_out(', '__destroy_into_raw']) expect(trimmed).not.toContain(gone);
    expect(trimmed).toContain('await WebAssembly.instantiate(await input, imports)');
    expect(trimmed).toContain('/* @__PURE__ */ Object.freeze(');
  });

  it('fails instead of half-editing a glue it does not recognise', () => {
    expect(() => trimGlue(glue.replace('async function load(module, imports) {', 'async function load(m, imports) {'))).toThrow(/brotli-wasm-plugin/);
  });
});
