/**
 * `@m2m/session/json`: the `json` message codec, the Rust reference's text form of session
 * messages. On Node `codec: 'json'` works without it; in browsers pass `jsonCodec` as a session's
 * `codec` option (`restTransport` of `@m2m/session/http` does). An entry of its own so that pages
 * that speak the default `binary` codec do not carry it (bench/startup.ts).
 * @module
 */
export { jsonCodec } from './codec/json.js';
export { encodeMessageJson, decodeMessageJson } from './codec/json-codec.js';
