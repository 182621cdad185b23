/**
 * The WebSocket subprotocols of M2M sessions (transport/ws-batch.ts maps batches onto them).
 * @module
 */

/**
 * The WebSocket subprotocol (`Sec-WebSocket-Protocol`) under which binary WebSocket messages are
 * batches of length-prefixed session messages. Without it, one WebSocket message carries one
 * session message.
 */
export const WS_BATCH_PROTOCOL = 'm2m.batch.v1';

/**
 * The subprotocols our clients offer, in this order: `m2m` (one session message per WebSocket
 * message, as without a subprotocol) ahead of {@link WS_BATCH_PROTOCOL}, so a server that selects
 * the first subprotocol offered, whatever it is (`ws`'s default: an older SDK's server, or any
 * server that does not know M2M), selects the plain mapping, never batching by accident.
 */
export const WS_OFFERED_PROTOCOLS: readonly string[] = Object.freeze(['m2m', WS_BATCH_PROTOCOL]);
