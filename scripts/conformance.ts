/**
 * `pnpm conformance [--backend NAME|all] [DIR|FILE...]`: runs every vector file (JSON) under the
 * arguments, one line per file and a closing `N passed, N failed` line. Without arguments:
 * `test-vectors/` and `../shared/vectors/` when present. `--backend` picks the crypto backend
 * (`node`, `noble`, `sodium`), or runs everything once per backend with `all`. Exit status 1
 * on any failure, 2 on bad usage.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { availableBackends, setBackend } from '@m2m/crypto';
import { runFile } from '../test-vectors/lib/run.js';
import '../test-vectors/lib/session.js';
import '../test-vectors/lib/secure.js';
import '../test-vectors/lib/frame-policy.js';

function collect(p: string, out: string[]): void {
  const st = statSync(p);
  if (st.isDirectory()) {
    for (const name of readdirSync(p).sort()) if (name !== 'node_modules' && name !== 'lib') collect(join(p, name), out);
  } else if (p.endsWith('.json')) out.push(p);
}

const root = resolve(import.meta.dirname, '..');
let args = process.argv.slice(2).filter((a) => a !== '--');
const verbose = args.includes('--verbose');
args = args.filter((a) => a !== '--verbose');
let backends: Array<string | undefined> = [undefined];
const b = args.indexOf('--backend');
if (b >= 0) {
  const name = args[b + 1];
  const known = availableBackends();
  if (!name || (name !== 'all' && !known.includes(name))) {
    console.error(`--backend takes one of: ${[...known, 'all'].join(', ')}`);
    process.exit(2);
  }
  backends = name === 'all' ? known : [name];
  args.splice(b, 2);
}
if (args.length === 0) {
  args = [join(root, 'test-vectors')];
  const shared = resolve(root, '../shared/vectors');
  if (existsSync(shared)) args.push(shared);
  else console.log('note: ../shared/vectors not found; running test-vectors/ only');
}
const files: string[] = [];
for (const a of args) {
  if (!existsSync(a)) {
    console.error(`no such file or directory: ${a}`);
    process.exit(2);
  }
  collect(a, files);
}
let passed = 0;
let failed = 0;
for (const backend of backends) {
  setBackend(backend);
  const tag = backend ? ` (backend ${backend})` : '';
  for (const f of files) {
    const r = runFile(f);
    passed += r.passed;
    failed += r.failed;
    console.log(`${r.failed === 0 ? 'ok  ' : 'FAIL'} ${relative(process.cwd(), f)} [${r.format}]${tag} ${r.passed} passed, ${r.failed} failed`);
    for (const msg of r.failures.slice(0, verbose ? 50 : 5)) console.log(`       ${msg}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
