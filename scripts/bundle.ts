/**
 * Builds a package's JavaScript into a few files (`pnpm build` runs it after `tsc` has written
 * the declarations): Node's ESM loader pays per module file, so a 40-file package costs tens of
 * milliseconds to import (bench/startup.ts). Each entry gets a Node bundle and, where the package
 * has a browser platform, a browser bundle; `#platform`/`#backend`/`#listen` are resolved at
 * build time; dependencies stay imports, resolved by the consumer.
 *
 * `--node-one-module=A,B`: on Node, entries A and B become one module file (`dist/_module.js`,
 * their dynamic imports inlined) with a file per entry that re-exports its own names from it.
 * Code splitting would give them shared chunks instead, one more file to resolve and load per
 * chunk (session's index and internal made seven files: ~7 ms of CPU at import,
 * bench/startup.ts); one module keeps a single instance of each class for both entries.
 * Usage (from a package directory): tsx ../../scripts/bundle.ts ENTRY [ENTRY...] [--browser] [--node-one-module=A,B]
 */
import { build, type BuildOptions } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliWasmPlugin } from './brotli-wasm-plugin.js';

const args = process.argv.slice(2);
const browser = args.includes('--browser');
const entries = args.filter((a) => !a.startsWith('--'));
const oneModule = args.find((a) => a.startsWith('--node-one-module='))?.slice('--node-one-module='.length).split(',') ?? [];
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<'dependencies' | 'optionalDependencies' | 'peerDependencies', Record<string, string> | undefined>;
// Everything the package depends on is resolved by the consumer, never copied in.
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]
  .flatMap((name) => [name, `${name}/*`]);
const common: BuildOptions = {
  entryPoints: Object.fromEntries(entries.map((e) => [e, `src/${e}.ts`])),
  bundle: true,
  format: 'esm',
  outdir: 'dist',
  sourcemap: true,
  external: [...external, 'node:*'],
  // Picks the TypeScript side of the platform seams; the platform condition picks the file.
  conditions: ['@m2m/platform-source'],
  target: 'es2022',
  logLevel: 'warning',
  legalComments: 'none',
};
// Node parses every byte of a module at import (V8's pre-parse of each function included), so
// Node builds drop whitespace and comments and simplify syntax; names stay, so stack traces read
// as the source does, and the source maps map them back (bench/startup.ts: compile was the
// largest part of a cold import). Browser builds are minified by the application's bundler.
// Lines stay short: Node prints the whole source line of an uncaught throw, and one 160 KB line
// buried the error a new user needed to read (a few hundred newline bytes cost nothing to parse).
const nodeMinify: BuildOptions = { minifyWhitespace: true, minifySyntax: true, lineLimit: 160 };
const nodeEntries = entries.filter((e) => !oneModule.includes(e));
if (nodeEntries.length > 0) await build({ ...common, ...nodeMinify, entryPoints: Object.fromEntries(nodeEntries.map((e) => [e, `src/${e}.ts`])), platform: 'node', splitting: nodeEntries.length > 1 });
if (oneModule.length > 0) await buildOneModule(oneModule);
if (browser) await build({ ...common, platform: 'browser', splitting: true, plugins: [brotliWasmPlugin()], entryNames: '[name].browser', chunkNames: 'chunk.browser-[hash]' });

/** The names an entry exports (from esbuild's metafile, nothing written). */
async function exportNames(entry: string): Promise<string[]> {
  const r = await build({ ...common, entryPoints: [`src/${entry}.ts`], outdir: 'dist', platform: 'node', write: false, metafile: true, sourcemap: false });
  const out = Object.values(r.metafile.outputs).find((o) => o.entryPoint !== undefined);
  if (!out) throw new Error(`no output for ${entry}`);
  return out.exports;
}

/** See `--node-one-module` above. */
async function buildOneModule(group: string[]): Promise<void> {
  const names = await Promise.all(group.map(exportNames));
  const seen = new Set<string>();
  for (const n of names.flat()) {
    // `export *` of two entries drops a name both export: refuse instead of losing it.
    if (seen.has(n)) throw new Error(`--node-one-module: ${n} is exported by more than one of ${group.join(', ')}`);
    seen.add(n);
  }
  await build({
    ...common,
    entryPoints: undefined,
    outdir: undefined,
    stdin: { contents: group.map((e) => `export * from './src/${e}.ts';`).join('\n'), resolveDir: process.cwd(), sourcefile: '_module.ts', loader: 'ts' },
    ...nodeMinify,
    outfile: 'dist/_module.js',
    platform: 'node',
    splitting: false,
  });
  group.forEach((e, i) => writeFileSync(`dist/${e}.js`, `export { ${names[i].join(', ')} } from './_module.js';\n`));
}
