/**
 * What a WebSocket peer's close code says when it refused us (RFC 6455 §7.4.1; this SDK's
 * servers send 1009, 1013, 1003 and 1002 from transport/websocket.ts `refuse`). Node only
 * (transport/websocket-node.ts reads the close code before the base class ends the connection):
 * the browser bundle stays within its budget (bench/startup.ts).
 * @module
 */
import { M2MError } from '@m2m/core/internal';

/** What each close code a peer refuses us with means. */
const PEER_CLOSE_CODES: Readonly<Record<number, string>> = {
  1002: 'a protocol error',
  1003: 'data it does not accept',
  1008: 'a policy violation',
  1009: 'a message over its maxMessageBytes',
  1011: 'an internal error',
  1013: 'full buffers (try again later)',
};

/**
 * Why a peer's close frame ended the connection, when its code says we did something wrong or it
 * failed (a session then ends with this as the cause of its SESSION_CLOSED, not a bare "connection
 * lost"); `undefined` for a normal close or a lost connection.
 */
export function peerCloseError(code: number | undefined, reason: string | undefined): M2MError | undefined {
  const meaning = code === undefined ? undefined : PEER_CLOSE_CODES[code];
  if (!meaning) return undefined;
  // The peer's reason text is at most 123 bytes (a close frame's limit); it is shown, not parsed,
  // with control characters replaced so that it cannot forge lines in a log.
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces.
  const said = reason ? ` (${reason.replace(/[\u0000-\u001f\u007f]/g, '?')})` : '';
  return new M2MError('Network', { reason: `the peer closed the WebSocket with ${code} for ${meaning}${said}` });
}
