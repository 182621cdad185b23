/**
 * NATS benchmarks (issue 19): DATA messages/s of sessions over NATS against raw NATS
 * publish/subscribe of the same payload bytes in the same process (target ≥ 0.5; the ratio to
 * raw NATS carrying the same M2M frames, codec work included, is printed too), and sessions/s
 * opened through a queue group of three instances, against raw NATS request/reply round trips.
 * Needs nats-server (skips with a message otherwise); the broker runs on a loopback port.
 *
 * Every contender (raw bytes, raw frames, plaintext and XX sessions, the memory session) is
 * opened once and kept across rounds, warmed up by {@link WARM} untimed rounds, then timed over
 * {@link ROUNDS} rounds whose order alternates. Without a warm-up the first rounds measured the
 * JIT and heap growing: raw NATS ran 60-130k msg/s in its first 10,000-message round, 200-600k
 * once warm (and more warm-up still raised it after three rounds of 20,000), so the old five
 * cold rounds held raw NATS at about 200k and favoured whichever contender warmed sooner. The
 * last line checks that the timed rounds are steady state: the median of their second half over
 * that of their first half (near 1 when the warm-up sufficed; a shared machine swings it too).
 * CPU µs per message is this process's user + system time (both ends; not nats-server's), less
 * sensitive than wall time to other processes of a shared machine.
 * Environment: BENCH_NATS_N (messages per round), BENCH_NATS_WARM, BENCH_NATS_ROUNDS,
 * BENCH_NATS_VERBOSE=1 (every round's rate, warm-up included).
 * @module
 */
import { decodeFrame, encodeFrame } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { allowKeys, binaryCodec, connect, listen, Session, SessionCore, type SecureOptions, type Server } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';
import { ArrivalCounter, median, medianRatio, sessionMessagesPerSecond, timedPipeRun, type Pipe, type PipeRate } from './measure.js';
import { natsServerPath, startNatsServer } from '../packages/session/test/fixtures/nats-server.js';
// Node's one-pass DATA writer, as `Session` gets it through `#platform` (same module under tsx).
import { fastFrameMessageWriter } from '../packages/session/src/platform/fast-codec.node.js';

// Loaded when the section runs, so other sections never load the NATS client.
const natsConnect = async (o: { servers: string }) => (await import('@nats-io/transport-node')).connect(o);
const N = Number(process.env.BENCH_NATS_N ?? 20_000);
/** Untimed rounds of every contender before timing (see the module comment). */
const WARM = Number(process.env.BENCH_NATS_WARM ?? 5);
/** Timed rounds of every contender. */
const ROUNDS = Number(process.env.BENCH_NATS_ROUNDS ?? 11);
const OPENS = 200;
const payload = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });
const serverKey = KeyPair.generate();
const clientKey = KeyPair.generate();
const secure = (mine: KeyPair, theirs: KeyPair): SecureOptions => ({ pattern: 'XX', staticKey: mine, verifyPeer: allowKeys([theirs.publicKey]) });

/**
 * Raw NATS: one connection publishes the payloads, another subscribes and counts them. With
 * `frames`, each payload is encoded as the M2M frame a session would carry (encodeFrame with the
 * sessions' default compression policy, `auto`: no Brotli below 512 B) and decoded on arrival:
 * the same payloads and codec work as a session, without the session.
 */
async function rawPipe(address: string, frames: boolean): Promise<Pipe> {
  const bytes = new TextEncoder().encode(payload);
  const pub = await natsConnect({ servers: address });
  const sub = await natsConnect({ servers: address });
  const subject = frames ? 'bench.frames' : 'bench.raw';
  const arrivals = new ArrivalCounter();
  sub.subscribe(subject, { callback: (_e, m) => void ((frames ? decodeFrame(m.data) : m.data) && arrivals.arrived()) });
  await sub.flush();
  return {
    run(n) {
      const all = arrivals.expect(n);
      return timedPipeRun(n, async () => {
        for (let i = 0; i < n; i++) pub.publish(subject, frames ? encodeFrame(payload, { compression: 'auto' }) : bytes);
        await all;
      });
    },
    async close() {
      await pub.close();
      await sub.close();
    },
  };
}

