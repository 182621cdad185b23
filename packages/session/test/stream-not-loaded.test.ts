/**
 * A program that never loads `@m2m/session/streams` has no way to read a stream: a peer's stream
 * message ends its session with a STREAM_ERROR that says where stream support is, instead of
 * being buffered for nobody (this file imports only the main entry; vitest gives each file its
 * own modules).
 */
import { describe, expect, it } from 'vitest';
import { isM2MError } from '@m2m/core';
import { Session } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';

describe('a stream message without @m2m/session/streams', () => {
  it('ends the receiving session with STREAM_ERROR naming the entry; ordinary DATA before it arrives', async () => {
    const [a, b] = memoryTransportPair();
    const serverP = Session.server(b);
    const client = await Session.client(a);
    const server = (await serverP)!;
    expect(server.negotiated?.streaming).toBe(true);
    const received: string[] = [];
    const reading = (async () => {
      for await (const m of server) received.push(m.content);
    })();
    await client.send('{"plain":1}');
    await client.send('{"m2m_stream":{"id":"1","seq":0,"op":"data"},"chunks":["x"]}');
    const err = await reading.then(() => undefined, (e: unknown) => e);
    expect(received).toEqual(['{"plain":1}']);
    expect(isM2MError(err) && err.code).toBe('STREAM_ERROR');
    expect((err as Error).message).toContain('@m2m/session/streams');
    const info = await client.closed;
    expect(info.reason).toBe('ERROR');
  });
});
