/**
 * Names every plain object inherits (`constructor`, `toString`, `__proto__`) are not rejection
 * codes or close reasons: the JSON codec read them as such (`name in RejectionCode`), handing the
 * application a code outside its type that the binary codec then wrote as index -1.
 */
import { isM2MError } from '@m2m/core';
import { describe, expect, it } from 'vitest';
import { decodeMessageJson } from '../src/json.js';

function outcome(json: string): string {
  try {
    return decodeMessageJson(json).payload?.kind ?? 'none';
  } catch (e) {
    return isM2MError(e) ? `error ${e.kind}` : `crash ${String(e)}`;
  }
}

const reject = (code: string) => `{"type":"REJECT","payload":{"code":${JSON.stringify(code)},"message":"x"},"timestamp":1}`;
const close = (reason: string) => `{"type":"CLOSE","session_id":"s","payload":{"reason":${JSON.stringify(reason)}},"timestamp":1}`;

describe('inherited property names in enum fields (json codec)', () => {
  it('a known code and reason decode (control)', () => {
    expect(outcome(reject('SERVER_BUSY'))).toBe('rejection');
    expect(outcome(close('NORMAL'))).toBe('close');
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('%s is read as an unknown code and reason', (name) => {
    expect(outcome(reject(name))).toBe(outcome(reject('NO_SUCH_CODE')));
    expect(outcome(reject(name))).not.toBe('rejection');
    expect(outcome(close(name))).toBe(outcome(close('NO_SUCH_REASON')));
    expect(outcome(close(name))).not.toBe('close');
  });
});
