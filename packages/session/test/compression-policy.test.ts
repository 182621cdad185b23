import { describe, expect, it } from 'vitest';
import { AUTO_COMPRESSION_MIN_BYTES, frameTextToBytes, inspectFrame } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, Session, SessionCore, type SessionData, type SessionOptions } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';

// The request of bench/session.ts (162 B) and a ~10 KB conversation.
const SMALL = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });
const LARGE = JSON.stringify({ model: 'gpt-4o', messages: Array.from({ length: 60 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}: ${SMALL}` })) });

/** Sends each content from a client with `options` and returns what the server received. */
async function exchange(options: SessionOptions, contents: string[], serverOptions: SessionOptions = {}): Promise<SessionData[]> {
  const [a, b] = memoryTransportPair();
  const serverP = Session.server(b, serverOptions);
  const client = await Session.client(a, options);
  const server = (await serverP)!;
  const got: SessionData[] = [];
  const reader = (async () => {
    for await (const d of server) if (got.push(d) === contents.length) break;
  })();
  for (const c of contents) await client.send(c);
  await reader;
  await client.close();
  return got;
}

/** The frame of DATA content: bytes under the binary codec, its text form under the json codec. */
const frameOf = (c: string | Uint8Array) => (typeof c === 'string' ? frameTextToBytes(c) : c);
const compressed = (d: SessionData) => inspectFrame(frameOf(d.payload.content)).compressed;

describe('session DATA compression policy', () => {
  it('sends small DATA plain and large DATA compressed by default, and the peer reads both', async () => {
    expect(SMALL.length).toBeLessThan(AUTO_COMPRESSION_MIN_BYTES);
    for (const codec of ['binary', 'json'] as const) {
      const got = await exchange({ codec }, [SMALL, LARGE, SMALL]);
      expect(got.map((d) => d.content)).toEqual([SMALL, LARGE, SMALL]);
      expect(got.map(compressed)).toEqual([false, true, false]);
    }
  });

  it("sends the reference's frames with compression: 'always'", async () => {
    const got = await exchange({ compression: 'always' }, [SMALL]);
    expect(got[0].content).toBe(SMALL);
    expect(compressed(got[0])).toBe(true);
  });

  it('applies to encrypted sessions too', async () => {
    const [alice, bob] = [KeyPair.generate(), KeyPair.generate()];
    const got = await exchange({ secure: { staticKey: alice, verifyPeer: allowKeys([bob.publicKey]) } }, [SMALL, LARGE], { secure: { staticKey: bob } });
    expect(got.map((d) => d.content)).toEqual([SMALL, LARGE]);
    expect(got.map(compressed)).toEqual([false, true]);
  });

  it('keeps the sans-IO core on the reference’s rule unless asked', () => {
    const pair = (compression?: 'auto' | 'always') => {
      const client = new SessionCore({ role: 'client', ...(compression ? { compression } : {}) });
      const server = new SessionCore({ role: 'server' });
      client.receive(server.receive(client.createHello()).reply!);
      return client;
    };
    const content = (m: ReturnType<SessionCore['compress']>) => (m.payload?.kind === 'data' ? m.payload.value.content : '');
    expect(inspectFrame(frameOf(content(pair().compress(SMALL)))).compressed).toBe(true);
    expect(inspectFrame(frameOf(content(pair('auto').compress(SMALL)))).compressed).toBe(false);
  });
});
