/**
 * `pnpm fuzz [inputs] [seed]`: the long fuzz run (default 1,000,000 inputs over every decoder,
 * seeded from every vector file). Prints a table; exits non-zero if any input escaped as
 * anything but an SDK error, took over 1 s, or memory grew past 256 MiB.
 * @module
 */
import { runFuzz, type FuzzReport } from './lib/fuzz-runner.js';
import { loadSeeds } from './lib/seeds.js';
import { fuzzTargets } from './lib/targets.js';

/** Runs the long fuzz and returns its report and markdown table. */
export function longFuzz(inputs: number, seed: number, log: (s: string) => void = (s) => process.stderr.write(s)): { report: FuzzReport; table: string; ok: boolean } {
  const { seeds, files } = loadSeeds();
  const targets = fuzzTargets();
  const per = Math.ceil(inputs / targets.length);
  log(`fuzzing ${targets.length} decoders × ${per} inputs from ${seeds.length} seeds (${files.length} vector files), seed ${seed}\n`);
  const report = runFuzz(targets, seeds, per, seed, (done, total) => log(`\r  ${done}/${total}`));
  log('\n');
  const rows = report.targets.map((t) => `| ${t.name} | ${t.inputs.toLocaleString('en')} | ${t.values.toLocaleString('en')} | ${t.sdkErrors.toLocaleString('en')} | ${t.failures.length} | ${t.maxMs.toFixed(1)} | ${Object.entries(t.byCode).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c, n]) => `${c} ${n}`).join(', ')} |`);
  const table = [
    `${report.totalInputs.toLocaleString('en')} inputs in ${report.seconds.toFixed(0)} s (${Math.round(report.totalInputs / report.seconds).toLocaleString('en')}/s), seed ${seed}, ${seeds.length} seeds from ${files.length} vector files; heap growth ${report.heapGrowthMb.toFixed(1)} MiB; slowest input ${report.slowest.ms.toFixed(1)} ms (${report.slowest.target}).`,
    '',
    '| decoder | inputs | values | SDK errors | other throws | slowest ms | most frequent codes |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  const ok = report.targets.every((t) => t.failures.length === 0) && report.slowest.ms < 1000 && report.heapGrowthMb < 256;
  return { report, table, ok };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const inputs = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
  const { table, ok, report } = longFuzz(inputs, seed);
  console.log(table);
  for (const t of report.targets) for (const f of t.failures) console.log(`FAIL ${t.name}: ${f.error} input ${f.input}`);
  process.exitCode = ok ? 0 : 1;
}
