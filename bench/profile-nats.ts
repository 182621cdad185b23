/**
 * The plaintext (or, with XX=1, encrypted) session case of bench/nats.ts alone, for a CPU
 * profile of the NATS transport path (issue 19):
 *
 * ```sh
 * N=20000 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx \
 *   --conditions=@m2m/source --conditions=@m2m/platform-source bench/profile-nats.ts
 * ```
 *
 * Needs nats-server. Findings: docs/ARCHITECTURE.md, Performance notes, "NATS (issue 19)".
 * @module
 */
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, type SecureOptions, type Session } from '@m2m/session';
import { sessionMessagesPerSecond } from './measure.js';
import { startNatsServer } from '../packages/session/test/fixtures/nats-server.js';

const N = Number(process.env.N ?? 20_000);
// The same request as bench/nats.ts.
const payload = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });
const serverKey = KeyPair.generate();
const clientKey = KeyPair.generate();
const secure = (mine: KeyPair, theirs: KeyPair): SecureOptions | undefined => (process.env.XX ? { pattern: 'XX', staticKey: mine, verifyPeer: allowKeys([theirs.publicKey]) } : undefined);

const node = await startNatsServer();
let serverSession: (s: Session) => void = () => undefined;
const first = new Promise<Session>((r) => (serverSession = r));
const server = await listen({ transport: 'nats', servers: node.address, subject: 'profile.nats', secure: secure(serverKey, clientKey), onSession: (s) => serverSession(s) });
const client = await connect(server.url, { secure: secure(clientKey, serverKey) });
const peer = await first;
const rate = await sessionMessagesPerSecond(client, peer, payload, N);
console.log(`${N} DATA messages of ${payload.length} B over NATS${process.env.XX ? ' (XX)' : ''}: ${rate.toFixed(0)} msg/s`);
await client.close();
await server.close();
await node.stop();
