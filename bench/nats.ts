/**
 * NATS benchmarks (issue 19): DATA messages/s of sessions over NATS against raw NATS
 * publish/subscribe of the same payload bytes in the same process (target ≥ 0.5; the ratio to
 * raw NATS carrying the same M2M frames, codec work included, is printed too), and sessions/s
 * opened through a queue group of three instances, against raw NATS request/reply round trips.
 * Needs nats-server (skips with a message otherwise); the broker runs on a loopback port.
 * @module
 */
import { decodeFrame, encodeFrame } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, Session, type SecureOptions, type Server } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';
import { median, medianRatio, sessionMessagesPerSecond } from './measure.js';
import { natsServerPath, startNatsServer } from '../packages/session/test/fixtures/nats-server.js';

// Loaded when the section runs, so other sections never load the NATS client.
const natsConnect = async (o: { servers: string }) => (await import('@nats-io/transport-node')).connect(o);
const N = 10_000;
const ROUNDS = 5;
const OPENS = 200;
const payload = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });
const serverKey = KeyPair.generate();
const clientKey = KeyPair.generate();
const secure = (mine: KeyPair, theirs: KeyPair): SecureOptions => ({ pattern: 'XX', staticKey: mine, verifyPeer: allowKeys([theirs.publicKey]) });

/**
 * Raw NATS: one connection publishes N payloads, another subscribes and counts them. With
 * `frames`, each payload is encoded as the M2M frame a session would carry (encodeFrame with the
 * sessions' default compression policy, `auto`: no Brotli below 512 B) and decoded on arrival:
 * the same payloads and codec work as a session, without the session.
 */
async function rawPubSub(address: string, frames: boolean): Promise<number> {
  const bytes = new TextEncoder().encode(payload);
  const pub = await natsConnect({ servers: address });
  const sub = await natsConnect({ servers: address });
  let seen = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  sub.subscribe('bench.raw', { callback: (_e, m) => void ((frames ? decodeFrame(m.data) : m.data) && ++seen === N && done()) });
  await sub.flush();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) pub.publish('bench.raw', frames ? encodeFrame(payload, { compression: 'auto' }) : bytes);
  await all;
  const rate = N / ((performance.now() - t0) / 1000);
  await pub.close();
  await sub.close();
  return rate;
}

/** One session over NATS: N DATA messages client → server. */
async function sessionThroughput(address: string, encrypted: boolean): Promise<number> {
  let take!: (s: Session) => void;
  const first = new Promise<Session>((r) => (take = r));
  const server = await listen({ transport: 'nats', servers: address, subject: 'bench.session', secure: encrypted ? secure(serverKey, clientKey) : undefined, onSession: (s) => take(s) });
  const client = await connect(server.url, { secure: encrypted ? secure(clientKey, serverKey) : undefined });
  const peer = await first;
  const rate = await sessionMessagesPerSecond(client, peer, payload, N);
  await client.close();
  await server.close();
  return rate;
}

/** The same session work over an in-memory pair: the session layer's own ceiling, no network. */
async function memoryThroughput(): Promise<number> {
  const [a, b] = memoryTransportPair();
  const sp = Session.server(b);
  const client = await Session.client(a);
  const peer = (await sp)!;
  const rate = await sessionMessagesPerSecond(client, peer, payload, N);
  await client.close();
  return rate;
}

/** Raw request/reply round trips (the floor of a HELLO/ACCEPT exchange through a queue group). */
async function rawRequests(address: string): Promise<number> {
  const srv = await natsConnect({ servers: address });
  const cli = await natsConnect({ servers: address });
  srv.subscribe('bench.req', { queue: 'q', callback: (_e, m) => void m.respond(m.data) });
  await srv.flush();
  const bytes = new TextEncoder().encode(payload);
  const t0 = performance.now();
  for (let i = 0; i < OPENS; i++) await cli.request('bench.req', bytes);
  const rate = OPENS / ((performance.now() - t0) / 1000);
  await srv.close();
  await cli.close();
  return rate;
}

/**
 * XX sessions opened (and closed) one after another through a queue group of three instances.
 * `warm`: the client keeps one other session open, so every open reuses its NATS connection;
 * otherwise each open is the client's only session and connects to NATS (and drains) anew.
 */
