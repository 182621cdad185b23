/**
 * A live session over a transport: the handshake, `send`, `for await` over received DATA,
 * events, PING, and a clean close with a reason. The protocol logic is {@link SessionCore};
 * this class moves its messages through a {@link Transport} in order and with backpressure.
 * @module
 */
import { M2MError, isSdkError } from '@m2m/core/internal';
import type { Algorithm, CloseReason, RejectionCode } from '@m2m/core';
import { binaryCodec, messageCodec, type MessageCodec, type MessageCodecName } from './codec/index.js';
import { systemClock, type Clock } from './clock.js';
import type { Capabilities, DataPayload, Message } from './message.js';
import type { Negotiated } from './negotiate.js';
import { AsyncQueue } from './queue.js';
import { useSlab, type Slab } from '#slab';
import { fastFrameMessageWriter, fastSessionCapabilities } from '#platform';
import type { FrameMessageWriter } from './codec/data-writer.js';
import { SessionCore, slabOfCore, type ClosedInfo, type DataExtras, type SessionCoreOptions, type SessionRole, type SessionStats } from './session-core.js';
import { SessionState } from './state-machine.js';
import { TAKEN, type PollingIterator, type Transport } from './transport/types.js';
import { clientHandshake, handshakeFailure, serverHandshake, type HandshakeIo, type SecureOptions, type SecureResult } from './secure/handshake.js';
import { CONTROL_TYPES, openControlMessage, sealControlMessage } from './secure/control.js';
import type { SecureChannel } from './secure/secure-channel.js';
import { isStreamEnvelope } from './stream/envelope.js';
import { installedStreamMux } from './stream/install.js';
import type { StreamMux, StreamOptions } from './stream/stream-mux.js';

/** One DATA message as the application sees it. */
export interface SessionData {
  /** The decoded content (the JSON text for M2M frames). */
  content: string;
  /**
   * The DATA payload as received (algorithm, wire content, sizes, security status). The wire
   * content of an M2M frame is bytes under the binary codec, text under the json codec; `dataFrame`
   * gives the frame's bytes from either.
   */
  payload: DataPayload;
  /** The whole message. */
  message: Message;
}

/** Options shared by client and server sessions. */
export interface SessionOptions extends Omit<SessionCoreOptions, 'role' | 'onSend' | 'onClosed'> {
  /**
   * Message codec (default `binary`; use `json` with a Rust reference peer: the name on Node,
   * `jsonCodec` of `@m2m/session/json` in browsers). Servers detect it from the HELLO.
   */
  codec?: MessageCodecName | MessageCodec;
  /** Received DATA held before reading from the transport stops (default 64). */
  inboxCapacity?: number;
  /** Bytes of received DATA held (content plus its wire form) before reading stops (default 1 MiB). */
  inboxBytes?: number;
  /** Cancels the handshake. */
  signal?: AbortSignal;
  /** Makes this an encrypted session (Noise handshake, AEAD frames, replay protection). */
  secure?: SecureOptions;
  /** Bounds and timeout of streams (`openStream`, `incomingStreams` of `@m2m/session/streams`). */
  streams?: StreamOptions;
}

/** Session events. */
export interface SessionEvents {
  /** A received DATA message, decoded (stream chunks are routed to their streams instead). */
  data: SessionData;
  /** The session ended: who closed it, why, and the error if it failed. */
  close: ClosedInfo;
  /** The session's new state (emitted when it becomes established). */
  state: SessionState;
}

/** A server's verdict on a HELLO before negotiation. */
export interface HelloDecision {
  /** When set, the HELLO is answered with REJECT of this code, message and optional retry delay (ms); absent: continue to negotiation. */
  reject?: { code: RejectionCode; message: string; retryAfterMs?: number };
}

/** Default bytes of received DATA a session holds before it stops reading. */
const DEFAULT_INBOX_BYTES = 1024 * 1024;
/** What a received DATA holds in memory: its content and its wire form. */
const dataSize = (d: SessionData) => d.content.length + d.payload.content.length;
/** Bytes of automatic replies (PONG) queued for a peer before the read loop waits for them to go out. */
const REPLY_QUEUE_BYTES = 64 * 1024;

const NO_SEND_OPTIONS: { algorithm?: Algorithm } & DataExtras = Object.freeze({});
const ORDERLY = new Set<CloseReason>(['NORMAL', 'CLIENT_SHUTDOWN', 'SERVER_SHUTDOWN']);
/** The error a session's end gives to those waiting on it. */
const closedError = (info: ClosedInfo): M2MError => info.error ?? new M2MError('Closed', { reason: info.reason, message: info.message });
/**
 * Why a session ended before it was established: a connection lost to a typed transport error
 * is that error (an HTTP POST refused: HTTP dials without a request), as ws/tcp dialing and the
 * XX handshake throw it, not SESSION_CLOSED "connection lost" around it (session-core.ts,
 * `connectionLost`).
 */
