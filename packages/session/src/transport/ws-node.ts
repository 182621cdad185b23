/**
 * What {@link WebSocketTransport} (transport/websocket.ts) does with a `ws` WebSocket on Node
 * (`#ws-node` in package.json; browsers get transport/ws-node.browser.ts, whose functions answer
 * `undefined` from empty bodies, so that their bundlers drop the calls): a browser's WebSocket
 * has no `pause`, no write callback, no Node buffers and no oversize refusal of its own, so none
 * of this code reaches a page.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { waitForDrain } from './types.js';
import type { WebSocketLike } from './websocket.js';

/**
 * `ws` refuses an oversize frame from its header, before buffering it; that is our size limit
 * (`ws` does not say the declared size, so `actual` is reported as just over the limit).
 */
export function wsLimitError(message: string | undefined, max: number): M2MError | undefined {
  return message?.startsWith('Max payload size exceeded') ? new M2MError('LimitExceeded', { limit: 'maxMessageBytes', actual: max + 1, max }) : undefined;
}

/**
 * `nodeBuffers` with `ws`: its own message event (no MessageEvent object per message), binary
 * messages as Node buffers, text frames as `''` (refused by the transport). True when subscribed.
 */
export function onWsMessages(ws: WebSocketLike, nodeBuffers: boolean | undefined, onMessage: (data: unknown) => void): true | undefined {
  if (!nodeBuffers || !ws.on) return undefined;
  ws.on('message', (data, isBinary) => onMessage(isBinary ? data : ''));
  return true;
}

/**
 * Senders waiting for `ws`'s `bufferedAmount` to fall to the send high-water mark: `ws` calls
 * back once a message's bytes went to the socket, and the transport wakes them from there.
 */
export class SendRoom {
  readonly #waiters: Array<() => void> = [];
  /** Whether a sender waits. */
  get waiting(): boolean {
    return this.#waiters.length !== 0;
  }
  /**
   * Resolves on the next {@link SendRoom.wake}.
   * @throws M2MError Timeout (`send`) after `ms`, once `drop` was given it.
   */
  async wait(ms: number, drop: (e: unknown) => void): Promise<void> {
    try {
      await waitForDrain((w) => this.#waiters.push(w), ms);
    } catch (e) {
      drop(e);
      throw e;
    }
  }
  /** Wakes every waiting sender. */
  wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

/** Stops reading from the socket (`ws`'s `pause`): true when it did. */
export function wsPause(ws: WebSocketLike): true | undefined {
  if (!ws.pause) return undefined;
  ws.pause();
  return true;
}

/** Restarts reading (`ws`'s `resume`, where there is one). */
export function wsResume(ws: WebSocketLike): void {
  ws.resume?.();
}

/** Drops the connection at once (`ws`'s `terminate`): true when it did. */
export function wsTerminate(ws: WebSocketLike): true | undefined {
  const t = (ws as WebSocketLike & { terminate?: () => void }).terminate;
  if (!t) return undefined;
  t.call(ws);
  return true;
}

/** A WebSocket with `pause` (`ws`) waits for room through write callbacks; one without polls `bufferedAmount`. */
export function sendRoomFor(ws: WebSocketLike): SendRoom | undefined {
  return ws.pause ? new SendRoom() : undefined;
}
