/**
 * startServer's options as a plain JavaScript caller can get them wrong: each is a CONFIG_ERROR
 * before anything listens. A port of 'abc' listened on a pipe and reported
 * http://127.0.0.1:undefined; 99999 threw node:net's untyped RangeError; `apiKeys: 'sk-1'`
 * threw a bare TypeError.
 */
import { isSdkError } from '@m2m/core';
import { describe, expect, it } from 'vitest';
import { startServer, type StartServerOptions } from '../src/node.js';

async function refused(options: Record<string, unknown>): Promise<{ code?: string; message: string }> {
  const e: unknown = await startServer(options as StartServerOptions).then(
    async (s) => (await s.close(), undefined),
    (err: unknown) => err,
  );
  return { code: isSdkError(e) ? e.code : undefined, message: e instanceof Error ? e.message : 'no error' };
}

describe('startServer option checks', () => {
  for (const port of ['abc', '8080', 99_999, -1, 1.5]) {
    it(`port ${JSON.stringify(port)} is CONFIG_ERROR`, async () => {
      const r = await refused({ port });
      expect(r.code).toBe('CONFIG_ERROR');
      expect(r.message).toContain('port must be an integer from 0 to 65535');
    });
  }

  it('apiKeys given as one string is CONFIG_ERROR that shows the array form', async () => {
    const r = await refused({ port: 0, upstream: 'http://127.0.0.1:9/v1', apiKeys: 'sk-1' });
    expect(r.code).toBe('CONFIG_ERROR');
    expect(r.message).toContain("apiKeys: ['team-key']");
  });

  it('port 0 still binds a free port and reports it in url and port', async () => {
    const s = await startServer({ port: 0 });
    try {
      expect(s.port).toBeGreaterThan(0);
      expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    } finally {
      await s.close();
    }
  });
});