const establishFailure = (info: ClosedInfo): unknown => {
  const error = closedError(info);
  const cause = info.by === 'transport' && error.kind === 'Closed' ? (error as { cause?: unknown }).cause : undefined;
  return isSdkError(cause) ? cause : error;
};
const abortError = () => new M2MError('Aborted', { operation: 'handshake' });
/** What {@link Session}'s message handler returns once the session ended on a message: read no further. */
const STOP = Symbol('stop');

/**
 * The core's options: every {@link SessionCoreOptions} field named once (the type makes a new
 * field a compile error here), in one literal of a fixed shape. Copying the caller's whole options
 * object (`Object.assign`, or a spread: 2-4 µs on Node 20) cost more per session than this.
 */
function coreOptions(o: SessionOptions, role: SessionRole, onSend: (m: Message) => void, onClosed: (info: ClosedInfo) => void): SessionCoreOptions {
  const core: { [K in keyof Required<SessionCoreOptions>]: SessionCoreOptions[K] } = {
    role,
    // Unless given, the defaults; on Node with shared frozen parts the handshake codec copies (codec/default-capabilities.ts).
    capabilities: o.capabilities ?? fastSessionCapabilities(),
    sessionId: o.sessionId,
    clock: o.clock,
    timers: o.timers,
    limits: o.limits,
    protection: o.protection,
    promptTokens: o.promptTokens,
    // Sessions trade a few bytes on small DATA for no Brotli call (docs/PROTOCOL.md §1).
    compression: o.compression ?? 'auto',
    minSecurity: o.minSecurity,
    // Bound methods, not closures (what a session's construction costs: docs/ARCHITECTURE.md, Performance notes).
    onSend,
    onClosed,
  };
  return core;
}

/** The session's side of the handshake exchange (set by {@link Session}'s static block). */
let handshakeAccess: {
  send(session: Session, m: Message): Promise<void>;
  next(session: Session, iterator: PollingIterator<Uint8Array>, stage: string): Promise<Message>;
};

