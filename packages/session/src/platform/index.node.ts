/**
 * Node platform: `ws` for WebSocket, node:net for TCP.
 * @module
 */
import WebSocket from 'ws';
import { M2MError } from '@m2m/core';
import { connectTcp } from '../transport/tcp.js';
import { WebSocketTransport, type WebSocketLike } from '../transport/websocket.js';
import { DEFAULT_MAX_TRANSPORT_MESSAGE } from '../transport/types.js';
import type { SessionPlatform } from './types.js';

/** Node's dialers. */
export const platform: SessionPlatform = {
  openWebSocket(url, options) {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(new M2MError('Aborted', { operation: 'connect' }));
      const ws = new WebSocket(url, { maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE });
      const onAbort = () => {
        ws.terminate();
        reject(new M2MError('Aborted', { operation: 'connect' }));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      ws.once('open', () => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve(new WebSocketTransport(ws as unknown as WebSocketLike, { ...options, remoteAddress: url }));
      });
      ws.once('error', (e) => {
        options.signal?.removeEventListener('abort', onAbort);
        reject(new M2MError('Network', { reason: `cannot connect to ${url}: ${e.message}` }, { cause: e }));
      });
    });
  },
  openTcp: (host, port, options) => connectTcp(host, port, options),
};
