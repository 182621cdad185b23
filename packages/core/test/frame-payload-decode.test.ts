import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFrame, encodeFrame, inspectFrame, isSdkError, SECURITY_BYTE, SECURITY_RANK, type DecodeFrameOptions, type FrameProtection } from '@m2m/core';
import { decodeFramePayload } from '@m2m/core/internal';
import { SECURITY_OFFSET } from '../src/wire/frame-layout.js';

// decodeFramePayload (frame.ts) is decodeFrame for callers that discard the header (a session's
// received DATA): it checks the headers without building them (header-read.ts checkHeaders).
// For any input and options it must give decodeFrame's payload, or decodeFrame's exact error.

/** What a decode came to: the payload, or the error's class, code, message and details. */
function outcome(run: () => string): string {
  try {
    return `ok ${run()}`;
  } catch (e) {
    if (!isSdkError(e)) return `non-sdk ${String(e)}`;
    return `${e.constructor.name} ${e.code} ${e.message} ${JSON.stringify(e.details)}`;
  }
}

function sameOutcome(bytes: Uint8Array, options: DecodeFrameOptions): void {
  const whole = outcome(() => decodeFrame(bytes, options).payload);
  const payload = outcome(() => decodeFramePayload(bytes, options));
  expect(payload).toBe(whole);
}

