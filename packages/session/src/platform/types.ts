/**
 * What the session package needs from its platform: dialing (WebSocket everywhere, TCP on
 * Node) and listening (Node only).
 * @module
 */
import type { MessageCodec } from '../codec/index.js';
import type { Capabilities, Message } from '../message.js';
import type { Transport, TransportLimits } from '../transport/types.js';
import type { KeptBinding } from '../secure/kept-binding.js';
import type { FrameMessageWriter } from '../codec/data-writer.js';
import type { DecodeFrameOptions } from '@m2m/core';

/** Dial options. */
export interface DialOptions extends TransportLimits {
  signal?: AbortSignal;
}

/** Platform functions. */
export interface SessionPlatform {
  openWebSocket(url: string, options: DialOptions): Promise<Transport>;
  /**
   * Opens the client end of a session to `tcp://host:port` (Node; the URL's host and port are
   * checked there, so browsers carry no TCP code and reject with a Config error).
   */
  openTcp(url: string, options: DialOptions): Promise<Transport>;
  /** A UTF-8 file's text (Node); browsers have no files and reject with a Config error. */
  readTextFile(path: string): Promise<string>;
  /** Opens the client end of a session to `nats://host:port/<subject>`. */
  openNats(url: string, options: DialOptions): Promise<Transport>;
  /** The `json` codec where `codec: 'json'` needs no import (Node); browsers pass `@m2m/session/json`'s object. */
  readonly jsonCodec?: MessageCodec;
  /**
   * The binary codec's one-pass writers and readers for DATA (codec/data-writer.ts,
   * data-reader.ts: frames laid out inside their message, bindings written in place) and for
   * handshake messages and capability payloads (codec/handshake-writer.ts,
   * handshake-reader.ts): Node only. They give the same bytes and values as the generic codec,
   * which browsers use instead (about 10 KB less to download, for speed that matters at
   * tens of thousands of messages or thousands of handshakes a second; docs/ARCHITECTURE.md).
   */
  readonly fastCodec?: BinaryFastPath;
}

/** One-pass codec functions; each returns `undefined` for what the generic codec must handle. */
export interface BinaryFastPath {
  writeDataMessage(m: Message): Uint8Array | undefined;
  /** An allocator for `encodeFrameWith` that lays the frame out inside `m`'s binary message. */
  frameAllocatorFor(m: Message): (n: number) => Uint8Array;
  /** A writer of one session's plaintext M2M DATA messages around their frames, no `Message` needed (codec/data-writer.ts). */
  frameMessageWriter(): FrameMessageWriter;
  /** A new kept binding for one direction of a secure session (secure/kept-binding.ts). */
  keptBinding(): KeptBinding;
  readDataMessage(bytes: Uint8Array, keep: (view: Uint8Array) => Uint8Array): Message | undefined;
  /**
   * A received frame's payload without building its header (`decodeFramePayload` in @m2m/core's
   * wire/frame.ts); browsers take `decodeFrame(bytes, options).payload`, the same checks and result.
   */
  decodeFramePayload(bytes: Uint8Array, options: DecodeFrameOptions): string;
  writeMessage(m: Message): Uint8Array | undefined;
  writeCapabilities(c: Capabilities): Uint8Array | undefined;
  writeAcceptPayload(sessionId: string, c: Capabilities): Uint8Array | undefined;
  readMessage(bytes: Uint8Array, keep: (view: Uint8Array) => Uint8Array): Message | undefined;
  readCapabilities(bytes: Uint8Array): Capabilities | undefined;
  readAcceptPayload(bytes: Uint8Array): { sessionId: string; capabilities: Capabilities } | undefined;
  /** A session's own default capabilities, whose encoding the writer copies (codec/default-capabilities.ts). */
  sessionCapabilities(): Capabilities;
}
