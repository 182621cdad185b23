/**
 * Server pools over a NATS cluster, shared by the short tests (`packages/session/test/
 * nats-cluster.test.ts`) and `pnpm stress:nats`: encrypted (XX) echo sessions spread by a queue
 * group over three server instances on three routed nodes, and the failover scenario in which one
 * server process is killed mid-run and its clients reconnect to the survivors.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { isSdkError, toHex, withRetry } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, binaryCodec, connect, listen, type Server, type Session } from '@m2m/session';
import { natsInFlight } from '@m2m/session/nats';
import { startNatsCluster } from '../../packages/session/test/fixtures/nats-server.js';

const SUBJECT = 'm2m.pool.echo';
const root = resolve(import.meta.dirname, '../..');
const payload = (client: number, i: number) => JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: `client ${client} message ${i}` }] });

/** Per-run counts: every message of every session checked on both sides. */
export interface PoolResult {
  sessions: number;
  messagesPerSession: number;
  /** Echoes received in order, summed over sessions. */
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Sessions each server instance accepted. */
  perServer: number[];
  /** Sessions whose server instance is on another node than the client's (frames cross routes). */
  crossNode: number;
  ms: number;
}

/**
 * At most `n` calls of `fn` at a time: clients open their sessions through it. Hundreds of XX
 * handshakes at the same instant on a busy 2-core machine can outlast the servers' handshake
 * deadline (5 s, as on TCP), which then ends them, as it should for a peer that stalls.
 */
