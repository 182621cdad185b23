/**
 * `pnpm bench startup`: what a new user pays before the first call.
 * - Cold import: wall time of `node -e "await import('@m2m/…')"` minus bare `node -e 0`, both
 *   spawned in interleaved rounds (medians), from the built `dist/` that npm users get. The
 *   same difference in CPU time (user + system, read by each child at its end) is printed
 *   beside it: on a shared, loaded machine wall time also counts waiting for a core.
 * - Browser bundle: every export of the three main entries (`@m2m/core`, `@m2m/crypto`,
 *   `@m2m/session`) bundled by esbuild for the browser from `dist/` (minified, code-split), and
 *   the gzip size of every chunk a page can download for them: the chunks it loads up front and
 *   the ones it loads on demand (dynamic imports), summed, and printed split. Only the Brotli
 *   wasm binary is left out ("without wasm": it is a 1.4 MB chunk of its own, reached by a
 *   dynamic import; its size is printed beside). What each public subpath entry adds to that
 *   bundle is printed below it, and so is a page that opens an encrypted session (the imports
 *   of examples/browser/client.ts).
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { median } from './measure.js';

const root = resolve(import.meta.dirname, '..');
/** Resolves `@m2m/*` like an installed consumer (workspace links to each package's dist/). */
const consumerDir = join(root, 'examples');
const IMPORT_TARGET_MS = 50;
const BUNDLE_TARGET_BYTES = 50 * 1024;
const ROUNDS = 25;

/** The child's CPU time so far, printed last thing. */
const PRINT_CPU = 'const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000));';

function run(args: string[]): { wall: number; cpu: number } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: consumerDir, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return { wall: Number(process.hrtime.bigint() - start) / 1e6, cpu: Number(r.stdout.toString()) };
}

/** Median extra wall and CPU time of importing each package over starting node at all. */
export function coldImportMs(packages: readonly string[], rounds = ROUNDS): Record<string, { wall: number; cpu: number }> {
  const samples: Record<string, { wall: number; cpu: number }[]> = { bare: [] };
  for (const p of packages) samples[p] = [];
  for (let r = 0; r < rounds; r++) {
    samples.bare.push(run(['-e', PRINT_CPU]));
    for (const p of packages) samples[p].push(run(['--input-type=module', '-e', `await import('${p}'); ${PRINT_CPU}`]));
  }
  // The median of each round's difference to bare node in the same round: a slow stretch of the
  // machine then lifts both sides of a difference instead of one median alone.
  const of = (k: string, f: 'wall' | 'cpu') => median(samples[k].map((x, r) => x[f] - samples.bare[r][f]));
  return Object.fromEntries(packages.map((p) => [p, { wall: of(p, 'wall'), cpu: of(p, 'cpu') }]));
}

/** The three packages whose main entries the target is on. */
const PACKAGES = ['core', 'crypto', 'session'] as const;
/** Every export of the three main entries. */
const ALL_EXPORTS = PACKAGES.map((p) => `export * from '@m2m/${p}';`).join('\n');
/** What examples/browser/client.ts imports: an encrypted session over WebSocket, and Brotli. */
const SESSION_PAGE = "export { compress, decompress } from '@m2m/core';\nexport { KeyPair } from '@m2m/crypto';\nexport { allowKeys, connect, dataFrame } from '@m2m/session';\n";

/** Gzip sizes of what a browser can download for one bundle. */
export interface BundleSize {
  /** Every chunk but the wasm binary: up front plus on demand. */
  gzip: number;
  minified: number;
  /** The entry chunk and its static imports. */
  upFront: number;
  /** Chunks reached through dynamic imports (their own static imports included). */
  onDemand: number;
  /** The Brotli wasm binary's chunk, not counted (gzip bytes). */
  wasm: number;
}

/** esbuild's binary loader writes the wasm as base64; every wasm module starts with `\0asm`. */
const WASM_MAGIC_BASE64 = '"AGFzbQ';

