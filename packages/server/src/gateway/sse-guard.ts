/**
 * Passes an upstream Server-Sent Events body through chunk by chunk (never buffered), and when
 * the upstream stream fails mid-way ends the client's stream with one `event: error` carrying
 * seed 000's error body, at an event boundary, instead of hanging or cutting an event in half.
 * @module
 */
import { gatewayErrorEvent } from './errors.js';

const encoder = new TextEncoder();

/** The SSE body for the client. `onEnd` runs once when the stream finishes, fails or is cancelled. */
export function guardSse(source: ReadableStream<Uint8Array>, onEnd?: (error?: unknown) => void): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  // Bytes since the last blank line tell whether an error event can follow directly.
  let tail = '';
  let ended = false;
  const end = (e?: unknown) => {
    if (ended) return;
    ended = true;
    onEnd?.(e);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          end();
          return;
        }
        const last = value.subarray(Math.max(0, value.length - 4));
        tail = (tail + String.fromCharCode(...last)).slice(-4);
        controller.enqueue(value);
      } catch (e) {
        const boundary = /\n\n$|\r\n\r\n$|\r\r$/.test(tail) || tail === '';
        controller.enqueue(encoder.encode((boundary ? '' : '\n\n') + gatewayErrorEvent(e)));
        controller.close();
        end(e);
      }
    },
    cancel(reason) {
      end(reason);
      return reader.cancel(reason).catch(() => undefined);
    },
  });
}
