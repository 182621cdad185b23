/**
 * `@m2m/session/nats`: sessions over NATS (Node, with the optional `@nats-io/transport-node`):
 * the transport, its in-flight counters, the subject of an agent, and the pieces a server pool
 * shares through NATS (a rate limiter and a key list, with `@nats-io/kv`). `connect('nats://…')`
 * and `listen({ transport: 'nats' })` stay in the main entry; this entry is for code that builds
 * NATS transports itself. An entry of its own so that browser bundles, where NATS is not
 * available, do not carry it (bench/startup.ts).
 * @module
 */
export { NatsTransport, natsInFlight, type NatsInFlight, type NatsPort, type NatsIncoming, type NatsTransportOptions } from './transport/nats-transport.js';
export { agentSubject } from './transport/nats-frames.js';
export { SharedRateLimiter } from '#listen';
export type { SharedRateLimitOptions, RateDecision } from './nats-rate-limit.js';
export { SharedKeyList } from '#listen';
export type { SharedKeyListOptions } from './nats-key-list.js';
