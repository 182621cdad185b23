import { describe, expect, it } from 'vitest';
import { isM2MError } from '@m2m/core';
import { decodeMessageBinary, encodeMessageBinary, Session, SessionCore, type Message } from '@m2m/session';
import { ManualClock, memoryTransportPair } from '@m2m/session/testing';

// Spec 05-session-management.md §6.8.2: a message naming another session_id closes the session.
// Encrypted sessions bind the id in their AEAD frames; these tests hold plaintext sessions to it.

const JSON_REQ = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}';
const OTHER = '00000000-0000-4000-8000-000000000000';

function established() {
  const clock = new ManualClock();
  const client = new SessionCore({ role: 'client', clock, onSend: () => undefined });
  const server = new SessionCore({ role: 'server', clock, onSend: () => undefined });
  client.receive(server.receive(client.createHello()).reply!);
  return { client, server };
}

describe('a plaintext session refuses messages that name another session', () => {
  for (const type of ['DATA', 'PING', 'PONG', 'CLOSE'] as const) {
    it(`${type} with a foreign session_id is a PROTOCOL_ERROR and changes nothing`, () => {
      const { client, server } = established();
      const own: Message =
        type === 'DATA' ? client.compress(JSON_REQ) : { type, sessionId: client.id, timestamp: 1, payload: type === 'CLOSE' ? { kind: 'close', value: { reason: 'NORMAL', message: '' } } : { kind: 'empty' } };
      const foreign: Message = { ...own, sessionId: OTHER };
      const before = server.stats.messagesReceived;
      let error: unknown;
      try {
        server.receive(foreign);
      } catch (e) {
        error = e;
      }
      expect(isM2MError(error) && error.code).toBe('PROTOCOL_ERROR');
      expect(server.state).toBe('ESTABLISHED');
      // Its own id still works afterwards (PONG without a PING is refused for another reason).
      if (type === 'DATA') expect(server.receive(own).content).toBe(JSON_REQ);
      expect(server.stats.messagesReceived).toBeGreaterThan(before);
    });
  }

  it('a message without a session_id is still taken (the id is optional on the wire)', () => {
    const { client, server } = established();
    const m = client.compress(JSON_REQ);
    delete (m as { sessionId?: string }).sessionId;
    expect(server.receive(m).content).toBe(JSON_REQ);
  });

  it('a Session ends with PROTOCOL_ERROR on foreign DATA and never delivers it', async () => {
    const [a, b] = memoryTransportPair();
    const serverP = Session.server(b);
    // The peer is a bare core writing binary messages, so it can name any session it likes.
    const sent: Message[] = [];
    const peer = new SessionCore({ role: 'client', onSend: (m) => sent.push(m) });
    await a.send(encodeMessageBinary(peer.createHello()));
    const replies = a[Symbol.asyncIterator]();
    const accept = decodeMessageBinary((await replies.next()).value as Uint8Array);
    peer.receive(accept);
    const server = (await serverP)!;
    const delivered: string[] = [];
    const reading = (async () => {
      for await (const d of server) delivered.push(d.content);
    })().catch((e: unknown) => e);
    await a.send(encodeMessageBinary({ ...peer.compress(JSON_REQ), sessionId: OTHER }));
    const info = await server.closed;
    expect(info.error && isM2MError(info.error) ? info.error.code : info.error).toBe('PROTOCOL_ERROR');
    await reading;
    expect(delivered).toEqual([]);
    // The peer is told why: a CLOSE for its real session.
    const close = decodeMessageBinary((await replies.next()).value as Uint8Array);
    expect(close.type).toBe('CLOSE');
    expect(close.sessionId).toBe(accept.sessionId);
    await a.close();
  });
});