/** One handshake stage being read: settles once, from the transport, the session's end or its timer. */
class StageRead {
  #done = false;
  #timer: unknown;
  readonly #reject: (e: unknown) => void;
  readonly #clock: Clock;
  constructor(reject: (e: unknown) => void, clock: Clock) {
    this.#reject = reject;
    this.#clock = clock;
  }
  /** Fails with a Timeout naming `stage` after `ms`. */
  arm(stage: string, ms: number): void {
    this.#timer = this.#clock.setTimeout(() => this.fail(new M2MError('Timeout', { operation: stage, ms })), ms);
  }
  /** Marks the stage settled (false when it already was) and stops its timer. */
  finish(): boolean {
    if (this.#done) return false;
    this.#done = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    return true;
  }
  fail(e: unknown): void {
    if (this.finish()) this.#reject(e);
  }
}

/**
 * The transport's first message, or a Timeout (HELLO) after `ms`: one promise settled by
 * whichever comes first, not a race over two (fewer promises per accepted connection).
 */
function firstMessage(iterator: AsyncIterator<Uint8Array>, clock: Clock, ms: number): Promise<IteratorResult<Uint8Array>> {
  return new Promise((resolve, reject) => {
    const read = new StageRead(reject, clock);
    read.arm('HELLO', ms);
    iterator.next().then(
      (r) => {
        if (read.finish()) resolve(r);
      },
      (e: unknown) => read.fail(e),
    );
  });
}

/** A session's {@link HandshakeIo}: methods on a prototype instead of two closures per session. */
class SessionHandshakeIo implements HandshakeIo {
  readonly #session: Session;
  readonly #iterator: PollingIterator<Uint8Array>;
  constructor(session: Session, iterator: PollingIterator<Uint8Array>) {
    this.#session = session;
    this.#iterator = iterator;
  }
  send(m: Message): Promise<void> {
    return handshakeAccess.send(this.#session, m);
  }
  next(stage: string): Promise<Message> {
    return handshakeAccess.next(this.#session, this.#iterator, stage);
  }
}

/** @internal A session's stream multiplexer (set by {@link Session}'s static block). */
export let streamsOf: (session: Session) => StreamMux;

/**
 * An established M2M session with one peer, from `connect`, a server's `onSession` (or
 * `for await (const s of server)`), or `Session.client` / `Session.server` over a transport of
 * your own. `send(content)` sends a DATA message (JSON text); `for await (const m of session)`
 * receives them in order; `close()` ends it. `encrypted`, `peerStaticKey` and `negotiated` say
 * what the handshake agreed; `closed` resolves with how it ended. Failures are typed
 * (`M2MError` / `CryptoError`): a send rejects with its error, and after an end other than an
 * orderly close the iterator throws the session's error.
 * @example
 * ```ts
 * const session = await connect('ws://127.0.0.1:7400');
 * await session.send('{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}');
 * for await (const { content } of session) console.log(content);
 * await session.close();
 * ```
 */
export class Session implements AsyncIterable<SessionData> {
  /** The transport this session sends and receives on. */
  readonly transport: Transport;
  #core: SessionCore;
  #codec: MessageCodec;
  /** Node, binary codec: lays out plaintext DATA around its frame (SessionCore.compress, codec/data-writer.ts). */
  #dataWriter: FrameMessageWriter | undefined;
  /** Buffers of the messages this session encodes and decodes: its core's slab (one owner, see `slabOfCore`). */
  #slab: Slab;
  #inbox: AsyncQueue<SessionData>;
  // The transports' shared resolved promise to start from (a fresh one per session cost a promise).
  #sendChain: Promise<void> = TAKEN;
  /** Encoded bytes queued on `#sendChain` and not yet taken by the transport. */
  #queuedBytes = 0;
  /** Made on the first `on` (most sessions never subscribe). */
  #listeners: Map<keyof SessionEvents, Set<(v: never) => void>> | undefined;
  /** Made when first asked for (`closed`, `close()`), resolved by `#onClosed`. */
  #closedInfo: Promise<ClosedInfo> | undefined;
  #resolveClosed: ((c: ClosedInfo) => void) | undefined;
  /**
   * Settles once the session is established or failed before that. Made only when someone
   * waits on it (a plaintext client, an abort signal's cleanup); encrypted sessions know the
   * outcome from the handshake itself, and the promise, its `catch` and two closures cost a
   * session about 1 µs.
   */
  #established: Promise<void> | undefined;
  #establishedWaiter: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  #pongWaiters: Array<(ms: number) => void> = [];
  #pingStarted: number[] = [];
  #transportClosing = false;
  #clock;
  #secure: SecureResult | undefined;
  #helloTimeoutMs: number;
  /** Made on first use, from the class `@m2m/session/streams` registers; see {@link Session.#streams}. */
  #streamMux: StreamMux | undefined;
  #streamOptions: StreamOptions | undefined;
  /** True once `#established` settled (resolved or rejected). */
  #settled = false;
  /** Why `#established` was rejected, once it was (a stage read after that fails at once). */
  #failure: { error: unknown } | undefined;
  /** The handshake stage being read ({@link Session.#nextStage}). */
  #stage: StageRead | undefined;

  /** @internal Use {@link Session.client}, {@link Session.server}, `connect` or `listen`. */
  private constructor(transport: Transport, role: SessionRole, codec: MessageCodec, options: SessionOptions) {
    this.transport = transport;
    this.#codec = codec;
    // Encrypted sessions seal every DATA (the writer takes plaintext frames only): none made for them.
    if (codec === binaryCodec && !options.secure) this.#dataWriter = fastFrameMessageWriter();
    this.#clock = options.clock ?? systemClock;
    this.#helloTimeoutMs = options.timers?.helloTimeoutMs ?? 30_000;
    // Unread DATA counts toward the server's buffer budget through the transport's account.
    this.#inbox = new AsyncQueue<SessionData>({
      capacity: options.inboxCapacity ?? 64,
      maxBytes: options.inboxBytes ?? DEFAULT_INBOX_BYTES,
      sizeOf: dataSize,
      // Only a server's transports keep an account (a closure per session otherwise).
      onTake: transport.account ? (d) => transport.account?.release(dataSize(d)) : undefined,
    });
    this.#streamOptions = options.streams;
    this.#core = new SessionCore(coreOptions(options, role, this.#sendFromCore.bind(this), this.#onClosed.bind(this)));
    this.#slab = slabOfCore(this.#core);
  }

  /** Marks the session established (a later rejection changes nothing). */
  #resolveEstablished(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#establishedWaiter?.resolve();
  }