/** One session over NATS, kept open across rounds: `n` DATA messages client → server per round. */
async function sessionPipe(address: string, encrypted: boolean): Promise<Pipe> {
  let take!: (s: Session) => void;
  const first = new Promise<Session>((r) => (take = r));
  const subject = encrypted ? 'bench.xx' : 'bench.plain';
  const server = await listen({ transport: 'nats', servers: address, subject, secure: encrypted ? secure(serverKey, clientKey) : undefined, onSession: (s) => take(s) });
  const client = await connect(server.url, { secure: encrypted ? secure(clientKey, serverKey) : undefined });
  const peer = await first;
  return {
    run: (n) => timedPipeRun(n, () => sessionMessagesPerSecond(client, peer, payload, n)),
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** The same session work over an in-memory pair: the session layer's own ceiling, no network. */
async function memoryPipe(encrypted: boolean): Promise<Pipe> {
  const [a, b] = memoryTransportPair();
  const sp = Session.server(b, { secure: encrypted ? secure(serverKey, clientKey) : undefined });
  const client = await Session.client(a, { secure: encrypted ? secure(clientKey, serverKey) : undefined });
  const peer = (await sp)!;
  return {
    run: (n) => timedPipeRun(n, () => sessionMessagesPerSecond(client, peer, payload, n)),
    async close() {
      await client.close();
    },
  };
}

/**
 * A breakdown line, not a contender: the session's own per-message work with no `Session` and
 * no transport. A client `SessionCore` encodes DATA as `Session.send` does (`compress` with the
 * binary DATA writer: the frame's header scan, UTF-8, CRC-32, the message around it), a server
 * core takes it as `Session`'s read loop does (the binary codec's `decode`, then `receive`: the
 * frame's checks, CRC-32 and text). What a session costs beyond this is `Session`, its queues
 * and the transport.
 */
function corePipe(): Pipe {
  const client = new SessionCore({ role: 'client', compression: 'auto' });
  const server = new SessionCore({ role: 'server', compression: 'auto' });
  client.receive(server.receive(client.createHello()).reply!);
  const writer = fastFrameMessageWriter();
  // The same shape as Session.send's default options (a frozen empty object), so the shared call
  // sites in compress see no new map.
  const extras = Object.freeze({});
  return {
    run: (n) =>
      timedPipeRun(n, async () => {
        for (let i = 0; i < n; i++) {
          const m = client.compress(payload, undefined, extras, writer);
          if (server.receive(binaryCodec.decode(m instanceof Uint8Array ? m : binaryCodec.encode(m))).content === undefined) throw new Error('no content');
        }
      }),
    async close() {
      client.dispose();
      server.dispose();
    },
  };
}

/**
 * CPU ns this process's threads other than the main one have run (V8's helper threads: the
 * garbage collector's parallel and concurrent work, ArrayBuffer sweeping, compilation), from
 * Linux's per-thread schedstat; `undefined` elsewhere. `process.cpuUsage` counts them too.
 */
function helperThreadsNs(): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync('/proc/self/task')) if (Number(tid) !== process.pid) ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns;
  } catch {
    return undefined;
  }
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
 * the same payload bytes (the issue's target, read literally). The ratio to raw NATS carrying
 * the same M2M frames (the codec work a session also does) is printed beside it.
 */
export async function runNatsBench(log: (line: string) => void): Promise<boolean> {
  if (!natsServerPath()) {
    log('skipped: nats-server is not installed (apt-get install nats-server)');
    return true;
  }
  const node = await startNatsServer();
  try {
    log(`one nats-server on loopback; ${N} DATA messages of ${payload.length} B JSON per round, one sender and one reader in this process; every contender is opened once and warmed up by ${WARM} untimed rounds, then timed over ${ROUNDS} interleaved rounds (order alternating); rates and CPU µs/msg (this process, both ends): medians; ratios: medians of the per-round ratios (a shared machine's drift cancels within a round)`);
    const pipes = {
      raw: await rawPipe(node.address, false),
      framed: await rawPipe(node.address, true),
      plain: await sessionPipe(node.address, false),
      xx: await sessionPipe(node.address, true),
      memory: await memoryPipe(false),
      xxMemory: await memoryPipe(true),
      core: corePipe(),
    };
    type Name = keyof typeof pipes;
    const names = Object.keys(pipes) as Name[];
    const rates = Object.fromEntries(names.map((k) => [k, [] as PipeRate[]])) as Record<Name, PipeRate[]>;
    const all = Object.fromEntries(names.map((k) => [k, [] as number[]])) as Record<Name, number[]>;
    // Helper threads' CPU ns per message during each contender's timed rounds (Linux only).
    const helpers = Object.fromEntries(names.map((k) => [k, [] as number[]])) as Record<Name, number[]>;
    for (let r = 0; r < WARM + ROUNDS; r++) {
      for (const k of r % 2 ? [...names].reverse() : names) {
        const h0 = helperThreadsNs();
        const rate = await pipes[k].run(N);
        const h1 = helperThreadsNs();
        all[k].push(rate.wall);
        if (r >= WARM) {
          rates[k].push(rate);
          if (h0 !== undefined && h1 !== undefined) helpers[k].push((h1 - h0) / N);
        }
      }
    }
    if (process.env.BENCH_NATS_VERBOSE) for (const k of names) log(`${k} per round (k msg/s, warm-up first): ${all[k].map((x) => (x / 1000).toFixed(0)).join(' ')}`);
    for (const k of names) await pipes[k].close();
    const wall = (k: Name) => rates[k].map((x) => x.wall);
    const cpu = (k: Name) => median(rates[k].map((x) => x.cpuUs)).toFixed(1).padStart(5);
    const ratio = (a: Name, b: Name) => medianRatio(wall(a), wall(b)).toFixed(2);
    // Per-round ratio of CPU per message b/a: a's messages per CPU-second over b's.
    const cpuRatio = (a: Name, b: Name) => medianRatio(rates[b].map((x) => x.cpuUs), rates[a].map((x) => x.cpuUs)).toFixed(2);
    const line = (label: string, k: Name, note: string) => log(`${label.padEnd(51)}${median(wall(k)).toFixed(0).padStart(8)} msg/s ${cpu(k)} µs/msg  ${note}`);
    const pb = medianRatio(wall('plain'), wall('raw'));
    line('raw NATS pub/sub of the same JSON bytes (baseline)', 'raw', '');
    line('raw NATS pub/sub of M2M frames', 'framed', "(encodeFrame, compression 'auto' as sessions, before publish; decodeFrame on arrival)");
    line('session over NATS, plaintext', 'plain', `×${pb.toFixed(2)} of JSON bytes (target ≥ 0.5; in CPU per message ×${cpuRatio('plain', 'raw')}), ×${ratio('plain', 'framed')} of M2M frames`);
    line('session over NATS, XX', 'xx', `×${ratio('xx', 'raw')} of JSON bytes, ×${ratio('xx', 'framed')} of M2M frames`);
    line('session over memory, plaintext', 'memory', `(the session layer without a network: NATS plaintext is ×${ratio('plain', 'memory')} of it)`);
    line('session over memory, XX', 'xxMemory', `(NATS XX is ×${ratio('xx', 'xxMemory')} of it)`);
    // Where a plaintext session's CPU goes beyond raw NATS: the codec and the NATS transport.
    const cpuDiff = (a: Name, b: Name) => median(rates[a].map((x, i) => x.cpuUs - rates[b][i].cpuUs)).toFixed(1);
    log(`CPU µs/msg, medians of per-round differences: the M2M codec on raw NATS (frames − bytes) ${cpuDiff('framed', 'raw')}; a session's NATS transport (session over NATS − over memory) ${cpuDiff('plain', 'memory')} plaintext, ${cpuDiff('xx', 'xxMemory')} XX`);
    log(`CPU µs/msg of a plaintext message's session work alone (SessionCore encode + decode/receive, frame codec included, no Session or transport) ${cpu('core').trim()}; Session and memory transport on top ${cpuDiff('memory', 'core')}, NATS on top of that ${cpuDiff('plain', 'memory')}`);
    if (helpers.plain.length > 0) log(`of which V8 helper threads (GC, ArrayBuffer sweeping; Linux schedstat), µs/msg: ${names.map((k) => `${k} ${(median(helpers[k]) / 1000).toFixed(2)}`).join(', ')}`);
    // Steady state: with the warm-up, the first and second halves of the timed rounds agree.
    const half = Math.floor(ROUNDS / 2);
    log(`steady state (median of the last ${half} rounds / of the first ${half}): ${names.map((k) => `${k} ×${(median(wall(k).slice(-half)) / median(wall(k).slice(0, half))).toFixed(2)}`).join(', ')}`);
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
