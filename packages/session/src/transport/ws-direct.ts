/**
 * Two shortcuts past `ws` (8.x) for the Node WebSocket transport (transport/websocket-node.ts),
 * both for what `ws` does per byte in JavaScript (transport/ws-mask.ts):
 *
 * - {@link directFrames}: our own frames, written to the WebSocket's socket as `ws`'s sender
 *   writes its own (header then payload, in order with everything `ws` writes), masked four bytes
 *   at a time with a fresh random key per frame when this end is a client. A batch the transport
 *   built is masked in place; anything else is copied once into the frame.
 * - {@link unmaskFaster}: the server's receiver gets each frame's payload already unmasked (in
 *   place in the socket chunks it holds, where `ws` unmasks the payload's view or its copy), so
 *   `ws` skips its own byte loop.
 *
 * Both look for the fields they use and leave `ws` alone when the shapes differ (another
 * version), when permessage-deflate was negotiated (frames would need compressing), or, for the
 * sender, while `ws` has queued frames of its own.
 * Because this file reads `ws` internals, `ws` is pinned to patch releases (`~8.23.0` in
 * packages/session/package.json); test/ws-direct.test.ts runs against the installed `ws`.
 * @module
 */
import { KEY_BYTES, frameHeaderSize, writeBinaryFrameHeader, xorMask } from './ws-mask.js';

/** The part of a Node socket the frames are written to. */
interface FrameSocket {
  write(data: Uint8Array, cb?: (err?: Error | null) => void): boolean;
  cork(): void;
  uncork(): void;
}

/** The part of a `ws` 8.x WebSocket {@link directFrames} reads. */
interface WsSendSide {
  _socket: FrameSocket;
  _isServer: boolean;
  _sender: { _queue: unknown[]; _state: number };
  extensions: string;
}

const isWsSendSide = (ws: unknown): ws is WsSendSide => {
  const x = ws as Partial<Record<keyof WsSendSide, unknown>> | null;
  const socket = x?._socket as Partial<FrameSocket> | undefined;
  const sender = x?._sender as Partial<WsSendSide['_sender']> | undefined;
  return !!socket && typeof socket.write === 'function' && typeof socket.cork === 'function' && typeof socket.uncork === 'function' && typeof x!._isServer === 'boolean' && x!.extensions === '' && !!sender && Array.isArray(sender._queue) && typeof sender._state === 'number';
};

/** Masking keys are taken from a pool of random bytes, refilled when used up (as `ws` does). */
const KEY_POOL_BYTES = 1024;
let keyPool = new Uint8Array(0);
let keyAt = 0;

/** A fresh unpredictable masking key (RFC 6455 §5.3), a view of the pool. */
function nextKey(): Uint8Array {
  if (keyAt === keyPool.length) {
    keyPool = crypto.getRandomValues(new Uint8Array(KEY_POOL_BYTES));
    keyAt = 0;
  }
  const key = keyPool.subarray(keyAt, keyAt + KEY_BYTES);
  keyAt += KEY_BYTES;
  return key;
}

/** Writes whole binary WebSocket messages to a `ws` WebSocket's socket ({@link directFrames}). */
export interface DirectFrames {
  /**
   * Sends `payload` as one final binary frame, or returns false (nothing written) while `ws` has
   * frames of its own queued; `owned`: the caller gives the bytes up, so they may be masked in place.
   */
  write(payload: Uint8Array, owned: boolean, cb: (err?: Error | null) => void): boolean;
}

/**
 * Our own frames for an open `ws` WebSocket, or `undefined` when its shape is not the expected
 * one or it negotiated an extension. The caller checks `readyState` first, as `ws.send` does.
 */
export function directFrames(ws: unknown): DirectFrames | undefined {
  if (!isWsSendSide(ws)) return undefined;
  const socket = ws._socket;
  const sender = ws._sender;
  const masked = !ws._isServer;
  return {
    write(payload, owned, cb) {
      // `ws` queues frames only while compressing or reading a Blob; ours must not overtake them.
      if (sender._queue.length !== 0 || sender._state !== 0) return false;
      const length = payload.length;
      const headerSize = frameHeaderSize(length, masked);
      const key = masked ? nextKey() : undefined;
      if (masked && !owned) {
        // The caller keeps its bytes: header and masked copy in one buffer (`ws` does the same).
        const frame = Buffer.allocUnsafe(headerSize + length);
        writeBinaryFrameHeader(frame, 0, length, key);
        frame.set(payload, headerSize);
        xorMask(frame, headerSize, headerSize + length, key!);
        socket.write(frame, cb);
        return true;
      }
      const header = Buffer.allocUnsafe(headerSize);
      writeBinaryFrameHeader(header, 0, length, key);
      if (key) xorMask(payload, 0, length, key);
      socket.cork();
      socket.write(header);
      socket.write(payload, cb);
      socket.uncork();
      return true;
    },
  };
}

/** The part of `ws`'s receiver (8.x, lib/receiver.js) {@link unmaskFaster} hooks. */
interface WsDataReceiver {
  _buffers: Uint8Array[];
  _bufferedBytes: number;
  _payloadLength: number;
  _masked: boolean;
  _mask: Uint8Array | undefined;
  getData(cb: (error?: Error) => void): void;
}

const isWsDataReceiver = (r: unknown): r is WsDataReceiver => {
  const x = r as Partial<Record<keyof WsDataReceiver, unknown>> | undefined;
  return !!x && Array.isArray(x._buffers) && typeof x._bufferedBytes === 'number' && typeof x._payloadLength === 'number' && typeof x._masked === 'boolean' && typeof x.getData === 'function';
};

/** What `ws` reads as "no mask" (its check for an all-zero key), once a payload is unmasked here. */
const UNMASKED = new Uint8Array(KEY_BYTES);

/**
 * Unmasks each received frame's payload with {@link xorMask} before `ws`'s receiver reads it, in
 * the socket chunks the receiver holds (a payload's bytes are the first `_payloadLength` bytes
 * of them once its mask is read), then lets the receiver go on with an all-zero key, which it
 * does not apply. Only a frame whose payload has fully arrived is touched, as `ws` only reads
 * such a frame. @returns false when the receiver does not have the expected shape.
 */
export function unmaskFaster(ws: unknown): boolean {
  const receiver = (ws as { _receiver?: unknown } | null)?._receiver;
  if (!isWsDataReceiver(receiver)) return false;
  const getData = receiver.getData;
  receiver.getData = function (this: WsDataReceiver, cb) {
    const length = this._payloadLength;
    const key = this._mask;
    if (length > 0 && this._masked && key && this._bufferedBytes >= length && (key[0] | key[1] | key[2] | key[3]) !== 0) {
      let left = length;
      for (const chunk of this._buffers) {
        const n = Math.min(chunk.length, left);
        xorMask(chunk, 0, n, key, length - left);
        left -= n;
        if (left === 0) break;
      }
      this._mask = UNMASKED;
    }
    getData.call(this, cb);
  };
  return true;
}
