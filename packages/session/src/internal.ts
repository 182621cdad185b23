/**
 * `@m2m/session/internal`: pieces the SDK's packages and tests share (the transition table, the
 * bounded queue, the handshake's failure builder, message bindings, the transport keys' channel,
 * the capabilities' MessagePack form, bounded body reading and its chunk runs, the Node WebSocket
 * transport with batching and its socket's write batch). Not part of the public API: they
 * may change in any release.
 * @module
 */
export { TRANSITIONS } from './state-machine.js';
export { AsyncQueue, type AsyncQueueOptions } from './queue.js';
export { handshakeFailure } from './secure/handshake.js';
export { messageBinding, boundProtection, BindingProtection } from './secure/binding.js';
export { sealControlMessage, openControlMessage } from './secure/control.js';
export { SecureChannel } from './secure/secure-channel.js';
export { encodeCapabilities, decodeCapabilities } from './codec/binary-codec.js';
export { readBoundedBody } from './transport/rest-client.js';
export { ByteRuns } from './transport/byte-runs.js';
export { webSocketWriteBatch } from './transport/write-batch.js';
export { NodeWebSocketTransport, type NodeWebSocketTransportOptions } from './transport/websocket-node.js';
