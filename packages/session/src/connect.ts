/**
 * `connect(url)`: dial, handshake, return an established session.
 * @module
 */
import { platform } from '#platform';
import { checkArg, M2MError } from '@m2m/core/internal';
import { checkPeerVerification } from './secure/handshake.js';
import { checkStaticKey } from './secure/static-key-check.js';
import { Session, type SessionOptions } from './session.js';
import type { Dialer } from './dialer.js';
import type { Transport, TransportLimits } from './transport/types.js';

/** Options of {@link connect}. */
export type ConnectOptions = SessionOptions &
  TransportLimits & {
    /**
     * Opens the transport instead of the URL's scheme. `http:`/`https:` URLs need one, from
     * `@m2m/session/http`: `httpTransport` (this SDK's HTTP transport: length-prefixed frames and
     * a long poll) or `restTransport` (the Rust reference's `POST /message` API; implies the
     * `json` codec).
     */
    transport?: Dialer;
  };

/**
 * Opens a session to `url`: `ws://host:port` / `wss://…` (Node and browsers), `http://host:port`
 * with a transport from `@m2m/session/http` (`{ transport: httpTransport }`, or
 * `{ transport: restTransport }` for the Rust reference's `/message` API), `tcp://host:port`
 * (Node), or `nats://host:port/<subject>` (Node, with the optional `@nats-io/transport-node`:
 * the HELLO goes to the subject's queue group, the rest of the session to the instance that
 * accepted it).
 * An encrypted session (`secure`) must verify the server: `verifyPeer` (`allowKeys`,
 * `knownKeys`, a callback), a pinned `remoteStaticKey`, or a psk; or opt out by name with
 * `insecureSkipPeerVerification: true`.
 * @throws M2MError: Config (bad URL or scheme, a `transport` that is not one, or an encrypted session that would not verify
 *   the server; thrown before dialing), Network, Aborted (`options.signal`), Timeout,
 *   Rejected (REJECT with its code and retryAfterMs), NegotiationFailed. An encrypted
 *   handshake that fails throws a CryptoError of kind Handshake itself (not wrapped):
 *   `HANDSHAKE_PEER_REFUSED` when `verifyPeer` refuses the server's key, `HANDSHAKE_FAILED`,
 *   `HANDSHAKE_DECRYPTION_FAILED`, `HANDSHAKE_MALFORMED` (`isCryptoError(e) && e.kind === 'Handshake'`).
 * @example
 * ```ts
 * const session = await connect('tcp://127.0.0.1:7401', {
 *   secure: { staticKey: KeyPair.generate(), verifyPeer: allowKeys([serverPublicKey]) },
 *   signal: AbortSignal.timeout(5000),
 * });
 * await session.send('{"model":"gpt-4o","messages":[]}');
 * ```
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<Session> {
  // Secure by default: refuse an unverified encrypted connection before dialing.
  if (options.secure) {
    checkPeerVerification(options.secure, 'client');
    checkStaticKey(options.secure, 'client');
  }
  // `host:port` without a scheme parses as the scheme `host:` (or not at all for an IP): say what is missing.
  if (/^[\w.-]+:\d/.test(url)) {
    throw new M2MError('Config', { reason: `no scheme in ${url}: try ws://${url} or tcp://${url}` });
  }
  let u: URL;
  try {
    // nats:// may list servers (nats://h1:4222,h2:4222/subject), which URL cannot parse: parse
    // the first one here; the nats branch reads the whole list (transport/nats-frames.ts).
    u = new URL(typeof url === 'string' && url.startsWith('nats://') ? url.replace(/,[^/]*/, '') : url);
  } catch (e) {
    throw new M2MError('Config', { reason: `not a URL: ${String(url)} (give one like ws://host:port, tcp://host:port or http://host:port)` }, { cause: e });
  }
  const dialer = options.transport;
  checkArg(!dialer || dialer.dial, 'transport', 'a Dialer such as httpTransport', dialer);
  if (dialer && !dialer.protocols.includes(u.protocol)) throw new M2MError('Config', { reason: `the ${dialer.name} transport dials ${dialer.protocols.join(' and ')} URLs, not ${u.protocol}` });
  const dial = { signal: options.signal, maxMessageBytes: options.maxMessageBytes, highWaterMark: options.highWaterMark, highWaterBytes: options.highWaterBytes, sendHighWaterBytes: options.sendHighWaterBytes, sendTimeoutMs: options.sendTimeoutMs };
  let transport: Transport;
  if (dialer) {
    transport = await dialer.dial(url, dial);
    if (dialer.codec) options = { ...options, codec: dialer.codec };
  } else if (u.protocol === 'ws:' || u.protocol === 'wss:') transport = await platform.openWebSocket(url, dial);
  else if (u.protocol === 'tcp:') transport = await platform.openTcp(url, dial);
  else if (u.protocol === 'http:' || u.protocol === 'https:') {
    throw new M2MError('Config', { reason: `${u.protocol} URLs need a transport from @m2m/session/http: connect(url, { transport: httpTransport }) for this SDK's servers, { transport: restTransport } for the Rust reference's /message API` });
  } else if (u.protocol === 'nats:') transport = await platform.openNats(url, dial);
  else throw new M2MError('Config', { reason: `unsupported scheme ${u.protocol} (use ws:, wss:, tcp:, http:, https: or nats:)` });
  try {
    return await Session.client(transport, options);
  } catch (e) {
    await transport.close().catch(() => undefined);
    throw e;
  }
}
