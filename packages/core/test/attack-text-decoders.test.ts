/**
 * Attacker review of the public text decoders: a value that is not a string (a JSON body's
 * `"data": 5`, `null`, an object with a `length`) passed to `decodeBrotliText` or
 * `decodeTokenNative` threw a bare TypeError (`text.startsWith is not a function`, `reading
 * 'length'`); `decompress` and `decodeFrameText` already refused it typed. Each now refuses with
 * INVALID_MESSAGE before reading anything.
 */
import { describe, expect, it } from 'vitest';
import { decodeBrotliText, decodeFrameText, decodeTokenNative, decompress, isSdkError } from '@m2m/core';

const notStrings: unknown[] = [undefined, null, 5, true, {}, { length: 3, startsWith: () => true }, ['#TK|C|AA=='], new Uint8Array(4)];
const decoders: Array<[string, (v: unknown) => unknown]> = [
  ['decodeBrotliText', (v) => decodeBrotliText(v as string)],
  ['decodeTokenNative', (v) => decodeTokenNative(v as string)],
  ['decompress', (v) => decompress(v as string)],
  ['decodeFrameText', (v) => decodeFrameText(v as string)],
];

describe('text decoders refuse a value that is not a string with a typed error', () => {
  for (const [name, decode] of decoders) {
    it(name, () => {
      for (const v of notStrings) {
        let thrown: unknown;
        try {
          decode(v);
        } catch (e) {
          thrown = e;
        }
        expect([name, v, isSdkError(thrown) ? thrown.code : String(thrown)]).toEqual([name, v, 'INVALID_MESSAGE']);
      }
    });
  }
});
