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

/**
 * brotli-wasm's web glue without the ways of loading the `.wasm` that this bundle never takes:
 * `init` is only ever given the bytes (core/src/platform/index.browser.ts), so its default URL
 * (`import.meta.url`), `fetch` and `load` (its `Response` / `instantiateStreaming` branch, with
 * its console warning, and its compiled-module branch) are dead code, about 0.2 KB gzipped in every browser bundle
 * (bench/startup.ts). Each cut must match as often as it says (once unless noted): a brotli-wasm whose glue changed fails
 * the build here instead of shipping a half-edited file.
 */
export function trimGlue(source: string): string {
  const cuts: [RegExp, string, number?][] = [
    // `load`: the bytes go straight to WebAssembly.instantiate, which gives `{ instance, module }` for bytes.
    [/async function load\(module, imports\) \{[\s\S]*?\n\}\n(?=\nasync function init\(input\) \{)/, ''],
    [/await load\(await input, imports\)/, 'await WebAssembly.instantiate(await input, imports)'],
    [/\n *if \(typeof input === 'undefined'\) \{\n *input = new URL\('brotli_wasm_bg\.wasm', import\.meta\.url\);\n *\}/, ''],
    [/\n *if \(typeof input === 'string' \|\| \(typeof Request === 'function' && input instanceof Request\) \|\| \(typeof URL === 'function' && input instanceof URL\)\) \{\n *input = fetch\(input\);\n *\}/, ''],
    // BrotliStreamResult's setters and DecompressStream#total_out: the platform reads `code`,
    // `buf` and `input_offset` and never writes them.
    [/\n *\/\*\*\n(?: *\*.*\n)*? *\* @param \{number\} arg0\n *\*\/\n *set code\(arg0\) \{\n[^}]*\}/, ''],
    [/\n *\/\*\*\n(?: *\*.*\n)*? *\* @param \{Uint8Array\} arg0\n *\*\/\n *set buf\(arg0\) \{\n[^}]*\}/, ''],
    [/\n *\/\*\*\n(?: *\*.*\n)*? *\* @param \{number\} arg0\n *\*\/\n *set input_offset\(arg0\) \{\n[^}]*\}/, ''],
    [/\n *\/\*\*\n *\* @returns \{number\}\n *\*\/\n *total_out\(\) \{\n[^}]*\}/g, '', 2], // DecompressStream's and CompressStream's
    // passStringToWasm0 is always given `realloc` (the glue's own two calls).
    [/\n *if \(realloc === undefined\) \{\n[^}]*\}/, ''],
    // `free` clears the pointer itself instead of through `__destroy_into_raw` (nothing else calls it).
    [/\n *__destroy_into_raw\(\) \{\n *const ptr = this\.ptr;\n *this\.ptr = 0;\n *\n? *return ptr;\n *\}\n/g, '\n', 3], // each of the three classes'
    [/const ptr = this\.__destroy_into_raw\(\);/g, 'const ptr = this.ptr;\n        this.ptr = 0;', 3],
    // The result-code enum is a frozen object: pure, so a bundle that compares the numbers
    // (core/src/platform/index.browser.ts) leaves it out.
    [/export const BrotliStreamResultCode = Object\.freeze\(/, 'export const BrotliStreamResultCode = /* @__PURE__ */ Object.freeze('],
    // TextEncoder#encodeInto is in every browser that runs this bundle (it uses private fields,
    // ES2022), so the glue's encode-and-copy fallback never runs.
    [/const encodeString = \(typeof cachedTextEncoder\.encodeInto === 'function'\n *\? (function \(arg, view\) \{\n *return cachedTextEncoder\.encodeInto\(arg, view\);\n\})\n *: function \(arg, view\) \{\n[^}]*\{[^}]*\};\n\}\);/, 'const encodeString = $1;'],
  ];
  for (const [re, by, expected = 1] of cuts) {
    const found = source.match(new RegExp(re.source, 'g'))?.length ?? 0;
    if (found !== expected) throw new Error(`brotli-wasm-plugin: the glue has ${found} matches for ${re.source.slice(0, 40)}…, expected ${expected} (did brotli-wasm change?)`);
    source = source.replace(re, by);
  }
  return source;
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
      b.onLoad({ filter: /brotli_wasm\.js$/ }, async (args) => ({ contents: trimGlue(await readFile(args.path, 'utf8')), loader: 'js' }));
      b.onLoad({ filter: /brotli_wasm_bg\.wasm$/ }, async (args) => ({ contents: wasmModule((await readFile(args.path)).toString('base64')), loader: 'js' }));
    },
  };
}
