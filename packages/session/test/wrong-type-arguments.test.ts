/**
 * Public functions given an argument of the wrong type throw a typed Config error saying what the
 * argument takes (src/arg-check.ts), not a bare TypeError from deep inside.
 */
import { describe, expect, it } from 'vitest';
import { allowKeys, connect, knownKeys, organizationPsk } from '../src/index.js';
import { configReason } from './fixtures/config-reason.js';

describe('wrong-type arguments', () => {
  it('connect: a transport that is not a Dialer (a string, an empty object)', async () => {
    expect(await configReason(() => connect('ws://127.0.0.1:1', { transport: 'ws' as never }))).toMatch(/transport takes .*got string/);
    expect(await configReason(() => connect('tcp://127.0.0.1:1', { transport: {} as never }))).toMatch(/transport takes .*got object/);
  });

  it('allowKeys: not a list', async () => {
    expect(await configReason(() => allowKeys(undefined as never))).toMatch(/allowKeys takes .*got undefined/);
    expect(await configReason(() => allowKeys(5 as never))).toMatch(/got number/);
    expect(await configReason(() => allowKeys('ab'.repeat(32) as never))).toMatch(/got string/);
  });

  it('knownKeys: not a string', async () => {
    expect(await configReason(() => knownKeys(5 as never))).toMatch(/knownKeys takes a text, got number/);
    expect(await configReason(() => knownKeys(null as never))).toMatch(/got object/);
  });

  it('organizationPsk: not a key hierarchy', async () => {
    expect(await configReason(() => organizationPsk(undefined as never))).toMatch(/organizationPsk takes .*KeyHierarchy.*got undefined/);
    expect(await configReason(() => organizationPsk({} as never))).toMatch(/got object/);
  });

  it('messages name the type only, never the value (it may be a secret)', async () => {
    const secret = 'deadbeef'.repeat(8);
    expect(await configReason(() => knownKeys({ secret } as never))).not.toContain(secret);
  });
});
