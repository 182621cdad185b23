/**
 * `pnpm stress`: the long reliability run. The 1,000,000-input fuzz, the bombs, the adversary
 * table (reliability/attacks/), every bit flip, 1,000 concurrent encrypted sessions with
 * 1,000,000 DATA messages, and the fault scenarios;
 * the tables go into docs/RELIABILITY.md (between the RESULTS markers).
 * @module
 */
import { loopbackExchange } from './lib/loopback.js';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { longFuzz, structuredFuzz } from './run-fuzz.js';
import { allAttacks } from './attacks/index.js';
import { adversaryTable, budgetText, overBudget, runAttacks } from './lib/adversary.js';
import { runFaults, runLoad } from './lib/load.js';

const log = (s: string) => process.stderr.write(s);
const sections: string[] = [];
const started = new Date();
let ok = true;

log('== fuzz\n');
const fuzz = longFuzz(Number(process.env.FUZZ_INPUTS ?? 1_000_000), 20261122, log);
ok &&= fuzz.ok;
sections.push('### Fuzzing', '', fuzz.table, '');
const structured = structuredFuzz(Math.ceil(Number(process.env.FUZZ_INPUTS ?? 1_000_000) / 10), 20261122, log);
ok &&= structured.ok;
sections.push('### Structure-aware fuzzing', '', structured.table, '');

log('== bombs\n');
const bombRows: string[] = [];
for (const kase of ['brotli-10x', 'brotli-1000x', 'brotli-text-1000x']) {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=@m2m/source', '--conditions=@m2m/platform-source', resolve(import.meta.dirname, 'lib/bomb-probe.ts'), kase], { encoding: 'utf8' });
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { outcome: string; ratio: number; expandedMb: number; limitMb: number; ms: number; rssBeforeMb: number; peakAfterMb: number };
  ok &&= j.outcome === 'LIMIT_EXCEEDED';
  bombRows.push(`| ${kase} | ${j.ratio.toLocaleString('en')}× | ${j.expandedMb} MiB | ${j.limitMb} MiB | ${j.outcome} | ${j.ms} | ${j.peakAfterMb - j.rssBeforeMb} |`);
}
sections.push('### Decompression bombs (each in a fresh process)', '', '| bomb | ratio | expands to | limit | outcome | ms | peak memory above start, MiB |', '|---|---|---|---|---|---|---|', ...bombRows, '');

log('== adversary\n');
const attacks = await runAttacks(allAttacks, (r) => log(`  ${r.name}: ${r.outcome}\n`));
ok &&= attacks.every((r) => overBudget(r).length === 0);
sections.push(
  '### Adversary (one process, one attack at a time)',
  '',
  adversaryTable(attacks),
  '',
  `Peak memory is the larger of the heap (JS plus ArrayBuffers) above the start and the rise of the process's peak RSS, input included; event-loop block is the longest stretch the loop could not run. The budget (docs/ARCHITECTURE.md "Resource budget"): ${budgetText()}.`,
  '',
);

log('== load\n');
const load = await runLoad({ sessions: Number(process.env.LOAD_SESSIONS ?? 1000), messages: Number(process.env.LOAD_MESSAGES ?? 1000), onProgress: (d, t) => log(`\r  ${d}/${t}`) });
log('\n');
const single = await runLoad({ sessions: 1, messages: 10_000 });
ok &&= load.lost === 0 && load.duplicated === 0 && load.reordered === 0 && single.lost === 0;
sections.push(
  '### Load (encrypted sessions, Noise XX, TCP loopback, one process)',
  '',
  '| sessions | messages | delivered | lost | duplicated | reordered | handshakes | send phase | throughput | p50 round trip | p99 round trip | peak RSS |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...[load, single].map((r) => `| ${r.sessions} | ${(r.sessions * r.messagesPerSession).toLocaleString('en')} | ${r.delivered.toLocaleString('en')} | ${r.lost} | ${r.duplicated} | ${r.reordered} | ${r.handshakeSeconds.toFixed(1)} s | ${r.seconds.toFixed(1)} s | ${Math.round(r.messagesPerSecond).toLocaleString('en')} msg/s | ${r.p50Ms.toFixed(1)} ms | ${r.p99Ms.toFixed(1)} ms | ${r.peakRssMb.toFixed(0)} MiB |`),
  '',
  'Each session keeps at most 50 messages unacknowledged and the server acknowledges every tenth; latency is the round trip from `send()` to that acknowledgement, with all sessions sending at once.',
  '',
);

log('== loopback, plaintext sessions (ws and tcp)\n');
const loopbackRows: string[] = [];
for (const transport of ['ws', 'tcp'] as const) {
  const sessions = 200;
  const messages = 1000;
  const t0 = performance.now();
  const r = await loopbackExchange(transport, sessions, messages);
  const intact = r.serverErrors.length === 0 && r.results.every((n) => n === messages) && [...r.serverSeen.values()].every((n) => n === messages);
  ok &&= intact;
  loopbackRows.push(`| ${transport} | ${sessions} | ${(sessions * messages).toLocaleString('en')} each way | ${intact ? 'none' : `NOT INTACT: ${r.serverErrors.slice(0, 3).join('; ')}`} | ${((performance.now() - t0) / 1000).toFixed(1)} s |`);
}
sections.push('### Loopback (plaintext, binary codec, echo)', '', '| transport | sessions | messages | lost, duplicated or reordered | time |', '|---|---|---|---|---|', ...loopbackRows, '');

log('== faults\n');
const faults = await runFaults();
for (const f of faults) ok &&= f.freed;
sections.push('### Faults', '', '| scenario | how affected sessions ended | fresh client round trip (before the fault) | longest loop stall | server freed all | detail |', '|---|---|---|---|---|---|', ...faults.map((f) => `| ${f.scenario} | ${f.outcomes.join(', ')} | ${f.responsiveMs ? `${f.responsiveMs.toFixed(0)} ms (${f.baselineMs.toFixed(0)} ms)` : '–'} | ${f.responsiveMs ? `${f.loopBlockMs.toFixed(0)} ms` : '–'} | ${f.freed ? 'yes' : 'NO'} | ${f.detail.replace(/\|/g, '/')} |`), '');

const header = `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${ok ? 'every check passed' : 'SOME CHECKS FAILED'}.`;
const doc = resolve(import.meta.dirname, '../docs/RELIABILITY.md');
const text = readFileSync(doc, 'utf8');
const begin = '<!-- RESULTS:BEGIN -->';
const end = '<!-- RESULTS:END -->';
const updated = `${text.slice(0, text.indexOf(begin) + begin.length)}\n${header}\n\n${sections.join('\n')}\n${text.slice(text.indexOf(end))}`;
writeFileSync(doc, updated);
console.log(`${header}\n\n${sections.join('\n')}`);
process.exitCode = ok ? 0 : 1;
