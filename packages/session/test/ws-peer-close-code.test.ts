/**
 * A WebSocket peer that refuses what we sent closes with a code that says why (1009: a message
 * over its maxMessageBytes, transport/websocket.ts `refuse`). The client used to drop the code and
 * end with SESSION_CLOSED "connection lost" and no cause: a user could not tell their message was
 * too big for the server. Now the session's error carries the peer's reason as its cause.
 */
import { isSdkError, type M2MError } from '@m2m/core';
import { KeyPair } from '@m2m/crypto';
import { describe, expect, it } from 'vitest';
import { allowKeys, connect, listen } from '../src/index.js';

/** The codes and messages of an error and its causes, outermost first. */
function chain(e: unknown): string[] {
  const out: string[] = [];
  for (let c = e; c instanceof Error; c = c.cause) out.push(`${isSdkError(c) ? c.code : c.name}: ${c.message}`);
  return out;
}

// Incompressible text, so the frame stays over the server's limit after compression.
const big = JSON.stringify({ model: 'x', messages: [{ role: 'user', content: Array.from({ length: 800 }, (_, i) => ((i * 2654435761) >>> 0).toString(36)).join(' ') }] });

describe('a WebSocket peer closing with a code', () => {
  it.each([true, false])('1009 (over the server maxMessageBytes) reaches the client as the cause of its session error (encrypted: %s)', async (encrypted) => {
    const serverKey = KeyPair.generate();
    const server = await listen({ transport: 'ws', maxMessageBytes: 1024, ...(encrypted ? { secure: { staticKey: serverKey } } : {}), onSession: async (s) => {
      try {
        for await (const m of s) await s.send(m.content);
      } catch {
        // the server side ends with its own LIMIT_EXCEEDED
      }
    } });
    try {
      const session = await connect(server.url, encrypted ? { secure: { staticKey: KeyPair.generate(), verifyPeer: allowKeys([serverKey.publicKey]) } } : {});
      await session.send(big).catch(() => undefined);
      const e: unknown = await (async () => {
        for await (const _ of session) void _;
      })().then(() => undefined, (err: unknown) => err);
      expect(isSdkError(e) && (e as M2MError).code).toBe('SESSION_CLOSED');
      const links = chain(e);
      expect(links.length).toBeGreaterThan(1);
      expect(links.slice(1).join('\n')).toMatch(/NETWORK_ERROR: .*1009.*maxMessageBytes/);
    } finally {
      await server.close();
    }
  });
});

describe('peerCloseError', () => {
  it('says nothing for a normal close or a lost connection, and keeps a peer reason to one line', async () => {
    const { peerCloseError } = await import('../src/transport/ws-close-codes.js');
    expect(peerCloseError(1000, 'session closed')).toBeUndefined();
    expect(peerCloseError(1006, '')).toBeUndefined();
    expect(peerCloseError(undefined, undefined)).toBeUndefined();
    const e = peerCloseError(1013, 'server buffers full\nFAKE LOG LINE');
    expect(e?.code).toBe('NETWORK_ERROR');
    expect(e?.message).toBe('Network error: the peer closed the WebSocket with 1013 for full buffers (try again later) (server buffers full?FAKE LOG LINE)');
  });
});
