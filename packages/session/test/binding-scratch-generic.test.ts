/**
 * Message binding (secure/binding.ts) and received frames (session-core.ts: `decodeFrame` where
 * Node's `fastFramePayload` has `decodeFramePayload`) on a platform without the one-pass binary writer, as in
 * browsers (platform/fast-codec.browser.ts answers `undefined`, so no kept binding,
 * secure/kept-binding.ts): each frame is bound through the generic encoder, and the AEAD must
 * see exactly `aad ‖ messageBinding(m)` there too.
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { AadRecorder, hex } from './fixtures/aad-recorder.js';

// The browser's one-pass codec functions (all answer `undefined`) in place of Node's.
vi.mock('#platform', async (importOriginal) => ({ ...((await importOriginal()) as object), ...(await import('../src/platform/fast-codec.browser.js')) }));

const { BindingProtection, messageBinding } = await import('../src/secure/binding.js');
const { fastKeptBinding, fastFramePayload } = await import('#platform');
const { SessionCore } = await import('../src/session-core.js');
const { aeadProtection } = await import('@m2m/crypto');
const { isM2MError } = await import('@m2m/core');

describe('binding scratch without the one-pass writer (browser platform shape)', () => {
  it('the platform seen by secure/binding.ts and session-core.ts has no one-pass codec here', () => {
    expect(fastKeptBinding()).toBeUndefined();
    expect(fastFramePayload(new Uint8Array(8), {})).toBeUndefined();
  });

  it('hands the AEAD exactly aad ‖ messageBinding(m), kept or rewritten', () => {
    const fields = fc.record({
      sessionId: fc.constantFrom('a', 'a', 'bb', undefined),
      timestamp: fc.constantFrom(1, 1, 2, 2 ** 33),
      algorithm: fc.constantFrom('m2m' as const, 'm2m' as const, 'none' as const),
      originalSize: fc.constantFrom(undefined, undefined, 7),
      secured: fc.boolean(),
      aadLength: fc.constantFrom(20, 20, 33),
      aadByte: fc.nat(255),
      open: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(fields, { minLength: 1, maxLength: 25 }), (steps) => {
        const inner = new AadRecorder();
        const bound = new BindingProtection(inner);
        const expected: string[] = [];
        for (const f of steps) {
          const value: { algorithm: 'm2m' | 'none'; content: string; originalSize?: number; securityStatus?: { scanned: boolean; safe: boolean } } = { algorithm: f.algorithm, content: 'x' };
          if (f.originalSize !== undefined) value.originalSize = f.originalSize;
          if (f.secured) value.securityStatus = { scanned: true, safe: false };
          const m = { type: 'DATA' as const, timestamp: f.timestamp, payload: { kind: 'data' as const, value }, ...(f.sessionId === undefined ? {} : { sessionId: f.sessionId }) };
          const aad = new Uint8Array(f.aadLength).fill(f.aadByte);
          bound.bindMessage(m);
          if (f.open) bound.open(aad, new Uint8Array(30));
          else bound.seal(aad, new Uint8Array(2));
          const b = messageBinding(m);
          const want = new Uint8Array(aad.length + b.length);
          want.set(aad);
          want.set(b, aad.length);
          expected.push(hex(want));
        }
        expect(inner.seen).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('received frames without the one-pass codec (browser platform shape)', () => {
  const JSON_REQ = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}';

  function established(key?: Uint8Array) {
    const client = new SessionCore({ role: 'client' });
    const server = new SessionCore({ role: 'server' });
    client.receive(server.receive(client.createHello()).reply!);
    if (key) {
      client.secure(aeadProtection(key));
      server.secure(aeadProtection(key));
    }
    return { client, server };
  }

  it.each([['plaintext', undefined], ['AEAD', new Uint8Array(32).fill(9)]])('%s DATA frames decode to the text sent (decodeFrame path)', (_name, key) => {
    const { client, server } = established(key);
    const m = client.compress(JSON_REQ, 'm2m');
    const content = m.payload?.kind === 'data' ? m.payload.value.content : undefined;
    expect(content).toBeInstanceOf(Uint8Array);
    expect(server.receive(m).content).toBe(JSON_REQ);
  });

  it('a changed byte of a sealed frame fails with a typed error there too', () => {
    const { client, server } = established(new Uint8Array(32).fill(9));
    const m = client.compress(JSON_REQ, 'm2m');
    const content = (m.payload as { value: { content: Uint8Array } }).value.content;
    content[content.length - 1] ^= 1;
    let caught: unknown;
    try {
      server.receive(m);
    } catch (e) {
      caught = e;
    }
    expect(isM2MError(caught) && caught.code).toBe('CRYPTO_ERROR');
  });
});
