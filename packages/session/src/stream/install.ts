/**
 * Where `@m2m/session/streams` plugs stream support into sessions: `session.ts` makes a session's
 * stream multiplexer from the class registered here, on first use. Until that entry is loaded
 * no class is registered, so pages that never stream do not carry the multiplexer, the writer
 * and the incoming streams (bench/startup.ts).
 * @module
 */
import type { StreamMux } from './stream-mux.js';

let installed: typeof StreamMux | undefined;

/** @internal Registers the multiplexer class (`stream/session-streams.ts` does, when loaded). */
export function installStreamMux(mux: typeof StreamMux): void {
  installed = mux;
}

/** @internal The registered multiplexer class, if `@m2m/session/streams` is loaded. */
export function installedStreamMux(): typeof StreamMux | undefined {
  return installed;
}
