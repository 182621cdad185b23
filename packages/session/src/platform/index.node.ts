/**
 * Node platform: `ws` for WebSocket, node:net for TCP.
 * @module
 */
import type WebSocket from 'ws';
import { M2MError } from '@m2m/core/internal';
import { connectTcp } from '../transport/tcp.js';
import { dial } from '../transport/dial.js';
import type { WebSocketLike } from '../transport/websocket.js';
import { NodeWebSocketTransport } from '../transport/websocket-node.js';
import { webSocketWriteBatch } from '../transport/write-batch.js';
import { WS_BATCH_PROTOCOL, WS_OFFERED_PROTOCOLS, batchLimit } from '../transport/ws-batch.js';
import { DEFAULT_MAX_TRANSPORT_MESSAGE } from '../transport/types.js';
import { jsonCodec } from '../codec/json.js';
import type { SessionPlatform } from './types.js';

export * from './fast-codec.node.js';
export { keptPlaintext } from '../secure/kept-plaintext.js';

/** Whether a dial failed because the server closed the socket without an HTTP answer (this SDK's TCP servers do, to an upgrade request). */
const hungUp = (e: unknown): boolean => (e as { code?: unknown }).code === 'ECONNRESET' && (e as Error).message === 'socket hang up';

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
        // `m2m` and `m2m.batch.v1` (transport/ws-batch.ts) are offered as a plain header, not
        // through `ws`'s `protocols`: `ws` fails a connection whose server selects none of those,
        // and a server that does not know them (another implementation) must still get one
        // session message per WebSocket message. The answer is read, and taken out of `ws`'s
        // sight, before `ws` checks the response.
        let batched = false;
        ws = new WebSocketClient(url, {
          maxPayload: batchLimit(options.maxMessageBytes ?? DEFAULT_MAX_TRANSPORT_MESSAGE),
          perMessageDeflate: false,
          headers: { 'Sec-WebSocket-Protocol': WS_OFFERED_PROTOCOLS.join(', ') },
        });
        ws.once('upgrade', (res) => {
          const selected = res.headers['sec-websocket-protocol'];
          // Anything else selected is left for `ws` to refuse (a subprotocol nobody offered).
          if (selected === undefined || !WS_OFFERED_PROTOCOLS.includes(selected)) return;
          batched = selected === WS_BATCH_PROTOCOL;
          delete res.headers['sec-websocket-protocol'];
        });
        return {
          cancel: () => ws.terminate(),
          onOpen: (cb) => ws.once('open', cb),
          onError: (cb) => ws.once('error', cb),
          result: () => new NodeWebSocketTransport(ws as unknown as WebSocketLike, { ...options, remoteAddress: url, batch: webSocketWriteBatch(ws), nodeBuffers: true, batched }),
        };
      },
      (e) => new M2MError('Network', { reason: `cannot connect to ${url}: ${(e as Error).message}${hungUp(e) ? ' (the server closed without answering the WebSocket upgrade: is it a tcp:// server?)' : ''}` }, { cause: e }),
    );
  },
  async openTcp(url, options) {
    const u = new URL(url);
    const port = Number(u.port);
    if (!u.hostname || !Number.isInteger(port) || port <= 0) throw new M2MError('Config', { reason: `tcp URL needs a host and a port: ${url}` });
    return connectTcp(u.hostname.replace(/^\[|\]$/g, ''), port, options);
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