  /** Fails the handshake with `e`, unless it already settled; the stage being read fails with it. */
  #rejectEstablished(e: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#failure = { error: e };
    this.#stage?.fail(e);
    this.#establishedWaiter?.reject(e);
  }

  /** {@link Session.#established}, made on first use (already settled: a settled promise). */
  #establishedPromise(): Promise<void> {
    if (this.#established) return this.#established;
    if (this.#failure) this.#established = Promise.reject(this.#failure.error);
    else if (this.#settled) this.#established = TAKEN;
    else this.#established = new Promise((resolve, reject) => (this.#establishedWaiter = { resolve, reject }));
    this.#established.catch(() => undefined);
    return this.#established;
  }

  /** Messages the core's timers produce (PING, CLOSE on timeout). */
  #sendFromCore(m: Message): void {
    void this.#send(m).catch(() => undefined);
  }

  /**
   * Client side: sends HELLO on `transport` and waits for ACCEPT (encrypted: then sends AUTH).
   * @throws M2MError: Config (an encrypted session that would not verify the server, see
   *   `checkPeerVerification`), Rejected (code, retryAfterMs, message), Timeout (no answer within
   *   the HELLO timeout), Aborted (signal), NegotiationFailed, Network, InvalidMessage;
   *   CryptoError (Handshake) for a failed encrypted handshake.
   */
  static async client(transport: Transport, options: SessionOptions = {}): Promise<Session> {
    const s = new Session(transport, 'client', messageCodec(options.codec ?? 'binary'), options);
    s.#watchAbort(options.signal);
    if (options.secure) {
      const iterator = transport[Symbol.asyncIterator]();
      try {
        s.#secure = await clientHandshake(s.#handshakeIo(iterator), s.#core, options.secure, s.#clock);
      } catch (e) {
        s.#core.dispose();
        await transport.close().catch(() => undefined);
        throw s.#core.closedInfo?.error && !isSdkError(e) ? s.#core.closedInfo.error : e;
      }
      s.#core.secure(s.#secure.channel.data);
      s.#resolveEstablished();
      s.#readLoop(iterator);
      return s;
    }
    s.#readLoop();
    await s.#send(s.#core.createHello());
    await s.#establishedPromise();
    return s;
  }

  /**
   * Server side: waits for the HELLO on `transport` and answers it (ACCEPT, or REJECT when
   * negotiation fails or `decide` says so). An encrypted session resolves only after the
   * client's AUTH authenticated (a live client holds the keys; docs/PROTOCOL.md §7.1).
   * @returns the session, or `undefined` when the HELLO was refused (the transport is closed).
   * @throws M2MError: Timeout (no HELLO in time), InvalidMessage, Protocol, Network.
   */
  static async server(transport: Transport, options: SessionOptions & { decide?: (hello: Message) => HelloDecision } = {}): Promise<Session | undefined> {
    const clock = options.clock ?? systemClock;
    const iterator: PollingIterator<Uint8Array> = transport[Symbol.asyncIterator]();
    const helloMs = options.timers?.helloTimeoutMs ?? 30_000;
    let first: IteratorResult<Uint8Array>;
    // A HELLO already waiting is taken without a timer.
    const waiting = iterator.poll?.();
    if (waiting !== undefined) first = { value: waiting, done: false };
    else {
      try {
        first = await firstMessage(iterator, clock, helloMs);
      } catch (e) {
        await transport.close();
        throw e;
      }
    }
    if (first.done) throw new M2MError('Closed', { reason: 'ERROR', message: 'connection closed before HELLO' });
    // The first byte tells the codec: `{` for JSON, a MessagePack array otherwise.
    const codec = options.codec ? messageCodec(options.codec) : first.value[0] === 0x7b ? messageCodec('json') : binaryCodec;
    const s = new Session(transport, 'server', codec, options);
    let accepted: boolean;
    try {
      const hello = s.#decode(first.value);
      if (options.secure) {
        // The Noise handshake's outcome, here rather than in an async method of its own (one
        // promise and its resumption fewer per accepted handshake).
        const secured = (s.#secure = await serverHandshake(s.#handshakeIo(iterator), s.#core, options.secure, clock, hello, options.decide?.(hello).reject));
        if (secured) s.#core.secure(secured.channel.data);
        accepted = secured !== undefined;
      } else accepted = await s.#answerHello(hello, options.decide);
    } catch (e) {
      s.#core.dispose();
      await transport.close();
      throw e;
    }
    if (!accepted) {
      s.#core.dispose();
      await transport.close();
      return undefined;
    }
    s.#resolveEstablished();
    s.#readLoop(iterator);
    return s;
  }

  /** Answers a plaintext HELLO with ACCEPT or REJECT; true when established. */
  async #answerHello(hello: Message, decide?: (hello: Message) => HelloDecision): Promise<boolean> {
    if (hello.type !== 'HELLO') throw new M2MError('Protocol', { reason: `Cannot receive${hello.type} in state INITIAL`, state: 'INITIAL', event: `receive${hello.type}` });
    const r = decide?.(hello).reject;
    const reply = r ? this.#core.reject(r.code, r.message, r.retryAfterMs) : this.#core.receive(hello).reply;
    if (reply) await this.#send(reply);
    return this.#core.state === SessionState.ESTABLISHED;
  }

  /**
   * The stream multiplexer, made on first use; `undefined` while `@m2m/session/streams` is not
   * loaded (stream/install.ts). One made after the session ended starts ended.
   */
  get #streams(): StreamMux | undefined {
    if (this.#streamMux) return this.#streamMux;
    const Mux = installedStreamMux();
    if (!Mux) return undefined;
    const mux = new Mux({ send: (c) => this.send(c), streamingNegotiated: () => this.#core.negotiated?.streaming === true, maxPayload: () => this.#core.negotiated?.maxPayload ?? 0, clock: this.#clock }, this.#streamOptions);
    this.#streamMux = mux;
    const closed = this.#core.closedInfo;
    if (closed) mux.sessionEnded(closedError(closed));
    return mux;
  }

  static {
    // SessionHandshakeIo reaches the session's sending and stage reading through this.
    handshakeAccess = { send: (s, m) => s.#send(m), next: (s, iterator, stage) => s.#nextStage(iterator, stage) };
    // `openStream` / `incomingStreams` (stream/session-streams.ts) reach a session's streams
    // through this, not through a public member.
    streamsOf = (s) => {
      const mux = s.#streams;
      if (!mux) throw new M2MError('Internal', { reason: 'stream support is not installed' });
      return mux;
    };
  }

  /** Session id. */
  get id(): string {
    return this.#core.id;
  }
  /** Current state. */
  get state(): SessionState {
    return this.#core.state;
  }
  /** This side's negotiation result. */
  get negotiated(): Negotiated | undefined {
    return this.#core.negotiated;
  }
  /** The peer's capabilities. */
  get peerCapabilities(): Capabilities | undefined {
    return this.#core.peerCapabilities;
  }
  /** Message counters. */
  get stats(): Readonly<SessionStats> {
    return this.#core.stats;
  }
  /** True for an encrypted session. */
  get encrypted(): boolean {
    return this.#secure !== undefined;
  }
  /** The peer's static X25519 key (encrypted sessions whose pattern has one). */
  get peerStaticKey(): Uint8Array | undefined {
    return this.#secure?.peerStaticKey;
  }
  /** The AgentId the peer announced in its capabilities. */
  get peerAgentId(): string | undefined {
    return this.#core.peerCapabilities?.agentId;
  }
  /** Noise's handshake hash, for channel binding (encrypted sessions). */
  get handshakeHash(): Uint8Array | undefined {
    return this.#secure?.handshakeHash;
  }
  /** The transport keys of an encrypted session (epochs and counters, for diagnostics). */
  get channel(): SecureChannel | undefined {
    return this.#secure?.channel;
  }
  /** The message codec in use. */
  get codec(): MessageCodecName {
    return this.#codec.name;
  }
  /** Resolves once the session is CLOSED, with how it ended. */
  get closed(): Promise<ClosedInfo> {
    return this.#closedPromise();
  }

  #closedPromise(): Promise<ClosedInfo> {
    if (!this.#closedInfo) {
      const done = this.#core.closedInfo;
      this.#closedInfo = done ? Promise.resolve(done) : new Promise((r) => (this.#resolveClosed = r));
    }
    return this.#closedInfo;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof SessionEvents>(event: K, listener: (value: SessionEvents[K]) => void): () => void {
    const listeners = (this.#listeners ??= new Map());
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  #emit<K extends keyof SessionEvents>(event: K, value: SessionEvents[K]): void {
    const set = this.#listeners?.get(event) as Set<(v: SessionEvents[K]) => void> | undefined;
    if (set) for (const l of set) l(value);
  }

  #watchAbort(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const onAbort = () => {
      if (this.#core.state === SessionState.ESTABLISHED) return;
      this.#rejectEstablished(abortError());
      this.#core.close('CLIENT_SHUTDOWN', 'aborted');
      void this.#closeTransport();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    void this.#establishedPromise().then(() => signal.removeEventListener('abort', onAbort), () => undefined);
  }

  /**
   * Sends `content` as DATA (encoded with the negotiated algorithm unless `algorithm` is given).
   * An encrypted session sends every DATA as an AEAD M2M frame whatever `algorithm` says, and M2M
   * frames carry JSON: there, text goes as JSON too (`JSON.stringify(text)`, or a chat request).
   * Resolves when the transport took it; a slow peer makes it wait (while more than the
   * transport's send high-water mark in bytes is buffered).
   * @throws M2MError: Json (content that is not a string, or text that is not JSON
   *   where M2M frames carry it: `m2m`, encrypted sessions; nothing is sent), SessionNotEstablished,
   *   Closed (after the session ended), other codec errors, LimitExceeded, Network, Timeout (the
   *   peer took nothing for `sendTimeoutMs`; the connection is dropped).
   */
  send(content: string, options: { algorithm?: Algorithm } & DataExtras = NO_SEND_OPTIONS): Promise<void> {
    const closed = this.#core.closedInfo;
    if (closed) return Promise.reject(closedError(closed));
    // A plain JavaScript caller's object would otherwise fail deep in a codec with a bare TypeError.
    // Bytes are not content (DATA carries JSON text): JSON.stringify is the advice for other values only.
    if (typeof content !== 'string') return Promise.reject(new M2MError('Json', { reason: `send takes a string (JSON text), not ${ArrayBuffer.isView(content) || (content as unknown) instanceof ArrayBuffer ? 'bytes' : `${content === null ? 'null' : typeof content}: JSON.stringify it first`}` }));
    let bytes: Uint8Array;
    try {
      // DATA is never a control message: encoded here, without #send's sealing check. Under the
      // binary codec on Node the core may hand back the message's bytes already (#dataWriter).
      const data = this.#core.compress(content, options.algorithm, options, this.#dataWriter);
      bytes = data instanceof Uint8Array ? data : this.#encode(data);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#sendBytes(bytes);
  }

  /**
   * Sends PING and resolves with the round-trip time in ms when PONG arrives.
   * @throws M2MError Protocol unless ESTABLISHED; Closed if the session ends first.
   */
  ping(): Promise<number> {
    const m = this.#core.ping();
    this.#pingStarted.push(this.#clock.now());
    const p = new Promise<number>((resolve) => this.#pongWaiters.push(resolve));
    void this.#send(m).catch(() => undefined);
    return p;
  }

  /**
   * Closes with a reason: sends CLOSE, then waits for the peer to close (or the closing timeout).
   * Resolves with how the session ended; closing twice is harmless.
   */
  async close(reason: CloseReason = 'NORMAL', message = ''): Promise<ClosedInfo> {
    if (this.#core.state !== SessionState.CLOSED) {
      const m = this.#core.close(reason, message);
      if (m) await this.#send(m).catch(() => undefined);
    }
    return this.#closedPromise();
  }

  /**
   * Receives DATA in order. Iteration ends after an orderly close (NORMAL, CLIENT_SHUTDOWN,
   * SERVER_SHUTDOWN) and throws the session's error after any other end (ERROR, TIMEOUT, a lost
   * connection, a REJECT).
   */
  [Symbol.asyncIterator](): AsyncIterator<SessionData> {
    return this.#inbox[Symbol.asyncIterator]();
  }

  #send(message: Message): Promise<void> {
    if (this.#secure && CONTROL_TYPES.has(message.type)) {
      try {
        message = sealControlMessage(this.#secure.channel, message);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.#sendBytes(this.#encode(message));
  }

  /** `message` encoded into this session's slab (codec/slab.ts: no other session's bytes share it). */
  #encode(message: Message): Uint8Array {
    const previous = useSlab(this.#slab);
    try {
      return this.#codec.encode(message);
    } finally {
      useSlab(previous);
    }
  }

  /** `bytes` decoded; what it keeps of them is copied into this session's slab when it would pin more than a slab. */
  #decode(bytes: Uint8Array): Message {
    const previous = useSlab(this.#slab);
    try {
      return this.#codec.decode(bytes);
    } finally {
      useSlab(previous);
    }
  }

  /** Hands an encoded message to the transport in order, counting it while it waits. */
  #sendBytes(bytes: Uint8Array): Promise<void> {
    // Nothing ahead of it (every earlier send was taken): hand it over now, one promise hop
    // fewer per message; otherwise it waits its turn on the chain.
    if (this.#queuedBytes === 0) {
      const taken = this.#transportSend(bytes);
      // Taken at once (the transports' shared resolved promise): nothing is left to wait for or
      // to count, so no promise is made for it (docs/ARCHITECTURE.md, Performance notes).
      return taken === TAKEN ? TAKEN : this.#track(taken, bytes.length);
    }
    return this.#track(this.#sendChain.then(() => this.transport.send(bytes)), bytes.length);
  }

  /** Counts `length` queued bytes until `taken` settles; later sends wait behind it. */
  #track(taken: Promise<void>, length: number): Promise<void> {
    this.#queuedBytes += length;
    const next = taken.finally(() => (this.#queuedBytes -= length));
    this.#sendChain = next.catch(() => undefined);
    return next;
  }

  #transportSend(bytes: Uint8Array): Promise<void> {
    try {
      return this.transport.send(bytes);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The handshake's message exchange over `iterator` (an object with methods: no closures per session). */
  #handshakeIo(iterator: PollingIterator<Uint8Array>): HandshakeIo {
    return new SessionHandshakeIo(this, iterator);
  }

  /**
   * The next handshake message (`stage` names it in errors). One already waiting is taken at
   * once; otherwise the first of: the transport's next message, the session's end (abort, the
   * core's HELLO timeout), this stage's timeout.
   */
  #nextStage(iterator: PollingIterator<Uint8Array>, stage: string): Promise<Message> {
    const waiting = iterator.poll?.();
    if (waiting !== undefined) {
      try {
        return Promise.resolve(this.#decode(waiting));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (this.#failure) return Promise.reject(this.#failure.error);
    const n = stage === 'ACCEPT' ? 2 : 3;
    // One promise settled by whichever comes first, instead of Promise.race over three (a race,
    // its reactions and the racers cost six more promises per stage; docs/ARCHITECTURE.md).
    return new Promise<Message>((resolve, reject) => {
      const read = new StageRead(reject, this.#clock);
      this.#stage = read;
      // A client waiting for ACCEPT needs no timer of its own: its core's HELLO timer (same clock,
      // same timeout, armed earlier) ends the session first, and that fails the stage.
      if (this.#core.state !== SessionState.HELLO_SENT) read.arm(stage, this.#helloTimeoutMs);
      iterator.next().then(
        (r) => {
          if (!read.finish()) return;
          if (r.done) return reject(this.#core.closedInfo?.error ?? handshakeFailure('Failed', n, `connection closed before ${stage}`));
          try {
            resolve(this.#decode(r.value));
          } catch (e) {
            reject(e);
          }
        },
        (e: unknown) => read.fail(e),
      );
    });
  }

  /** Closes the transport once what was queued went out (three promises, not an async function's five). */
  #closeTransport(): Promise<void> {
    if (this.#transportClosing) return TAKEN;
    this.#transportClosing = true;
    return this.#sendChain.then(() => this.transport.close()).then(undefined, () => undefined);
  }

  #onClosed(info: ClosedInfo): void {
    // Errors are built only where someone can observe them (a lost connection's is lazy too:
    // session-core.ts, `connectionLost`).
    if (!this.#settled) this.#rejectEstablished(establishFailure(info));
    if (this.#pongWaiters.length > 0) for (const w of this.#pongWaiters.splice(0)) w(Number.NaN);
    // An orderly close ends iteration; errors, timeouts and lost connections make it throw.
    const orderly = ORDERLY.has(info.reason) && (!info.error || info.error.kind === 'Closed');
    if (orderly) this.#inbox.end();
    else this.#inbox.endWithError(() => closedError(info));
    this.#streamMux?.sessionEnded(closedError(info));
    this.#resolveClosed?.(info);
    this.#emit('close', info);
    void this.#closeTransport();
  }

  /** Sends CLOSE ERROR for a fatal problem with what the peer sent, then ends the session. */
  #fail(error: unknown): void {
    if (this.#core.state === SessionState.CLOSED) return;
    const err = isSdkError(error) ? error : new M2MError('Internal', { reason: String(error) }, { cause: error });
    if (this.#core.state === SessionState.ESTABLISHED) {
      const m = this.#core.close('ERROR', err.message);
      if (m) void this.#send(m).catch(() => undefined);
    }
    this.#core.transportClosed(err);
  }

  /** True for DATA whose content is a stream envelope (streaming negotiated): it goes to the stream mux. */
  #isStream(content: string): boolean {
    return this.#core.negotiated?.streaming === true && isStreamEnvelope(content);
  }

  /**
   * Stream hook: hands an envelope to the stream mux; a broken envelope ends the session, and so
   * does a stream in a program that never loaded `@m2m/session/streams` (nobody could read it).
   */
  async #routeStream(content: string): Promise<void> {
    try {
      const mux = this.#streams;
      if (!mux) throw new M2MError('StreamError', { reason: 'the peer opened a stream, and this program has no stream support: read streams with incomingStreams(session) from @m2m/session/streams' });
      await mux.receive(content);
    } catch (e) {
      this.#fail(e);
    }
  }

  /** The transport's messages, read by {@link Session.#pump} (set when reading starts). */
  #reader: PollingIterator<Uint8Array> | undefined;
  /** {@link Session.#pump} bound once: what a parked read loop is woken with (and handed the message). */
  #wakeReader: ((handed?: Uint8Array) => void) | undefined;

  /** Starts reading the transport's messages (after the handshake). */
  #readLoop(iterator: PollingIterator<Uint8Array> = this.transport[Symbol.asyncIterator]()): void {
    this.#reader = iterator;
    this.#wakeReader = this.#pump.bind(this);
    this.#pump();
  }

  /**
   * The read loop, synchronous while messages are waiting: each is taken with `poll` and handled;
   * with none waiting it parks on the transport's queue (`park`: the next message is `handed` to
   * it inside the transport's delivery, no promise per message) or, where it cannot park, awaits
   * `next` once. A message that must wait for something (a full inbox, a stream's buffer, the
   * reply queue) resumes the loop when that settles.
   */
  #pump(handed?: Uint8Array): void {
    const iterator = this.#reader!;
    try {
      let bytes = handed;
      for (;;) {
        bytes ??= iterator.poll?.();
        if (bytes === undefined) {
          // Where it cannot park, one `next`: its message goes through this loop as a woken one does.
          if (!iterator.park?.(this.#wakeReader!)) iterator.next().then((r) => (r.done ? this.#core.transportClosed() : this.#pump(r.value)), (e: unknown) => this.#readFailed(e));
          return;
        }
        const wait = this.#handle(bytes);
        bytes = undefined;
        if (wait === STOP) return;
        if (wait !== undefined) {
          wait.then(
            () => this.#pump(),
            (e: unknown) => this.#core.transportClosed(e),
          );
          return;
        }
      }
    } catch (e) {
      this.#core.transportClosed(e);
    }
  }

  /**
   * The transport's messages ended with `e`. A message it refused for its size (LimitExceeded
   * on maxMessageBytes) is told to the peer with CLOSE ERROR, which a connection that still sends
   * delivers (TCP has no close code to say it: transport/tcp.ts `#refuseMessage`), and ends this
   * side with that error; anything else is a lost connection.
   */
  #readFailed(e: unknown): void {
    if (isSdkError(e) && e.kind === 'LimitExceeded' && (e.details as { limit?: unknown }).limit === 'maxMessageBytes') this.#fail(e);
    else this.#core.transportClosed(e);
  }

  /**
   * One received message through the core: `undefined` when the next can follow at once, a
   * promise to wait for first, or {@link STOP} once the session ended on it.
   */
  #handle(bytes: Uint8Array): Promise<unknown> | typeof STOP | undefined {
    let message: Message;
    try {
      message = this.#decode(bytes);
      if (this.#secure && CONTROL_TYPES.has(message.type)) message = openControlMessage(this.#secure.channel, message);
    } catch (e) {
      this.#fail(e);
      return STOP;
    }
    let result;
    try {
      result = this.#core.receive(message);
    } catch (e) {
      if (isSdkError(e) && e.code === 'REJECTED') return STOP; // the core already closed with it
      if (this.#core.state === SessionState.HELLO_SENT) {
        this.#rejectEstablished(e);
        this.#core.transportClosed(e);
        return STOP;
      }
      this.#fail(e);
      return STOP;
    }
    if (message.type === 'ACCEPT') {
      this.#resolveEstablished();
      this.#emit('state', this.#core.state);
    }
    if (message.type === 'PONG') {
      const started = this.#pingStarted.shift();
      this.#pongWaiters.shift()?.(started === undefined ? Number.NaN : this.#clock.now() - started);
    }
    let wait: Promise<unknown> | undefined;
    if (result.reply) {
      const reply = result.reply;
      // A peer that asks (PING) but never reads the answers stops being read, not buffered for.
      if (this.#queuedBytes > REPLY_QUEUE_BYTES) wait = this.#sendChain.then(() => void this.#send(reply).catch(() => undefined));
      else void this.#send(reply).catch(() => undefined);
    }
    if (result.content !== undefined && result.data) {
      if (this.#isStream(result.content)) return this.#routeStream(result.content);
      const item: SessionData = { content: result.content, payload: result.data, message };
      this.#emit('data', item);
      try {
        this.transport.account?.hold(dataSize(item));
      } catch (e) {
        this.#fail(e);
        return STOP;
      }
      // A full inbox stops reading; the transport's end must still end the session. With
      // room, nothing to wait for (no promise per message).
      const room = this.#inbox.push(item);
      if (room !== TAKEN) return this.transport.ended ? Promise.race([room, this.transport.ended]) : room;
    }
    return wait;
  }
}
