/**
 * Node platform: `ws` for WebSocket, node:net for TCP, NATS; each dialer loads on first use.
 * @module
 */
import { jsonCodec } from '../codec/json.js';
import type { SessionPlatform } from './types.js';

export * from './fast-codec.node.js';
export { keptPlaintext } from '../secure/kept-plaintext.js';

/** Node's dialers: each transport's code loads on its first dial (ws-dial.node.ts, tcp-dial.node.ts, nats-dial.ts), as a file of its own in the build (scripts/bundle.ts). */
export const platform: SessionPlatform = {
  async openWebSocket(url, options) {
    // `ws` costs ~50 ms to load: only sessions that dial WebSocket pay for it (bench/startup.ts).
    const { openWebSocket } = await import('./ws-dial.node.js');
    return openWebSocket(url, options);
  },
  async openTcp(url, options) {
    const { openTcp } = await import('./tcp-dial.node.js');
    return openTcp(url, options);
  },
  jsonCodec,
  async readTextFile(path) {
    const { readFile } = await import('node:fs/promises');
    return readFile(path, 'utf8');
  },
  // Our NATS code (nats-dial.ts: the URL, the shared link, the transport) loads on first use,
  // as a file of its own (scripts/bundle.ts), and the NATS client library after it (nats-link.ts:
  // an optional peer dependency): a process that never dials NATS compiles none of it.
  async openNats(url, options) {
    const { dialNats } = await import('../nats-dial.js');
    return dialNats(url, options);
  },
};

