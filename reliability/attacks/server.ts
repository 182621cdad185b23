/**
 * Server-side attacks for the adversary table of `pnpm stress` (issue 13: starvation, leaks and
 * buffers): full-size versions of packages/session/test/adversary-server.test.ts. Each attack
 * starts its own `listen()` server on loopback, runs, checks that a legitimate client still
 * completes a round trip, and reports how the attack ended. `serverAttackList(scale)` shrinks
 * every count for a quick check; `serverAttacks` is the full size.
 * @module
 */
import * as net from 'node:net';
import { isSdkError } from '@m2m/core';
import { connect, listen, Session, type ListenOptions, type Server } from '@m2m/session';
import { TcpTransport } from '../../packages/session/src/transport/tcp.js';
import { collectGarbage, type Attack } from '../lib/adversary.js';


const MiB = 1024 * 1024;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `done()` holds or `ms` pass. */
async function until(done: () => boolean, ms: number): Promise<void> {
  for (const t0 = performance.now(); !done() && performance.now() - t0 < ms; ) await settle(20);
}
const request = '{"model":"gpt-4o","messages":[{"role":"user","content":"still there?"}]}';

async function echo(s: Session): Promise<void> {
  try {
    for await (const m of s) await s.send(m.content);
  } catch {
    // attacked sessions end with errors
  }
}

/** Runs `attack` against a fresh server, then a legitimate round trip; the outcome names both. */
async function withServer(options: ListenOptions, attack: (server: Server) => Promise<string>): Promise<{ outcome: string }> {
  const server = await listen({ onSession: echo, ...options });
  try {
    const what = await attack(server);
    const s = await connect(server.url, { signal: AbortSignal.timeout(10_000) });
    const it = s[Symbol.asyncIterator]();
    await s.send(request);
    const back = (await it.next()).value?.content;
    await s.close();
    return { outcome: `${what}; legitimate client ${back === request ? 'served' : 'NOT served'}` };
  } finally {
    await server.close();
  }
}

function rawTcp(port: number, into: net.Socket[]): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => undefined);
    s.once('error', reject);
    into.push(s);
  });
}

async function openMany(port: number, n: number, into: net.Socket[]): Promise<void> {
  for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => rawTcp(port, into)));
}

const noise = (bytes: number) => {
  let s = '';
  let x = 2463534242;
  while (s.length < bytes) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    s += (x >>> 0).toString(36);
  }
  return s.slice(0, bytes);
};

