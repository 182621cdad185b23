/**
 * An esbuild plugin that builds brotli-wasm into the browser bundle: its web glue as code and its
 * `.wasm` as bytes. brotli-wasm's own browser entry fetches the `.wasm` from a URL beside the
 * bundle, which every consumer would have to copy by hand; with the bytes inside our bundle,
 * any bundler works with no flags. Used by scripts/bundle.ts and scripts/browser-page-build.ts.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';

/** Directory of the brotli-wasm package that a file in `fromDir` would import. */
function brotliWasmDir(fromDir: string): string {
  // Its exports map names only the root, whose Node entry sits at the package's top level.
  return dirname(createRequire(join(fromDir, 'x.js')).resolve('brotli-wasm'));
}

/** An ES module whose default export is the bytes of `base64` (Uint8Array.fromBase64 where there is one, else atob). */
function wasmModule(base64: string): string {
  return [
    `const b64 = ${JSON.stringify(base64)};`,
    'const bytes = typeof Uint8Array.fromBase64 === "function" ? Uint8Array.fromBase64(b64) : Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));',
    'export default bytes;',
  ].join('\n');
}

/** The plugin. */
export function brotliWasmPlugin(): Plugin {
  return {
    name: 'm2m-brotli-wasm',
    setup(b) {
      b.onResolve({ filter: /^brotli-wasm\/pkg\.web\/brotli_wasm(_bg\.wasm|\.js)$/ }, (args) => ({
        path: join(brotliWasmDir(args.resolveDir), args.path.slice('brotli-wasm/'.length)),
      }));
      // The bytes as base64 in a module of their own that decodes them itself: esbuild's `binary`
      // loader would put its decoder in a shared chunk that every page loads up front
      // (bench/startup.ts counted it: 0.26 KB gzipped), while this way it comes with the bytes.
      b.onLoad({ filter: /brotli_wasm_bg\.wasm$/ }, async (args) => ({ contents: wasmModule((await readFile(args.path)).toString('base64')), loader: 'js' }));
    },
  };
}
