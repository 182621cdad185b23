import { describe, expect, it } from 'vitest';
import { connect, listen, type Session } from '@m2m/session';

const SESSIONS = 200;
const MESSAGES = 1000;

/** Every message carries its session and sequence number, so loss, duplication and reordering all show. */
async function exchange(transport: 'ws' | 'tcp') {
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
    const clients = await Promise.all(Array.from({ length: SESSIONS }, () => connect(server.url, { codec: 'binary' })));
    const results = await Promise.all(
      clients.map(async (s, c) => {
        const reader = (async () => {
          let expected = 0;
          for await (const m of s) {
            const { i } = JSON.parse(m.content) as { i: number };
            if (i !== expected) throw new Error(`client ${c}: echo ${i}, expected ${expected}`);
            if (++expected === MESSAGES) break;
          }
          return expected;
        })();
        for (let i = 0; i < MESSAGES; i++) await s.send(JSON.stringify({ model: 'gpt-4o', c, i, messages: [{ role: 'user', content: `hello ${i}` }] }));
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

describe('loopback: 200 concurrent sessions × 1,000 messages each way', () => {
  for (const transport of ['ws', 'tcp'] as const) {
    it(`${transport}: none lost, duplicated or reordered`, async () => {
      const { results, serverSeen, serverErrors } = await exchange(transport);
      expect(serverErrors).toEqual([]);
      expect(results).toEqual(Array(SESSIONS).fill(MESSAGES));
      expect([...serverSeen.values()]).toEqual(Array(SESSIONS).fill(MESSAGES));
    }, 120_000);
  }
});
