/**
 * The 162 B plaintext ws case of bench/session.ts alone, for a CPU profile (issue 18: measure
 * where the time goes before changing it):
 *
 * ```sh
 * N=20000 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx \
 *   --conditions=@m2m/source --conditions=@m2m/platform-source bench/profile-session.ts
 * ```
 *
 * Open the `.cpuprofile` in Chrome DevTools (Performance tab) or VS Code. Findings:
 * docs/ARCHITECTURE.md, Performance notes.
 * @module
 */
import { connect, listen, type Session } from '@m2m/session';
import { sessionMessagesPerSecond } from './measure.js';

const N = Number(process.env.N ?? 20_000);
// The same request as bench/session.ts.
const payload = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });

let serverSession: (s: Session) => void = () => undefined;
const server = await listen({ transport: 'ws', onSession: (s) => serverSession(s) });
const first = new Promise<Session>((r) => (serverSession = r));
const client = await connect(server.url);
const peer = await first;
const rate = await sessionMessagesPerSecond(client, peer, payload, N);
console.log(`${N} DATA messages of ${payload.length} B over ws: ${rate.toFixed(0)} msg/s`);
await client.close();
await server.close();
