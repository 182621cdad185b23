/**
 * `@m2m/session`: sessions over the M2M Protocol: the state machine, negotiation, the `json`
 * and `binary` message codecs, timers on an injectable clock, transports, `connect` and `listen`.
 * @module
 */
export { PROTOCOL_VERSION, MessageType, Encodings, defaultCapabilities } from './message.js';
export type { Capabilities, CloseInfo, DataPayload, Encoding, HandshakePayload, Message, MessagePayload, RejectionInfo, SecurityStatus } from './message.js';
export { negotiate, versionsCompatible, minPayload, type Negotiated } from './negotiate.js';
export { SessionState, StateMachine, TRANSITIONS, type SessionEvent } from './state-machine.js';
export { systemClock, ManualClock, type Clock } from './clock.js';
export { resolveTimers, TIMER_RANGES, type TimerOptions, type ResolvedTimers } from './timers.js';
export { SessionCore, type SessionCoreOptions, type SessionRole, type SessionStats, type ClosedInfo, type ReceiveResult, type DataExtras } from './session-core.js';
export { jsonCodec, binaryCodec, messageCodec, encodeMessageJson, decodeMessageJson, encodeMessageBinary, decodeMessageBinary, type MessageCodec, type MessageCodecName } from './codec/index.js';

/** Idle session timeout of the reference, in milliseconds. */
export const SESSION_TIMEOUT_MS = 300_000;
export { Session, type SessionData, type SessionOptions, type SessionEvents, type HelloDecision } from './session.js';
export { connect, type ConnectOptions } from './connect.js';
export { listen } from '#listen';
export type { ListenOptions, Server, ServerLimits } from './listen-types.js';
export { memoryTransportPair } from './transport/memory.js';
export { WebSocketTransport, type WebSocketLike } from './transport/websocket.js';
export { DEFAULT_MAX_TRANSPORT_MESSAGE, type Transport, type TransportLimits } from './transport/types.js';
export { AsyncQueue, type AsyncQueueOptions } from './queue.js';
export { HttpClientTransport } from './transport/http-client.js';
export { NatsTransport, natsInFlight, type NatsInFlight, type NatsPort, type NatsIncoming, type NatsTransportOptions } from './transport/nats-transport.js';
export { agentSubject } from './transport/nats-frames.js';
export { SharedRateLimiter } from '#listen';
export type { SharedRateLimitOptions, RateDecision } from './nats-rate-limit.js';
export { SESSION_PATTERNS, organizationPsk, handshakeFailure, type SecureOptions, type SecureResult } from './secure/handshake.js';
export { SecureChannel, type ChannelOptions } from './secure/secure-channel.js';
export { ReplayWindow, MAX_REPLAY_WINDOW } from './secure/replay-window.js';
export { allowKeys, knownKeys, loadKnownKeys, type PeerIdentity, type PeerVerifier } from './secure/peer-verifier.js';
export { encodeCapabilities, decodeCapabilities } from './codec/binary-codec.js';
