/**
 * Attacks on WebSocket batching (`m2m.batch.v1`, packages/session/src/transport/ws-batch.ts) for
 * the adversary table of `pnpm stress`: full-size versions of
 * packages/session/test/ws-batch-adversary.test.ts. A hostile client negotiates batching, does
 * a real handshake, then sends batches of DATA its own session encoded (kept, not sent), straight
 * on the socket. `wsBatchAttackList(scale)` shrinks every size; `wsBatchAttacks` is the full size.
 * @module
 */
import WebSocket from 'ws';
import { connect, listen, Session, type Server, type WebSocketLike } from '@m2m/session';
import { NodeWebSocketTransport } from '@m2m/session/internal';
import type { Attack } from '../lib/adversary.js';
import { lengthPrefixed } from '../../packages/session/test/fixtures/length-prefixed.js';

const MiB = 1024 * 1024;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(done: () => boolean, ms: number): Promise<void> {
  for (const t0 = performance.now(); !done() && performance.now() - t0 < ms; ) await settle(20);
}
const request = '{"model":"gpt-4o","messages":[{"role":"user","content":"still there?"}]}';

/**
 * A raw `ws` client with batching and an established session; `data(n)` returns `n` DATA
 * messages as that session encodes them, kept instead of sent.
 */
async function batchedPeer(url: string): Promise<{ ws: WebSocket; data: (n: number) => Promise<Uint8Array[]> }> {
  const ws = new WebSocket(url, ['m2m.batch.v1']);
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const transport = new NodeWebSocketTransport(ws as unknown as WebSocketLike, { nodeBuffers: true });
  const send = transport.send.bind(transport);
  let kept: Uint8Array[] | undefined;
  transport.send = (d) => (kept ? (kept.push(new Uint8Array(d)), Promise.resolve()) : send(d));
  const session = await Session.client(transport);
  return {
    ws,
    data: async (n) => {
      kept = [];
      for (let i = 0; i < n; i++) await session.send(`{"i":${i}}`);
      const out = kept;
      kept = undefined;
      return out;
    },
  };
}

async function roundTrip(server: Server): Promise<string> {
  const s = await connect(server.url, { signal: AbortSignal.timeout(10_000) });
  const it = s[Symbol.asyncIterator]();
  await s.send(request);
  const back = (await it.next()).value?.content;
  await s.close();
  return back === request ? 'served' : 'NOT served';
}

/** The batching attacks, sizes multiplied by `scale` (1 = full size). */
export function wsBatchAttackList(scale = 1): Attack[] {
  const big = Math.max(MiB, Math.round(16 * MiB * scale));
  const closers = Math.max(2, Math.round(8 * scale));
  return [
    {
      name: `one ${(big / MiB).toFixed(0)} MiB batch of small DATA entries (WebSocket, m2m.batch.v1)`,
      inputBytes: big,
      run: async () => {
        let got = 0;
        const server = await listen({
          transport: 'ws',
          onSession: async (s) => {
            try {
              for await (const m of s) if (m.content === request) await s.send(m.content);
              else got++;
            } catch {
              // the attacker's session may end with an error
            }
          },
        });
        try {
          const peer = await batchedPeer(server.url);
          const one = (await peer.data(1))[0];
          const n = Math.floor(big / (one.length + 4));
          peer.ws.send(lengthPrefixed(Array.from({ length: n }, () => one)));
          await until(() => got >= n, 60_000);
          peer.ws.terminate();
          return { outcome: `${got.toLocaleString('en')} of ${n.toLocaleString('en')} entries read; legitimate client ${await roundTrip(server)}` };
        } finally {
          await server.close();
        }
      },
    },
    {
      name: `${closers} clients each sending an 8 MiB batch of DATA and closing, application not reading (maxBufferedBytes 32 MiB)`,
      inputBytes: closers * 8 * MiB,
      run: async () => {
        const held: Session[] = [];
        const server = await listen({ transport: 'ws', serverLimits: { maxBufferedBytes: 32 * MiB }, onSession: (s) => void held.push(s) });
        try {
          const peers = [];
          for (let i = 0; i < closers; i++) peers.push(await batchedPeer(server.url));
          const one = (await peers[0].data(1))[0];
          const batch = lengthPrefixed(Array.from({ length: Math.floor((8 * MiB) / (one.length + 4)) }, () => one));
          for (const p of peers) {
            p.ws.send(batch);
            p.ws.close();
          }
          await settle(1_000);
          const buffered = server.bufferedBytes;
          for (const s of held) await s.close().catch(() => undefined);
          // A legitimate client on a server whose application reads.
          const echoing = await listen({ transport: 'ws', onSession: async (s) => { for await (const m of s) await s.send(m.content); } });
          const served = await roundTrip(echoing).finally(() => echoing.close());
          return { outcome: `server counted ${(buffered / MiB).toFixed(1)} MiB unread (budget 32 MiB), ${held.length} sessions; legitimate client ${served}` };
        } finally {
          await server.close();
        }
      },
    },
  ];
}

/** The full-size batching attacks. */
export const wsBatchAttacks: Attack[] = wsBatchAttackList(1);
