/**
 * `@m2m/server`'s main entry bundles for a browser/edge target (no Node built-ins, no Node HTTP
 * adapter, no pino). (The app itself is exercised through `app.fetch` in reference-limits.test.ts.)
 */
import { build } from 'esbuild';
import { brotliWasmPlugin } from '../../../scripts/brotli-wasm-plugin.js';
import { describe, expect, it } from 'vitest';

describe('edge bundle', () => {
  it('bundles for the browser platform without Node modules', async () => {
    const result = await build({
      entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      conditions: ['@m2m/source', '@m2m/platform-source', 'browser'],
      // From sources, brotli-wasm's glue and bytes are built in as in the published browser bundle.
      plugins: [brotliWasmPlugin()],
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('hono'))).toBe(true);
    expect(inputs.filter((i) => /@hono\/node-server|node_modules\/pino\/|\bws\/lib|^node:/.test(i))).toEqual([]);
  });
});
