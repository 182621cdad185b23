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
 *
 * `--node-over-module=C,D` (with `--node-one-module`): on Node, entries C and D, and every module
 * that the one module imports dynamically by a relative path (`await import('./listen-server.js')`),
 * are files of their own that take whatever they share with the one module from it, through
 * hidden aliases it exports (`__m2m$N$name`): `import '@m2m/session'` then compiles only the
 * one module, and a subpath or a server loads its code on first use, with the same single
 * instance of each class (session's `listen` and NATS dialing; docs/ARCHITECTURE.md).
 * Usage (from a package directory): tsx ../../scripts/bundle.ts ENTRY [ENTRY...] [--browser] [--node-one-module=A,B] [--node-over-module=C,D]
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { brotliWasmPlugin } from './brotli-wasm-plugin.js';

const args = process.argv.slice(2);
const browser = args.includes('--browser');
const entries = args.filter((a) => !a.startsWith('--'));
const listFlag = (flag: string): string[] => args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3).split(',') ?? [];
const oneModule = listFlag('node-one-module');
const overModule = listFlag('node-over-module');
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
const nodeEntries = entries.filter((e) => !oneModule.includes(e) && !overModule.includes(e));
if (nodeEntries.length > 0) await build({ ...common, ...nodeMinify, entryPoints: Object.fromEntries(nodeEntries.map((e) => [e, `src/${e}.ts`])), platform: 'node', splitting: nodeEntries.length > 1 });
if (overModule.length > 0) await buildLayered(oneModule, overModule);
else if (oneModule.length > 0) await buildOneModule(oneModule);
if (browser) await build({ ...common, platform: 'browser', splitting: true, plugins: [brotliWasmPlugin()], entryNames: '[name].browser', chunkNames: 'chunk.browser-[hash]' });

/** The names an entry exports (from esbuild's metafile, nothing written). */
async function exportNames(entry: string): Promise<string[]> {
  const r = await build({ ...common, entryPoints: [`src/${entry}.ts`], outdir: 'dist', platform: 'node', write: false, metafile: true, sourcemap: false });
  const out = Object.values(r.metafile.outputs).find((o) => o.entryPoint !== undefined);
  if (!out) throw new Error(`no output for ${entry}`);
  return out.exports;
}

/** See `--node-one-module` above; `extra` is appended to the module's source (the aliases of `--node-over-module`). */
async function buildOneModule(group: string[], extra = '', plugins: Plugin[] = []): Promise<void> {
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
    stdin: { contents: group.map((e) => `export * from './src/${e}.ts';`).join('\n') + extra, resolveDir: process.cwd(), sourcefile: '_module.ts', loader: 'ts' },
    ...nodeMinify,
    plugins,
    outfile: 'dist/_module.js',
    platform: 'node',
    splitting: false,
  });
  group.forEach((e, i) => writeFileSync(`dist/${e}.js`, `export { ${names[i].join(', ')} } from './_module.js';\n`));
}

