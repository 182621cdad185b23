/**
 * `pnpm fuzz [inputs] [seed]`: the long fuzz run (default 1,000,000 inputs over every decoder,
 * seeded from every vector file, then 100,000 structure-aware inputs with lying lengths,
 * reliability/lib/structured.ts). Prints the tables; exits non-zero if any input escaped as
 * anything but an SDK error, took over 1 s, memory grew past 256 MiB, or a structured input broke
 * the resource budget (docs/ARCHITECTURE.md "Resource budget").
 * @module
 */
import { decompress } from '@m2m/core';
import { DECODER_BUDGET } from './lib/adversary.js';
import { runFuzz, runStructured, type FuzzReport, type StructuredStats } from './lib/fuzz-runner.js';
import { loadSeeds } from './lib/seeds.js';
import { structuredGenerators } from './lib/structured.js';
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

/** Runs the structure-aware fuzz and returns its stats and markdown table. */
export function structuredFuzz(inputs: number, seed: number, log: (s: string) => void = (s) => process.stderr.write(s)): { stats: StructuredStats[]; table: string; ok: boolean } {
  const generators = structuredGenerators();
  const targets = fuzzTargets().filter((t) => generators[t.name]);
  const per = Math.ceil(inputs / targets.length);
  // Load both rank tables first: a tokenizer's one-time load is not the cost of an input.
  for (const id of ['C', 'O']) decompress(`#TK|${id}|AA==`);
  log(`structure-aware fuzzing: ${targets.length} decoders × ${per} inputs, seed ${seed}\n`);
  const { targets: stats, seconds } = runStructured(targets, generators, per, DECODER_BUDGET, seed);
  const kib = (n: number) => (n >= 1024 ? `${(n / 1024).toFixed(0)} KiB` : `${n} B`);
  const rows = stats.map((t) => `| ${t.name} | ${t.inputs.toLocaleString('en')} | ${kib(t.largestInput)} | ${t.sdkErrors.toLocaleString('en')} | ${t.failures.length} | ${t.maxMs.toFixed(1)} | ${t.maxMsPerKiB.toFixed(2)} | ${t.maxHeapMb.toFixed(1)} | ${t.overBudget.length} | ${Object.entries(t.byCode).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c, n]) => `${c} ${n}`).join(', ')} |`);
  const table = [
    `${stats.reduce((n, t) => n + t.inputs, 0).toLocaleString('en')} structure-aware inputs (nested MessagePack and JSON, lying lengths in every length field, text forms) in ${seconds.toFixed(0)} s, seed ${seed}; budget per input: ${DECODER_BUDGET.memoryPerInputByte} bytes per input byte + ${DECODER_BUDGET.memoryConstant / 2 ** 20} MiB held, ${DECODER_BUDGET.msPerKiB} ms per KiB + ${DECODER_BUDGET.msConstant} ms.`,
    '',
    '| decoder | inputs | largest | SDK errors | other throws | slowest ms | most ms/KiB | most MiB held | over budget | most frequent codes |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  const ok = stats.every((t) => t.failures.length === 0 && t.overBudget.length === 0);
  return { stats, table, ok };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const inputs = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
  const { table, ok, report } = longFuzz(inputs, seed);
  console.log(table);
  for (const t of report.targets) for (const f of t.failures) console.log(`FAIL ${t.name}: ${f.error} input ${f.input}`);
  const structured = structuredFuzz(Math.ceil(inputs / 10), seed);
  console.log(`\n${structured.table}`);
  for (const t of structured.stats) {
    for (const f of t.failures) console.log(`FAIL ${t.name}: ${f.error} input ${f.input}`);
    for (const o of t.overBudget) console.log(`OVER BUDGET ${t.name}: ${o.bytes} bytes, ${o.ms.toFixed(1)} ms, ${o.heapMb.toFixed(1)} MiB held; input ${o.input}`);
  }
  process.exitCode = ok && structured.ok ? 0 : 1;
}
