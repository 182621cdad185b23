/**
 * `connect('ws://…')` on Node: `ws` with the batching subprotocol offered, as a
 * {@link NodeWebSocketTransport}. Imported by the Node platform's `openWebSocket` on first use
 * (platform/index.node.ts), so that a process that never dials WebSocket compiles none of it.
 * @module
 */
import type WebSocket from 'ws';
import { M2MError } from '@m2m/core/internal';
import type { DialOptions } from '../dialer.js';
import { dial } from '../transport/dial.js';
import type { WebSocketLike } from '../transport/websocket.js';
import { NodeWebSocketTransport } from '../transport/websocket-node.js';
import { webSocketWriteBatch } from '../transport/write-batch.js';
import { WS_BATCH_PROTOCOL, WS_OFFERED_PROTOCOLS, batchLimit } from '../transport/ws-batch.js';
import { DEFAULT_MAX_TRANSPORT_MESSAGE, type Transport } from '../transport/types.js';

/** Whether a dial failed because the server closed the socket without an HTTP answer (this SDK's TCP servers do, to an upgrade request). */
const hungUp = (e: unknown): boolean => (e as { code?: unknown }).code === 'ECONNRESET' && (e as Error).message === 'socket hang up';

/**
 * Dials `url` over WebSocket.
 * @throws M2MError of kind Network when the connection fails, of kind Aborted when `options.signal` aborts it.
 */
export async function openWebSocket(url: string, options: DialOptions): Promise<Transport> {
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
}
