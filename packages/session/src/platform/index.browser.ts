/**
 * Browser platform: the global WebSocket; no TCP.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { WebSocketTransport, type WebSocketLike } from '../transport/websocket.js';
import { WS_OFFERED_PROTOCOLS } from '../transport/ws-batch.js';
import { dial } from '../transport/dial.js';
import type { SessionPlatform } from './types.js';

/** The browser's dialers. */
export const platform: SessionPlatform = {
  openWebSocket(url, options) {
    let ws!: WebSocket;
    return dial(
      options.signal,
      () => {
        // Offers batching (transport/ws-batch.ts); a server that selects `m2m` or nothing gets one
        // session message per WebSocket message (the transport reads `protocol`).
        ws = new WebSocket(url, [...WS_OFFERED_PROTOCOLS]);
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