async function sessionOpens(address: string, warm: boolean): Promise<{ rate: number; spread: number[] }> {
  const servers: Server[] = [];
  for (let i = 0; i < 3; i++) servers.push(await listen({ transport: 'nats', servers: address, subject: 'bench.pool', queue: 'bench.pool', secure: secure(serverKey, clientKey) }));
  const url = servers[0].url;
  const anchor = warm ? await connect(url, { secure: secure(clientKey, serverKey) }) : undefined;
  const t0 = performance.now();
  for (let i = 0; i < OPENS; i++) await (await connect(url, { secure: secure(clientKey, serverKey) })).close();
  const rate = OPENS / ((performance.now() - t0) / 1000);
  await anchor?.close();
  const spread = servers.map((s) => s.counters.accepted);
  await Promise.all(servers.map((s) => s.close()));
  return { rate, spread };
}

/**
 * Runs the nats section; true when plaintext sessions reach half of raw publish/subscribe of
 * the same payload bytes (the target, read literally). The ratio to raw NATS carrying
 * the same M2M frames (the codec work a session also does) is printed beside it.
 */
export async function runNatsBench(log: (line: string) => void): Promise<boolean> {
  if (!natsServerPath()) {
    log('skipped: nats-server is not installed (apt-get install nats-server)');
    return true;
  }
  const node = await startNatsServer();
  try {
    log(`one nats-server on loopback; ${N} DATA messages of ${payload.length} B JSON, one sender and one reader in this process, rates: medians of ${ROUNDS} interleaved rounds; ratios: medians of the per-round ratios (a shared machine's drift cancels within a round)`);
    const raw: number[] = [];
    const framed: number[] = [];
    const plain: number[] = [];
    const xx: number[] = [];
    const memory: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      memory.push(await memoryThroughput());
      raw.push(await rawPubSub(node.address, false));
      framed.push(await rawPubSub(node.address, true));
      plain.push(await sessionThroughput(node.address, false));
      xx.push(await sessionThroughput(node.address, true));
    }
    const bytes = median(raw);
    const frames = median(framed);
    const p = median(plain);
    const x = median(xx);
    const pb = medianRatio(plain, raw);
    log(`raw NATS pub/sub of the same JSON bytes (baseline) ${bytes.toFixed(0).padStart(8)} msg/s`);
    log(`raw NATS pub/sub of M2M frames                     ${frames.toFixed(0).padStart(8)} msg/s  (encodeFrame, compression 'auto' as sessions, before publish; decodeFrame on arrival)`);
    log(`session over NATS, plaintext                       ${p.toFixed(0).padStart(8)} msg/s  ×${pb.toFixed(2)} of JSON bytes (target ≥ 0.5), ×${medianRatio(plain, framed).toFixed(2)} of M2M frames`);
    log(`session over NATS, XX                              ${x.toFixed(0).padStart(8)} msg/s  ×${medianRatio(xx, raw).toFixed(2)} of JSON bytes, ×${medianRatio(xx, framed).toFixed(2)} of M2M frames`);
    log(`session over memory, plaintext                     ${median(memory).toFixed(0).padStart(8)} msg/s  (the session layer without a network: NATS plaintext is ×${medianRatio(plain, memory).toFixed(2)} of it)`);
    const req = await rawRequests(node.address);
    const warm = await sessionOpens(node.address, true);
    const cold = await sessionOpens(node.address, false);
    log(`raw request/reply (baseline)                       ${req.toFixed(0).padStart(8)} round trips/s`);
    log(`XX sessions via a queue group of 3, connection kept ${warm.rate.toFixed(0).padStart(7)} opens/s ×${(warm.rate / req).toFixed(2)}  (${OPENS} open+close in turn, the client has another session open; spread ${warm.spread.join('/')})`);
    log(`XX sessions via a queue group of 3, new connection ${cold.rate.toFixed(0).padStart(8)} opens/s ×${(cold.rate / req).toFixed(2)}  (each the client's only session: NATS connect + drain each; spread ${cold.spread.join('/')})`);
    return pb >= 0.5;
  } finally {
    await node.stop();
  }
}
