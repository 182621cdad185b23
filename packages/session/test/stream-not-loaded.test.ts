/**
 * A program that never loads `@m2m/session/streams` (this file imports only the main entry;
 * vitest gives each file its own modules): its default capabilities do not advertise streaming,
 * so a stream-looking DATA is ordinary DATA; a program that advertises streaming anyway ends its
 * session on a peer's stream with a STREAM_ERROR that says where stream support is, instead of
 * buffering it for nobody.
 */
import { describe, expect, it } from 'vitest';
import { isM2MError } from '@m2m/core';
import { defaultCapabilities, Session } from '@m2m/session';
import { memoryTransportPair } from '@m2m/session/testing';

const ENVELOPE = '{"m2m_stream":{"id":"1","seq":0,"op":"data"},"chunks":["x"]}';

describe('sessions without @m2m/session/streams', () => {
  it('advertise streaming false by default, so nothing is read as a stream', async () => {
    expect(defaultCapabilities().compression.streaming).toBe(false);
    const [a, b] = memoryTransportPair();
    const serverP = Session.server(b);
    const client = await Session.client(a);
    const server = (await serverP)!;
    expect(server.negotiated?.streaming).toBe(false);
    const it = server[Symbol.asyncIterator]();
    await client.send(ENVELOPE);
    expect((await it.next()).value?.content).toBe(ENVELOPE);
    await client.close();
  });

  it('advertising streaming anyway: a peer’s stream ends the session with STREAM_ERROR naming the entry; ordinary DATA before it arrives', async () => {
    const capabilities = defaultCapabilities();
    capabilities.compression.streaming = true;
    const [a, b] = memoryTransportPair();
    const serverP = Session.server(b, { capabilities });
    const client = await Session.client(a, { capabilities });
    const server = (await serverP)!;
    expect(server.negotiated?.streaming).toBe(true);
    const received: string[] = [];
    const reading = (async () => {
      for await (const m of server) received.push(m.content);
    })();
    await client.send('{"plain":1}');
    await client.send(ENVELOPE);
    const err = await reading.then(() => undefined, (e: unknown) => e);
    expect(received).toEqual(['{"plain":1}']);
    expect(isM2MError(err) && err.code).toBe('STREAM_ERROR');
    expect((err as Error).message).toContain('@m2m/session/streams');
    const info = await client.closed;
    expect(info.reason).toBe('ERROR');
  });
});
