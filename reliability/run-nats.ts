/**
 * `pnpm stress:nats`: the issue's full-size NATS runs (needs nats-server): 300 encrypted (XX)
 * sessions over a 3-node cluster, 100 messages each way per session, spread by a queue group
 * over three server instances (in this process, where the servers check order too; then three
 * `m2m serve` processes); then the failover run, in which one of the three processes is killed
 * mid-run. Sizes: NATS_SESSIONS, NATS_MESSAGES. Exits 1 on any loss,
 * duplicate or reordering, an instance without sessions, no session crossing the cluster's
 * routes, a failure of a session opened before the kill on a surviving instance, or a session
 * of the killed instance that did not end with an error.
 * @module
 */
import { runNatsFailover, runNatsPool } from './lib/nats-pool.js';
import { natsServerPath } from '../packages/session/test/fixtures/nats-server.js';

if (!natsServerPath()) {
  console.error('skipped: nats-server is not installed (apt-get install nats-server)');
  process.exit(0);
}
const sessions = Number(process.env.NATS_SESSIONS ?? 300);
const messages = Number(process.env.NATS_MESSAGES ?? 100);
const pool = await runNatsPool({ sessions, messages });
console.log('| run | sessions × messages | delivered | lost | duplicated | reordered | sessions per server | on another node than their client | ms |');
console.log('|---|---|---|---|---|---|---|---|---|');
console.log(`| pool, 3 nodes, 3 in-process instances | ${sessions} × ${messages} | ${pool.delivered} | ${pool.lost} | ${pool.duplicated} | ${pool.reordered} | ${pool.perServer.join('/')} | ${pool.crossNode} | ${pool.ms.toFixed(0)} |`);
const procs = await runNatsFailover({ sessions, messages, spreadMs: 0, kill: false });
console.log(`| pool, 3 nodes, 3 \`m2m serve\` processes | ${sessions} × ${messages} | ${procs.delivered} | ${procs.lost} | ${procs.duplicated} | ${procs.reordered} | ${procs.perServer.join('/')} | ${procs.crossNode} | ${procs.ms.toFixed(0)} |`);
const fo = await runNatsFailover({ sessions, messages, spreadMs: 10_000, killAtMs: 3000 });
console.log(`| failover (1 of 3 killed) | ${sessions} × ${messages} | ${fo.delivered} | ${fo.lost} | ${fo.duplicated} | ${fo.reordered} | ${fo.perServer.join('/')} | ${fo.crossNode} | ${fo.ms.toFixed(0)} |`);
console.log(`\nfailover: ${fo.failedSessions} sessions ended (${Object.entries(fo.errorCodes).map(([k, v]) => `${k} ×${v}`).join(', ')}), the last ${fo.detectMs.toFixed(0)} ms after the kill; ${fo.survivorFailures} failures of sessions on the surviving instances, ${fo.reconnectFailures} of new sessions opened after the kill (opened again); ${fo.inFlightData} DATA in flight (unacknowledged) reported by natsInFlight, ${fo.resent} messages resent after ${fo.reconnects} reconnects`);
const clean = [pool, procs, fo].every((r) => r.lost === 0 && r.duplicated === 0 && r.reordered === 0 && r.delivered === sessions * messages);
const ok = clean && [pool, procs].every((r) => r.perServer.every((n) => n > 0) && r.crossNode > 0) && procs.failedSessions === 0 && fo.failedSessions > 0 && fo.survivorFailures === 0 && fo.reconnects === fo.failedSessions && fo.failedSessions - fo.reconnectFailures === fo.perServer[0];
console.log(ok ? '\nstress:nats passed' : '\nstress:nats FAILED');
process.exit(ok ? 0 : 1);
