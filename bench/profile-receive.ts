/**
 * The receiving end of a memory session alone (issues 18/19, receive-side cost): DATA messages a
 * client session sent are recorded, not delivered, and then handed to the server session's
 * transport in order, so the CPU measured is the transport's delivery, the session's read loop
 * (binary codec, `SessionCore.receive`, frame decode) and the inbox's iterator, without the
 * sending side's encode. `SECURE=1` records XX-encrypted frames (each reaches the receiver once,
 * in order, so the replay window accepts them all).
 *
 * ```sh
 * N=200000 ROUND=20000 node --import tsx --conditions=@m2m/source --conditions=@m2m/platform-source bench/profile-receive.ts
 * ```
 *
 * Prints CPU µs per message for each round after the first (warm-up). Add `--cpu-prof` for a
 * profile. Findings: docs/ARCHITECTURE.md, Performance notes.
 * @module
 */
import { KeyPair } from '@m2m/crypto';
import { allowKeys, Session, type SessionOptions } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';

const N = Number(process.env.N ?? 200_000);
const ROUND = Number(process.env.ROUND ?? 20_000);
const SECURE = process.env.SECURE === '1';
// The same request as bench/session.ts.
const payload = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });

const [serverKey, clientKey] = [KeyPair.generate(), KeyPair.generate()];
const serverOptions: SessionOptions = SECURE ? { secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } } : {};
const clientOptions: SessionOptions = SECURE ? { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } } : {};

const [a, b] = memoryTransportPair();
const serverSession = Session.server(b, serverOptions);
const client = await Session.client(a, clientOptions);
const server = (await serverSession)!;
const inbox = server[Symbol.asyncIterator]();

// Record what the client sends (copies: its frames are views of a reused slab).
const deliver = a.send.bind(a);
const recorded: Uint8Array[] = [];
a.send = (data: Uint8Array) => {
  recorded.push(Uint8Array.from(data));
  return Promise.resolve();
};
for (let i = 0; i < N; i++) await client.send(payload);

let next = 0;
const rounds: number[] = [];
while (next + ROUND <= recorded.length) {
  const cpu0 = process.cpuUsage();
  const reader = (async () => {
    for (let i = 0; i < ROUND; i++) await inbox.next();
  })();
  for (let i = 0; i < ROUND; i++) await deliver(recorded[next++]);
  await reader;
  const cpu = process.cpuUsage(cpu0);
  rounds.push((cpu.user + cpu.system) / ROUND);
}
const settled = rounds.slice(1).sort((x, y) => x - y);
console.log(
  `receiving ${next} DATA messages of ${payload.length} B over memory${SECURE ? ' (XX)' : ''}: CPU µs per message, rounds of ${ROUND} after the first: ` +
    `min ${settled[0]?.toFixed(2)}, median ${settled[settled.length >> 1]?.toFixed(2)}`,
);
a.send = deliver; // the CLOSE handshake must reach the server
await client.close();
