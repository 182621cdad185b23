/**
 * The HTTP dialers of `@m2m/session/http`: `connect(url, { transport: httpTransport })` and
 * `connect(url, { transport: restTransport })`.
 * @module
 */
import { jsonCodec } from '../codec/json.js';
import type { Dialer } from '../dialer.js';
import { HttpClientTransport } from './http-client.js';
import { RestClientTransport } from './rest-client.js';

const HTTP_SCHEMES: readonly string[] = Object.freeze(['http:', 'https:']);

/**
 * This SDK's HTTP transport (length-prefixed frames and a long poll; `listen({ transport: 'http' })`
 * serves it), in Node and browsers.
 */
export const httpTransport: Dialer = Object.freeze<Dialer>({
  name: 'http',
  protocols: HTTP_SCHEMES,
  dial: (url, options) => new HttpClientTransport(url, options),
});

/**
 * The Rust reference's `POST /message` API: one JSON message per request, DATA routed by
 * `session_id`; the session uses the `json` codec.
 */
export const restTransport: Dialer = Object.freeze<Dialer>({
  name: 'rest',
  protocols: HTTP_SCHEMES,
  codec: jsonCodec,
  dial: (url, options) => new RestClientTransport(url, { maxMessageBytes: options.maxMessageBytes, highWaterMark: options.highWaterMark }),
});