function gate(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    while (running >= n) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** Counts an echo stream against the expected sequence 0..n-1 of one client. */
function tally(got: string[], client: number, n: number): { delivered: number; lost: number; duplicated: number; reordered: number } {
  const want = new Map<string, number>(Array.from({ length: n }, (_, i) => [payload(client, i), i]));
  const seen = new Set<string>();
  let delivered = 0;
  let duplicated = 0;
  let reordered = 0;
  let last = -1;
  for (const g of got) {
    const i = want.get(g);
    if (i === undefined || seen.has(g)) {
      duplicated++;
      continue;
    }
    seen.add(g);
    if (i < last) reordered++;
    else delivered++;
    last = Math.max(last, i);
  }
  return { delivered, lost: n - seen.size, duplicated, reordered };
}

/**
 * 3 nodes, 3 in-process server instances in one queue group (one per node), `sessions` clients
 * connected round-robin to the nodes; each sends `messages` DATA and reads as many echoes.
 */
export async function runNatsPool(options: { sessions: number; messages: number }): Promise<PoolResult> {
  const cluster = await startNatsCluster(3);
  const clientKey = KeyPair.generate();
  const serverKeys = [0, 1, 2].map(() => KeyPair.generate());
  const servers: Server[] = [];
  const serverSeen = new Map<string, string[]>();
  try {
    for (let i = 0; i < 3; i++) {
      servers.push(
        await listen({
          transport: 'nats', servers: cluster.nodes[i].address, subject: SUBJECT,
          secure: { pattern: 'XX', staticKey: serverKeys[i], verifyPeer: allowKeys([clientKey.publicKey]) },
          onSession: (s: Session) => void (async () => {
            const log: string[] = [];
            serverSeen.set(`${i}/${s.id}`, log);
            for await (const m of s) {
              log.push(m.content);
              await s.send(m.content);
            }
          })().catch(() => undefined),
        }),
      );
    }
    const t0 = performance.now();
    const verifyPeer = allowKeys(serverKeys.map((k) => k.publicKey));
    // Every session is open before any message is sent: all of them carry traffic at once.
    const opening = gate(16);
    const opened = await Promise.all(Array.from({ length: options.sessions }, (_, c) => opening(() => connect(`nats://${cluster.nodes[c % 3].address}/${SUBJECT}`, { secure: { pattern: 'XX', staticKey: clientKey, verifyPeer }, signal: AbortSignal.timeout(30_000) }))));
    const results = await Promise.all(
      opened.map(async (session, c) => {
        const server = serverKeys.findIndex((k) => session.peerStaticKey !== undefined && toHex(k.publicKey) === toHex(session.peerStaticKey));
        const got: string[] = [];
        const reader = (async () => {
          for await (const m of session) if (got.push(m.content) === options.messages) break;
        })();
        for (let i = 0; i < options.messages; i++) await session.send(payload(c, i));
        await reader;
        await session.close();
        return { ...tally(got, c, options.messages), crossNode: server !== c % 3 };
      }),
    );
    const ms = performance.now() - t0;
    const sum = (k: 'delivered' | 'lost' | 'duplicated' | 'reordered') => results.reduce((n, r) => n + r[k], 0);
    // The servers' own view: each session's DATA arrived in order, once.
    let serverOrderFaults = 0;
    for (const log of serverSeen.values()) {
      const client = Number(/client (\d+) /.exec(log[0] ?? '')?.[1] ?? -1);
      const t = tally(log, client, options.messages);
      serverOrderFaults += t.duplicated + t.reordered + t.lost;
    }
    return {
      sessions: options.sessions, messagesPerSession: options.messages,
      delivered: sum('delivered'), lost: sum('lost'), duplicated: sum('duplicated'), reordered: sum('reordered') + serverOrderFaults,
      perServer: servers.map((s) => s.counters.accepted), crossNode: results.filter((r) => r.crossNode).length, ms,
    };
  } finally {
    await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
    await cluster.stop();
  }
}

/** What the failover run observed. */
export interface FailoverResult extends PoolResult {
  /** Sessions that ended with a typed error when their server died. */
  failedSessions: number;
  /**
   * Sessions opened before the kill on the surviving instances (every instance, without a kill)
   * that ended with an error (must be 0).
   */
  survivorFailures: number;
  /**
   * New sessions, opened after the kill, that ended with an error and were opened again: on an
   * overloaded machine a handshake can outlast the servers' handshake deadline (5 s).
   */
  reconnectFailures: number;
  /** Their error codes (outermost, then the cause's), counted. */
  errorCodes: Record<string, number>;
  /** DATA messages those sessions had sent and not seen acknowledged (natsInFlight). */
  inFlightData: number;
  /** Messages those sessions had sent whose echo never came (resent on the new session). */
  resent: number;
  /** Milliseconds from the kill to the last failed session's error. */
  detectMs: number;
  /** New sessions opened after a failure (with withRetry). */
  reconnects: number;
}

interface ServeProcess {
  child: ChildProcess;
  publicKey: string;
  exited: Promise<void>;
}

/** Starts `m2m serve --transport nats --echo` as a child process and waits for its first line. */
async function startServe(address: string, identity: string, clientKey: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@m2m/source', '--conditions=@m2m/platform-source', 'packages/cli/src/main.ts', 'serve', '--transport', 'nats', '--url', `nats://${address}/${SUBJECT}`, '--identity', identity, '--peer-key', clientKey, '--echo'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, NO_COLOR: '1' } });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((res, rej) => {
    lines.once('line', res);
    child.once('exit', () => rej(new Error('serve exited before listening')));
  });
  lines.on('line', () => undefined); // keep draining the echoed contents
  return { child, publicKey: (JSON.parse(first) as { publicKey: string }).publicKey, exited };
}

/**
 * 3 nodes, 3 `m2m serve` processes (one per node); `sessions` clients round-robin over the
 * nodes send `messages` each, paced over about `spreadMs`; one server process is killed
 * (SIGKILL) at `killAtMs` (unless `kill` is false: then no session may fail). Clients whose session dies report the typed error and what was in
 * flight, reconnect through `withRetry` (a new handshake on a surviving instance) and resend what
 * was not echoed. Every client must end with every echo exactly once, in order.
 */
