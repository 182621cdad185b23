/**
 * What a new user's first mistakes get back from the session API: a typed error that says what
 * to pass, not a handshake refused later with no hint (allowKeys given a KeyPair) or a bare
 * TypeError from deep inside a codec (send given an object).
 */
import { isSdkError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { describe, expect, it } from 'vitest';
import { allowKeys, connect, listen } from '../src/index.js';

const codeOf = (f: () => unknown): { code?: string; message: string } => {
  try {
    f();
  } catch (e) {
    return { code: isSdkError(e) ? e.code : undefined, message: (e as Error).message };
  }
  return { message: 'no error' };
};

describe('allowKeys', () => {
  const pair = KeyPair.generate();
  it('refuses a whole KeyPair and says to pass its .publicKey', () => {
    const r = codeOf(() => allowKeys([pair as unknown as Uint8Array]));
    expect(r.code).toBe('EXCHANGE_INVALID_PUBLIC_KEY');
    expect(r.message).toContain(".publicKey");
  });
  it.each([
    ['31 bytes', new Uint8Array(31)],
    ['63 hex characters', 'a'.repeat(63)],
    ['text that is not hex', 'z'.repeat(64)],
  ])('refuses %s', (_, key) => {
    expect(codeOf(() => allowKeys([key])).code).toBe('EXCHANGE_INVALID_PUBLIC_KEY');
  });
  it('accepts the key as bytes or as hex in either case, and matches only it', async () => {
    const other = KeyPair.generate().publicKey;
    const hex = Buffer.from(pair.publicKey).toString('hex');
    for (const key of [pair.publicKey, hex, hex.toUpperCase()]) {
      const verify = allowKeys([key]);
      expect(await verify({ staticKey: pair.publicKey, agentId: 'a', capabilities: {} as never })).toBe(true);
      expect(await verify({ staticKey: other, agentId: 'a', capabilities: {} as never })).toBe(false);
    }
  });
});

describe('an encrypted side without a usable static key', () => {
  const pair = KeyPair.generate();
  it.each([
    ['none', undefined],
    ['a hex string', 'ab'.repeat(32)],
    ['raw bytes', new Uint8Array(32)],
  ])('listen refuses %s with CONFIG_ERROR before binding (it listened and failed every handshake)', async (_, staticKey) => {
    const e: unknown = await listen({ transport: 'tcp', secure: { staticKey: staticKey as never } }).then(
      async (s) => (await s.close(), undefined),
      (err: unknown) => err,
    );
    expect(isSdkError(e) && e.code).toBe('CONFIG_ERROR');
    expect((e as Error).message).toContain('KeyPair.generate()');
  });
  it('connect refuses it under XX before connecting; NN needs none on either side', async () => {
    const e: unknown = await connect('tcp://127.0.0.1:1', { secure: { staticKey: 'ab'.repeat(32) as never, verifyPeer: allowKeys([pair.publicKey]) } }).catch((err: unknown) => err);
    expect(isSdkError(e) && e.code).toBe('CONFIG_ERROR');
    const server = await listen({ transport: 'tcp', secure: { pattern: 'NN' } });
    try {
      const s = await connect(server.url, { secure: { pattern: 'NN', insecureSkipPeerVerification: true } });
      expect(s.encrypted).toBe(true);
      await s.close();
    } finally {
      await server.close();
    }
  });
});

describe('Session.send', () => {
  it('rejects content that is not a string with JSON_INVALID, and the session goes on', async () => {
    const server = await listen({ transport: 'tcp', onSession: async (s) => { for await (const m of s) await s.send(m.content); } });
    try {
      const session = await connect(server.url);
      for (const bad of [{ model: 'x', messages: [] }, null, 42]) {
        const e: unknown = await session.send(bad as unknown as string).then(() => undefined, (err: unknown) => err);
        expect(isSdkError(e) && e.code).toBe('JSON_INVALID');
        expect((e as Error).message).toContain('send takes a string (JSON text)');
        expect((e as Error).message).toContain('JSON.stringify');
      }
      // Bytes are not content: JSON.stringify of a Uint8Array gives {"0":..}, so that advice was wrong.
      for (const bytes of [new TextEncoder().encode('{"a":1}'), new Uint8Array(4).buffer, new DataView(new ArrayBuffer(2))]) {
        const e: unknown = await session.send(bytes as unknown as string).then(() => undefined, (err: unknown) => err);
        expect(isSdkError(e) && e.code).toBe('JSON_INVALID');
        expect((e as Error).message).toContain('send takes a string (JSON text), not bytes');
        expect((e as Error).message).not.toContain('JSON.stringify');
      }
      await session.send('{"model":"x","messages":[]}');
      for await (const reply of session) {
        expect(reply.content).toBe('{"model":"x","messages":[]}');
        break;
      }
      await session.close();
    } finally {
      await server.close();
    }
  });
});

describe('connect given a URL without its scheme', () => {
  it.each(['127.0.0.1:7401', 'localhost:7401', 'agent-host.example:7401/m2m.echo'])('%s: CONFIG_ERROR that says the scheme is missing and shows the URL with one (it was "unsupported scheme localhost:" or "not a URL")', async (url) => {
    const e: unknown = await connect(url, { secure: { staticKey: KeyPair.generate(), insecureSkipPeerVerification: true } }).catch((err: unknown) => err);
    expect(isSdkError(e) && e.code).toBe('CONFIG_ERROR');
    expect((e as Error).message).toContain(`no scheme in ${url}`);
    expect((e as Error).message).toContain(`ws://${url}`);
    expect((e as Error).message).toContain(`tcp://${url}`);
  });
  it('a URL with a scheme it does not know still says which schemes work', async () => {
    const e: unknown = await connect('ftp://127.0.0.1:21').catch((err: unknown) => err);
    expect(isSdkError(e) && e.code).toBe('CONFIG_ERROR');
    expect((e as Error).message).toContain('unsupported scheme ftp:');
  });
});

describe('an http:// URL that reaches a WebSocket server', () => {
  it("says what the server answered (its 426 says to use ws://), not only the status", async () => {
    const { httpTransport } = await import('../src/http.js');
    const server = await listen({ transport: 'ws' });
    try {
      const e: unknown = await connect(server.url.replace('ws:', 'http:'), { transport: httpTransport }).catch((err: unknown) => err);
      expect(isSdkError(e) && e.code).toBe('NETWORK_ERROR');
      expect((e as Error).message).toContain('HTTP 426');
      expect((e as Error).message).toContain('connect with a ws:// URL');
    } finally {
      await server.close();
    }
  });
});

describe('a ws:// URL that reaches a TCP server', () => {
  it('says the server hung up on the WebSocket upgrade and asks whether it is a tcp:// server (it said only "socket hang up")', async () => {
    const server = await listen({ transport: 'tcp' });
    try {
      const e: unknown = await connect(server.url.replace('tcp:', 'ws:')).catch((err: unknown) => err);
      expect(isSdkError(e) && e.code).toBe('NETWORK_ERROR');
      expect((e as Error).message).toContain('socket hang up');
      expect((e as Error).message).toContain('is it a tcp:// server?');
    } finally {
      await server.close();
    }
  });
});
