/**
 * An XX client the server refuses at message 3 (a wrong psk, or its key refused by verifyPeer)
 * learns why: the server answers the failed AUTH with a plaintext REJECT SECURITY_POLICY (the
 * client's keys may differ from the server's, so nothing sealed could be read), and the client's
 * session ends with REJECTED instead of "connection lost" (docs/PROTOCOL.md §7.1).
 */
import { describe, expect, it } from 'vitest';
import { isM2MError, type M2MError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, encodeMessageBinary, listen, Session, type Message, type SecureOptions } from '../src/index.js';
import { memoryTransportPair } from '../src/testing.js';

const bob = KeyPair.generate();
const alice = KeyPair.generate();
const right = new Uint8Array(32).fill(1);
const wrong = new Uint8Array(32).fill(2);

const cases: [string, SecureOptions, SecureOptions][] = [
  ['a wrong psk (XXpsk3)', { pattern: 'XXpsk3', staticKey: bob, psk: right }, { pattern: 'XXpsk3', staticKey: alice, psk: wrong, verifyPeer: allowKeys([bob.publicKey]) }],
  ['a client key verifyPeer refuses', { staticKey: bob, verifyPeer: allowKeys([bob.publicKey]) }, { staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) }],
];

function expectRefused(e: unknown): void {
  expect(isM2MError(e)).toBe(true);
  const err = e as M2MError<'Rejected'>;
  expect(err.code).toBe('REJECTED');
  expect(err.details.code).toBe('SECURITY_POLICY');
  expect(err.details.message).toMatch(/^Handshake failed at message 3 \(AUTH\): /);
  expect(err.retryable).toBe(false);
}

describe('XX: the server refuses message 3', () => {
  it.each(cases)('%s: memory transport, the client session ends with REJECTED SECURITY_POLICY', async (_, server, client) => {
    const [a, b] = memoryTransportPair();
    const serverSide = Session.server(b, { secure: server }).then(
      () => 'admitted',
      (e: unknown) => (e as { code: string }).code,
    );
    const session = await Session.client(a, { secure: client });
    expect(await serverSide).toMatch(/^HANDSHAKE_/);
    const info = await session.closed;
    expect(info.by).toBe('peer');
    expectRefused(info.error);
    await expect(session.send('{"a":1}')).rejects.toSatisfy((e) => isM2MError(e) && e.code === 'REJECTED');
  });

  it.each(['tcp', 'ws'] as const)('over %s with listen/connect: iterating throws REJECTED, not "connection lost"', async (transport) => {
    for (const [, server, client] of cases) {
      const srv = await listen({ port: 0, transport, secure: server, onSession: () => undefined });
      try {
        const session = await connect(`${transport}://127.0.0.1:${srv.port}`, { secure: client });
        let thrown: unknown;
        try {
          for await (const m of session) void m;
        } catch (e) {
          thrown = e;
        }
        expectRefused(thrown);
      } finally {
        await srv.close();
      }
    }
  });

  it('only an encrypted client reads a REJECT after the handshake: a server (or a plaintext session) still ends with PROTOCOL_ERROR', async () => {
    const reject: Message = { type: 'REJECT', timestamp: 1, payload: { kind: 'rejection', value: { code: 'SECURITY_POLICY', message: 'injected' } } };
    const [a, b] = memoryTransportPair();
    const sp = Session.server(b, { secure: { staticKey: bob } });
    const session = await Session.client(a, { secure: { staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) } });
    const server = (await sp)!;
    await a.send(encodeMessageBinary(reject)); // to the server, past the client's session
    const info = await server.closed;
    expect(info.reason).toBe('ERROR');
    expect(info.error?.code).toBe('PROTOCOL_ERROR');
    await session.closed;

    const [c, d] = memoryTransportPair();
    const plainServer = Session.server(d);
    const plain = await Session.client(c);
    await plainServer;
    await d.send(encodeMessageBinary(reject));
    const plainInfo = await plain.closed;
    expect(plainInfo.reason).toBe('ERROR');
    expect(plainInfo.error?.code).toBe('PROTOCOL_ERROR');
  });
});
