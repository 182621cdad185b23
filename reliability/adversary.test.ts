import { describe, expect, it } from 'vitest';
import { decodeTokenNative } from '@m2m/core';
import { makeDecoderAttacks, SPACES_128_TOKEN, type DecoderAttackSizes } from './attacks/decoders.js';
import { DECODER_BUDGET, measureAttack, overBudget, type Attack } from './lib/adversary.js';

// Capped versions of the attacks: small enough that the unbounded decoders only spent a
// few hundred MiB on them (not the runner's whole heap), large enough that they broke the budget
// (DECODER_BUDGET: 8 bytes per input byte + 48 MiB) by far. `pnpm stress` runs the full sizes.
const TEST_SIZES: DecoderAttackSizes = {
  msgpackLevels: 1, // one array32 of 27 M: 206 MiB allocated before the missing elements are noticed
  routingFrameBytes: 4_000_000, // 16 M roles: 122 MiB
  tokenNativeBytes: 4_800_000, // 1.2 M tokens of 128 spaces: 146 MiB of text
  agentIdBytes: 64 * 1024, // accepted and kept before
  jsonElementBytes: 8 * 2 ** 20, // 2.8 M empty objects built by JSON.parse
  msgpackNils: 4_000_000,
};

const attacks = makeDecoderAttacks(TEST_SIZES);
const find = (pattern: RegExp): Attack => {
  const a = attacks.find((x) => pattern.test(x.name));
  if (!a) throw new Error(`no attack matches ${pattern}`);
  return a;
};

describe('decoder attacks stay within the resource budget (docs/ARCHITECTURE.md "Resource budget")', () => {
  it('the TokenNative bomb unit is one 128-space token', () => {
    // Our encoder cuts long runs into 64-character blocks (token-native.ts), so the attacker's
    // single-token form is written by hand; any decoder must still read it.
    expect(decodeTokenNative(`#TK|C|${SPACES_128_TOKEN}`)).toBe(' '.repeat(128));
  });

  const cases: Array<[RegExp, RegExp]> = [
    [/nested array32 .*binary codec/, /^INVALID_MESSAGE$/],
    [/decodeCapabilities/, /^INVALID_MESSAGE$/],
    [/array32 of .* nils/, /^LIMIT_EXCEEDED$/],
    [/Routing header claiming/, /^LIMIT_EXCEEDED$/],
    [/AEAD frame, before the tag/, /^LIMIT_EXCEEDED$/],
    [/TokenNative/, /^LIMIT_EXCEEDED$/],
    [/agent id \(json codec\)/, /^LIMIT_EXCEEDED$/],
    [/agent id \(binary codec\)/, /^LIMIT_EXCEEDED$/],
    [/empty objects/, /^LIMIT_EXCEEDED$/],
    [/nested arrays/, /^INVALID_MESSAGE$/],
    [/bomb as the first message \(TCP/, /^closed \(INVALID_MESSAGE\); server answers$/],
    [/bomb as the first message \(WebSocket/, /^closed \(INVALID_MESSAGE\); server answers$/],
    [/bomb as the first message \(HTTP/, /^HTTP \d+ \(INVALID_MESSAGE\); server answers$/],
    [/bomb as capabilities in a json HELLO/, /^closed \((INVALID_MESSAGE|HANDSHAKE_FAILED)\); server answers$/],
    [/agent id in HELLO \(TCP listen\)/, /^closed \(LIMIT_EXCEEDED\); server answers$/],
    [/ACCEPT's Noise payload/, /^(INVALID_MESSAGE|HANDSHAKE_\w+ \(INVALID_MESSAGE\))$/],
  ];
  for (const [pattern, outcome] of cases) {
    it(String(pattern), async () => {
      const r = await measureAttack(find(pattern));
      expect(r.outcome).toMatch(outcome);
      expect(overBudget(r, DECODER_BUDGET)).toEqual([]);
    }, 30_000);
  }
});
