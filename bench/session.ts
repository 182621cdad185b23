/**
 * Session benchmarks (issue: @m2m/session): handshakes/s and DATA messages/s per transport,
 * against a raw `ws` connection doing the same work in the same process.
 * @module
 */
import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { connect, listen, memoryTransportPair, Session } from '@m2m/session';

const N = 20_000;
const HANDSHAKES = 300;
const payload = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });

async function rawWs(): Promise<{ msgs: number; handshakes: number }> {
  const bytes = new TextEncoder().encode(payload);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  let seen = 0;
  let done: () => void = () => undefined;
  wss.on('connection', (ws) => ws.on('message', () => ++seen === N && done()));
  const ws = new WebSocket(url);
  await new Promise((r) => ws.once('open', r));
  const t0 = performance.now();
  const all = new Promise<void>((r) => (done = r));
  for (let i = 0; i < N; i++) await new Promise<void>((r) => ws.send(bytes, () => r()));
  await all;
  const msgs = N / ((performance.now() - t0) / 1000);
  ws.close();
  const t1 = performance.now();
  for (let i = 0; i < HANDSHAKES; i++) {
    const c = new WebSocket(url);
    await new Promise((r) => c.once('open', r));
    c.close();
  }
  const handshakes = HANDSHAKES / ((performance.now() - t1) / 1000);
  await new Promise((r) => wss.close(r));
  return { msgs, handshakes };
}

async function throughput(client: Session, server: Session): Promise<number> {
  const t0 = performance.now();
  const reader = (async () => {
    let n = 0;
    for await (const _ of server) if (++n === N) break;
  })();
  for (let i = 0; i < N; i++) await client.send(payload);
  await reader;
  return N / ((performance.now() - t0) / 1000);
}

async function overNetwork(transport: 'ws' | 'tcp' | 'http'): Promise<{ msgs: number; handshakes: number }> {
  let serverSession: (s: Session) => void = () => undefined;
  const server = await listen({ transport, onSession: (s) => serverSession(s) });
  const first = new Promise<Session>((r) => (serverSession = r));
  const client = await connect(server.url);
  const msgs = await throughput(client, await first);
  await client.close();
  serverSession = () => undefined;
  const t1 = performance.now();
  for (let i = 0; i < HANDSHAKES; i++) await (await connect(server.url)).close();
  const handshakes = HANDSHAKES / ((performance.now() - t1) / 1000);
  await server.close();
  return { msgs, handshakes };
}

async function overMemory(): Promise<{ msgs: number; handshakes: number }> {
  const [a, b] = memoryTransportPair();
  const sp = Session.server(b);
  const client = await Session.client(a);
  const msgs = await throughput(client, (await sp)!);
  await client.close();
  const t1 = performance.now();
  for (let i = 0; i < HANDSHAKES; i++) {
    const [x, y] = memoryTransportPair();
    const p = Session.server(y);
    const c = await Session.client(x);
    await p;
    await c.close();
  }
  return { msgs, handshakes: HANDSHAKES / ((performance.now() - t1) / 1000) };
}

/** Runs the session section (it reports; the session issue sets no speed target). */
export async function runSessionBench(log: (line: string) => void): Promise<boolean> {
  log(`one connection, ${N} DATA messages of ${payload.length} B JSON (M2M frames, binary codec); ${HANDSHAKES} sequential connect+close`);
  const raw = await rawWs();
  log(`raw ws (baseline)  ${raw.msgs.toFixed(0).padStart(7)} msg/s  ${raw.handshakes.toFixed(0).padStart(6)} connections/s`);
  for (const [name, r] of [['session ws', await overNetwork('ws')], ['session tcp', await overNetwork('tcp')], ['session http', await overNetwork('http')], ['session memory', await overMemory()]] as const) {
    log(`${name.padEnd(18)} ${r.msgs.toFixed(0).padStart(7)} msg/s ×${(r.msgs / raw.msgs).toFixed(2)}  ${r.handshakes.toFixed(0).padStart(6)} handshakes/s ×${(r.handshakes / raw.handshakes).toFixed(2)}`);
  }
  return true;
}
