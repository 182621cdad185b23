/**
 * listen() refuses an unknown transport, a bad port or an unknown codec with a typed CONFIG_ERROR before binding
 * anything (packages/session/src/listen-check.ts), as a plain JavaScript caller can pass either.
 */
import { isSdkError } from '@m2m/core';
import { describe, expect, it } from 'vitest';
import { listen, type ListenOptions } from '../src/index.js';

const configError = async (options: Record<string, unknown>) => {
  const e: unknown = await listen(options as ListenOptions).then(
    async (server) => {
      await server.close();
      return undefined;
    },
    (err: unknown) => err,
  );
  expect(isSdkError(e)).toBe(true);
  return e as { code: string; message: string };
};

describe('listen option checks', () => {
  it('refuses an unknown transport instead of listening as WebSocket under its name', async () => {
    const e = await configError({ transport: 'smtp' });
    expect(e.code).toBe('CONFIG_ERROR');
    expect(e.message).toContain('"smtp"');
  });

  for (const port of [-5, 65_536, 1.5, '8080', Number.NaN]) {
    it(`refuses port ${String(port)} with CONFIG_ERROR, not node:net's ERR_SOCKET_BAD_PORT`, async () => {
      const e = await configError({ transport: 'tcp', port });
      expect(e.code).toBe('CONFIG_ERROR');
      expect(e.message).toContain(`got ${typeof port === 'string' ? `"${port}"` : String(port)}`);
    });
  }

  it('refuses an unknown codec instead of starting a server that ignores it', async () => {
    const e = await configError({ transport: 'tcp', codec: 'msgpack' });
    expect(e.code).toBe('CONFIG_ERROR');
    expect(e.message).toContain('codec must be json or binary, got "msgpack"');
  });

  it('still listens on port 0 for each transport', async () => {
    for (const transport of ['ws', 'tcp', 'http'] as const) {
      const server = await listen({ transport, port: 0 });
      expect(server.url).toMatch(new RegExp(`^${transport}://127\\.0\\.0\\.1:\\d+`));
      await server.close();
    }
  });
});
