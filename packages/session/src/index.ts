/**
 * `@m2m/session`: sessions over the M2M Protocol. This release carries the protocol constants;
 * the state machine, codecs and transports are tracked in the project's issue on sessions.
 * @module
 */

/** Protocol version spoken in HELLO and ACCEPT (the reference's `PROTOCOL_VERSION`). */
export const PROTOCOL_VERSION = '3.0';

/** Idle session timeout of the reference, in milliseconds. */
export const SESSION_TIMEOUT_MS = 300_000;

/** Session message types. */
export const MessageType = ['HELLO', 'ACCEPT', 'REJECT', 'DATA', 'PING', 'PONG', 'CLOSE'] as const;
/** One of {@link MessageType}. */
export type MessageType = (typeof MessageType)[number];
