/**
 * Node platform: `ws` for WebSocket, node:net for TCP.
 * @module
 */
import type WebSocket from 'ws';
import { M2MError } from '@m2m/core/internal';
import { connectTcp } from '../transport/tcp.js';
import { dial } from '../transport/dial.js';
import { WebSocketTransport, type WebSocketLike } from '../transport/websocket.js';
import { webSocketWriteBatch } from '../transport/write-batch.js';
import { DEFAULT_MAX_TRANSPORT_MESSAGE } from '../transport/types.js';
import { jsonCodec } from '../codec/json.js';
import type { SessionPlatform } from './types.js';

/** Node's dialers. */
export const platform: SessionPlatform = {
  async openWebSocket(url, options) {
    // `ws` costs ~50 ms to load: only sessions that dial WebSocket pay for it (bench/startup.ts).
    const { default: WebSocketClient } = await import('ws');
    let ws!: WebSocket;
    return dial(
      options.signal,
      () => {
        // M2M frames are compressed already: no permessage-deflate, even when a server offers it.
        ws = new WebSocketClient(url, { maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE, perMessageDeflate: false });
        return {
          cancel: () => ws.terminate(),
          onOpen: (cb) => ws.once('open', cb),
          onError: (cb) => ws.once('error', cb),
          result: () => new WebSocketTransport(ws as unknown as WebSocketLike, { ...options, remoteAddress: url, batch: webSocketWriteBatch(ws), nodeBuffers: true }),
        };
      },
      (e) => new M2MError('Network', { reason: `cannot connect to ${url}: ${(e as Error).message}` }, { cause: e }),
    );
  },
  openTcp: (host, port, options) => connectTcp(host, port, options),
  jsonCodec,
  async readTextFile(path) {
    const { readFile } = await import('node:fs/promises');
    return readFile(path, 'utf8');
  },
  // Loaded on first use: the NATS client is an optional peer dependency. Kept, so that later
  // connects do not pay a module resolution each (a worker round trip under loader hooks).
  async openNats(url, options) {
    natsModules ??= Promise.all([import('../transport/nats-frames.js'), import('../transport/nats-link.js')]);
    const [{ parseNatsUrl }, { openNatsClient }] = await natsModules;
    const { servers, subject } = parseNatsUrl(url);
    return openNatsClient(servers, subject, options);
  },
};

// The NATS modules of openNats, once loaded.
let natsModules: Promise<[typeof import('../transport/nats-frames.js'), typeof import('../transport/nats-link.js')]> | undefined;
