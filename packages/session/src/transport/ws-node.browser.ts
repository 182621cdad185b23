/**
 * The browser side of transport/ws-node.ts (`#ws-node`): a browser's WebSocket is none of what
 * that file handles, so every function answers `undefined` (empty bodies: bundlers drop the calls).
 * @module
 */
import type { M2MError } from '@m2m/core';
import type { WebSocketLike } from './websocket.js';
import type { SendRoom } from './ws-node.js';

/** No oversize refusal of its own here. */
export function wsLimitError(_message: string | undefined, _max: number): M2MError | undefined {
  return undefined;
}

/** No `ws` message event here. */
export function onWsMessages(_ws: WebSocketLike, _nodeBuffers: boolean | undefined, _onMessage: (data: unknown) => void): true | undefined {
  return undefined;
}

/** Browsers cannot stop reading. */
export function wsPause(_ws: WebSocketLike): true | undefined {
  return undefined;
}
/** Nothing to restart here. */
export function wsResume(_ws: WebSocketLike): void {}
/** No `terminate` here: the caller closes. */
export function wsTerminate(_ws: WebSocketLike): true | undefined {
  return undefined;
}

/** No write callbacks here: sends poll `bufferedAmount`. */
export function sendRoomFor(_ws: WebSocketLike): SendRoom | undefined {
  return undefined;
}
