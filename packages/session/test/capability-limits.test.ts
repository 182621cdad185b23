import { describe, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { binaryCodec, CAPABILITY_LIMITS, defaultCapabilities, type Capabilities } from '@m2m/session';
import { jsonCodec } from '@m2m/session/json';
import { decodeCapabilities, encodeCapabilities } from '@m2m/session/internal';

const hello = (value: Capabilities) => ({ type: 'HELLO' as const, timestamp: 1, payload: { kind: 'capabilities' as const, value } });
const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'accepted';
  } catch (e) {
    return isSdkError(e) ? `${e.code} ${JSON.stringify(e.details)}` : `non-SDK ${String(e)}`;
  }
};

/** Capabilities with one field at `n` (bytes or entries), by limit name. */
function withField(limit: keyof typeof CAPABILITY_LIMITS, n: number): Capabilities {
  const c = defaultCapabilities({ agentId: 'agent' });
  const text = (k: number) => 'é'.repeat(Math.floor(k / 2)) + 'a'.repeat(k % 2); // two UTF-8 bytes per é
  switch (limit) {
    case 'versionBytes':
      return { ...c, version: `3${text(n - 1)}` };
    case 'agentIdBytes':
      return { ...c, agentId: text(n) };
    case 'agentTypeBytes':
      return { ...c, agentType: text(n) };
    case 'algorithms':
      return { ...c, compression: { ...c.compression, algorithms: Array.from({ length: n }, () => 'm2m' as const) } };
    case 'encodings':
      return { ...c, compression: { ...c.compression, encodings: Array.from({ length: n }, () => 'Cl100kBase' as const) } };
    case 'modelVersionBytes':
      return { ...c, security: { ...c.security, modelVersion: text(n) } };
    case 'extensions':
      return { ...c, extensions: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])) };
    case 'extensionKeyBytes':
      return { ...c, extensions: { [text(n)]: 'v' } };
    case 'extensionValueBytes':
      return { ...c, extensions: { k: text(n) } };
    case 'extensionsTotalBytes': {
      // Values of 4,000 bytes under 1-byte keys: total n.
      const entries: Array<[string, string]> = [];
      for (let left = n, i = 0; left > 0; i++) {
        const k = String.fromCharCode(97 + i);
        const v = 'v'.repeat(Math.min(4000, left - 1));
        entries.push([k, v]);
        left -= 1 + v.length;
      }
      return { ...c, extensions: Object.fromEntries(entries) };
    }
  }
}

describe('capability limits (docs/PROTOCOL.md §4.5), both codecs and the Noise payload', () => {
  for (const limit of Object.keys(CAPABILITY_LIMITS) as Array<keyof typeof CAPABILITY_LIMITS>) {
    it(`${limit}: ${CAPABILITY_LIMITS[limit]} is accepted, one more is LIMIT_EXCEEDED`, () => {
      const max = CAPABILITY_LIMITS[limit];
      const ok = withField(limit, max);
      const over = withField(limit, max + 1);
      for (const codec of [jsonCodec, binaryCodec]) {
        expect(codec.decode(codec.encode(hello(ok))).payload).toEqual({ kind: 'capabilities', value: ok });
        expect(codeOf(() => codec.decode(codec.encode(hello(over))))).toBe(`LIMIT_EXCEEDED {"limit":"capabilities.${limit}","actual":${max + 1},"max":${max}}`);
      }
      expect(codeOf(() => decodeCapabilities(encodeCapabilities(over)))).toMatch(`capabilities.${limit}`);
    });
  }

  it('a 6 MiB agent id is refused without measuring it in full (its UTF-16 length already says so)', () => {
    const big = 'x'.repeat(6 * 2 ** 20);
    const r = codeOf(() => jsonCodec.decode(jsonCodec.encode(hello({ ...defaultCapabilities(), agentId: big }))));
    expect(r).toBe(`LIMIT_EXCEEDED {"limit":"capabilities.agentIdBytes","actual":${6 * 2 ** 20},"max":256}`);
  });

  it('the json codec bounds the elements of a whole message before parsing it', () => {
    const many = `{"type":"PING","timestamp":1,"payload":{},"x":[${'0,'.repeat(1100)}0]}`;
    expect(codeOf(() => jsonCodec.decode(new TextEncoder().encode(many)))).toBe('LIMIT_EXCEEDED {"limit":"jsonElements","actual":1025,"max":1024}');
    const few = `{"type":"PING","timestamp":1,"payload":{},"x":[${'0,'.repeat(900)}0]}`;
    expect(jsonCodec.decode(new TextEncoder().encode(few)).type).toBe('PING');
  });
});
