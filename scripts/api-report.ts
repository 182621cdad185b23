/**
 * `pnpm api:check` / `pnpm api:update`: the public API of each package as an API Extractor
 * report (`packages/<pkg>/api/<pkg>.api.md`), built from `dist/*.d.ts` (run `pnpm build` first).
 * `check` fails when a report differs from the checked-in one, so any change to the surface is
 * visible in review; `update` rewrites the reports.
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
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
for (const p of packages) {
  const dir = join(root, 'packages', p);
  mkdirSync(join(dir, 'api'), { recursive: true });
  const config = ExtractorConfig.loadFileAndPrepare(join(dir, 'api-extractor.json'));
  const result = Extractor.invoke(config, { localBuild: mode === 'update', showVerboseMessages: false, messageCallback: (m) => { if (m.logLevel === 'info' || m.logLevel === 'verbose') m.handled = true; } });
  const changed = result.apiReportChanged;
  console.log(`${p}: ${result.succeeded ? (changed ? (mode === 'update' ? 'report updated' : 'report changed') : 'report unchanged') : 'FAILED'}`);
  if (!result.succeeded || (mode === 'check' && changed)) failed++;
}
if (failed && mode === 'check') console.error('\nThe public API changed: review it, then run `pnpm api:update` and commit packages/*/api/*.api.md.');
process.exitCode = failed ? 1 : 0;
