/**
 * What the session package needs from its platform: dialing (WebSocket everywhere, TCP on
 * Node) and listening (Node only). Each platform module also exports the one-pass binary codec's
 * functions (platform/fast-codec.node.ts; browsers' answer `undefined`).
 * @module
 */
import type { MessageCodec } from '../codec/index.js';
import type { Transport, TransportLimits } from '../transport/types.js';

/** Dial options. */
export interface DialOptions extends TransportLimits {
  signal?: AbortSignal;
}

/** Platform functions. */
export interface SessionPlatform {
  openWebSocket(url: string, options: DialOptions): Promise<Transport>;
  /**
   * Opens the client end of a session to `tcp://host:port` (Node; the URL's host and port are
   * checked there, so browsers carry no TCP code and reject with a Config error).
   */
  openTcp(url: string, options: DialOptions): Promise<Transport>;
  /** A UTF-8 file's text (Node); browsers have no files and reject with a Config error. */
  readTextFile(path: string): Promise<string>;
  /** Opens the client end of a session to `nats://host:port/<subject>`. */
  openNats(url: string, options: DialOptions): Promise<Transport>;
  /** The `json` codec where `codec: 'json'` needs no import (Node); browsers pass `@m2m/session/json`'s object. */
  readonly jsonCodec?: MessageCodec;
}
