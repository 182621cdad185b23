/**
 * Stream benchmark (issue 16): chunks/s of an SSE completion (1,000 `data:` chunks) sent as a
 * session stream over an encrypted (Noise XX) WebSocket session, against a raw `ws` connection
 * sending the same chunks in the same process. Two producers are measured for both sides:
 * pipelined (writes issued without waiting, as a relay forwarding a burst does) and one at a
 * time (each write awaited). The target (≥ 0.5) applies to the pipelined ratio; the
 * one-at-a-time ratio is printed beside it. Rounds alternate the contenders and the ratio is
 * the median of per-round ratios (bench/measure.ts).
 * @module
 */
import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, type Session } from '@m2m/session';
import { incomingStreams, openStream, type IncomingStream } from '@m2m/session/streams';
import { median, medianRatio } from './measure.js';

const CHUNKS = 1000;
const ROUNDS = 7;
const TARGET = 0.5;

/** The `data` of each SSE event of a streamed completion, as an upstream API sends them. */
function sseChunks(): string[] {
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_733_000_000, model: 'gpt-4o-mini', system_fingerprint: 'fp_bench' };
  const out = [JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] })];
  for (let i = 1; i < CHUNKS - 1; i++) out.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: ` word${i}` }, logprobs: null, finish_reason: null }] }));
  out.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] }));
  return out;
}

interface Contender {
  pipelined(): Promise<number>;
  oneByOne(): Promise<number>;
  close(): Promise<void>;
}

async function rawWs(chunks: string[]): Promise<Contender> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  let seen = 0;
  let done: () => void = () => undefined;
  wss.on('connection', (ws) => ws.on('message', () => ++seen === CHUNKS && done()));
  const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise((r) => ws.once('open', r));
  const round = async (awaitEach: boolean) => {
    seen = 0;
    const all = new Promise<void>((r) => (done = r));
    const t0 = performance.now();
    for (const c of chunks) {
      if (awaitEach) await new Promise<void>((r) => ws.send(c, () => r()));
      else ws.send(c);
    }
    await all;
    return CHUNKS / ((performance.now() - t0) / 1000);
  };
  return {
    pipelined: () => round(false),
    oneByOne: () => round(true),
    close: async () => {
      ws.close();
      await new Promise((r) => wss.close(r));
    },
  };
}

async function encryptedStream(chunks: string[]): Promise<Contender> {
  const serverKey = KeyPair.generate();
  const clientKey = KeyPair.generate();
  const streams: IncomingStream[] = [];
  let arrived: () => void = () => undefined;
  const server = await listen({
    transport: 'ws',
    secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) },
    onSession: (s: Session) =>
      void (async () => {
        for await (const st of incomingStreams(s)) {
          streams.push(st);
          arrived();
        }
      })(),
  });
  const client = await connect(server.url, { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } });
  const round = async (awaitEach: boolean) => {
    const t0 = performance.now();
    const next = new Promise<void>((r) => (arrived = r));
    const w = openStream(client);
    const reading = (async () => {
      await next;
      let n = 0;
      for await (const _ of streams.shift()!) n++;
      if (n !== CHUNKS) throw new Error(`received ${n} of ${CHUNKS} chunks`);
    })();
    if (awaitEach) {
      for (const c of chunks) await w.write(c);
      await w.end();
    } else await Promise.all([...chunks.map((c) => w.write(c)), w.end()]);
    await reading;
    return CHUNKS / ((performance.now() - t0) / 1000);
  };
  return {
    pipelined: () => round(false),
    oneByOne: () => round(true),
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

/** Runs the section; true when the target is met. */
export async function runStreamBench(log: (line: string) => void): Promise<boolean> {
  const chunks = sseChunks();
  const bytes = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
  log(`${CHUNKS} SSE chunks (${bytes} bytes, ${Math.round(bytes / CHUNKS)} B each), ${ROUNDS} interleaved rounds`);
  const raw = await rawWs(chunks);
  const enc = await encryptedStream(chunks);
  const samples = { rawPipe: [] as number[], encPipe: [] as number[], rawOne: [] as number[], encOne: [] as number[] };
  // Warm-up rounds (the JIT settles on both paths), then alternating order.
  for (let i = 0; i < 2; i++) {
    await raw.pipelined();
    await enc.pipelined();
    await raw.oneByOne();
    await enc.oneByOne();
  }
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) {
      samples.encPipe.push(await enc.pipelined());
      samples.rawPipe.push(await raw.pipelined());
      samples.encOne.push(await enc.oneByOne());
      samples.rawOne.push(await raw.oneByOne());
    } else {
      samples.rawPipe.push(await raw.pipelined());
      samples.encPipe.push(await enc.pipelined());
      samples.rawOne.push(await raw.oneByOne());
      samples.encOne.push(await enc.oneByOne());
    }
  }
  await raw.close();
  await enc.close();
  const fmt = (x: number) => `${Math.round(x).toLocaleString('en-US')} chunks/s`;
  const pipeRatio = medianRatio(samples.encPipe, samples.rawPipe);
  const oneRatio = medianRatio(samples.encOne, samples.rawOne);
  const met = pipeRatio >= TARGET;
  log(`pipelined writes:   encrypted XX stream ${fmt(median(samples.encPipe))}, raw ws ${fmt(median(samples.rawPipe))}: ratio ${pipeRatio.toFixed(2)} (target ≥ ${TARGET}) ${met ? 'met' : 'MISSED'}`);
  log(`one write at a time: encrypted XX stream ${fmt(median(samples.encOne))}, raw ws ${fmt(median(samples.rawOne))}: ratio ${oneRatio.toFixed(2)} (no target: every chunk is its own Brotli + AEAD frame)`);
  return met;
}
