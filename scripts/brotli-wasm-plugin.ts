/**
 * An esbuild plugin that builds brotli-wasm into the browser bundle: its web glue as code and its
 * `.wasm` as bytes. brotli-wasm's own browser entry fetches the `.wasm` from a URL beside the
 * bundle, which every consumer would have to copy by hand; with the bytes inside our bundle,
 * any bundler works with no flags. Used by scripts/bundle.ts and examples/browser/server.ts.
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

/** The plugin. */
export function brotliWasmPlugin(): Plugin {
  return {
    name: 'm2m-brotli-wasm',
    setup(b) {
      b.onResolve({ filter: /^brotli-wasm\/pkg\.web\/brotli_wasm(_bg\.wasm|\.js)$/ }, (args) => ({
        path: join(brotliWasmDir(args.resolveDir), args.path.slice('brotli-wasm/'.length)),
      }));
      b.onLoad({ filter: /brotli_wasm_bg\.wasm$/ }, async (args) => ({ contents: await readFile(args.path), loader: 'binary' }));
    },
  };
}
