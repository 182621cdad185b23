/**
 * Checks the options of `listen` that plain JavaScript callers can get wrong before anything is
 * bound: an unknown transport would otherwise listen as WebSocket under a URL like `smtp://…`,
 * a bad port would reject with node:net's untyped `ERR_SOCKET_BAD_PORT` (listen.node.ts), an
 * unknown codec would be ignored, and an encrypted server without its key would fail every
 * handshake.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import type { ListenOptions } from './listen-types.js';
import { checkStaticKey } from './secure/static-key-check.js';
import { checkAllowOrigins } from './transport/http-cors.js';

const TRANSPORTS: ReadonlySet<unknown> = new Set(['ws', 'tcp', 'http', 'nats', undefined]);
const CODECS: ReadonlySet<unknown> = new Set(['json', 'binary', undefined]);

/**
 * Validates `transport`, `port` and `codec` of listen options.
 * @throws M2MError of kind Config (CONFIG_ERROR) for a transport other than ws, tcp, http or
 * nats, a port that is not an integer from 0 to 65535, a codec other than json or binary
 * (connect() refuses one through codec/index.ts; a server would otherwise start and ignore it),
 * or an encrypted server without a usable `secure.staticKey` (it would fail every handshake),
 * or an `allowOrigins` that is not `'*'` or a list of origins, or is given for a transport other
 * than http (only HTTP answers browsers' CORS checks; it would be ignored).
 */
export function checkListenOptions(options: ListenOptions): void {
  if (!TRANSPORTS.has(options.transport)) {
    throw new M2MError('Config', { reason: `listen: transport must be ws, tcp, http or nats, got ${JSON.stringify(options.transport)}` });
  }
  const port: unknown = options.port;
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65_535)) {
    throw new M2MError('Config', { reason: `listen: port must be an integer from 0 to 65535, got ${typeof port === 'string' ? JSON.stringify(port) : String(port)}` });
  }
  if (options.allowOrigins !== undefined) {
    if (options.transport !== 'http') throw new M2MError('Config', { reason: `listen: allowOrigins applies to transport 'http' only, got transport ${JSON.stringify(options.transport ?? 'ws')}` });
    checkAllowOrigins(options.allowOrigins);
  }
  if (options.secure) checkStaticKey(options.secure, 'server');
  if (!CODECS.has(options.codec)) {
    throw new M2MError('Config', { reason: `listen: codec must be json or binary, got ${JSON.stringify(options.codec)}` });
  }
}
