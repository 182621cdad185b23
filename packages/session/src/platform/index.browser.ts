/**
 * Browser platform: the global WebSocket; no TCP.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { WebSocketTransport, type WebSocketLike } from '../transport/websocket.js';
import { dial } from '../transport/dial.js';
import type { SessionPlatform } from './types.js';
import type { KeptPlaintext } from '../secure/kept-plaintext.js';

export * from './fast-codec.browser.js';

/** Encrypted frames open into arrays of their own here (secure/kept-plaintext.ts is Node's); an empty body, so bundlers drop the call. */
export function keptPlaintext(): KeptPlaintext | undefined {
  return undefined;
}

/** The browser's dialers. */
export const platform: SessionPlatform = {
  openWebSocket(url, options) {
    let ws!: WebSocket;
    return dial(
      options.signal,
      () => {
        // No subprotocol offered: one session message per WebSocket message, which every server
        // reads. Batching (`m2m.batch.v1`) pays for `ws`'s per-message cost on Node; a browser's
        // WebSocket costs little per message, and the batching code stays out of its bundle.
        ws = new WebSocket(url);
        ws.binaryType = 'arraybuffer';
        return {
          cancel: () => ws.close(),
          onOpen: (cb) => ws.addEventListener('open', cb, { once: true }),
          onError: (cb) => ws.addEventListener('error', cb, { once: true }),
          result: () => new WebSocketTransport(ws as unknown as WebSocketLike, { ...options, remoteAddress: url }),
        };
      },
      () => new M2MError('Network', { reason: `cannot connect to ${url}` }),
    );
  },
  openTcp() {
    return Promise.reject(new M2MError('Config', { reason: 'TCP is not available in browsers; use ws:// or wss://' }));
  },
  readTextFile(path) {
    return Promise.reject(new M2MError('Config', { reason: `files are not available in browsers (${path}); pass the text to knownKeys()` }));
  },
  openNats() {
    return Promise.reject(new M2MError('Config', { reason: 'the nats transport needs Node; browsers use ws:// or wss://' }));
  },
};
