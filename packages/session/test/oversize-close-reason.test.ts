/**
 * A message over the receiver's maxMessageBytes: the receiver tells the sender why before it ends
 * the connection, so the sender's session error says that the peer refused the size. Over
 * WebSocket the close code says it (1009, test/ws-peer-close-code.test.ts); over TCP, which has
 * no close code, the receiving session sends CLOSE ERROR with the limit (docs/PROTOCOL.md §6).
 * TCP used to drop the connection at once: the sender saw "connection lost" and no cause.
 */
import { isSdkError, type M2MError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { describe, expect, it } from 'vitest';
import { allowKeys, connect, listen, type ClosedInfo, type Session } from '../src/index.js';
import { httpTransport } from '../src/http.js';
import { natsServerPath, startNatsServer, type NatsNode } from './fixtures/nats-server.js';

const nats = natsServerPath();

/** The codes and messages of an error and its causes, outermost first. */
function chain(e: unknown): string[] {
  const out: string[] = [];
  for (let c = e; c instanceof Error; c = c.cause) out.push(`${isSdkError(c) ? c.code : c.name}: ${c.message}`);
  return out;
}

/** Reads `session` to its end: the error it ended with, or `undefined` when it ended cleanly. */
function readToEnd(session: Session): Promise<unknown> {
  return (async () => {
    for await (const _ of session) void _;
  })().then(() => undefined, (err: unknown) => err);
}

// Incompressible text, so the frame stays over the server's limit after compression.
const big = JSON.stringify({ model: 'x', messages: [{ role: 'user', content: Array.from({ length: 800 }, (_, i) => ((i * 2654435761) >>> 0).toString(36)).join(' ') }] });

describe('a message over the peer maxMessageBytes', () => {
  for (const transport of ['tcp', 'ws', 'http', 'nats'] as const) {
    it.skipIf(transport === 'nats' && !nats).each([false, true])(`${transport}: the sender's session error says the peer refused its size (encrypted: %s)`, async (encrypted) => {
      const serverKey = KeyPair.generate();
      let serverEnd: Promise<ClosedInfo> | undefined;
      const node: NatsNode | undefined = transport === 'nats' ? await startNatsServer() : undefined;
      const server = await listen({
        transport,
        ...(node ? { servers: [node.address], subject: 'm2m.oversize' } : {}),
        maxMessageBytes: 1024,
        ...(encrypted ? { secure: { staticKey: serverKey } } : {}),
        onSession: (s) => {
          serverEnd = s.closed;
          void readToEnd(s);
        },
      });
      try {
        const session = await connect(server.url, {
          ...(transport === 'http' ? { transport: httpTransport } : {}),
          ...(encrypted ? { secure: { staticKey: KeyPair.generate(), verifyPeer: allowKeys([serverKey.publicKey]) } } : {}),
        });
        // NATS: not in the BATCH that carries the client's AUTH (that case is the test below).
        if (transport === 'nats' && encrypted) await session.ping();
        await session.send(big).catch(() => undefined);
        const e = await readToEnd(session);
        expect(isSdkError(e) && (e as M2MError).code).toBe('SESSION_CLOSED');
        // ws: close code 1009; http: 413; tcp and nats: the CLOSE with the limit.
        expect(chain(e).join('\n'), chain(e).join(' | ')).toMatch(transport === 'http' ? /413 Payload Too Large/ : /maxMessageBytes/);
        // The server's own end (when the message came after the handshake) names the limit too.
        if (serverEnd) expect(chain((await serverEnd).error).join('\n')).toMatch(/LIMIT_EXCEEDED/);
      } finally {
        await server.close();
        await node?.stop();
      }
    });
  }

  it.skipIf(!nats)('nats, encrypted: an oversize DATA in the same BATCH as the client\'s AUTH: the server takes the AUTH, then refuses the DATA with a sealed CLOSE naming the limit', async () => {
    const serverKey = KeyPair.generate();
    const node = await startNatsServer();
    let serverEnd: Promise<ClosedInfo> | undefined;
    const server = await listen({
      transport: 'nats',
      servers: [node.address],
      subject: 'm2m.oversize.auth',
      maxMessageBytes: 1024,
      secure: { staticKey: serverKey },
      onSession: (s) => {
        serverEnd = s.closed;
        void readToEnd(s);
      },
    });
    try {
      const session = await connect(server.url, { secure: { staticKey: KeyPair.generate(), verifyPeer: allowKeys([serverKey.publicKey]) } });
      // In the turn connect resolved in: batched with the AUTH (it was "connection lost").
      await session.send(big).catch(() => undefined);
      const e = await readToEnd(session);
      expect(isSdkError(e) && (e as M2MError).code, chain(e).join(' | ')).toBe('SESSION_CLOSED');
      expect(chain(e).join('\n'), chain(e).join(' | ')).toMatch(/LIMIT_EXCEEDED|maxMessageBytes/);
      expect(chain(e).join('\n')).not.toMatch(/connection lost/);
      expect(serverEnd).toBeDefined();
      expect(chain((await serverEnd!).error).join('\n')).toMatch(/LIMIT_EXCEEDED/);
    } finally {
      await server.close();
      await node.stop();
    }
  });
});
