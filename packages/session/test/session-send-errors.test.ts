/**
 * session.ts `send`: a DATA that cannot be encoded rejects the returned promise with the
 * codec's typed error (it never throws synchronously), and the session goes on sending.
 */
import { M2MError } from '@m2m/core';
import { describe, expect, it } from 'vitest';
import { binaryCodec, Session, type MessageCodec } from '../src/index.js';
import { memoryTransportPair } from '../src/testing.js';

describe('Session.send', () => {
  it('rejects with the encoder error of a DATA instead of throwing, and the next send goes through', async () => {
    let failNext = false;
    const codec: MessageCodec = {
      name: 'binary',
      encode(message) {
        if (failNext && message.type === 'DATA') {
          failNext = false;
          throw new M2MError('LimitExceeded', { limit: 'test', actual: 2, max: 1 });
        }
        return binaryCodec.encode(message);
      },
      decode: (bytes) => binaryCodec.decode(bytes),
    };
    const [a, b] = memoryTransportPair();
    const server = Session.server(b, { codec: 'binary' });
    const client = await Session.client(a, { codec });
    const peer = (await server)!;
    failNext = true;
    let sent: Promise<void> | undefined;
    expect(() => (sent = client.send('{"a":1}'))).not.toThrow();
    await expect(sent).rejects.toMatchObject({ kind: 'LimitExceeded' });
    await client.send('{"b":2}');
    const it = peer[Symbol.asyncIterator]();
    expect((await it.next()).value?.content).toBe('{"b":2}');
    await client.close();
  });
});
