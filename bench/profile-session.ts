/**
 * One case of bench/session.ts alone, for a CPU profile (issue 18: measure where the time goes
 * before changing it). Default: 162 B plaintext over ws; `TRANSPORT=memory` runs both ends over
 * an in-memory pair, `TRANSPORT=tcp` over TCP, `SECURE=1` makes the session XX-encrypted.
 *
 * ```sh
 * N=20000 TRANSPORT=memory SECURE=1 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx \
 *   --conditions=@m2m/source --conditions=@m2m/platform-source bench/profile-session.ts
 * ```
 *
 * Open the `.cpuprofile` in Chrome DevTools (Performance tab) or VS Code. Findings:
 * docs/ARCHITECTURE.md, Performance notes.
 * @module
 */
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, Session, type SessionOptions } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';
import { sessionMessagesPerSecond } from './measure.js';

const N = Number(process.env.N ?? 20_000);
const TRANSPORT = process.env.TRANSPORT === 'memory' ? 'memory' : process.env.TRANSPORT === 'tcp' ? 'tcp' : 'ws';
const SECURE = process.env.SECURE === '1';
// The same request as bench/session.ts.
const payload = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });

const [serverKey, clientKey] = [KeyPair.generate(), KeyPair.generate()];
const serverOptions: SessionOptions = SECURE ? { secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } } : {};
const clientOptions: SessionOptions = SECURE ? { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } } : {};

// CPU time per message alongside the rate: on a shared machine the rate swings with the load,
// the CPU this process spent per message much less.
const cpu0 = process.cpuUsage();
let rate: number;
if (TRANSPORT === 'memory') {
  const [a, b] = memoryTransportPair();
  const sp = Session.server(b, serverOptions);
  const client = await Session.client(a, clientOptions);
  rate = await sessionMessagesPerSecond(client, (await sp)!, payload, N);
  await client.close();
} else {
  let serverSession: (s: Session) => void = () => undefined;
  const server = await listen({ transport: TRANSPORT, ...serverOptions, onSession: (s) => serverSession(s) });
  const first = new Promise<Session>((r) => (serverSession = r));
  const client = await connect(server.url, clientOptions);
  rate = await sessionMessagesPerSecond(client, await first, payload, N);
  await client.close();
  await server.close();
}
const cpu = process.cpuUsage(cpu0);
console.log(`${N} DATA messages of ${payload.length} B over ${TRANSPORT}${SECURE ? ' (XX)' : ''}: ${rate.toFixed(0)} msg/s, ${((cpu.user + cpu.system) / N).toFixed(1)} µs CPU per message (both ends, handshake included)`);
