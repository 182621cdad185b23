/**
 * Programs that tests spawn, each as one JavaScript file: the `m2m` command, the bomb probe
 * (reliability/lib/bomb-probe.ts), the conformance runner (scripts/conformance.ts) and the
 * examples. Spawning `node --import tsx <file>.ts` transpiles up to ~100
 * TypeScript files in every child (seconds each on a busy 2-core machine); these bundles are
 * built once per `vitest run` (by scripts/vitest-global-setup.ts, well under a second) and each
 * child starts like the installed bin does.
 * It runs the sources (the `@m2m/source` conditions), not `dist/`, so tests need no build:
 * workspace code is bundled, every other package stays an import of the very file the sources
 * would load, and each source file keeps its own `import.meta.url` (the `createRequire` seams
 * resolve optional packages from there) except the CLI's entry, whose main-module check must see
 * the bundle. The CLI sits at `<dir>/bin/main.js` beside a copy of its package.json, which it
 * reads for `--version`.
 * @module
 */
import { build, type Plugin } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const CLI_ENTRY = join(root, 'packages/cli/src/main.ts');

/** Third-party packages: external, imported by the absolute path the sources would resolve. */
function externalByPath(): Plugin {
  return {
    name: 'external-by-path',
    setup(b) {
      b.onResolve({ filter: /^[^./#]/ }, async (args) => {
        if (args.path.startsWith('@m2m/') || args.path.startsWith('node:') || args.pluginData === 'inner') return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'inner' });
        if (r.errors.length > 0 || !r.path.includes('/node_modules/')) return undefined;
        return { path: pathToFileURL(r.path).href, external: true };
      });
    },
  };
}

/** Each source file but `keep` has the `import.meta` it has when run from source. */
function ownImportMetaUrl(keep: string | undefined): Plugin {
  return {
    name: 'own-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (args.path === keep || !text.includes('import.meta')) return undefined;
        const url = JSON.stringify(pathToFileURL(args.path).href);
        return { contents: text.replaceAll('import.meta.url', url).replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path))), loader: 'ts' };
      });
    },
  };
}

async function bundle(entry: string, out: string, keepImportMeta?: string): Promise<string> {
  mkdirSync(dirname(out), { recursive: true });
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@m2m/source', '@m2m/platform-source'],
    plugins: [externalByPath(), ownImportMetaUrl(keepImportMeta)],
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return out;
}

/**
 * Bundles the CLI into `dir` and returns the path of its entry file (run it with `node`).
 * @throws the esbuild error when the sources do not build.
 */
export async function buildCliTestBin(dir: string): Promise<string> {
  copyFileSync(join(root, 'packages/cli/package.json'), join(dir, 'package.json'));
  return bundle(CLI_ENTRY, join(dir, 'bin', 'main.js'), CLI_ENTRY);
}

/**
 * Bundles reliability/lib/bomb-probe.ts into `dir` (beside the CLI's package.json copy, which
 * makes it ESM) and returns its path.
 * @throws the esbuild error when the sources do not build.
 */
export async function buildBombProbe(dir: string): Promise<string> {
  return bundle(join(root, 'reliability/lib/bomb-probe.ts'), join(dir, 'bin', 'bomb-probe.js'));
}

/**
 * Bundles a TypeScript program of this repository (`scripts/conformance.ts`,
 * `examples/demo.ts`, …; a path from the root) into `dir` and returns its path.
 * @throws the esbuild error when the sources do not build.
 */
export async function buildProgram(dir: string, file: string): Promise<string> {
  return bundle(join(root, file), join(dir, 'bin', file.replace(/\.ts$/, '.js')));
}
