/**
 * The gateway's one-layer response bodies (body-stream.ts) and the SSE guard on them: a body from
 * a forwarder is guarded in place (no second stream), and a failure ends it with one error event
 * at an event boundary however the last bytes were split across chunks.
 */
import { M2MError } from '@m2m/core';
import { describe, expect, it } from 'vitest';
import { sourcedBody, wholeBody, type BodySink } from '../src/gateway/body-stream.js';
import { guardSse } from '../src/gateway/sse-guard.js';

const enc = new TextEncoder();
const text = async (s: ReadableStream<Uint8Array>) => new TextDecoder().decode(new Uint8Array(await new Response(s).arrayBuffer()));

/** A body whose sink the test drives. */
function driven(): { body: ReadableStream<Uint8Array>; sink: BodySink } {
  let sink!: BodySink;
  const body = sourcedBody({ start: (s) => void (sink = s) }, 16);
  return { body, sink };
}

const broke = new M2MError('Upstream', { reason: 'upstream stream broke' });

describe('sourcedBody + guardSse', () => {
  it('guards a sourced body in place and calls onEnd once', async () => {
    const { body, sink } = driven();
    const ends: unknown[] = [];
    expect(guardSse(body, (e) => ends.push(e ?? 'ok'))).toBe(body);
    sink.push(enc.encode('data: 1\n\n'));
    sink.close();
    sink.fail(broke); // after the end: ignored
    expect(await text(body)).toBe('data: 1\n\n');
    expect(ends).toEqual(['ok']);
  });

  for (const [name, chunks, separator] of [
    ['LF boundary split over one-byte chunks', ['data: 1\n', '\n'], ''],
    ['CRLF boundary in tiny chunks', ['data: 1', '\r', '\n', '\r', '\n'], ''],
    ['CR boundary', ['data: 1\r\r'], ''],
    ['mid-event (one newline only)', ['data: 1\n'], '\n\n'],
    ['mid-line', ['data: {"a":', '1'], '\n\n'],
    ['nothing sent yet', [], ''],
  ] as const) {
    it(`a failure ends the stream with one error event: ${name}`, async () => {
      const { body, sink } = driven();
      let ended: unknown;
      const guarded = guardSse(body, (e) => (ended = e));
      for (const c of chunks) sink.push(enc.encode(c));
      sink.fail(broke);
      const out = await text(guarded);
      expect(out.startsWith(chunks.join('') + separator + 'event: error\ndata: {"error":{"code":"UPSTREAM_ERROR"')).toBe(true);
      expect(out.endsWith('\n\n')).toBe(true);
      expect(out.split('event: error').length).toBe(2);
      expect(ended).toBe(broke);
    });
  }

  it('an unguarded body errors instead (a JSON body is cut, not patched)', async () => {
    const { body, sink } = driven();
    sink.push(enc.encode('{"a":'));
    sink.fail(broke);
    await expect(text(body)).rejects.toBe(broke);
  });

  it('wraps a plain stream, and a failure there also becomes an error event', async () => {
    let n = 0;
    const plain = new ReadableStream<Uint8Array>({
      pull(c) {
        if (n++ === 0) c.enqueue(enc.encode('data: 1\n\n'));
        else c.error(broke);
      },
    });
    const guarded = guardSse(plain);
    expect(guarded).not.toBe(plain);
    expect(await text(guarded)).toMatch(/^data: 1\n\nevent: error\ndata: \{"error":\{"code":"UPSTREAM_ERROR"/);
  });

  it('cancelling the client side cancels the source and reports the end once', async () => {
    const cancelled: unknown[] = [];
    const ends: unknown[] = [];
    const body = sourcedBody({ pull: () => new Promise<void>(() => undefined), cancel: (r) => void cancelled.push(r) });
    guardSse(body, (e) => ends.push(e));
    await body.cancel('gone');
    expect(cancelled).toEqual(['gone']);
    expect(ends).toEqual(['gone']);
  });

  it('push says when the reader is behind (the source pauses)', () => {
    let sink!: BodySink;
    sourcedBody({ start: (s) => void (sink = s) }, 2);
    expect(sink.push(enc.encode('a'))).toBe(true);
    expect(sink.push(enc.encode('b'))).toBe(false);
  });
});

describe('a body that ended before the guard came', () => {
  it('is guarded in place: a whole one calls onEnd at once, one that failed keeps its chunks and ends with the event', async () => {
    const whole = driven();
    whole.sink.push(enc.encode('data: 1\n\n'));
    whole.sink.close();
    const ends: unknown[] = [];
    expect(guardSse(whole.body, (e) => ends.push(e ?? 'ok'))).toBe(whole.body);
    expect(ends).toEqual(['ok']);
    expect(await text(whole.body)).toBe('data: 1\n\n');

    const failed = driven();
    failed.sink.push(enc.encode('data: 1\n'));
    failed.sink.fail(broke);
    const guarded = guardSse(failed.body);
    expect(guarded).toBe(failed.body);
    expect(await text(guarded)).toMatch(/^data: 1\n\n\nevent: error\n/);
  });
});

describe('an unguarded failure', () => {
  it('is delivered after the chunks already queued', async () => {
    const { body, sink } = driven();
    sink.push(enc.encode('{"a":'));
    sink.push(enc.encode('1'));
    sink.fail(broke);
    const reader = body.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"a":');
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('1');
    await expect(reader.read()).rejects.toBe(broke);
  });
});

describe('wholeBody', () => {
  it('gives the bytes of a body that ended before anyone read it, once; nothing for one still open, read or guarded', async () => {
    const whole = driven();
    whole.sink.push(enc.encode('data: 1\n\n'));
    whole.sink.push(enc.encode('data: [DONE]\n\n'));
    whole.sink.close();
    expect(new TextDecoder().decode(wholeBody(whole.body))).toBe('data: 1\n\ndata: [DONE]\n\n');
    expect(wholeBody(whole.body)).toBeUndefined();

    const open = driven();
    open.sink.push(enc.encode('data: 1\n\n'));
    expect(wholeBody(open.body)).toBeUndefined();
    open.sink.close(); // asked once already: the stream is the only way now
    expect(wholeBody(open.body)).toBeUndefined();
    expect(await text(open.body)).toBe('data: 1\n\n');

    const guarded = driven();
    guardSse(guarded.body);
    guarded.sink.close();
    expect(wholeBody(guarded.body)).toBeUndefined();

    const failed = driven();
    failed.sink.push(enc.encode('x'));
    failed.sink.fail(broke);
    expect(wholeBody(failed.body)).toBeUndefined();
    expect(wholeBody(new Response('plain').body!)).toBeUndefined();
  });
});

describe('wholeBody bounds', () => {
  it('holds no more chunks than the queue does: a longer body is only streamed', async () => {
    let sink!: BodySink;
    const body = sourcedBody({ start: (s) => void (sink = s) }, 2);
    const reader = body.getReader();
    for (let i = 0; i < 5; i++) {
      sink.push(enc.encode(String(i)));
      await reader.read(); // the queue drains; only the first 2 chunks were ever held aside
    }
    sink.close();
    reader.releaseLock();
    expect(wholeBody(body)).toBeUndefined();
  });
});
