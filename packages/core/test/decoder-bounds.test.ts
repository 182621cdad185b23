import { describe, expect, it } from 'vitest';
import { decodeTokenNative, encodeTokenNative, inspectFrame, isSdkError, M2M_PREFIX_BYTES } from '@m2m/core';
import { scanJson } from '@m2m/core/internal';

const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'accepted';
  } catch (e) {
    return isSdkError(e) ? `${e.code} ${JSON.stringify(e.details)}` : `non-SDK ${String(e)}`;
  }
};

/** A request frame of `total` bytes: model "x", msg_count `count` as a 4-byte varint, zeros after. */
function framewithRoles(count: number, total: number): Uint8Array {
  const f = new Uint8Array(total);
  f.set(M2M_PREFIX_BYTES);
  new DataView(f.buffer).setUint16(7, 30, true);
  f[9] = 1;
  f[27] = 1;
  f[28] = 0x78;
  for (let i = 0; i < 4; i++) f[29 + i] = ((count >>> (7 * i)) & 0x7f) | (i < 3 ? 0x80 : 0);
  return f;
}

describe('routing header: msg_count is bounded before roles are built', () => {
  const maxRoles = 4 * (65535 - 20);
  it(`${maxRoles} roles (a full 65,535-byte header) are read; one more is LIMIT_EXCEEDED`, () => {
    const room = 33 + maxRoles / 4 + 8;
    expect(inspectFrame(framewithRoles(maxRoles, room)).routing?.roles.length).toBe(maxRoles);
    expect(codeOf(() => inspectFrame(framewithRoles(maxRoles + 1, room + 1)))).toBe(`LIMIT_EXCEEDED {"limit":"routingRoles","actual":${maxRoles + 1},"max":${maxRoles}}`);
  });
  it('a smaller maxHeaderBytes lowers the bound', () => {
    expect(codeOf(() => inspectFrame(framewithRoles(400, 200), { limits: { maxHeaderBytes: 100 } }))).toBe('LIMIT_EXCEEDED {"limit":"routingRoles","actual":400,"max":320}');
  });
  it('a count the frame cannot hold is still the reference\'s "Roles truncated", checked first', () => {
    expect(codeOf(() => inspectFrame(framewithRoles(2 ** 27, 200)))).toBe('DECOMPRESSION_FAILED {"reason":"Roles truncated"}');
  });
});

describe('TokenNative: the output is bounded in UTF-8 bytes before it is allocated', () => {
  // cl100k's single token for 128 spaces (one 3-byte varint, 4 base64 characters, no padding), as
  // an attacker writes it: our encoder cuts long runs into 64-character blocks instead.
  const space128 = 'uMUD';
  it('the unit decodes to 128 spaces', () => expect(decodeTokenNative(`#TK|C|${space128}`)).toBe(' '.repeat(128)));
  it('exactly maxDecompressedBytes is read; one token more is LIMIT_EXCEEDED with the running total', () => {
    const text = `#TK|C|${space128.repeat(8)}`;
    expect(decodeTokenNative(text, { maxDecompressedBytes: 1024 })).toBe(' '.repeat(1024));
    expect(codeOf(() => decodeTokenNative(text, { maxDecompressedBytes: 1023 }))).toBe('LIMIT_EXCEEDED {"limit":"maxDecompressedBytes","actual":1024,"max":1023}');
  });
  it('counts bytes, not UTF-16 units', () => {
    const text = encodeTokenNative('é'.repeat(50)); // 100 bytes, 50 units
    expect(codeOf(() => decodeTokenNative(text, { maxDecompressedBytes: 99 }))).toMatch(/^LIMIT_EXCEEDED /);
    expect(decodeTokenNative(text, { maxDecompressedBytes: 100 })).toBe('é'.repeat(50));
  });
  it('varint errors still come before token errors, as in the reference', () => {
    // An unknown id (2^28 − 1) first, then a truncated varint.
    const bytes = Uint8Array.of(0xff, 0xff, 0xff, 0x7f, 0x80);
    expect(codeOf(() => decodeTokenNative(`#TK|C|${Buffer.from(bytes).toString('base64')}`))).toBe('DECOMPRESSION_FAILED {"reason":"Truncated VarInt data"}');
    expect(codeOf(() => decodeTokenNative(`#TK|C|${Buffer.from(bytes.subarray(0, 4)).toString('base64')}`))).toMatch(/Detokenization failed: Invalid token for decoding: 268435455/);
    // Six continuation bytes overflow; five do not.
    expect(codeOf(() => decodeTokenNative(`#TK|C|${Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]).toString('base64')}`))).toBe('DECOMPRESSION_FAILED {"reason":"VarInt overflow"}');
    // Bits past 32 drop out (`as u32`): this is token 0.
    expect(decodeTokenNative(`#TK|C|${Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]).toString('base64')}`)).toBe(decodeTokenNative(`#TK|C|${Buffer.from([0]).toString('base64')}`));
  });
});

describe('scanJson element count', () => {
  it('counts containers and commas outside strings and stops one past the limit', () => {
    expect(scanJson('{"a":[1,2,{"b":"x,y[{"}]}', 32).elements).toBe(5);
    expect(codeOf(() => scanJson(`[${'1,'.repeat(50)}1]`, 32, 10))).toBe('LIMIT_EXCEEDED {"limit":"jsonElements","actual":11,"max":10}');
  });
});
