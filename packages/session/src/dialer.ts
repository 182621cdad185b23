/**
 * A {@link Dialer}: how `connect` opens a transport it does not build in. The HTTP transports are
 * dialers (`httpTransport`, `restTransport` from `@m2m/session/http`), so that pages that connect
 * over WebSocket do not carry them (bench/startup.ts).
 * @module
 */
import type { MessageCodec } from './codec/index.js';
import type { Transport, TransportLimits } from './transport/types.js';

/** What {@link Dialer.dial} gets from `connect`'s options. */
export interface DialOptions extends TransportLimits {
  /** Cancels the dial (and, for transports that keep it, requests in flight). */
  signal?: AbortSignal;
}

/**
 * Opens the transport of a `connect(url, { transport })` call.
 * @example
 * ```ts
 * import { httpTransport } from '@m2m/session/http';
 * const session = await connect('http://127.0.0.1:7402', { transport: httpTransport });
 * ```
 */
export interface Dialer {
  /** Its name, for messages (`http`, `rest`). */
  readonly name: string;
  /** The URL schemes it dials, with their colon (`http:`, `https:`); `connect` refuses others with CONFIG_ERROR. */
  readonly protocols: readonly string[];
  /** The message codec its transport needs, whatever `options.codec` says (`rest`: `json`). */
  readonly codec?: MessageCodec;
  /** Opens the transport to `url`. May throw M2MError (Network, Aborted, Config). */
  dial(url: string, options: DialOptions): Transport | Promise<Transport>;
}
