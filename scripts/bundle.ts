/**
 * Builds a package's JavaScript into a few files (`pnpm build` runs it after `tsc` has written
 * the declarations): Node's ESM loader pays per module file, so a 40-file package costs tens of
 * milliseconds to import (bench/startup.ts). Each entry gets a Node bundle and, where the package
 * has a browser platform, a browser bundle; `#platform`/`#backend`/`#listen` are resolved at
 * build time; dependencies stay imports, resolved by the consumer.
 * Usage (from a package directory): tsx ../../scripts/bundle.ts ENTRY [ENTRY...] [--browser]
 */
import { build, type BuildOptions } from 'esbuild';
import { readFileSync } from 'node:fs';
import { brotliWasmPlugin } from './brotli-wasm-plugin.js';

const args = process.argv.slice(2);
const browser = args.includes('--browser');
const entries = args.filter((a) => !a.startsWith('--'));
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
await build({ ...common, platform: 'node', splitting: entries.length > 1 });
if (browser) await build({ ...common, platform: 'browser', splitting: true, plugins: [brotliWasmPlugin()], entryNames: '[name].browser', chunkNames: 'chunk.browser-[hash]' });
