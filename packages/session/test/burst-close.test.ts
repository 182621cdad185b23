/**
 * A client that sends its last DATA and CLOSE right after the handshake (all of it read by the
 * server at once): the server still hands the session to `onSession`, and the application reads
 * the DATA before the orderly end. (The read loop takes waiting messages without awaiting, so
 * such a session can have ended by the time `listen` gets it.)
 */
import { expect, it } from 'vitest';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, type Session } from '../src/index.js';

for (const transport of ['tcp', 'ws'] as const) {
  for (const encrypted of [false, true]) {
    it(`${transport}${encrypted ? ' XX' : ''}: DATA then CLOSE at once reaches onSession and its reader`, async () => {
      const serverKey = KeyPair.generate();
      const clientKey = KeyPair.generate();
      const read: string[] = [];
      let ended!: () => void;
      const done = new Promise<void>((r) => (ended = r));
      const server = await listen({
        transport,
        ...(encrypted ? { secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } } : {}),
        onSession: (s: Session) =>
          void (async () => {
            for await (const m of s) read.push(m.content);
            ended();
          })(),
      });
      try {
        const client = await connect(server.url, encrypted ? { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } } : {});
        await client.send('{"model":"gpt-4o","messages":[]}');
        await client.close();
        await done;
        expect(read).toEqual(['{"model":"gpt-4o","messages":[]}']);
        expect(server.counters.accepted).toBe(1);
      } finally {
        await server.close();
      }
    });
  }
}
