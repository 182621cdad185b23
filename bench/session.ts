/**
 * Session benchmarks (issue: @m2m/session): handshakes/s and DATA messages/s per transport,
 * against a raw `ws` connection doing the same work in the same process; then issue 18's matrix:
 * 162 B, 2 KB and 20 KB messages, plaintext and XX-encrypted, over ws against raw `ws` with the
 * same bytes. Where the time goes: docs/ARCHITECTURE.md, Performance notes.
 * @module
 */
import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, memoryTransportPair, Session, type ListenOptions, type SessionOptions } from '@m2m/session';

const N = 20_000;
const HANDSHAKES = 300;
const payload = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });

/** A chat request of about `bytes` bytes (whole turns of the same conversation). */
function requestOf(bytes: number): string {
  const turns: Array<{ role: string; content: string }> = [];
  for (let i = 0; JSON.stringify({ model: 'gpt-4o', messages: turns }).length < bytes; i++) {
    turns.push({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}: the payment service in eu-west timed out after 30 s; next step ${i}.` });
  }
  return JSON.stringify({ model: 'gpt-4o', messages: turns });
}

async function rawWs(text = payload, n = N, handshakes = HANDSHAKES): Promise<{ msgs: number; handshakes: number }> {
  const bytes = new TextEncoder().encode(text);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  let seen = 0;
  let done: () => void = () => undefined;
  wss.on('connection', (ws) => ws.on('message', () => ++seen === n && done()));
  const ws = new WebSocket(url);
  await new Promise((r) => ws.once('open', r));
  const t0 = performance.now();
  const all = new Promise<void>((r) => (done = r));
  for (let i = 0; i < n; i++) await new Promise<void>((r) => ws.send(bytes, () => r()));
  await all;
  const msgs = n / ((performance.now() - t0) / 1000);
  ws.close();
  const t1 = performance.now();
  for (let i = 0; i < handshakes; i++) {
    const c = new WebSocket(url);
    await new Promise((r) => c.once('open', r));
    c.close();
  }
  const rate = handshakes / ((performance.now() - t1) / 1000);
  await new Promise((r) => wss.close(r));
  return { msgs, handshakes: rate };
}

async function throughput(client: Session, server: Session, text = payload, n = N): Promise<number> {
  const t0 = performance.now();
  const reader = (async () => {
    let seen = 0;
    for await (const _ of server) if (++seen === n) break;
  })();
  for (let i = 0; i < n; i++) await client.send(text);
  await reader;
  return n / ((performance.now() - t0) / 1000);
}

/** DATA messages/s of one ws session, plaintext or XX-encrypted (both sides verify the other). */
async function wsSession(text: string, n: number, encrypted: boolean): Promise<number> {
  const [serverKey, clientKey] = [KeyPair.generate(), KeyPair.generate()];
  const serverSecure: Pick<ListenOptions, 'secure'> = encrypted ? { secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } } : {};
  const clientOptions: SessionOptions = encrypted ? { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } } : {};
  let serverSession: (s: Session) => void = () => undefined;
  const server = await listen({ transport: 'ws', ...serverSecure, onSession: (s) => serverSession(s) });
  const first = new Promise<Session>((r) => (serverSession = r));
  const client = await connect(server.url, clientOptions);
  const msgs = await throughput(client, await first, text, n);
  await client.close();
  await server.close();
  return msgs;
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

/**
 * Runs the session section; met when issue 18's targets hold: 162 B over ws ≥ 0.7 of raw `ws`
 * plaintext and ≥ 0.5 XX-encrypted, memory ≥ 100k msg/s, http ≥ 0.2 of raw `ws`.
 */
export async function runSessionBench(log: (line: string) => void): Promise<boolean> {
  log(`one connection, ${N} DATA messages of ${payload.length} B JSON (M2M frames, binary codec); ${HANDSHAKES} sequential connect+close`);
  const raw = await rawWs();
  log(`raw ws (baseline)  ${raw.msgs.toFixed(0).padStart(7)} msg/s  ${raw.handshakes.toFixed(0).padStart(6)} connections/s`);
  const rows = [['session ws', await overNetwork('ws')], ['session tcp', await overNetwork('tcp')], ['session http', await overNetwork('http')], ['session memory', await overMemory()]] as const;
  for (const [name, r] of rows) {
    log(`${name.padEnd(18)} ${r.msgs.toFixed(0).padStart(7)} msg/s ×${(r.msgs / raw.msgs).toFixed(2)}  ${r.handshakes.toFixed(0).padStart(6)} handshakes/s ×${(r.handshakes / raw.handshakes).toFixed(2)}`);
  }
  const http = rows[2][1].msgs / raw.msgs;
  const memory = rows[3][1].msgs;
  log(`\nws, by size, against raw ws sending the same bytes (sessions' default compression 'auto': plain below 512 B)`);
  let ws162 = { plain: 0, xx: 0 };
  for (const [bytes, n] of [[payload.length, N], [2_000, 5_000], [20_000, 1_000]] as const) {
    const text = bytes === payload.length ? payload : requestOf(bytes);
    const base = (await rawWs(text, n, 0)).msgs;
    const plain = (await wsSession(text, n, false)) / base;
    const xx = (await wsSession(text, n, true)) / base;
    if (bytes === payload.length) ws162 = { plain, xx };
    log(`${String(text.length).padStart(6)} B  raw ws ${base.toFixed(0).padStart(7)} msg/s  session plaintext ×${plain.toFixed(2)}  XX-encrypted ×${xx.toFixed(2)}`);
  }
  const targets: Array<[string, boolean]> = [
    [`162 B ws plaintext ×${ws162.plain.toFixed(2)} ≥ 0.7`, ws162.plain >= 0.7],
    [`162 B ws XX ×${ws162.xx.toFixed(2)} ≥ 0.5`, ws162.xx >= 0.5],
    [`memory ${memory.toFixed(0)} msg/s ≥ 100000`, memory >= 100_000],
    [`http ×${http.toFixed(2)} ≥ 0.2`, http >= 0.2],
  ];
  log(`issue 18 targets: ${targets.map(([t, ok]) => `${t} ${ok ? 'met' : 'NOT met'}`).join('; ')}`);
  return targets.every(([, ok]) => ok);
}
