/**
 * The transport seam: something that carries whole messages, in order, both ways.
 * @module
 */

/** A message-oriented, ordered, reliable connection. */
export interface Transport extends AsyncIterable<Uint8Array> {
  /** Sends one message; resolves when the transport has taken it (slow peers make this wait). */
  send(data: Uint8Array): Promise<void>;
  /** Closes the connection; incoming iteration ends. Safe to call twice. */
  close(): Promise<void>;
  /** Drops the connection at once, without a goodbye (a crash, as the peer sees it). */
  abort?(): void;
  /** The peer's address (`ip:port`), when the transport knows it. */
  readonly remoteAddress?: string;
  /** Transport name for logs (`memory`, `tcp`, `ws`, `http`). */
  readonly kind: string;
}

/** Limits every transport applies to incoming messages. */
export interface TransportLimits {
  /** Largest message in bytes (default 16 MiB + 64 KiB, room for a maximal frame in a message). */
  maxMessageBytes?: number;
  /** Incoming messages buffered before the transport stops reading (default 64). */
  highWaterMark?: number;
}

/** Default largest transport message. */
export const DEFAULT_MAX_TRANSPORT_MESSAGE = 16 * 1024 * 1024 + 64 * 1024;