/** Bundles `entryText` (imports of the packages' dist, as an installed consumer resolves them) for browsers. */
export async function browserBundleBytes(entryText = ALL_EXPORTS): Promise<BundleSize> {
  const dir = mkdtempSync(join(tmpdir(), 'm2m-bundle-'));
  try {
    const entry = join(dir, 'entry.js');
    writeFileSync(entry, entryText);
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      splitting: true,
      platform: 'browser',
      minify: true,
      outdir: join(dir, 'out'),
      metafile: true,
      logLevel: 'error',
      absWorkingDir: dir,
      nodePaths: [join(consumerDir, 'node_modules')],
    });
    const outputs = result.metafile.outputs;
    const entryOut = Object.keys(outputs).find((f) => outputs[f].entryPoint !== undefined);
    if (!entryOut) throw new Error('esbuild produced no entry chunk');
    const reach = (dynamic: boolean): Set<string> => {
      const seen = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        for (const i of outputs[file].imports) if (!i.external && (dynamic || i.kind === 'import-statement')) visit(i.path);
      };
      visit(entryOut);
      return seen;
    };
    const upFront = reach(false);
    const size: BundleSize = { gzip: 0, minified: 0, upFront: 0, onDemand: 0, wasm: 0 };
    for (const f of reach(true)) {
      const bytes = readFileSync(join(dir, f));
      const gz = gzipSync(bytes, { level: 9 }).length;
      if (bytes.includes(WASM_MAGIC_BASE64)) {
        size.wasm += gz;
        continue;
      }
      size.minified += bytes.length;
      size.gzip += gz;
      if (upFront.has(f)) size.upFront += gz;
      else size.onDemand += gz;
    }
    return size;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The public subpath entries of the three packages (`@m2m/core/scan`, …; not `/internal`). */
export function publicSubpaths(): string[] {
  return PACKAGES.flatMap((p) => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    return Object.keys(pkg.exports)
      .filter((k) => k !== '.' && k !== './internal')
      .map((k) => `@m2m/${p}${k.slice(1)}`);
  });
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Runs the section; true when both targets are met. */
export async function runStartupBench(log: (line: string) => void): Promise<boolean> {
  const dist = PACKAGES.map((p) => join(root, 'packages', p, 'dist', 'index.js'));
  if (dist.some((f) => !existsSync(f))) {
    log('startup: packages are not built (run `pnpm build` first); nothing measured');
    return false;
  }
  const imports = coldImportMs(PACKAGES.map((p) => `@m2m/${p}`));
  for (const [p, ms] of Object.entries(imports)) log(`cold import ${p.padEnd(14)} +${ms.wall.toFixed(1)} ms over bare node (CPU +${ms.cpu.toFixed(1)} ms)`);
  const importMet = imports['@m2m/session'].wall <= IMPORT_TARGET_MS;
  log(`  target: @m2m/session ≤ ${IMPORT_TARGET_MS} ms over bare node → ${importMet ? 'met' : 'MISSED'}`);
  const main = await browserBundleBytes();
  const bundleMet = main.gzip <= BUNDLE_TARGET_BYTES;
  log(`browser bundle, every export of @m2m/core + @m2m/crypto + @m2m/session: ${kb(main.gzip)} min+gz (${kb(main.minified)} min)`);
  log(`  = ${kb(main.upFront)} up front + ${kb(main.onDemand)} on demand; not counted: the Brotli wasm binary (${kb(main.wasm)} gz)`);
  log(`  target: ≤ ${BUNDLE_TARGET_BYTES / 1024} KB min+gz → ${bundleMet ? 'met' : 'MISSED'}`);
  log('  each public subpath entry adds (every export of it, on top of the main entries):');
  for (const sub of publicSubpaths()) {
    const withSub = await browserBundleBytes(`${ALL_EXPORTS}\nexport * from '${sub}';`);
    log(`    ${sub.padEnd(22)} +${kb(withSub.gzip - main.gzip)} (up front +${kb(withSub.upFront - main.upFront)}, on demand +${kb(withSub.onDemand - main.onDemand)})`);
  }
  const page = await browserBundleBytes(SESSION_PAGE);
  log(`  a page that opens an encrypted session (examples/browser/client.ts's imports): ${kb(page.gzip)} min+gz (${kb(page.upFront)} up front + ${kb(page.onDemand)} on demand)`);
  return importMet && bundleMet;
}
