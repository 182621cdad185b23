/**
 * `server.close()` right after a client's `connect()` resolved: the client learns that the server
 * shut down (its CLOSE SERVER_SHUTDOWN), not that the connection was lost, on every transport,
 * plaintext and encrypted (where the server holds the session only once the client's AUTH
 * arrived, which may be after the client's `connect` resolved).
 */
import { describe, expect, it } from 'vitest';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, listen, type ListenOptions, type Server } from '../src/index.js';
import { httpTransport } from '../src/http.js';
import { natsServerPath, startNatsServer, type NatsNode } from './fixtures/nats-server.js';

const nats = natsServerPath();

async function open(transport: 'tcp' | 'ws' | 'http' | 'nats', options: ListenOptions, node?: NatsNode): Promise<Server> {
  if (transport === 'nats') return listen({ ...options, transport, servers: [node!.address], subject: `m2m.race.${Math.random().toString(36).slice(2)}` } as ListenOptions);
  return listen({ ...options, transport });
}

describe('server.close() right after connect', () => {
  for (const transport of ['tcp', 'ws', 'http', 'nats'] as const) {
    for (const encrypted of [false, true]) {
      it.skipIf(transport === 'nats' && !nats)(`${transport}${encrypted ? ' XX' : ''}: the client's session ends with SERVER_SHUTDOWN`, async () => {
        const node = transport === 'nats' ? await startNatsServer() : undefined;
        const serverKey = KeyPair.generate();
        const clientKey = KeyPair.generate();
        const server = await open(transport, encrypted ? { secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } } : {}, node);
        try {
          for (let round = 0; round < 3; round++) {
            const client = await connect(server.url, {
              ...(transport === 'http' ? { transport: httpTransport } : {}),
              ...(encrypted ? { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } } : {}),
            });
            if (round < 2) {
              await client.close();
              continue;
            }
            await server.close();
            const info = await client.closed;
            expect({ reason: info.reason, by: info.by }).toEqual({ reason: 'SERVER_SHUTDOWN', by: 'peer' });
            // An orderly end: iteration ends without an error.
            const it = client[Symbol.asyncIterator]();
            expect((await it.next()).done).toBe(true);
          }
        } finally {
          await server.close();
          await node?.stop();
        }
      });
    }
  }
});
