/**
 * Session benchmarks (issue 18): DATA messages/s of one session over each transport (ws, tcp,
 * http, memory), plaintext and XX-encrypted, with 162 B, 2 KB and 20 KB JSON requests, each
 * against a raw `ws` connection sending the same bytes in the same process; then handshakes/s
 * per transport against raw `ws` connections/s. The `ws 1:1` row is a WebSocket client that does
 * not offer `m2m.batch.v1` (one session message per WebSocket message), beside `ws` (batched).
 * Every cell is timed in rounds that alternate the raw baseline and the session on connections
 * kept open, and the median of the per-round ratios is reported, so a busy moment of a shared
 * machine lands on both sides of a ratio. Before its rounds, each pipe (the raw baseline once per
 * size, then each session) warms up until its CPU cost per message settles ({@link WARMUP}).
 * Where the time goes: docs/ARCHITECTURE.md, Performance notes.
 * @module
 */
import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, Session, WebSocketTransport, type ListenOptions, type SessionOptions, type WebSocketLike } from '@m2m/session';
import { webSocketWriteBatch } from '@m2m/session/internal';
import { memoryTransportPair } from '@m2m/session/testing';
import { httpTransport } from '@m2m/session/http';
import { ArrivalCounter, median, sessionMessagesPerSecond, timedPipeRun, warmUntilSettled, type Pipe, type SettleRule, type Settled } from './measure.js';

const HANDSHAKES = Number(process.env.BENCH_SESSION_HANDSHAKES ?? 200);
const ROUNDS = Number(process.env.BENCH_SESSION_ROUNDS ?? 3);
/** Messages per round by size (about the same time per round). */
const PER_ROUND: Record<string, number> = { small: Number(process.env.BENCH_SESSION_N ?? 5_000), medium: 2_000, large: 400 };
const payload = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });

type Kind = 'ws' | 'tcp' | 'http' | 'memory';
const KINDS: readonly Kind[] = ['ws', 'tcp', 'http', 'memory'];
/**
 * The message cells: besides each transport, `ws 1:1`, a client that does not offer the
 * `m2m.batch.v1` subprotocol (one session message per WebSocket message, as before batching and
 * with peers that do not negotiate it; transport/ws-batch.ts), to show what batching changes.
 */
type DataKind = Kind | 'ws 1:1';
const DATA_KINDS: readonly DataKind[] = ['ws', 'ws 1:1', 'tcp', 'http', 'memory'];