/** The one module's source files (absolute paths) and the relative dynamic imports it leaves out (source file → output name). */
async function oneModuleInputs(group: string[]): Promise<{ inputs: Set<string>; lazy: Map<string, string> }> {
  const lazy = new Map<string, string>();
  const r = await build({
    ...common,
    entryPoints: undefined,
    outdir: undefined,
    stdin: { contents: group.map((e) => `export * from './src/${e}.ts';`).join('\n'), resolveDir: process.cwd(), sourcefile: '_module.ts', loader: 'ts' },
    outfile: 'dist/_module.js',
    platform: 'node',
    write: false,
    metafile: true,
    sourcemap: false,
    // Unused imports of other packages count as a file's bytes too: drop them here (only here).
    plugins: [lazyImports(lazy), { name: 'm2m-pure-externals', setup: (b) => b.onResolve({ filter: /^[^./#]/ }, (a) => (a.kind === 'import-statement' ? { path: a.path, external: true, sideEffects: false } : undefined)) }],
  });
  // The files that left code in it: esbuild lists every file it read, tree-shaken ones included.
  const out = Object.values(r.metafile.outputs)[0];
  return { inputs: new Set(Object.entries(out.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => resolve(f))), lazy };
}

/**
 * Leaves each relative dynamic import out of the one module (an import of `./<name>.js` beside
 * it) and records it in `lazy`; modules in subdirectories get `-` for `/` in their name.
 */
function lazyImports(lazy: Map<string, string>): Plugin {
  return {
    name: 'm2m-lazy-imports',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, async (a) => {
        if (a.kind !== 'dynamic-import') return undefined;
        const r = await b.resolve(a.path, { kind: 'import-statement', resolveDir: a.resolveDir });
        if (r.errors.length > 0) return { errors: r.errors };
        const name = relative(resolve('src'), r.path).replace(/\.ts$/, '').replaceAll('/', '-');
        lazy.set(r.path, name);
        return { path: `./${name}.js`, external: true };
      });
    },
  };
}

/** `export { a, b as c } from '…'` lists of a TypeScript source (types left out): exported name → [imported name, specifier]. */
function reExports(source: string): { named: Map<string, [string, string]>; star: string[] } {
  const named = new Map<string, [string, string]>();
  for (const m of source.matchAll(/^export\s*\{([^}]*)\}\s*from\s*'([^']+)'/gm)) {
    for (const item of m[1].split(',').map((x) => x.trim()).filter((x) => x !== '' && !x.startsWith('type '))) {
      const [from, as = from] = item.split(/\s+as\s+/);
      named.set(as, [from, m[2]]);
    }
  }
  const star = [...source.matchAll(/^export\s*\*\s*from\s*'([^']+)'/gm)].map((m) => m[1]);
  return { named, star };
}

/** The names a source file exports at run time (types left out), from esbuild with every import external. */
async function ownExports(file: string): Promise<string[]> {
  const r = await build({
    ...common,
    entryPoints: [file],
    outdir: 'dist',
    platform: 'node',
    write: false,
    metafile: true,
    sourcemap: false,
    plugins: [{ name: 'm2m-alone', setup: (b) => b.onResolve({ filter: /.*/ }, (a) => (a.kind === 'entry-point' ? undefined : { path: a.path, external: true })) }],
  });
  const out = Object.values(r.metafile.outputs).find((o) => o.entryPoint !== undefined);
  if (!out) throw new Error(`no output for ${file}`);
  return out.exports;
}

/** See `--node-over-module` above. */
async function buildLayered(group: string[], over: string[]): Promise<void> {
  const { inputs, lazy } = await oneModuleInputs(group);
  // Source file of the one module → its alias number and the names taken from it.
  const aliased = new Map<string, { id: number; names: string[] }>();
  const proxy: Plugin = {
    name: 'm2m-over-module',
    setup(b) {
      b.onResolve({ filter: /^_module$/ }, () => ({ path: './_module.js', external: true }));
      b.onResolve({ filter: /.*/ }, async (a) => {
        if (a.kind === 'entry-point' || a.pluginData === 'm2m-resolving') return undefined;
        const r = await b.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, pluginData: 'm2m-resolving' });
        if (r.errors.length > 0) return { errors: r.errors };
        if (r.external || !inputs.has(r.path)) return { path: r.path, external: r.external, namespace: r.namespace, sideEffects: r.sideEffects };
        // Relative to the package: the path shows in source maps, which are published.
        return { path: relative(process.cwd(), r.path), namespace: 'm2m-main' };
      });
      b.onLoad({ filter: /.*/, namespace: 'm2m-main' }, async (a) => {
        const file = resolve(a.path);
        const source = readFileSync(file, 'utf8');
        const { named, star } = reExports(source);
        const own = (await ownExports(file)).filter((n) => !named.has(n));
        let entry = aliased.get(file);
        if (!entry) aliased.set(file, (entry = { id: aliased.size, names: own }));
        const id = entry.id;
        const lines = [
          own.length > 0 ? `export { ${own.map((n) => `__m2m$${id}$${n} as ${n}`).join(', ')} } from '_module';` : '',
          // A re-export resolves again from the original file: through this proxy when that file is in the one module too.
          ...[...named].map(([as, [from, spec]]) => `export { ${from} as ${as} } from '${spec}';`),
          ...star.map((spec) => `export * from '${spec}';`),
        ];
        return { contents: lines.join('\n'), loader: 'ts', resolveDir: dirname(file) };
      });
    },
  };
  const overEntries = Object.fromEntries([...over.map((e) => [e, `src/${e}.ts`]), ...[...lazy].map(([file, name]) => [name, file])]);
  for (const name of Object.keys(overEntries)) if (name === '_module' || group.includes(name)) throw new Error(`--node-over-module: ${name} clashes with the one module`);
  const r = await build({ ...common, ...nodeMinify, entryPoints: overEntries, platform: 'node', splitting: true, plugins: [proxy], metafile: true });
  // The one module exports only the aliases that the files written import (esbuild drops the
  // others): an alias keeps its code in the one module even where nothing there uses it.
  const used = new Set<string>();
  for (const out of Object.keys(r.metafile.outputs).filter((f) => f.endsWith('.js'))) for (const m of readFileSync(out, 'utf8').matchAll(/__m2m\$\d+\$[\w$]+/g)) used.add(m[0]);
  const aliases = [...aliased]
    .map(([file, { id, names }]) => [file, names.filter((n) => used.has(`__m2m$${id}$${n}`)).map((n) => `${n} as __m2m$${id}$${n}`)] as const)
    .map(([file, names]) => (names.length > 0 ? `\nexport { ${names.join(', ')} } from './${relative(process.cwd(), file)}';` : ''))
    .join('');
  // One instance of everything: no file whose code is in the one module may be bundled again.
  for (const [out, o] of Object.entries(r.metafile.outputs)) {
    for (const [f, i] of Object.entries(o.inputs)) if (i.bytesInOutput > 0 && !f.startsWith('m2m-main:') && inputs.has(resolve(f))) throw new Error(`--node-over-module: ${f} is in both the one module and ${basename(out)}`);
  }
  const left = new Map<string, string>();
  await buildOneModule(group, aliases, [lazyImports(left)]);
  // The one module imports no file but those written above.
  for (const f of left.keys()) if (!lazy.has(f)) throw new Error(`--node-over-module: ${basename(f)} is imported dynamically but was not built`);
}
