/**
 * The plaintext REJECT an XX server sends when it refuses message 3 (secure/handshake.ts) must not
 * carry what message 3 encrypts: the client's static key. Its start was in the refusal's text
 * (`peer static key not allowed (826dd818…)`), so anyone watching the wire learned which client
 * was refused, a key XX (and IK, at message 1) keeps from passive observers. The server's own error keeps the print.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, Session, type SecureOptions } from '../src/index.js';
import { memoryTransportPair } from '../src/testing.js';

const bob = KeyPair.generate();
const alice = KeyPair.generate();
const print = toHex(alice.publicKey.subarray(0, 8));

const servers: [string, SecureOptions][] = [
  ['verifyPeer refuses the key', { staticKey: bob, verifyPeer: allowKeys([bob.publicKey]) }],
  ['the key is not the pinned one', { staticKey: bob, remoteStaticKey: bob.publicKey }],
];

describe('a refused AUTH (XX) or HELLO (IK): the plaintext REJECT does not name the client key', () => {
  it('IK: verifyPeer refuses the key at message 1, which encrypts it too', async () => {
    const [a, b] = memoryTransportPair();
    void Session.server(b, { secure: { pattern: 'IK', staticKey: bob, verifyPeer: allowKeys([bob.publicKey]) } }).catch(() => undefined);
    const refused = await Session.client(a, { secure: { pattern: 'IK', staticKey: alice, remoteStaticKey: bob.publicKey } }).then(
      () => undefined,
      (e: unknown) => e as { code: string; details: { message: string } },
    );
    expect(refused?.code).toBe('REJECTED');
    expect(refused?.details.message).toMatch(/^Handshake failed at message 1 \(HELLO\): /);
    expect(refused?.details.message).not.toContain(print);
  });

  it.each(servers)('%s', async (_, server) => {
    const [a, b] = memoryTransportPair();
    const serverSide = Session.server(b, { secure: server }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const session = await Session.client(a, { secure: { staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) } });
    const info = await session.closed;
    const serverError = await serverSide;
    expect(serverError?.message).toContain(print); // the server's log still says which key
    const wire = (info.error as { details: { code: string; message: string } } | undefined)?.details;
    expect(wire?.code).toBe('SECURITY_POLICY');
    expect(wire?.message).toMatch(/^Handshake failed at message 3 \(AUTH\): /);
    expect(wire?.message).not.toContain(print);
  });
});
