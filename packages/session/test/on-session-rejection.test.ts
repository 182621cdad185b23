/**
 * `listen`'s async `onSession` when the peer vanishes (run-on-session.ts): the README's echo
 * handler, `for await (const m of s) await s.send(m.content)`, ends with SESSION_CLOSED when a
 * client drops its connection without CLOSE. That rejection must not reach the process as an
 * unhandled rejection (Node's default ends the process), while a handler that fails on a live
 * session still surfaces as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, type Server, type Session } from '@m2m/session';

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);
let server: Server | undefined;

afterEach(async () => {
  process.off('unhandledRejection', onUnhandled);
  unhandled.length = 0;
  await server?.close();
});

async function settle(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

describe('an async onSession whose session ends under it', () => {
  for (const transport of ['ws', 'tcp'] as const) {
    it(`${transport}: a client that drops its connection leaves no unhandled rejection`, async () => {
      process.on('unhandledRejection', onUnhandled);
      const serverKey = KeyPair.generate();
      const ended: unknown[] = [];
      let serverSession: Session | undefined;
      server = await listen({
        transport,
        secure: { staticKey: serverKey },
        onSession: async (s) => {
          serverSession = s;
          try {
            for await (const m of s) await s.send(m.content);
          } catch (e) {
            ended.push(e);
            throw e; // what the README's handler does implicitly
          }
        },
      });
      const client = await connect(server.url, { secure: { staticKey: KeyPair.generate(), verifyPeer: allowKeys([serverKey.publicKey]) } });
      await client.send('{"a":1}');
      for await (const reply of client) {
        expect(reply.content).toBe('{"a":1}');
        break;
      }
      client.transport.abort?.();
      await serverSession!.closed;
      await settle(100);
      // The handler did reject (so the case is real), and nothing went unhandled.
      expect(ended.length).toBe(1);
      expect(isSdkError(ended[0]) && ended[0].code).toBe('SESSION_CLOSED');
      expect(unhandled).toEqual([]);
    });
  }

  it('a handler that fails while its session is open still surfaces as an unhandled rejection', async () => {
    process.on('unhandledRejection', onUnhandled);
    const bug = new Error('handler bug');
    server = await listen({ transport: 'tcp', onSession: async () => { throw bug; } });
    const client = await connect(server.url);
    await settle(100);
    expect(unhandled).toEqual([bug]);
    await client.close();
  });
});
