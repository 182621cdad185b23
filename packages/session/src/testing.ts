/**
 * `@m2m/session/testing`: sessions without a network, for tests and in-process peers: a pair of
 * connected in-memory transports (`memoryTransportPair`, for `Session.client` / `Session.server`)
 * and a clock that moves only when told (`ManualClock`, a session's `clock` option). An entry of
 * its own so that browser pages that talk to a server do not carry them (bench/startup.ts).
 * @module
 */
export { memoryTransportPair } from './transport/memory.js';
export { ManualClock } from './clock.js';
