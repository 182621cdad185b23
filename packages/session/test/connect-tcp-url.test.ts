/**
 * `connect('tcp://…')` checks the URL's host and port in the Node platform (platform/index.node.ts
 * `openTcp`, moved there so browser bundles carry no TCP code): a URL without a usable port is a
 * Config error before anything is dialed.
 */
import { isSdkError } from '@m2m/core';
import { describe, expect, it } from 'vitest';
import { connect } from '../src/index.js';

describe('connect tcp:// URL', () => {
  it.each(['tcp://127.0.0.1', 'tcp://127.0.0.1:0'])('refuses %s with Config before dialing', async (url) => {
    const e: unknown = await connect(url).catch((err: unknown) => err);
    expect(isSdkError(e) && e.code).toBe('CONFIG_ERROR');
    expect((e as Error).message).toContain('tcp URL needs a host and a port');
  });
});
