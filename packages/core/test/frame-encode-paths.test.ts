import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, inspectFrame, toHex, type FrameProtection } from '@m2m/core';
import { encodeFrameWith } from '@m2m/core/internal';

// The fast paths of the encoder (frame.ts `encodeFrameWith`, the shared header writer in
// _header-writer.ts, the decoder's model cache in header-read.ts) must not change a byte.

const request = (model: string, content: string) => JSON.stringify({ model, messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content }], temperature: 0.2, max_tokens: 300 });
const response = JSON.stringify({ id: 'chatcmpl-42', model: 'gpt-4o', choices: [{ message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 3 } });

// Deterministic stand-ins for @m2m/crypto's protections (core does not depend on it).
const hmac: FrameProtection = {
  mode: 'hmac',
  sign: (d) => Uint8Array.from({ length: 32 }, (_, i) => (d[i % d.length] + i) & 0xff),
  verify: () => undefined,
};
const aead: FrameProtection = {
  mode: 'aead',
  seal: (aad, p) => ({ nonce: new Uint8Array(12).fill(aad.length), ciphertext: p.map((b, i) => b ^ (i & 0xff)), tag: new Uint8Array(16).fill(p.length & 0xff) }),
  open: (_aad, sealed) => sealed.subarray(12, sealed.length - 16).map((b, i) => b ^ (i & 0xff)),
};

/** An allocator handing out memory full of garbage: the encoder must overwrite every byte. */
const dirty = (n: number) => new Uint8Array(n).fill(0xa5);

describe('encodeFrameWith', () => {
  const cases: Array<[string, string, Parameters<typeof encodeFrame>[1]]> = [
    ['plain request', request('gpt-4o', 'Hi'), { compression: 'auto' }],
    ['compressed request', request('gpt-4o', 'x'.repeat(600)), { compression: 'auto' }],
    ['reference rule', request('claude-3-5-sonnet', 'héllo wörld 😀'), {}],
    ['response', response, { compression: 'auto' }],
    ['hmac', request('gpt-4o', 'Hi'), { compression: 'auto', protection: hmac }],
    ['aead', request('gpt-4o', 'Hi'), { compression: 'auto', protection: aead }],
    ['aead compressed', request('gpt-4o', 'y'.repeat(700)), { compression: 'auto', protection: aead }],
  ];
  for (const [name, json, options] of cases) {
    it(`writes every byte of the frame from any allocator: ${name}`, () => {
      expect(toHex(encodeFrameWith(json, options ?? {}, dirty))).toBe(toHex(encodeFrame(json, options)));
    });
  }

  it("takes the caller's UTF-8 length (a session's) and writes the same bytes as without it", () => {
    for (const [, json, options] of cases) {
      const len = new TextEncoder().encode(json).length;
      expect(toHex(encodeFrameWith(json, options ?? {}, dirty, len))).toBe(toHex(encodeFrame(json, options)));
    }
  });

  it('an AEAD frame decodes to the JSON it was built from (plaintext overwritten in place by the ciphertext)', () => {
    const json = request('gpt-4o', 'Hi');
    const frame = encodeFrameWith(json, { compression: 'auto', protection: aead }, dirty);
    expect(decodeFrame(frame, { protection: aead }).payload).toBe(json);
  });
});

describe('the shared header writer', () => {
  it('survives an encode inside the promptTokens callback', () => {
    const json = request('gpt-4o', 'Hi');
    const plain = encodeFrame(json, { promptTokens: () => 40 });
    const nested = encodeFrame(json, {
      promptTokens: () => {
        encodeFrame(response);
        encodeFrame(request('a-much-longer-model-name-than-the-outer-one', 'z'));
        return 40;
      },
    });
    expect(toHex(nested)).toBe(toHex(plain));
    expect(inspectFrame(nested).routing?.model).toBe('gpt-4o');
  });

  it('a model name longer than the writer buffer is written whole after its length byte (len mod 256, the reference quirk)', () => {
    const model = 'm'.repeat(1000);
    const frame = encodeFrame(request(model, 'Hi'), { compression: 'auto' });
    expect(frame[27]).toBe(1000 % 256);
    expect(new TextDecoder().decode(frame.subarray(28, 28 + 1000))).toBe(model);
    expect(frame[28 + 1000]).toBe(2); // msg_count follows the whole name
    expect(inspectFrame(frame).headerLen).toBeGreaterThan(20 + 1 + 1000);
  });
});

describe("the decoder's model cache", () => {
  it('reads each frame its own model when names repeat, alternate or differ in one byte', () => {
    const models = ['gpt-4o', 'gpt-4o', 'gpt-4p', 'gpt-4o', 'gpt-4o-mini', 'gpt-4o', 'ö-model', 'ö-model', 'x'.repeat(80), 'x'.repeat(80), 'gpt-4o'];
    for (const model of models) {
      const frame = encodeFrame(request(model, 'Hi'), { compression: 'auto' });
      expect(inspectFrame(frame).routing?.model).toBe(model);
      expect(decodeFrame(frame).header.routing?.model).toBe(model);
    }
  });

  it('invalid model bytes after a cached valid name still fail', () => {
    const frame = encodeFrame(request('gpt-4o', 'Hi'), { compression: 'auto' });
    inspectFrame(frame);
    const bad = frame.slice();
    bad[28] = 0xff; // first byte of the model name (27 is its length byte)
    expect(() => inspectFrame(bad)).toThrow(/Invalid model UTF-8/);
  });
});

describe('the shared header writer after a huge header', () => {
  it('encodes small frames identically after a 60 KB model name (larger ones are refused: frame-header-overflow.test.ts)', () => {
    const json = request('gpt-4o', 'Hi');
    const before = encodeFrame(json, { compression: 'auto' });
    encodeFrame(request('q'.repeat(60_000), 'Hi'), { compression: 'auto' });
    expect(toHex(encodeFrame(json, { compression: 'auto' }))).toBe(toHex(before));
  });
});
