/**
 * Attack: an application detaches (a byte stream's `enqueue` ignores `markAsUntransferable`) the
 * buffer of a received message that was carved from a connection's or session's slab
 * (codec/slab.ts). The slab's next carve must not throw a bare TypeError: the session goes on
 * (a fresh slab) or ends with a typed error.
 */
import { describe, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { allowKeys, connect, listen, type Session, type SessionData } from '@m2m/session';
import { KeyPair } from '@m2m/crypto';

/** What a readable byte stream's `enqueue` does to the buffer it is given, whatever its mark. */
const detach = (bytes: Uint8Array) => void new ReadableStream({ type: 'bytes', start: (c) => c.enqueue(bytes as Uint8Array<ArrayBuffer>) });

const json = (i: number) => JSON.stringify({ i, text: 'x'.repeat(100 + (i % 7)) });

describe('a received slab message detached by a byte stream', () => {
  for (const [transport, encrypted] of [['tcp', false], ['ws', false], ['tcp', true], ['ws', true]] as const) {
    it(`${transport}${encrypted ? ' XX' : ''}: later messages and sends work or fail typed, never a bare TypeError`, async () => {
      const serverKey = KeyPair.generate();
      const clientKey = KeyPair.generate();
      const server = await listen({ transport, inboxCapacity: 2, ...(encrypted ? { secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } } : {}) });
      try {
        const accepted = server[Symbol.asyncIterator]().next();
        const client = await connect(server.url, encrypted ? { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } } : {});
        const session = (await accepted).value as Session;
        const it = session[Symbol.asyncIterator]();
        await client.send(json(0));
        const first = (await it.next()).value as SessionData;
        const content = first.payload.content as Uint8Array;
        detach(content);
        expect(content.length).toBe(0);
        const errors: unknown[] = [];
        try {
          for (let i = 1; i < 10; i++) {
            await client.send(json(i));
            const r = await it.next();
            if (r.done) break;
            expect((r.value as SessionData).content).toBe(json(i));
            detach((r.value as SessionData).payload.content as Uint8Array);
            await session.send(json(100 + i));
            const back = await client[Symbol.asyncIterator]().next();
            expect((back.value as SessionData).content).toBe(json(100 + i));
            // The client's received messages too (its own session's buffers).
            detach((back.value as SessionData).payload.content as Uint8Array);
          }
        } catch (e) {
          errors.push(e);
        }
        for (const e of errors) {
          expect(isSdkError(e), String(e)).toBe(true);
          if ((e as Error).cause !== undefined) expect(isSdkError((e as Error).cause), String((e as Error).cause)).toBe(true);
        }
        await client.close().catch(() => {});
      } finally {
        await server.close();
      }
    });
  }
});
