/**
 * `m2m errors decode` on a log of short broken JSON records: each failed `JSON.parse` threw a
 * SyntaxError (10-20 µs), about 10 s per MiB of `{` or `{}}` lines. Lines are now checked by a
 * linear syntax test first (log-decoder/json-valid.ts), checked here against `JSON.parse`.
 */
import { describe, expect, it } from 'vitest';
import { decodeLog } from '../src/log-decoder.js';
import { isJsonText } from '../src/log-decoder/json-valid.js';

const MiB = 1024 * 1024;

describe('log decoder on broken JSON lines', () => {
  it.each(['{\n', '{}}\n', '{,}\n'])('1 MiB of %j lines does not hang', (line) => {
    const log = `Error: x\n${line.repeat(MiB / line.length)}`;
    // The hang guard is the test timeout; speed is `pnpm bench logs`, never asserted here.
    const r = decodeLog(log);
    expect(r.partial).toBeGreaterThan(MiB / line.length / 2);
  }, 8000);

  it('the syntax check agrees with JSON.parse', () => {
    const texts = ['{}', '[]', '{"a":1}', ' {"a":[1,-2.5e+3,{"b":null}],"c":"x\\u00e9\\n","d":true,"e":false} ', '"s"', '0', '[[[]]]', '{', '}', '{}}', '{,}', '{"a"}', '{"a":}', '[1,]', '{"a":1,}', '01', '1.', '-', '"\\x"', '"a\nb"', '{"a":1}x', 'tru', '[1 2]', '{1:2}', '"\\u12G4"', '', '{"a":1]', '[1}'];
    const alphabet = '{}[],:"\\ 01-.eE+tnrufals';
    let seed = 7;
    const rand = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % k);
    for (let j = 0; j < 20_000; j++) texts.push(Array.from({ length: 1 + rand(9) }, () => alphabet[rand(alphabet.length)]).join(''));
    for (const t of texts) {
      let parses = true;
      try {
        JSON.parse(t);
      } catch {
        parses = false;
      }
      expect([t, isJsonText(t)]).toEqual([t, parses]);
    }
  });
});
