/**
 * `connect('nats://…')` on Node: the URL's servers and subject, then a session end on the shared
 * link. Imported by the Node platform's `openNats` on first use (platform/index.node.ts), so
 * that the NATS code stays off the cold import path.
 * @module
 */
import type { DialOptions } from './dialer.js';
import { parseNatsUrl } from './transport/nats-frames.js';
import { openNatsClient } from './transport/nats-link.js';
import type { Transport } from './transport/types.js';

/**
 * Opens a session end on `url`'s subject over the process's shared NATS link.
 * @throws M2MError of kind Config for a bad URL, of kind Network when NATS cannot be reached.
 */
export async function dialNats(url: string, options: DialOptions): Promise<Transport> {
  const { servers, subject } = parseNatsUrl(url);
  return openNatsClient(servers, subject, options);
}