/** A chat request of about `bytes` bytes (whole turns of the same conversation). */
function requestOf(bytes: number): string {
  const turns: Array<{ role: string; content: string }> = [];
  for (let i = 0; JSON.stringify({ model: 'gpt-4o', messages: turns }).length < bytes; i++) {
    turns.push({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}: the payment service in eu-west timed out after 30 s; next step ${i}.` });
  }
  return JSON.stringify({ model: 'gpt-4o', messages: turns });
}

/**
 * Warm-up of every pipe: batches of a fifth of a round until a window of three batches is less
 * than 3% cheaper per message (CPU) than the window before, 0.15-2 s of CPU. A fresh process's
 * first ~5,000 XX messages cost 94-137 µs each against 10-20 µs once settled (docs/ARCHITECTURE.md,
 * Performance notes); the earlier quarter-round warm-up (1,250 messages) left the first XX cell
 * (ws) and the raw baseline's first rounds mid-convergence. Override the cap with
 * BENCH_SESSION_WARMUP_MAX_MS.
 */
const WARMUP: SettleRule = { window: 3, gain: 0.03, minMs: 150, maxMs: Number(process.env.BENCH_SESSION_WARMUP_MAX_MS ?? 2_000) };
const WARMUP_BATCH_PARTS = 5;

/** Warms `pipe` in batches of `n` / {@link WARMUP_BATCH_PARTS} messages by the rule {@link WARMUP}. */
const warm = (pipe: Pipe, n: number): Promise<Settled> => warmUntilSettled(async () => (await pipe.run(Math.ceil(n / WARMUP_BATCH_PARTS))).cpuUs, WARMUP);

/** A warm-up as `first → last µs (batches, CPU s)`, `capped` when it hit the cap before settling. */
const warmLabel = (w: Settled): string =>
  `${w.first.toFixed(1)} → ${w.last.toFixed(1)} µs (${w.batches}, ${(w.ms / 1000).toFixed(1)} s${w.settled ? '' : ', capped'})`;

/** The baseline: raw `ws`, each send awaited until the socket took it, as a session's send is. */
async function rawWsPipe(text: string): Promise<Pipe> {
  const bytes = new TextEncoder().encode(text);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const arrivals = new ArrivalCounter();
  wss.on('connection', (ws) => ws.on('message', () => arrivals.arrived()));
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise((r) => ws.once('open', r));
  return {
    run(n) {
      const all = arrivals.expect(n);
      return timedPipeRun(n, async () => {
        for (let i = 0; i < n; i++) await new Promise<void>((r) => ws.send(bytes, () => r()));
        await all;
      });
    },
    async close() {
      ws.close();
      await new Promise((r) => wss.close(r));
    },
  };
}

/** One session over `kind`, plaintext or XX-encrypted (both sides verify the other). */
async function sessionPipe(kind: DataKind, text: string, encrypted: boolean): Promise<Pipe> {
  const [serverKey, clientKey] = [KeyPair.generate(), KeyPair.generate()];
  const serverSecure: Pick<ListenOptions, 'secure'> = encrypted ? { secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } } : {};
  const clientOptions: SessionOptions = encrypted ? { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } } : {};
  let client: Session;
  let peer: Session;
  let stop: () => Promise<void> = async () => undefined;
  if (kind === 'memory') {
    const [a, b] = memoryTransportPair();
    const server = Session.server(b, serverSecure);
    client = await Session.client(a, clientOptions);
    peer = (await server)!;
  } else if (kind === 'ws 1:1') {
    let arrived: (s: Session) => void = () => undefined;
    const server = await listen({ transport: 'ws', ...serverSecure, onSession: (s) => arrived(s) });
    const first = new Promise<Session>((r) => (arrived = r));
    // The Node dialer's WebSocket, without the subprotocol offer.
    const ws = new WebSocket(server.url, { perMessageDeflate: false });
    await new Promise((r) => ws.once('open', r));
    client = await Session.client(new WebSocketTransport(ws as unknown as WebSocketLike, { batch: webSocketWriteBatch(ws), nodeBuffers: true }), clientOptions);
    peer = await first;
    stop = () => server.close();
  } else {
    let arrived: (s: Session) => void = () => undefined;
    const server = await listen({ transport: kind, ...serverSecure, onSession: (s) => arrived(s) });
    const first = new Promise<Session>((r) => (arrived = r));
    client = await connect(server.url, kind === 'http' ? { ...clientOptions, transport: httpTransport } : clientOptions);
    peer = await first;
    stop = () => server.close();
  }
  return {
    run: (n) => timedPipeRun(n, () => sessionMessagesPerSecond(client, peer, text, n)),
    async close() {
      await client.close();
      await stop();
    },
  };
}

/** A cell: the session's median rate, the medians of the per-round ratios to raw ws, its warm-up. */
interface Cell {
  rate: number;
  ratio: number;
  cpuRatio: number;
  warm: Settled;
}

/** Median over rounds of session/raw, each round timing both back to back (after the session's warm-up). */
async function pairedRounds(session: Pipe, raw: Pipe, n: number): Promise<Cell> {
  const warmUp = await warm(session, n);
  const rates: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const base = await raw.run(n);
    const rate = await session.run(n);
    rates.push(rate.wall);
    ratios.push(rate.wall / base.wall);
    cpuRatios.push(rate.cpu / base.cpu);
  }
  return { rate: median(rates), ratio: median(ratios), cpuRatio: median(cpuRatios), warm: warmUp };
}

async function handshakesPerSecond(kind: Kind | 'raw ws'): Promise<number> {
  const t0 = performance.now();
  if (kind === 'raw ws') {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    const start = performance.now();
    for (let i = 0; i < HANDSHAKES; i++) {
      const c = new WebSocket(url);
      await new Promise((r) => c.once('open', r));
      c.close();
    }
    const rate = HANDSHAKES / ((performance.now() - start) / 1000);
    await new Promise((r) => wss.close(r));
    return rate;
  }
  if (kind === 'memory') {
    for (let i = 0; i < HANDSHAKES; i++) {
      const [x, y] = memoryTransportPair();
      const p = Session.server(y);
      const c = await Session.client(x);
      await p;
      await c.close();
    }
    return HANDSHAKES / ((performance.now() - t0) / 1000);
  }
  const server = await listen({ transport: kind });
  const start = performance.now();
  for (let i = 0; i < HANDSHAKES; i++) await (await connect(server.url, kind === 'http' ? { transport: httpTransport } : {})).close();
  const rate = HANDSHAKES / ((performance.now() - start) / 1000);
  await server.close();
  return rate;
}

/** A target line: what was measured, the bound, met or not. */
const verdict = (label: string, value: string, ok: boolean, bound: string) => `${label} ${value} ${ok ? '≥' : '<'} ${bound}: ${ok ? 'met' : 'NOT met'}`;

/**
 * Runs the session section; met when issue 18's targets hold for 162 B messages: ws ≥ 0.7 of
 * raw `ws` plaintext and ≥ 0.5 XX-encrypted, memory ≥ 100k msg/s plaintext, http ≥ 0.2 of raw
 * `ws` plaintext.
 */
export async function runSessionBench(log: (line: string) => void): Promise<boolean> {
  log(`one connection per cell; DATA messages of JSON requests (M2M frames, binary codec, sessions' default compression 'auto': plain below 512 B)`);
  log(`each cell: median of ${ROUNDS} rounds, each round raw ws then the session sending the same bytes; ×ratio = session / raw ws in wall time`);
  log(`(raw ws once per size, then each session, first warm up until their CPU µs per message settle: windows of ${WARMUP.window} batches within ${WARMUP.gain * 100}%, ${WARMUP.minMs / 1000}-${WARMUP.maxMs / 1000} s of CPU)`);
  log(`(CPU ×ratio: the same in messages per CPU-second of this process, steadier than wall time on a shared machine; the targets use wall time)`);
  const sizes = [
    { key: 'small', text: payload },
    { key: 'medium', text: requestOf(2_000) },
    { key: 'large', text: requestOf(20_000) },
  ];
  const small: Record<string, Cell> = {};
  // BENCH_SESSION_SIZES=small (or small,medium): only those rows, for quick before/after runs.
  const only = process.env.BENCH_SESSION_SIZES?.split(',');
  for (const { key, text } of sizes.filter((s) => !only || only.includes(s.key) || s.key === 'small')) {
    const n = PER_ROUND[key];
    const raw = await rawWsPipe(text);
    const rawWarm = await warm(raw, n);
    const base = await raw.run(n);
    log(`\n${String(text.length).padStart(6)} B, ${n} messages per round; raw ws (warmed) ${base.wall.toFixed(0)} msg/s (${base.cpu.toFixed(0)} per CPU-second)`);
    const warmUps = [`raw ws ${warmLabel(rawWarm)}`];
    for (const kind of DATA_KINDS) {
      const cells: string[] = [];
      const warmed: string[] = [];
      for (const encrypted of [false, true]) {
        const session = await sessionPipe(kind, text, encrypted);
        const cell = await pairedRounds(session, raw, n);
        await session.close();
        if (key === 'small') small[`${kind} ${encrypted ? 'xx' : 'plain'}`] = cell;
        cells.push(`${encrypted ? 'XX' : 'plaintext'} ${cell.rate.toFixed(0).padStart(7)} msg/s ×${cell.ratio.toFixed(2)} (CPU ×${cell.cpuRatio.toFixed(2)})`);
        warmed.push(`${encrypted ? 'XX' : 'plaintext'} ${warmLabel(cell.warm)}`);
      }
      log(`  session ${kind.padEnd(7)} ${cells.join('   ')}`);
      warmUps.push(`${kind} ${warmed.join(', ')}`);
    }
    log(`  warm-up (CPU µs per message, mean of the first ${WARMUP.window} batches of ${Math.ceil(n / WARMUP_BATCH_PARTS)} messages → of the last ${WARMUP.window}; batches, CPU s):`);
    for (const line of warmUps) log(`    ${line}`);
    await raw.close();
  }

  log(`\n${HANDSHAKES} sequential connect+close (plaintext)`);
  const rawHandshakes = await handshakesPerSecond('raw ws');
  log(`  raw ws           ${rawHandshakes.toFixed(0).padStart(6)} connections/s`);
  for (const kind of KINDS) {
    const rate = await handshakesPerSecond(kind);
    log(`  session ${kind.padEnd(7)}  ${rate.toFixed(0).padStart(6)} handshakes/s ×${(rate / rawHandshakes).toFixed(2)}`);
  }

  const wsPlain = small['ws plain'];
  const wsXX = small['ws xx'];
  const memory = small['memory plain'].rate;
  const http = small['http plain'];
  const targets: Array<[string, boolean]> = [
    [verdict(`162 B ws plaintext`, `×${wsPlain.ratio.toFixed(2)} (CPU ×${wsPlain.cpuRatio.toFixed(2)})`, wsPlain.ratio >= 0.7, '×0.7 of raw ws'), wsPlain.ratio >= 0.7],
    [verdict(`162 B ws XX`, `×${wsXX.ratio.toFixed(2)} (CPU ×${wsXX.cpuRatio.toFixed(2)})`, wsXX.ratio >= 0.5, '×0.5 of raw ws'), wsXX.ratio >= 0.5],
    [verdict(`162 B memory plaintext`, `${memory.toFixed(0)} msg/s`, memory >= 100_000, '100000 msg/s'), memory >= 100_000],
    [verdict(`162 B http plaintext`, `×${http.ratio.toFixed(2)} (CPU ×${http.cpuRatio.toFixed(2)})`, http.ratio >= 0.2, '×0.2 of raw ws'), http.ratio >= 0.2],
  ];
  log(`\nissue 18 targets:`);
  for (const [line] of targets) log(`  ${line}`);
  return targets.every(([, ok]) => ok);
}
