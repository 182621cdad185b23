/**
 * `listen` on Node. The server itself (`listen-server.ts`: `ws`, TCP and HTTP admission, the
 * HTTP handler, the NATS listener) is imported on the first call, so that importing
 * `@m2m/session` to dial compiles none of it (scripts/bundle.ts builds it as a file of its own,
 * `dist/listen-server.js`; docs/ARCHITECTURE.md "Lazy loading on Node"). Browsers get
 * listen.browser.ts.
 * @module
 */
import type { ListenOptions, Server } from './listen-types.js';

// Node-only like listen: a rate and a key list shared through NATS JetStream (browsers get stubs, listen.browser.ts).
export { SharedRateLimiter } from './nats-rate-limit.js';
export { SharedKeyList } from './nats-key-list.js';

/**
 * Starts a server that accepts M2M sessions over `transport` (`ws` by default, `tcp`, `http`, or
 * `nats` joining `subject`'s queue group) on `host:port` (127.0.0.1 and a free port by default;
 * `server.url` is what clients pass to `connect`). Each established session goes to
 * `onSession`, or to `for await (const session of server)`. With `secure`, every session is a
 * Noise handshake with `secure.staticKey` (any client is admitted unless `secure.verifyPeer`
 * restricts them); `serverLimits` bounds connections, sessions and buffered bytes.
 * Node only: the browser build's `listen` throws `CONFIG_ERROR`.
 * @throws M2MError of kind Network when the port cannot be bound (or NATS cannot be reached);
 * of kind Config for an unknown transport, a port outside 0–65535 or a bad option (listen-check.ts).
 * @example
 * ```ts
 * const server = await listen({ port: 7400, onSession: async (s) => { for await (const m of s) await s.send(m.content); } });
 * ```
 */
export async function listen(options: ListenOptions = {}): Promise<Server> {
  const server = await import('./listen-server.js');
  return server.listen(options);
}
