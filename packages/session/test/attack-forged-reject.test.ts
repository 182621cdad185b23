/**
 * An encrypted client reads a plaintext REJECT after its handshake only as the server's answer to
 * a refused message 3 (secure/handshake.ts), which comes before anything sealed: once the server
 * has sent an authenticated message, it has admitted the client, and a REJECT is someone on the
 * path. It must then be refused as every other unsealed message (PROTOCOL_ERROR), not reach the
 * application as the server's own REJECTED, whose code, text and retryAfterMs the sender chose
 * (withRetry waits at least retryAfterMs: one forged packet could park a client for days).
 */
import { describe, expect, it } from 'vitest';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, encodeMessageBinary, Session, type Message } from '../src/index.js';
import { memoryTransportPair } from '../src/testing.js';

const bob = KeyPair.generate();
const alice = KeyPair.generate();
const forged: Message = { type: 'REJECT', timestamp: 1, payload: { kind: 'rejection', value: { code: 'RATE_LIMITED', message: 'Handshake failed at message 3 (AUTH): your key was revoked', retryAfterMs: 86_400_000 } } };

describe('a plaintext REJECT after the server spoke under the session keys', () => {
  it('ends the client with PROTOCOL_ERROR, not a REJECTED carrying the forger\'s code, text and retryAfterMs', async () => {
    const [a, b] = memoryTransportPair();
    const sp = Session.server(b, { secure: { staticKey: bob } });
    const client = await Session.client(a, { secure: { staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) } });
    const server = (await sp)!;
    await server.send('{"hello":1}');
    const it = client[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    await b.send(encodeMessageBinary(forged)); // on the server's side of the wire, past its session
    const info = await client.closed;
    expect(info.error?.code).toBe('PROTOCOL_ERROR');
    expect(info.error?.retryAfterMs).toBeUndefined();
    await server.close().catch(() => undefined);
  });
});
