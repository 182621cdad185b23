/**
 * The `m2m` command as one JavaScript file for tests that spawn it. Spawning
 * `node --import tsx packages/cli/src/main.ts` transpiles ~100 TypeScript files in every child
 * (seconds each on a busy 2-core machine); this bundle is built once per `vitest run` (by
 * scripts/vitest-global-setup.ts, ~0.3 s) and each child starts like the installed bin does.
 * It runs the sources (the `@m2m/source` conditions), not `dist/`, so tests need no build:
 * workspace code is bundled, every other package stays an import of the very file the sources
 * would load, and each source file keeps its own `import.meta.url` (the `createRequire` seams
 * resolve optional packages from there) except the entry, whose main-module check must see the
 * bundle. The entry sits at `<dir>/bin/main.js` beside a copy of the CLI's package.json, which
 * the entry reads for `--version`.
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

/** Each workspace source file but the entry keeps the URL it has when run from source. */
function ownImportMetaUrl(entry: string): Plugin {
  return {
    name: 'own-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\/packages\/[^/]+\/src\/.*\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (args.path === entry || !text.includes('import.meta')) return undefined;
        const url = JSON.stringify(pathToFileURL(args.path).href);
        return { contents: text.replaceAll('import.meta.url', url).replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path))), loader: 'ts' };
      });
    },
  };
}

/**
 * Bundles the CLI into `dir` and returns the path of its entry file (run it with `node`).
 * @throws the esbuild error when the sources do not build.
 */
export async function buildCliTestBin(dir: string): Promise<string> {
  const out = join(dir, 'bin', 'main.js');
  mkdirSync(dirname(out), { recursive: true });
  copyFileSync(join(root, 'packages/cli/package.json'), join(dir, 'package.json'));
  await build({
    entryPoints: [CLI_ENTRY],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@m2m/source', '@m2m/platform-source'],
    plugins: [externalByPath(), ownImportMetaUrl(CLI_ENTRY)],
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return out;
}
