/**
 * `pnpm api:check` / `pnpm api:update`: the public API of each package as an API Extractor
 * report (`packages/<pkg>/api/<pkg>.api.md`), built from `dist/*.d.ts` (run `pnpm build` first);
 * a public subpath entry has a report of its own (`api-extractor.<entry>.json`, e.g.
 * `@m2m/core/scan` → `packages/core/api/core-scan.api.md`).
 * `check` fails when a report differs from the checked-in one, so any change to the surface is
 * visible in review; `update` rewrites the reports.
 * @module
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const mode = process.argv[2];
if (mode !== 'check' && mode !== 'update') {
  console.error('usage: api-report check|update');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const packages = ['core', 'crypto', 'session', 'server'].filter((p) => existsSync(join(root, 'packages', p, 'api-extractor.json')));
let failed = 0;
const configs = packages.flatMap((p) => readdirSync(join(root, 'packages', p)).filter((f) => /^api-extractor(\.[\w-]+)?\.json$/.test(f)).map((f) => ({ p, f })));
for (const { p, f } of configs) {
  const dir = join(root, 'packages', p);
  mkdirSync(join(dir, 'api'), { recursive: true });
  const config = ExtractorConfig.loadFileAndPrepare(join(dir, f));
  const result = Extractor.invoke(config, { localBuild: mode === 'update', showVerboseMessages: false, messageCallback: (m) => { if (m.logLevel === 'info' || m.logLevel === 'verbose') m.handled = true; } });
  const changed = result.apiReportChanged;
  console.log(`${p}${f === 'api-extractor.json' ? '' : ` (${f})`}: ${result.succeeded ? (changed ? (mode === 'update' ? 'report updated' : 'report changed') : 'report unchanged') : 'FAILED'}`);
  if (!result.succeeded || (mode === 'check' && changed)) failed++;
}
if (failed && mode === 'check') console.error('\nThe public API changed: review it, then run `pnpm api:update` and commit packages/*/api/*.api.md.');
process.exitCode = failed ? 1 : 0;
