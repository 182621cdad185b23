/**
 * The esbuild options a test or example page of ours is bundled with: from the TypeScript
 * sources (`@m2m/source` conditions), split into chunks, with brotli-wasm built in as the
 * published browser bundle has it (scripts/brotli-wasm-plugin.ts). Used by
 * examples/browser/server.ts and packages/session/test/http-cors-browser.test.ts.
 */
import type { BuildOptions } from 'esbuild';
import { brotliWasmPlugin } from './brotli-wasm-plugin.js';

/** Options that bundle `entry` (a page's script) into `outdir` for a browser. */
export function browserPageBuild(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: 'es2022',
    outdir,
    conditions: ['@m2m/source', '@m2m/platform-source'],
    plugins: [brotliWasmPlugin()],
    logLevel: 'error',
  };
}
