/**
 * `openStream(session)` and `incomingStreams(session)`: a session's streams (docs/PROTOCOL.md
 * §4.4). Loading this module registers the stream multiplexer with sessions
 * (`stream/install.ts`), so DATA carrying a stream envelope reaches its stream.
 * @module
 */
import { streamsOf, type Session } from '../session.js';
import { installStreamMux } from './install.js';
import type { IncomingStream } from './incoming.js';
import { StreamMux, type OpenStreamOptions } from './stream-mux.js';
import type { StreamWriter } from './writer.js';

installStreamMux(StreamMux);

/**
 * Opens a stream of DATA messages to the peer (docs/PROTOCOL.md §4.4); the peer reads it from
 * {@link incomingStreams}. Needs streaming negotiated on both sides. Bounds and timeout come
 * from the session's `streams` option.
 * @throws M2MError: CapabilityMismatch (streaming not negotiated), StreamBackpressure (too
 *   many open streams), StreamError (bad or duplicate id), StreamClosed (session ended).
 * @example
 * ```ts
 * const w = openStream(session);
 * for await (const e of parseSse(upstream.body!)) await w.write(e.data);
 * await w.end();
 * ```
 */
export function openStream(session: Session, options: OpenStreamOptions = {}): StreamWriter {
  return streamsOf(session).open(options);
}

/**
 * The streams the peer opens on `session`, in order; each is an async iterable of its chunks
 * that ends after the last one, or throws `STREAM_ERROR` (a chunk lost, repeated or reordered),
 * `STREAM_CLOSED` (aborted by the sender, or the session ended first) or `STREAM_TIMEOUT`.
 * Iteration over the streams ends when the session does.
 * @example
 * ```ts
 * for await (const stream of incomingStreams(session)) for await (const chunk of stream) console.log(chunk);
 * ```
 */
export function incomingStreams(session: Session): AsyncIterable<IncomingStream> {
  return streamsOf(session).incoming;
}
