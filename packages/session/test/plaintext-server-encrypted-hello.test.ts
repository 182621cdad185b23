/**
 * An encrypted client at a plaintext server is told why (REJECT SECURITY_POLICY), as a plaintext
 * client at an encrypted server is, instead of "connection closed before ACCEPT".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { connect, listen, type Server } from '@m2m/session';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('a plaintext server and an encrypted HELLO', () => {
  it('answers REJECT SECURITY_POLICY naming the offered Noise protocol, and keeps serving plaintext clients', async () => {
    const server = await listen({ transport: 'tcp', onSession: (s) => void (async () => { for await (const m of s) await s.send(m.content); })().catch(() => undefined) });
    servers.push(server);
    const e = await connect(server.url, { secure: { staticKey: KeyPair.generate(), insecureSkipPeerVerification: true } }).catch((err: unknown) => err);
    expect(isSdkError(e) && e.code).toBe('REJECTED');
    const details = (e as { details: { code: string; message: string } }).details;
    expect(details.code).toBe('SECURITY_POLICY');
    expect(details.message).toMatch(/plaintext sessions only, not Noise_XX_25519_ChaChaPoly_SHA256/);
    const plain = await connect(server.url);
    await plain.send('{"model":"m","messages":[]}');
    const it = plain[Symbol.asyncIterator]();
    expect((await it.next()).value?.content).toBe('{"model":"m","messages":[]}');
    await plain.close();
  });
});