export async function runNatsFailover(options: { sessions: number; messages: number; spreadMs?: number; killAtMs?: number; kill?: boolean }): Promise<FailoverResult> {
  const spread = options.spreadMs ?? 1500;
  const killAt = options.killAtMs ?? spread / 3;
  const kill = options.kill ?? true;
  const cluster = await startNatsCluster(3);
  const dir = mkdtempSync(join(tmpdir(), 'm2m-nats-failover-'));
  const clientKey = KeyPair.generate();
  const procs: ServeProcess[] = [];
  try {
    const ids = [0, 1, 2].map((i) => {
      const kp = KeyPair.generate();
      const secret = kp.exportSecret();
      const file = join(dir, `server-${i}.json`);
      writeFileSync(file, JSON.stringify({ type: 'm2m-x25519-identity', publicKey: toHex(kp.publicKey), secretKey: toHex(secret) }), { mode: 0o600 });
      secret.fill(0);
      return file;
    });
    procs.push(...(await Promise.all(ids.map((file, i) => startServe(cluster.nodes[i].address, file, toHex(clientKey.publicKey))))));
    const verifyPeer = allowKeys(procs.map((p) => p.publicKey));
    const perServer = [0, 0, 0];
    const errorCodes: Record<string, number> = {};
    let failedSessions = 0;
    let inFlightData = 0;
    let resent = 0;
    let reconnects = 0;
    let crossNode = 0;
    let survivorFailures = 0;
    let reconnectFailures = 0;
    let lastFailure = 0;
    const t0 = performance.now();
    let killedAt = 0;
    // Sessions open through a gate (reconnects too); messages start once all first sessions are
    // open, and the kill comes `killAt` after that.
    const opening = gate(16);
    let firstOpens = 0;
    let allOpened!: () => void;
    const allOpen = new Promise<void>((r) => (allOpened = r));
    const killer = allOpen.then(
      () =>
        new Promise<void>((r) =>
          kill
            ? setTimeout(() => {
                killedAt = performance.now();
                procs[0].child.kill('SIGKILL');
                r();
              }, killAt)
            : r(),
        ),
    );
    const gap = spread / options.messages;
    const results = await Promise.all(
      Array.from({ length: options.sessions }, async (_, c) => {
        const url = `nats://${cluster.nodes[c % 3].address}/${SUBJECT}`;
        const got: string[] = [];
        let next = 0;
        let first = true;
        for (;;) {
          const session = await opening(() => withRetry(() => connect(url, { secure: { pattern: 'XX', staticKey: clientKey, verifyPeer }, signal: AbortSignal.timeout(10_000) }), { maxAttempts: 20, baseDelayMs: 50, maxDelayMs: 500 }));
          if (first) {
            first = false;
            if (++firstOpens === options.sessions) allOpened();
          }
          await allOpen;
          const server = procs.findIndex((p) => session.peerStaticKey && toHex(session.peerStaticKey) === p.publicKey);
          const openedBeforeKill = killedAt === 0;
          perServer[server]++;
          if (server !== c % 3) crossNode++;
          // Resend from the first message whose echo has not come back.
          next = got.length;
          const reader = (async () => {
            for await (const m of session) if (got.push(m.content) === options.messages) return;
          })();
          const writer = (async () => {
            for (; next < options.messages; next++) {
              await session.send(payload(c, next));
              await new Promise((r) => setTimeout(r, gap));
            }
          })();
          try {
            await Promise.all([reader, writer]);
            await session.close();
            break;
          } catch (e) {
            await Promise.allSettled([reader, writer]);
            if (!isSdkError(e)) throw e;
            failedSessions++;
            if (!openedBeforeKill) reconnectFailures++;
            else if (server !== 0 || !kill) survivorFailures++;
            lastFailure = performance.now();
            const codes = [e.code, isSdkError(e.cause) ? e.cause.code : undefined].filter(Boolean).join('<-');
            errorCodes[codes] = (errorCodes[codes] ?? 0) + 1;
            const inFlight = natsInFlight(session.transport)?.messages ?? [];
            inFlightData += inFlight.filter((m) => binaryCodec.decode(m).type === 'DATA').length;
            resent += next - got.length;
            reconnects++;
          }
        }
        return tally(got, c, options.messages);
      }),
    );
    await killer;
    const ms = performance.now() - t0;
    const sum = (k: 'delivered' | 'lost' | 'duplicated' | 'reordered') => results.reduce((n, r) => n + r[k], 0);
    return {
      sessions: options.sessions, messagesPerSession: options.messages,
      delivered: sum('delivered'), lost: sum('lost'), duplicated: sum('duplicated'), reordered: sum('reordered'),
      perServer, crossNode, ms, failedSessions, survivorFailures, reconnectFailures, errorCodes, inFlightData, resent, reconnects,
      detectMs: failedSessions ? lastFailure - killedAt : 0,
    };
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await cluster.stop();
  }
}
