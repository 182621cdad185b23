/**
 * `@m2m/session/http`: sessions over HTTP, client side, in Node and browsers:
 * `connect(url, { transport: httpTransport })` speaks this SDK's HTTP transport (what
 * `listen({ transport: 'http' })` serves), `connect(url, { transport: restTransport })` the Rust
 * reference's `/message` API; the transport classes are here for code that builds them itself.
 * An entry of its own so that pages that connect over WebSocket do not carry them
 * (bench/startup.ts).
 * @module
 */
export { httpTransport, restTransport } from './transport/http-dialers.js';
export { HttpClientTransport } from './transport/http-client.js';
export { RestClientTransport, type RestClientOptions } from './transport/rest-client.js';
