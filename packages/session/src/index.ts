/**
 * `@m2m/session`: sessions over the M2M Protocol: the state machine, negotiation, the `json`
 * and `binary` message codecs, timers on an injectable clock, transports, `connect` and `listen`.
 * Server-sent events (parsing, chat-completion accumulation, relaying) are in `@m2m/session/sse`;
 * the NATS transport and a server pool's shared rate limiter and key list in `@m2m/session/nats`
 * (`connect('nats://…')` and `listen({ transport: 'nats' })` are here); the HTTP transports'
 * client side (`httpTransport`, `restTransport` for `connect`) in `@m2m/session/http`; streams
 * inside a session (`openStream(session)`, `incomingStreams(session)`) in `@m2m/session/streams`;
 * the `json` codec's object and functions in `@m2m/session/json` (on Node `codec: 'json'` needs no import);
 * in-memory transports and a manual clock in `@m2m/session/testing`.
 * Every export is listed on purpose (the API report in packages/session/api/ shows changes);
 * pieces the SDK's packages and tests share are in `@m2m/session/internal`, with no stability
 * promise.
 * @module
 */
export { PROTOCOL_VERSION, MessageType, Encodings, defaultCapabilities, CAPABILITY_LIMITS, checkCapabilityLimits } from './message.js';
export type { Capabilities, CloseInfo, DataPayload, Encoding, HandshakePayload, Message, MessagePayload, RejectionInfo, SecurityStatus } from './message.js';
export { negotiate, versionsCompatible, minPayload, type Negotiated } from './negotiate.js';
export { SessionState, StateMachine, type SessionEvent } from './state-machine.js';
export { systemClock, type Clock } from './clock.js';
export { resolveTimers, TIMER_RANGES, type TimerOptions, type ResolvedTimers } from './timers.js';
export { SessionCore, type SessionCoreOptions, type SessionRole, type SessionStats, type ClosedInfo, type ReceiveResult, type DataExtras } from './session-core.js';
export { binaryCodec, messageCodec, encodeMessageBinary, decodeMessageBinary, type MessageCodec, type MessageCodecName } from './codec/index.js';
export { dataFrame } from './frame-bytes.js';

/** Idle session timeout of the reference, in milliseconds. */
export const SESSION_TIMEOUT_MS = 300_000;
export { Session, type SessionData, type SessionOptions, type SessionEvents, type HelloDecision } from './session.js';
export { connect, type ConnectOptions } from './connect.js';
export type { Dialer, DialOptions } from './dialer.js';
export { listen } from '#listen';
export type { ListenOptions, Server, ServerCounters, ServerLimits } from './listen-types.js';
export { WebSocketTransport, type WebSocketLike, type WebSocketTransportOptions } from './transport/websocket.js';
export { WS_BATCH_PROTOCOL } from './transport/ws-batch.js';
export { DEFAULT_MAX_TRANSPORT_MESSAGE, DEFAULT_HIGH_WATER_BYTES, DEFAULT_SEND_HIGH_WATER_BYTES, DEFAULT_SEND_TIMEOUT_MS, type BufferAccount, type PollingIterator, type Transport, type TransportLimits, type WriteBatch } from './transport/types.js';
export { SESSION_PATTERNS, organizationPsk, checkPeerVerification, type SecureOptions, type SecureResult } from './secure/handshake.js';
export type { ChannelOptions } from './secure/secure-channel.js';
export { ReplayWindow, MAX_REPLAY_WINDOW } from './secure/replay-window.js';
export { allowKeys, knownKeys, loadKnownKeys, type PeerIdentity, type PeerVerifier } from './secure/peer-verifier.js';
export type { ChatCompletion, ChatCompletionChoice, ChatCompletionChunk, ChatCompletionChunkChoice, ChatCompletionDelta, ChatCompletionMessage, CompletionUsage, ToolCall, ToolCallDelta } from './stream/chat-types.js';
export type { StreamOptions } from './stream/stream-mux.js';
