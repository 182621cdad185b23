/**
 * `pnpm bench startup`: what a new user pays before the first call.
 * - Cold import: wall time of `node -e "await import('@m2m/…')"` minus bare `node -e 0`, both
 *   spawned in interleaved rounds (medians), from the built `dist/` that npm users get. The
 *   same difference in CPU time (user + system, read by each child at its end) is printed
 *   beside it: on a shared, loaded machine wall time also counts waiting for a core.
 * - Browser bundle: core + crypto + session bundled by esbuild for the browser (minified,
 *   code-split), gzip size of what a page loads up front: the entry and its static imports,
 *   without the Brotli wasm and without chunks loaded on demand (tokenizer ranks, the scanner).
 *   The target is on every export of the three main entries; the size of a page that opens an
 *   encrypted session (the imports of examples/browser/client.ts) is printed beside it.
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
const ROUNDS = 15;

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
  const of = (k: string, f: 'wall' | 'cpu') => median(samples[k].map((x) => x[f]));
  return Object.fromEntries(packages.map((p) => [p, { wall: of(p, 'wall') - of('bare', 'wall'), cpu: of(p, 'cpu') - of('bare', 'cpu') }]));
}

/** Every export of the three main entries. */
const ALL_EXPORTS = "export * from '@m2m/core';\nexport * from '@m2m/crypto';\nexport * from '@m2m/session';\n";
/** What examples/browser/client.ts imports: an encrypted session over WebSocket, and Brotli. */
const SESSION_PAGE = "export { compress, decompress } from '@m2m/core';\nexport { KeyPair } from '@m2m/crypto';\nexport { allowKeys, connect } from '@m2m/session';\n";

/** Gzip bytes a page loads up front for an entry importing from core, crypto and session. */
export async function browserBundleBytes(entryText = ALL_EXPORTS): Promise<{ gzip: number; minified: number; wasmOrLazy: string[] }> {
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
      nodePaths: [join(consumerDir, 'node_modules')],
    });
    const outputs = result.metafile.outputs;
    const up = new Set<string>();
    const visit = (file: string) => {
      if (up.has(file)) return;
      up.add(file);
      for (const i of outputs[file].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
    };
    const entryOut = Object.keys(outputs).find((f) => outputs[f].entryPoint !== undefined && outputs[f].entryPoint!.endsWith('entry.js'));
    if (!entryOut) throw new Error('esbuild produced no entry chunk');
    visit(entryOut);
    // The Brotli wasm, inlined or not, is not counted (the target is "without wasm").
    const isWasm = (f: string) => Object.keys(outputs[f].inputs).some((i) => i.includes('brotli-wasm-inline') || i.endsWith('.wasm'));
    let gzip = 0;
    let minified = 0;
    for (const f of up) {
      if (isWasm(f)) continue;
      const bytes = readFileSync(resolve(process.cwd(), f));
      minified += bytes.length;
      gzip += gzipSync(bytes, { level: 9 }).length;
    }
    const wasmOrLazy = Object.keys(outputs).filter((f) => !up.has(f) || isWasm(f));
    return { gzip, minified, wasmOrLazy };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the section; true when both targets are met. */
export async function runStartupBench(log: (line: string) => void): Promise<boolean> {
  const dist = ['core', 'crypto', 'session'].map((p) => join(root, 'packages', p, 'dist', 'index.js'));
  if (dist.some((f) => !existsSync(f))) {
    log('startup: packages are not built (run `pnpm build` first); nothing measured');
    return false;
  }
  const imports = coldImportMs(['@m2m/core', '@m2m/crypto', '@m2m/session']);
  for (const [p, ms] of Object.entries(imports)) log(`cold import ${p.padEnd(14)} +${ms.wall.toFixed(1)} ms over bare node (CPU +${ms.cpu.toFixed(1)} ms)`);
  const importMet = imports['@m2m/session'].wall <= IMPORT_TARGET_MS;
  log(`  target: @m2m/session ≤ ${IMPORT_TARGET_MS} ms over bare node → ${importMet ? 'met' : 'MISSED'}`);
  const bundle = await browserBundleBytes();
  const bundleMet = bundle.gzip <= BUNDLE_TARGET_BYTES;
  log(`browser bundle core+crypto+session: ${(bundle.minified / 1024).toFixed(1)} KB min, ${(bundle.gzip / 1024).toFixed(1)} KB min+gz loaded up front (${bundle.wasmOrLazy.length} wasm or on-demand chunks not counted)`);
  log(`  target: ≤ ${BUNDLE_TARGET_BYTES / 1024} KB min+gz → ${bundleMet ? 'met' : 'MISSED'}`);
  const page = await browserBundleBytes(SESSION_PAGE);
  log(`  a page that opens an encrypted session (examples/browser/client.ts's imports): ${(page.minified / 1024).toFixed(1)} KB min, ${(page.gzip / 1024).toFixed(1)} KB min+gz`);
  return importMet && bundleMet;
}
