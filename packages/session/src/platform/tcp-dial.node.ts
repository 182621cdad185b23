/**
 * `connect('tcp://…')` on Node: node:net with length-prefixed frames. Imported by the Node
 * platform's `openTcp` on first use (platform/index.node.ts), so that a process that never dials
 * TCP compiles none of it.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import type { DialOptions } from '../dialer.js';
import { connectTcp } from '../transport/tcp.js';
import type { Transport } from '../transport/types.js';

/**
 * Dials `url` (`tcp://host:port`) over TCP.
 * @throws M2MError of kind Config without a host and a port, of kind Network when the connection fails.
 */
export async function openTcp(url: string, options: DialOptions): Promise<Transport> {
  const u = new URL(url);
  const port = Number(u.port);
  if (!u.hostname || !Number.isInteger(port) || port <= 0) throw new M2MError('Config', { reason: `tcp URL needs a host and a port: ${url}` });
  return connectTcp(u.hostname.replace(/^\[|\]$/g, ''), port, options);
}
