/**
 * Relaying Server-Sent Events through session streams: an upstream SSE body into a
 * {@link StreamWriter} on one side, an {@link IncomingStream} back out as SSE text on the other
 * (what a gateway serves to an HTTP client that asked for `stream: true`).
 * @module
 */
import { M2MError, isSdkError } from '@m2m/core/internal';
import type { IncomingStream } from './incoming.js';
import { formatSseEvent, parseSse, SSE_DONE, type SseParserOptions, type SseSource } from './sse.js';
import type { StreamWriter } from './writer.js';

/**
 * Writes each `data` of an SSE body to `writer` (awaiting each write, so a slow peer slows the
 * upstream read) and ends the stream at `[DONE]` or the body's end. Comments and events of
 * other `event:` types are skipped. If the body fails, the stream is aborted and the error
 * rethrown.
 * @returns the number of chunks written
 * @throws M2MError: the writer's errors (StreamBackpressure, StreamClosed, LimitExceeded), the
 *   parser's LimitExceeded; a non-SDK error of the body is wrapped as Upstream.
 * @example
 * ```ts
 * const res = await fetch(apiUrl, { method: 'POST', body, headers });
 * await relaySseToStream(res.body!, openStream(session));
 * ```
 */
export async function relaySseToStream(source: SseSource, writer: StreamWriter, options: SseParserOptions = {}): Promise<number> {
  let n = 0;
  try {
    for await (const e of parseSse(source, options)) {
      if (e.event !== undefined && e.event !== 'message') continue;
      if (e.data === '[DONE]') break;
      await writer.write(e.data);
      n++;
    }
    await writer.end();
    return n;
  } catch (err) {
    const error = isSdkError(err) ? err : new M2MError('Upstream', { reason: `SSE source failed: ${(err as Error)?.message ?? String(err)}` }, { cause: err });
    if (!writer.closed) await writer.abort(error.message);
    throw error;
  }
}

/**
 * The chunks of an incoming stream as SSE text, one `data:` event per chunk and
 * `data: [DONE]` after the last (not after a failure, which is rethrown so the HTTP response
 * can be cut).
 * @throws M2MError: the stream's STREAM_ERROR, STREAM_CLOSED or STREAM_TIMEOUT.
 * @example
 * ```ts
 * for await (const text of streamToSse(incoming)) res.write(text);
 * res.end();
 * ```
 */
export async function* streamToSse(stream: IncomingStream): AsyncGenerator<string, void, undefined> {
  for await (const chunk of stream) yield formatSseEvent(chunk);
  yield SSE_DONE;
}
