/**
 * A tcp:// URL that points at an HTTP server: its "HTTP/1.1 400" answer reads as a length prefix
 * of 1,213,486,160 bytes. The transport error (the cause at the end of the chain) says the peer
 * speaks HTTP (NETWORK_ERROR) instead of a LIMIT_EXCEEDED about maxMessageBytes
 * (packages/session/src/transport/tcp.ts); a real oversized length prefix stays LIMIT_EXCEEDED.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { isSdkError } from '@m2m/core';
import { describe, expect, it } from 'vitest';
import { connect } from '../src/index.js';

const listening = async <T extends Server>(server: T): Promise<number> => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
};
const failure = async (url: string) => {
  const e: unknown = await connect(url, { signal: AbortSignal.timeout(5_000) }).then(
    async (s) => {
      await s.close();
      return undefined;
    },
    (err: unknown) => err,
  );
  expect(isSdkError(e)).toBe(true);
  // A plaintext session reports SESSION_CLOSED with the transport's error as its cause.
  const chain: { code: string; message: string }[] = [];
  for (let link = e as { code?: string; message: string; cause?: unknown } | undefined; link?.code; link = link.cause as typeof link) chain.push({ code: link.code, message: link.message });
  return chain.at(-1)!;
};

describe('tcp:// against something that is not an M2M TCP peer', () => {
  it('an HTTP server: NETWORK_ERROR naming HTTP', async () => {
    const server = createHttpServer((_req, res) => res.end('hi'));
    const port = await listening(server);
    try {
      const e = await failure(`tcp://127.0.0.1:${port}`);
      expect(e.code).toBe('NETWORK_ERROR');
      expect(e.message).toContain('speaks HTTP');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a peer announcing a frame over the limit: LIMIT_EXCEEDED as before', async () => {
    const server = createServer((socket) => socket.end(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0])));
    const port = await listening(server);
    try {
      const e = await failure(`tcp://127.0.0.1:${port}`);
      expect(e.code).toBe('LIMIT_EXCEEDED');
    } finally {
      server.close();
    }
  });
});
