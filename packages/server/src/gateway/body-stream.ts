/**
 * One web ReadableStream per forwarded response body. The body's source (a node:http response's
 * events in `forward-node.ts`, a `fetch` body under an idle timer in `forward.ts`) pushes into it
 * through a {@link BodySink}; the SSE guard (`sse-guard.ts`) then installs its end policy on the
 * same stream instead of wrapping it in a second one, because each web-stream layer costs a
 * stream, a reader and a few promises per chunk (bench/gateway.ts, 100-chunk streams).
 * @module
 */
import { gatewayErrorEvent } from './errors.js';

/** What a body's source calls. Calls after the body ended (closed, failed, cancelled) are ignored. */
export interface BodySink {
  /** Queues a chunk (kept, not copied); false when the reader is behind and the source should pause. */
  push(chunk: Uint8Array): boolean;
  /** The body ended normally. */
  close(): void;
  /** The body broke: the stream errors, or when SSE-guarded ends with one `event: error`. */
  fail(error: unknown): void;
}

/** The source of a {@link sourcedBody}. */
export interface BodySource {
  /** Called once at creation (push-based sources attach their listeners here). */
  start?(sink: BodySink): void;
  /** Called when the reader wants more (pull-based sources read here); a rejection fails the body. */
  pull?(sink: BodySink): void | Promise<void>;
  /** The reader went away. */
  cancel?(reason: unknown): void | Promise<void>;
}

/** Turns a body into an SSE-guarded one in place; false when it already failed or was cancelled (the guard must wrap it). */
type Guard = (onEnd?: (error?: unknown) => void) => boolean;

const guards = new WeakMap<ReadableStream<Uint8Array>, Guard>();
const wholes = new WeakMap<ReadableStream<Uint8Array>, () => Uint8Array | undefined>();
const encoder = new TextEncoder();

/**
 * A body stream fed by `source`. `highWaterMark` counts chunks.
 * @example
 * ```ts
 * const body = sourcedBody({ start(sink) { sink.push(bytes); sink.close(); } });
 * ```
 */
export function sourcedBody(source: BodySource, highWaterMark = 1): ReadableStream<Uint8Array> {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  // No more pushes once the source closed, failed or the reader cancelled.
  let open = true;
  let complete = false;
  let sse = false;
  let onEnd: ((error?: unknown) => void) | undefined;
  // A failure before the guard came, held until the queued chunks are read (erroring a web
  // stream drops its queue), or until the guard turns it into an error event.
  let pending: { error: unknown } | undefined;
  // The chunks, until someone looks at the body (wholeBody or the guard) or there are more than
  // the queue holds: the same chunks the stream queues, so holding them costs no copy.
  let chunks: Uint8Array[] | undefined = [];
  // The last bytes sent, so that an error event starts at an event boundary.
  const tail = new Uint8Array(4);
  let tailLength = 0;
  const errorEvent = (error: unknown) => {
    controller.enqueue(encoder.encode((atEventBoundary(tail, tailLength) ? '' : '\n\n') + gatewayErrorEvent(error)));
    controller.close();
    onEnd?.(error);
  };
  const errorIfDrained = () => {
    if (pending && (controller.desiredSize ?? 0) >= highWaterMark) {
      controller.error(pending.error);
      pending = undefined;
    }
  };
  const sink: BodySink = {
    push(chunk) {
      if (!open) return false;
      const n = chunk.length;
      if (n >= 4) {
        tail.set(chunk.subarray(n - 4));
        tailLength = 4;
      } else if (n > 0) {
        const keep = Math.min(tailLength, 4 - n);
        tail.copyWithin(0, tailLength - keep, tailLength);
        tail.set(chunk, keep);
        tailLength = keep + n;
      }
      if (chunks) {
        // Bounded like the queue: a body longer than that is streamed, never held for wholeBody.
        if (chunks.length < highWaterMark) chunks.push(chunk);
        else chunks = undefined;
      }
      controller.enqueue(chunk);
      return (controller.desiredSize ?? 0) > 0;
    },
    close() {
      if (!open) return;
      open = false;
      complete = true;
      controller.close();
      onEnd?.();
    },
    fail(error) {
      if (!open) return;
      open = false;
      if (sse) return errorEvent(error);
      pending = { error };
      errorIfDrained();
    },
  };
  const pull = source.pull;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        source.start?.(sink);
      },
      async pull() {
        if (!open) return errorIfDrained();
        if (!pull) return;
        try {
          await pull(sink);
        } catch (e) {
          sink.fail(e);
        }
      },
      cancel(reason) {
        pending = undefined;
        if (open) {
          open = false;
          onEnd?.(reason);
        }
        return source.cancel?.(reason);
      },
    },
    { highWaterMark },
  );
  wholes.set(stream, () => {
    const all = chunks;
    chunks = undefined;
    if (!complete || !all || stream.locked) return undefined;
    if (all.length === 1) return all[0];
    let n = 0;
    for (const c of all) n += c.length;
    const out = new Uint8Array(n);
    n = 0;
    for (const c of all) {
      out.set(c, n);
      n += c.length;
    }
    return out;
  });
  guards.set(stream, (end) => {
    chunks = undefined;
    // A body that already arrived whole (a short stream often does before the gateway looks at
    // it) has nothing left to guard: it ended now, as far as the upstream is concerned.
    if (complete) {
      end?.();
      return true;
    }
    if (pending) {
      const { error } = pending;
      pending = undefined;
      sse = true;
      onEnd = end;
      errorEvent(error);
      return true;
    }
    if (!open) return false;
    sse = true;
    onEnd = end;
    return true;
  });
  return stream;
}

/**
 * Makes `body` end with an error event instead of erroring, and calls `onEnd` once when it
 * finishes, fails or is cancelled, when `body` came from {@link sourcedBody} and has not failed
 * or been cancelled yet (one that already ended whole calls `onEnd` at once). Returns false
 * otherwise (the caller wraps it instead).
 */
export function guardInPlace(body: ReadableStream<Uint8Array>, onEnd?: (error?: unknown) => void): boolean {
  return guards.get(body)?.(onEnd) ?? false;
}

/**
 * The whole of `body` when it came from {@link sourcedBody}, its source already ended normally
 * and nobody read from it: the gateway then sends it in one write, with a length, instead of
 * streaming what already arrived (a short SSE answer often has by the time the gateway looks).
 * Returns undefined otherwise, and always for a body already guarded or asked once.
 */
export function wholeBody(body: ReadableStream<Uint8Array>): Uint8Array | undefined {
  return wholes.get(body)?.();
}

/** True when nothing was sent, or what was sent ends with a blank line (LF, CRLF or CR style). */
function atEventBoundary(tail: Uint8Array, n: number): boolean {
  if (n === 0) return true;
  const b = (i: number) => (n - i >= 0 ? tail[n - i] : -1);
  if (b(1) === 0x0a && b(2) === 0x0a) return true;
  if (b(1) === 0x0a && b(2) === 0x0d && b(3) === 0x0a && b(4) === 0x0d) return true;
  return b(1) === 0x0d && b(2) === 0x0d;
}