/** The server attacks, every count multiplied by `scale` (1 = the sizes the issue names). */
export function serverAttackList(scale = 1): Attack[] {
  const n = (full: number, min = 2) => Math.max(min, Math.round(full * scale));
  const idle = n(1_000, 20);
  const trickling = n(200, 5);
  const sessions = n(16_000, 50);
  const hoarders = n(64, 4);
  const trickled = Math.max(MiB, Math.round(16 * MiB * scale));
  return [
    {
      name: `${idle} idle TCP connections, then a real client (maxPendingHandshakes ${Math.round(idle / 2)})`,
      inputBytes: 0,
      run: () => {
        const sockets: net.Socket[] = [];
        return withServer({ transport: 'tcp', serverLimits: { maxPendingHandshakes: Math.round(idle / 2) } }, async (server) => {
          try {
            await openMany(server.port, idle, sockets);
            // The kernel completes connections before node accepts them: wait for the server to catch up.
            await until(() => server.counters.evictedPending >= idle - Math.round(idle / 2), 5_000);
            return `${server.counters.evictedPending} oldest evicted`;
          } finally {
            // the legitimate client runs after this; the flood stays open until the server closes
            setTimeout(() => sockets.forEach((s) => s.destroy()), 15_000).unref();
          }
        });
      },
    },
    {
      name: `${trickling} connections trickling a HELLO one byte per 100 ms`,
      inputBytes: trickling * 60,
      run: () => {
        const sockets: net.Socket[] = [];
        return withServer({ transport: 'tcp', serverLimits: { handshakeTimeoutMs: 2_000 } }, async (server) => {
          await openMany(server.port, trickling, sockets);
          const hello = Buffer.alloc(204, 0x7b);
          hello.writeUInt32BE(200);
          let at = 0;
          const t = setInterval(() => {
            at++;
            for (const s of sockets) if (!s.destroyed) s.write(hello.subarray(at - 1, at));
          }, 100);
          const t0 = performance.now();
          while (sockets.some((s) => !s.destroyed && !s.readableEnded) && performance.now() - t0 < 10_000) await settle(100);
          clearInterval(t);
          sockets.forEach((s) => s.destroy());
          return `${server.counters.handshakeTimeouts} closed at the deadline after ${((performance.now() - t0) / 1000).toFixed(1)} s`;
        });
      },
    },
    {
      name: `onSession only: ${sessions.toLocaleString('en')} sessions opened and closed`,
      inputBytes: sessions * 400,
      run: () => {
        const refs: Array<WeakRef<Session>> = [];
        return withServer(
          {
            transport: 'tcp',
            onSession: (s) => {
              refs.push(new WeakRef(s));
              void echo(s);
            },
          },
          async (server) => {
            for (let i = 0; i < sessions; i += 100) {
              const batch = await Promise.all(Array.from({ length: Math.min(100, sessions - i) }, () => connect(server.url)));
              await Promise.all(batch.map((c) => c.close()));
              // The attacker's own sessions live in this process too: collect them as it goes, so
              // the peak shows what the server keeps, not garbage V8 has not reached yet.
              if (i % 2000 === 1900) collectGarbage();
            }
            await settle(200);
            (globalThis as { gc?: () => void }).gc?.();
            await settle(50);
            return `${refs.filter((r) => r.deref()).length} of ${refs.length} sessions still reachable`;
          },
        );
      },
    },
    {
      name: 'a client that never reads, server streaming 64 KiB messages (sendTimeoutMs 3 000)',
      inputBytes: request.length,
      run: () => {
        const result: { sent: number; error?: unknown; first?: boolean } = { sent: 0 };
        const sockets: net.Socket[] = [];
        return withServer(
          {
            transport: 'tcp',
            sendTimeoutMs: 3_000,
            onSession: async (s) => {
              if (result.first) return void echo(s);
              result.first = true;
              const chunk = noise(64 * 1024);
              try {
                for await (const m of s) {
                  void m;
                  for (let i = 0; i < 10_000; i++) {
                    await s.send(chunk, { algorithm: 'none' });
                    result.sent++;
                  }
                }
              } catch (e) {
                result.error = e;
              }
            },
          },
          async (server) => {
            const socket = await rawTcp(server.port, sockets);
            const session = await Session.client(new TcpTransport(socket));
            socket.pause();
            await session.send(request);
            for (let i = 0; i < 100 && result.error === undefined; i++) await settle(100);
            socket.destroy();
            return `${isSdkError(result.error) ? result.error.code : 'no error'} after ${((result.sent * 64) / 1024).toFixed(1)} MiB taken by the socket`;
          },
        );
      },
    },
    (() => {
      let sentBytes = 0;
      return {
        name: 'a server application that never reads, client sending 256 KiB messages',
        /** What the client got the server to take before it stalled (known after the run). */
        get inputBytes() {
          return sentBytes;
        },
        run: () => {
          let held = false;
          return withServer({ transport: 'tcp', onSession: (s) => (held ? void echo(s) : void (held = true)) }, async (server) => {
            const client = await connect(server.url);
            const content = noise(256 * 1024);
            let sent = 0;
            for (; sent < 400; sent++) {
              const r = await Promise.race([client.send(content, { algorithm: 'none' }).then(() => true), settle(500).then(() => false)]);
              if (!r) break;
            }
            sentBytes = sent * content.length;
            const buffered = server.bufferedBytes;
            client.transport.abort?.();
            return `client stalled after ${sent} messages; server holds ${(buffered / MiB).toFixed(2)} MiB unread`;
          });
        },
      };
    })(),
    {
      name: `a ${(trickled / MiB).toFixed(0)} MiB message trickled in 8 KiB reads`,
      inputBytes: trickled,
      run: () => {
        const sockets: net.Socket[] = [];
        let first = true;
        let failure: unknown;
        return withServer(
          {
            transport: 'tcp',
            onSession: (s) => {
              if (first) void s.closed.then((i) => (failure = i.error));
              else void echo(s);
              first = false;
            },
          },
          async (server) => {
            const socket = await rawTcp(server.port, sockets);
            await Session.client(new TcpTransport(socket));
            const piece = Buffer.alloc(8 * 1024, 0x41);
            const head = Buffer.alloc(4);
            head.writeUInt32BE(trickled);
            socket.write(head);
            for (let off = 0; off < trickled; off += piece.length) {
              if (!socket.write(piece)) await new Promise((r) => socket.once('drain', r));
              await new Promise((r) => setImmediate(r));
            }
            for (let i = 0; i < 100 && failure === undefined; i++) await settle(20);
            socket.destroy();
            const cause = isSdkError(failure) ? failure.code : 'none';
            return `message reassembled, then refused (${cause})`;
          },
        );
      },
    },
    {
      name: `${hoarders} sessions each holding a 2 MiB partial message (maxBufferedBytes 32 MiB)`,
      inputBytes: hoarders * 2 * MiB,
      run: () => {
        const sockets: net.Socket[] = [];
        return withServer({ transport: 'tcp', serverLimits: { maxBufferedBytes: 32 * MiB } }, async (server) => {
          const head = Buffer.alloc(4);
          head.writeUInt32BE(8 * MiB);
          const part = Buffer.alloc(2 * MiB, 1);
          for (let i = 0; i < hoarders; i++) {
            const socket = await rawTcp(server.port, sockets);
            await Session.client(new TcpTransport(socket));
            socket.write(head);
            socket.write(part);
          }
          await settle(500);
          const cut = sockets.filter((s) => s.destroyed || s.readableEnded).length;
          const held = server.bufferedBytes;
          sockets.forEach((s) => s.destroy());
          return `${cut} of ${hoarders} cut off (LIMIT_EXCEEDED maxBufferedBytes); server held ${(held / MiB).toFixed(1)} MiB`;
        });
      },
    },
    {
      name: `${idle} connections each sending a first message declared at 16 MiB`,
      inputBytes: idle * 4,
      run: () => {
        const sockets: net.Socket[] = [];
        return withServer({ transport: 'tcp' }, async (server) => {
          await openMany(server.port, idle, sockets);
          const head = Buffer.alloc(4);
          head.writeUInt32BE(16 * MiB);
          for (const s of sockets) s.write(head);
          await until(() => server.counters.failedHandshakes >= idle, 5_000);
          const failed = server.counters.failedHandshakes;
          sockets.forEach((s) => s.destroy());
          return `${failed} refused before buffering (maxHandshakeMessageBytes 64 KiB)`;
        });
      },
    },
  ];
}

/** The full-size server attacks. */
export const serverAttacks: Attack[] = serverAttackList(1);
