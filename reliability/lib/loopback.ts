/**
 * Many concurrent sessions on one loopback server, each message carrying its session and
 * sequence number so that loss, duplication and reordering all show. A short run is in
 * `pnpm test` (packages/session/test/loopback.test.ts); the full size runs in `pnpm stress`.
 * @module
 */
import { connect, listen, type Session } from '@m2m/session';

/** What each side saw. */
export interface LoopbackResult {
  /** Echoes each client read back, in order. */
  results: number[];
  /** Messages each server-side session read, by session id. */
  serverSeen: Map<string, number>;
  serverErrors: string[];
}

/** Runs `sessions` clients that each send `messages` DATA messages and read every echo. */
export async function loopbackExchange(transport: 'ws' | 'tcp', sessions: number, messages: number): Promise<LoopbackResult> {
  const serverSeen = new Map<string, number>();
  const serverErrors: string[] = [];
  const server = await listen({
    transport,
    onSession: async (s: Session) => {
      let expected = 0;
      try {
        for await (const m of s) {
          const { c, i } = JSON.parse(m.content) as { c: number; i: number };
          if (i !== expected) serverErrors.push(`session ${c}: got ${i}, expected ${expected}`);
          expected++;
          await s.send(m.content);
        }
      } catch (e) {
        serverErrors.push(String(e));
      }
      serverSeen.set(s.id, expected);
    },
  });
  try {
    const clients = await Promise.all(Array.from({ length: sessions }, () => connect(server.url, { codec: 'binary' })));
    const results = await Promise.all(
      clients.map(async (s, c) => {
        const reader = (async () => {
          let expected = 0;
          for await (const m of s) {
            const { i } = JSON.parse(m.content) as { i: number };
            if (i !== expected) throw new Error(`client ${c}: echo ${i}, expected ${expected}`);
            if (++expected === messages) break;
          }
          return expected;
        })();
        for (let i = 0; i < messages; i++) await s.send(JSON.stringify({ model: 'gpt-4o', c, i, messages: [{ role: 'user', content: `hello ${i}` }] }));
        const n = await reader;
        await s.close();
        return n;
      }),
    );
    await new Promise((r) => setTimeout(r, 50));
    return { results, serverSeen, serverErrors };
  } finally {
    await server.close();
  }
}
