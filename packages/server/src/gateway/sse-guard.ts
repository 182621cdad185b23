/**
 * Passes an upstream Server-Sent Events body through chunk by chunk (never buffered), and when
 * the upstream stream fails mid-way ends the client's stream with one `event: error` carrying
 * seed 000's error body, at an event boundary, instead of hanging or cutting an event in half.
 * A body made by `body-stream.ts` (both HTTP forwarders) is guarded in place, without a second
 * stream layer; any other body (the peer link's) is wrapped.
 * @module
 */
import { guardInPlace, sourcedBody } from './body-stream.js';

/** The SSE body for the client. `onEnd` runs once when the stream finishes, fails or is cancelled. */
export function guardSse(source: ReadableStream<Uint8Array>, onEnd?: (error?: unknown) => void): ReadableStream<Uint8Array> {
  if (guardInPlace(source, onEnd)) return source;
  const reader = source.getReader();
  const body = sourcedBody({
    async pull(sink) {
      const { done, value } = await reader.read();
      if (done) sink.close();
      else sink.push(value);
    },
    cancel: (reason) => reader.cancel(reason).catch(() => undefined),
  });
  guardInPlace(body, onEnd);
  return body;
}