// Deterministic stand-ins for @m2m/crypto's protections (core does not depend on it): the tag
// is a checksum of what it covers, so a flipped byte fails as a real one would.
const sum = (d: Uint8Array) => d.reduce((a, b) => (a * 31 + b) >>> 0, 7);
const hmac: FrameProtection = {
  mode: 'hmac',
  sign: (d) => Uint8Array.from({ length: 32 }, (_, i) => (sum(d) >>> (i % 4) * 8) & 0xff),
  verify: (d, tag) => {
    const want = Uint8Array.from({ length: 32 }, (_, i) => (sum(d) >>> (i % 4) * 8) & 0xff);
    if (!want.every((b, i) => b === tag[i])) throw new Error('tag mismatch');
  },
};
const aead: FrameProtection = {
  mode: 'aead',
  seal: (aad, p) => ({ nonce: new Uint8Array(12).fill(aad.length & 0xff), ciphertext: p.map((b, i) => b ^ (i & 0xff)), tag: new Uint8Array(16).fill(sum(aad) & 0xff) }),
  open: (aad, sealed) => {
    if (sealed[sealed.length - 1] !== (sum(aad) & 0xff)) throw new Error('tag mismatch');
    return sealed.subarray(12, sealed.length - 16).map((b, i) => b ^ (i & 0xff));
  },
};

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('Hi', 'héllo 😀', 'x'.repeat(700), '\u0000"\\'));
const model = fc.oneof(fc.constantFrom('gpt-4o', 'claude-3-5-sonnet', 'ö-model', ''), fc.string({ maxLength: 300 }));
const request = fc
  .record({
    model,
    messages: fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant', 'tool', 'developer', 'other'), content: text }), { maxLength: 9 }),
    max_tokens: fc.option(fc.nat(), { nil: undefined }),
    stream: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map((r) => JSON.stringify(r));
const response = fc
  .record({
    id: fc.oneof(fc.constant('chatcmpl-1'), fc.string({ maxLength: 300 })),
    model,
    choices: fc.array(fc.record({ message: fc.record({ role: fc.constant('assistant'), content: text }), finish_reason: fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', 'odd') }), { maxLength: 2 }),
    usage: fc.option(fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat(), prompt_tokens_details: fc.record({ cached_tokens: fc.nat() }), completion_tokens_details: fc.record({ reasoning_tokens: fc.nat() }) }), { nil: undefined }),
  })
  .map((r) => JSON.stringify(r));
const json = fc.oneof(request, response, fc.constantFrom('{}', '[]', '"text"', '42', 'null', '{"input":"embed me","model":"e"}'));
const protection = fc.constantFrom<Array<FrameProtection | undefined>>(undefined, hmac, aead);

/** A frame, then changes: bytes overwritten (the header most likely), truncation, or none. */
const frameCase = fc.record({
  json,
  encodeProtection: protection,
  decodeProtection: protection,
  compression: fc.constantFrom<Array<'auto' | 'always'>>('auto', 'always'),
  edits: fc.array(fc.record({ at: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.nat()), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
  schema: fc.option(fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0xfe, 0x77), { nil: undefined }),
  minSecurity: fc.constantFrom<Array<DecodeFrameOptions['minSecurity']>>(undefined, 'none', 'hmac', 'aead'),
  limits: fc.option(fc.record({ maxHeaderBytes: fc.integer({ min: 0, max: 300 }), maxPayloadBytes: fc.integer({ min: 0, max: 2000 }), maxDecompressedBytes: fc.integer({ min: 0, max: 2000 }) }, { requiredKeys: [] }), { nil: undefined }),
});

describe('decodeFramePayload', () => {
  it('gives decodeFrame\'s payload or its exact error for generated frames, edited and cut', () => {
    fc.assert(
      fc.property(frameCase, (c) => {
        let frame = encodeFrame(c.json, { compression: c.compression, ...(c.encodeProtection ? { protection: c.encodeProtection } : {}) });
        if (c.schema !== undefined && frame.length > 9) frame[9] = c.schema;
        for (const { at, value } of c.edits) if (frame.length > 0) frame[at % frame.length] = value;
        if (c.cut !== undefined) frame = frame.subarray(0, c.cut % (frame.length + 1));
        const options: DecodeFrameOptions = {};
        if (c.decodeProtection) options.protection = c.decodeProtection;
        if (c.minSecurity) options.minSecurity = c.minSecurity;
        if (c.limits) options.limits = c.limits;
        sameOutcome(frame, options);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on what it was built for: an unchanged frame decodes to its JSON through both', () => {
    fc.assert(
      fc.property(json, protection, (j, p) => {
        const frame = encodeFrame(j, { compression: 'auto', ...(p ? { protection: p } : {}) });
        const options = p ? { protection: p } : {};
        expect(decodeFramePayload(frame, options)).toBe(j);
        expect(decodeFrame(frame, options).payload).toBe(j);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees on arbitrary bytes behind a valid prefix and fixed header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }), (rest, headerLen, schema, flags) => {
        const fixed = [0x23, 0x4d, 0x32, 0x4d, 0x7c, 0x31, 0x7c, headerLen & 0xff, headerLen >> 8, schema, 0, flags & 0xff, flags >> 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        sameOutcome(Uint8Array.from([...fixed, ...rest]), {});
      }),
      { numRuns: 2000 },
    );
  });

  // Variable headers assembled from the fields the readers take, each one possibly lying: a
  // short string whose length byte overruns, invalid UTF-8, varints of 1 to 11 bytes (overflow),
  // counts that send the roles past the frame, flags asking for optional fields that are missing.
  const low = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.constantFrom(0, 1, 0x7f));
  const high = fc.oneof(fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0x80, 0x81, 0xff));
  const varint = fc.oneof(
    low.map((v) => [v]),
    fc.array(high, { minLength: 1, maxLength: 10 }).chain((head) => low.map((last) => [...head, last])),
    fc.array(high, { minLength: 1, maxLength: 11 }),
  );
  const shortString = fc.record({ len: fc.integer({ min: 0, max: 255 }), bytes: fc.oneof(fc.string({ maxLength: 12 }).map((t) => [...new TextEncoder().encode(t)]), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 })), honest: fc.boolean() }).map(({ len, bytes, honest }) => (honest ? [bytes.length, ...bytes] : [len, ...bytes]));
  const raw = (max: number) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max });
  // A routing header (model, msg_count, roles, content hint, max_tokens, cost) or a response header
  // (id, model, finish reason, token counts, cost), each field possibly lying, then cut anywhere.
  const routingFields = fc.tuple(shortString, fc.oneof(varint, fc.integer({ min: 0, max: 40 }).map((v) => [v])), raw(6), varint, varint, raw(4));
  const responseFields = fc.tuple(shortString, shortString, raw(1), varint, varint, varint, varint, raw(4));
  const flags = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 0x20, 0x40, 0x60, 0xffff));
  const assembled = fc.record({
    header: fc.oneof(
      fc.record({ schema: fc.constantFrom(0x01, 0x04), flags, fields: routingFields }),
      fc.record({ schema: fc.constantFrom(0x02, 0x05, 0x10), flags, fields: responseFields }),
      fc.record({ schema: fc.constantFrom(0x01, 0x02, 0x03, 0xfe, 0x77), flags, fields: fc.array(fc.oneof(shortString, varint, raw(40)), { maxLength: 7 }) }),
    ),
    cutAt: fc.option(fc.nat(), { nil: undefined }),
    lie: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined, freq: 4 }),
    json: fc.constantFrom('{}', '{"model":"m","messages":[]}', '"x"', JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'y'.repeat(600) }] })),
    maxHeaderBytes: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined, freq: 4 }),
    // Without the payload section (or with a piece of it) a field that runs on meets the end.
    sectionBytes: fc.oneof(fc.constant(0), fc.constant(undefined), fc.integer({ min: 0, max: 12 })),
  });

  it('agrees on variable headers built field by field (lying lengths, long varints, roles past the end)', () => {
    fc.assert(
      fc.property(assembled, (c) => {
        const { schema, flags: f, fields } = c.header;
        const all = (fields as number[][]).flat();
        const variable = c.cutAt === undefined ? all : all.slice(0, c.cutAt % (all.length + 1));
        const body = encodeFrame(c.json, { compression: 'auto' });
        const whole = body.subarray(7 + (body[7] | (body[8] << 8)));
        const section = c.sectionBytes === undefined ? whole : whole.subarray(0, c.sectionBytes);
        const headerLen = c.lie ?? 20 + variable.length;
        const fixed = [0x23, 0x4d, 0x32, 0x4d, 0x7c, 0x31, 0x7c, headerLen & 0xff, headerLen >> 8, schema, 0, f & 0xff, f >> 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        sameOutcome(Uint8Array.from([...fixed, ...variable, ...section]), c.maxHeaderBytes === undefined ? {} : { limits: { maxHeaderBytes: c.maxHeaderBytes } });
      }),
      { numRuns: 4000 },
    );
  });

  // The payload section itself, plain and sealed: Node's session path reads short uncompressed
  // payloads in one pass (CRC and an ASCII check together, then a latin1 copy for ASCII;
  // frame-payload.ts readPayloadTextFast), so any bytes there, with an honest or a wrong CRC and
  // an honest or a lying length, must give decodeFrame's text or its exact error.
  const utf8 = (t: string) => [...new TextEncoder().encode(t)];
  const piece = fc.oneof(
    fc.string({ maxLength: 30 }).map(utf8),
    fc.string({ unit: 'binary', maxLength: 8 }).map(utf8),
    fc.constantFrom(
      [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xf0, 0x80, 0x80, 0x80], // overlong
      [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], // UTF-16 surrogates
      [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], // past U+10FFFF
      [0x80], [0xbf], [0xff], [0xfe], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], // stray, invalid, truncated
      [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xef, 0xbb, 0xbf], // valid, BOM included
    ),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }),
  );
  /** `arb` in one case of five, else `undefined`. */
  const sometimes = <T,>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: arb, weight: 1 });
  const sectionCase = fc.record({
    payload: fc.oneof(
      fc.array(piece, { maxLength: 12 }).map((ps) => ps.flat()),
      // Around the short-payload bound (256 B) and the 8-byte steps of the CRC loop.
      fc.tuple(fc.integer({ min: 0, max: 300 }), fc.option(piece, { nil: undefined }), fc.nat()).map(([n, p, at]) => {
        const bytes = Array.from({ length: n }, (_, i) => 0x20 + ((i * 7) % 90));
        if (p && n > 0) bytes.splice(at % n, p.length, ...p);
        return bytes;
      }),
    ),
    crcFlip: sometimes(fc.integer({ min: 1, max: 0xffffffff })),
    lenDelta: sometimes(fc.integer({ min: -3, max: 3 })),
    cut: sometimes(fc.nat()),
    sealed: fc.boolean(),
    limits: sometimes(fc.record({ maxPayloadBytes: fc.integer({ min: 0, max: 400 }), maxDecompressedBytes: fc.integer({ min: 0, max: 400 }) }, { requiredKeys: [] })),
  });
  const crcOf = (bytes: number[]) => {
    let c = -1;
    for (const b of bytes) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    return (c ^ -1) >>> 0;
  };
  const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

  it('agrees on any bytes in the payload section (invalid UTF-8, overlong forms, surrogates, bad CRC, lying lengths, cuts)', () => {
    let texts = 0;
    let nonAscii = 0;
    const kinds = new Set<string>();
    fc.assert(
      fc.property(sectionCase, (c) => {
        const section = [...u32(Math.max(0, c.payload.length + (c.lenDelta ?? 0))), ...u32((crcOf(c.payload) ^ (c.crcFlip ?? 0)) >>> 0), ...c.payload];
        const base = encodeFrame('{}', { compression: 'auto', ...(c.sealed ? { protection: aead } : {}) });
        const headerEnd = 7 + (base[7] | (base[8] << 8));
        let tail = section;
        if (c.sealed) {
          const aad = base.subarray(7, headerEnd);
          tail = [...new Array<number>(12).fill(0), ...section.map((b, i) => b ^ (i & 0xff)), ...new Array<number>(16).fill(sum(aad) & 0xff)];
        }
        let frame = Uint8Array.from([...base.subarray(0, headerEnd), ...tail]);
        if (c.cut !== undefined) frame = frame.subarray(0, c.cut % (frame.length + 1));
        const options: DecodeFrameOptions = c.sealed ? { protection: aead } : {};
        if (c.limits) options.limits = c.limits;
        sameOutcome(frame, options);
        const got = outcome(() => decodeFramePayload(frame, options));
        if (got.startsWith('ok ')) {
          texts++;
          if (c.payload.some((b) => b >= 0x80)) nonAscii++;
        } else kinds.add(/Invalid UTF-8|Checksum mismatch|too short|mismatch|LIMIT/i.exec(got)?.[0] ?? got.slice(0, 40));
      }),
      { numRuns: 4000 },
    );
    // The cases reach every outcome, or the comparison proves little.
    expect(texts).toBeGreaterThan(200);
    expect(nonAscii).toBeGreaterThan(20);
    for (const k of ['Invalid UTF-8', 'Checksum mismatch', 'too short', 'mismatch']) expect(kinds).toContain(k);
  });

  it('reports the same typed errors for the header cases it checks without building', () => {
    const good = encodeFrame(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5 }), { compression: 'auto' });
    const cases: Uint8Array[] = [];
    for (let n = 0; n <= good.length; n++) cases.push(good.slice(0, n)); // every truncation
    const badModel = good.slice();
    badModel[28] = 0xff; // invalid UTF-8 in the model name
    cases.push(badModel);
    const runOn = good.slice();
    runOn[27 + 1 + 6] = 0xff; // msg_count runs into the role byte: 255 messages, still within the frame (the reference reads roles past the header)
    cases.push(runOn);
    for (const frame of cases) sameOutcome(frame, {});
    // The roles limit at its edge: a 25-byte header allows 4 × (25 - 20) = 20 roles; 20 and 21
    // messages, their role bytes within the frame either way.
    for (const count of [20, 21]) {
      const edge = Uint8Array.from([...good.subarray(0, 27), 0, count, 0, 0, 0, ...good.subarray(27)]);
      edge[7] = 25;
      edge[8] = 0;
      sameOutcome(edge, { limits: { maxHeaderBytes: 25 } });
      expect(outcome(() => decodeFramePayload(edge, { limits: { maxHeaderBytes: 25 } })).includes('routingRoles')).toBe(count > 20);
    }
    // Every strict truncation and the bad model fail, or the comparison proves little.
    const failed = cases.map((f) => !outcome(() => decodeFramePayload(f, {})).startsWith('ok'));
    expect(failed).toEqual([...Array<boolean>(good.length).fill(true), false, true, false]);
  });

  it('refuses a minSecurity that is not a mode, an inherited name included, in both decoders (Config)', () => {
    const frame = encodeFrame('{"model":"m","messages":[]}', { compression: 'auto' });
    for (const minSecurity of ['toString', 'constructor', '__proto__', 'AEAD', '', 'none ']) {
      const options = { minSecurity } as unknown as DecodeFrameOptions;
      for (const decode of [() => decodeFrame(frame, options), () => decodeFramePayload(frame, options)]) {
        expect(decode, minSecurity).toThrow(expect.objectContaining({ kind: 'Config', message: expect.stringContaining('minSecurity must be none, hmac or aead') }));
      }
    }
    expect(decodeFramePayload(frame, { minSecurity: 'none' })).toBe('{"model":"m","messages":[]}');
  });

  it('writes and ranks the security byte as SECURITY_BYTE and SECURITY_RANK say (stand-in protections)', () => {
    const json = '{"model":"m","messages":[]}';
    const plain = encodeFrame(json, { compression: 'auto' });
    expect(inspectFrame(plain).security).toBe('none');
    const fakes: FrameProtection[] = [
      { mode: 'hmac', sign: () => new Uint8Array(32), verify: () => undefined } as unknown as FrameProtection,
      { mode: 'aead', sealInPlace: () => undefined, open: () => new Uint8Array(0) } as unknown as FrameProtection,
    ];
    for (const protection of fakes) {
      const frame = encodeFrame(json, { compression: 'auto', protection });
      expect(frame[SECURITY_OFFSET], protection.mode).toBe(SECURITY_BYTE[protection.mode]);
      expect(inspectFrame(frame).security).toBe(protection.mode);
      // A plain frame under this protection's policy is a downgrade (rank none < the mode's).
      for (const decode of [() => decodeFrame(plain, { protection }), () => decodeFramePayload(plain, { protection })]) {
        expect(decode).toThrow(expect.objectContaining({ kind: 'SecurityDowngrade' }));
      }
      expect(SECURITY_RANK[protection.mode]).toBeGreaterThan(SECURITY_RANK.none);
    }
    expect(SECURITY_RANK.aead).toBeGreaterThan(SECURITY_RANK.hmac);
  });
});
