/**
 * How `listen` (listen.node.ts, listen-nats.ts) calls `onSession`.
 * @module
 */
import { isSdkError } from '@m2m/core/internal';
import type { Session } from './session.js';

/**
 * Calls `onSession` with a new session. When the handler is async and rejects after its session
 * has ended (CLOSING or CLOSED), the rejection is absorbed: `for await (const m of s)` ends with
 * SESSION_CLOSED when a peer vanishes without CLOSE, and the README's echo handler would
 * otherwise take the whole server down with an unhandled rejection. The session's end stays
 * readable in `session.closed`. So is a NETWORK_ERROR or TIMEOUT (a `send` on a connection that
 * has failed or closed): a WebSocket peer that sends a burst and its close frame makes the echo's
 * `send` fail while the session still reads what came before the close (the session ends only
 * after that). Any other rejection while the session is still open (a bug in the handler) is
 * left unhandled, as before.
 */
export function runOnSession(onSession: ((session: Session) => void) | undefined, session: Session): void {
  const result: unknown = onSession?.(session);
  if (typeof (result as PromiseLike<unknown> | undefined)?.then !== 'function') return;
  (result as PromiseLike<unknown>).then(undefined, (e: unknown) => {
    if (session.state === 'CLOSED' || session.state === 'CLOSING') return;
    if (isSdkError(e) && (e.code === 'NETWORK_ERROR' || e.code === 'TIMEOUT')) return;
    throw e;
  });
}
