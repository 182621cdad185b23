/**
 * Browser platform: the global WebSocket; no TCP.
 * @module
 */
import { M2MError } from '@m2m/core';
import { WebSocketTransport, type WebSocketLike } from '../transport/websocket.js';
import type { SessionPlatform } from './types.js';

/** The browser's dialers. */
export const platform: SessionPlatform = {
  openWebSocket(url, options) {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(new M2MError('Aborted', { operation: 'connect' }));
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      const onAbort = () => {
        ws.close();
        reject(new M2MError('Aborted', { operation: 'connect' }));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      ws.addEventListener('open', () => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve(new WebSocketTransport(ws as unknown as WebSocketLike, { ...options, remoteAddress: url }));
      }, { once: true });
      ws.addEventListener('error', () => {
        options.signal?.removeEventListener('abort', onAbort);
        reject(new M2MError('Network', { reason: `cannot connect to ${url}` }));
      }, { once: true });
    });
  },
  openTcp() {
    return Promise.reject(new M2MError('Config', { reason: 'TCP is not available in browsers; use ws:// or wss://' }));
  },
};
