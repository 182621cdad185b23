/**
 * `session.send('hello')`: M2M frames carry JSON (the `m2m` algorithm, every DATA of an encrypted
 * session), so text that is not JSON is refused with JSON_INVALID saying the content must be
 * JSON, not with COMPRESSION_FAILED wording; before anything is sent, and the session goes on.
 */
import { isSdkError, type M2MError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { describe, expect, it } from 'vitest';
import { allowKeys, Session } from '../src/index.js';
import { memoryTransportPair } from '../src/testing.js';

async function pair(encrypted: boolean) {
  const [a, b] = memoryTransportPair();
  const serverKey = KeyPair.generate();
  const clientKey = KeyPair.generate();
  const sent: Uint8Array[] = [];
  const send = a.send.bind(a);
  a.send = (data: Uint8Array) => (sent.push(data), send(data));
  const server = Session.server(b, encrypted ? { secure: { staticKey: serverKey, verifyPeer: allowKeys([clientKey.publicKey]) } } : {});
  const client = await Session.client(a, encrypted ? { secure: { staticKey: clientKey, verifyPeer: allowKeys([serverKey.publicKey]) } } : {});
  return { client, server: (await server)!, sent };
}

describe('send of text that is not JSON', () => {
  for (const encrypted of [false, true]) {
    it.each(['hello', '', '{"a":', 'secret-token-123 not json'])(`is JSON_INVALID "content must be JSON", nothing is sent, the session goes on (encrypted: ${encrypted}) %j`, async (text) => {
      const { client, server, sent } = await pair(encrypted);
      const before = sent.length;
      const e = await client.send(text).then(() => undefined, (err: unknown) => err);
      expect(isSdkError(e) && (e as M2MError).code).toBe('JSON_INVALID');
      expect((e as Error).message).toMatch(/must be JSON/);
      expect((e as Error).message).not.toMatch(/Compression/i);
      // The content itself is not repeated (it may be anything the application holds).
      if (text.length > 3) expect((e as Error).message).not.toContain(text);
      expect(sent.length).toBe(before);
      await client.send('{"ok":1}');
      expect(((await server[Symbol.asyncIterator]().next()).value as { content: string }).content).toBe('{"ok":1}');
      await client.close();
    });
  }

  it('plaintext: another algorithm still takes any text', async () => {
    const { client, server } = await pair(false);
    await client.send('hello', { algorithm: 'brotli' });
    expect(((await server[Symbol.asyncIterator]().next()).value as { content: string }).content).toBe('hello');
    await client.close();
  });
});
