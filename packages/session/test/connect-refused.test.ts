/**
 * `connect` to a port nobody listens on: every transport, plaintext and XX, throws the
 * transport's own NETWORK_ERROR (with the refusal in its cause chain), not SESSION_CLOSED
 * "connection lost" around it. HTTP dials without a request, so its refusal surfaces only once
 * the HELLO is posted (session.ts, Session.client).
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { allowKeys, connect, type ConnectOptions } from '../src/index.js';
import { httpTransport } from '../src/http.js';

/** A loopback port that was free a moment ago (bound, then released). */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Every message in `e`'s cause chain. */
function chain(e: unknown): string {
  const parts: string[] = [];
  for (let c = e, i = 0; c instanceof Error && i < 8; c = (c as { cause?: unknown }).cause, i++) parts.push(`${(c as { code?: string }).code ?? ''} ${c.message}`);
  return parts.join(' <- ');
}

const serverKey = KeyPair.generate();
const modes: Array<[string, () => ConnectOptions]> = [
  ['plaintext', () => ({})],
  ['XX', () => ({ secure: { staticKey: KeyPair.generate(), verifyPeer: allowKeys([serverKey.publicKey]) } })],
];

describe('connect to a refused port', () => {
  for (const scheme of ['http', 'ws', 'tcp'] as const) {
    for (const [mode, options] of modes) {
      it(`${scheme} ${mode}: throws NETWORK_ERROR itself, the refusal in its causes`, async () => {
        const port = await refusedPort();
        const extra: ConnectOptions = scheme === 'http' ? { transport: httpTransport } : {};
        const e: unknown = await connect(`${scheme}://127.0.0.1:${port}`, { ...options(), ...extra, timers: { helloTimeoutMs: 10_000 } }).then(
          async (s) => (await s.close(), undefined),
          (err: unknown) => err,
        );
        expect(isSdkError(e), chain(e)).toBe(true);
        expect((e as { code: string }).code, chain(e)).toBe('NETWORK_ERROR');
        expect(chain(e)).toMatch(/ECONNREFUSED|refused/i);
      });
    }
  }
});
