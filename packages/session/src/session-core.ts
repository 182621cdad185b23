/**
 * The protocol engine of one session, without I/O: it turns local calls and peer messages into
 * messages to send, enforces the state machine, negotiates, encodes DATA content, and runs the
 * spec's timers on an injectable clock. `Session` wraps it with a transport; tests and the
 * conformance runner drive it directly.
 * @module
 */
import { compress, decodeFrame, decompress, detectAlgorithm, encodeFrameWith, isBytes, lastFrameJsonBytes, M2MError, isSdkError, resolveLimits, utf8ByteLength } from '@m2m/core/internal';
import { contentTextLength, isFrameBytes } from './frame-bytes.js';
import { boundedDecodeOptions, fastFrameAllocator, fastFramePayload } from '#platform';
import { allocate, Slab, useSlab } from '#slab';
import type { AeadFrameProtection, Algorithm, CloseReason, DecodeFrameOptions, FrameProtection, Limits, RejectionCode } from '@m2m/core';
import { BindingProtection } from './secure/binding.js';
import { systemClock, type Clock } from './clock.js';
import { defaultCapabilities } from './message.js';
import type { Capabilities, CloseInfo, DataPayload, Message, MessageType, RejectionInfo, SecurityStatus } from './message.js';
import { negotiate, versionsCompatible, type Negotiated } from './negotiate.js';
import { SessionState, StateMachine, type SessionEvent } from './state-machine.js';
import { resolveTimers, type ResolvedTimers, type TimerOptions } from './timers.js';
import type { EncodeFrameOptions } from '@m2m/core';
import type { FrameMessageWriter } from './codec/data-writer.js';

/** Message types that belong to an established session and so must carry its id when they carry one. */
const SESSION_BOUND: ReadonlySet<string> = new Set(['DATA', 'PING', 'PONG', 'CLOSE']);
const NO_EXTRAS: DataExtras = Object.freeze({});

/** Which end of the handshake this session is. */
export type SessionRole = 'client' | 'server';

/** Counters, named as the reference's `SessionStats`. */
export interface SessionStats {
  /** Messages this side produced to send (HELLO, ACCEPT, REJECT, DATA, PING, PONG, CLOSE), counted as each is built. */
  messagesSent: number;
  /** Messages handed to {@link SessionCore.receive}, counted on entry, so one that throws counts too. */
  messagesReceived: number;
  /** Total length of DATA content sent. */
  bytesCompressed: number;
  /** Original bytes minus content bytes, summed where positive. */
  bytesSaved: number;
}

/** Options of {@link SessionCore}. */
export interface SessionCoreOptions {
  /** `client` sends HELLO; `server` answers one with ACCEPT or REJECT and makes the session id. */
  role: SessionRole;
  /** This side's capabilities (default: {@link defaultCapabilities}). */
  capabilities?: Capabilities;
  /** The server's session id (default: a random UUID v4, as the reference). */
  sessionId?: string;
  /** Time and one-shot timers (default `systemClock`); a `ManualClock` lets tests fire timers by hand. */
  clock?: Clock;
  /**
   * Timer settings in ms (default: the spec's, see {@link TimerOptions}); a value outside its
   * range makes the constructor throw M2MError Config.
   */
  timers?: TimerOptions;
  /** Codec limits for DATA content. */
  limits?: Partial<Limits>;
  /** Frame protection for M2M content (pre-shared keys with a reference peer). */
  protection?: FrameProtection;
  /**
   * Prompt tokens for the cost estimate in the headers of M2M frames this side sends (e.g.
   * `countRequestTokens` from `@m2m/core/models`); default: the reference's `content bytes / 4`.
   */
  promptTokens?: EncodeFrameOptions['promptTokens'];
  /**
   * When M2M frames this side sends are Brotli-compressed (`FrameCompression` in `@m2m/core`).
   * `auto`: small payloads, and payloads Brotli would not shrink, go plain (the peer, the
   * reference included, reads both). Default here `always`, the reference's exact frames (the
   * conformance flows replay them); a {@link Session} over a transport defaults to `auto`.
   */
  compression?: EncodeFrameOptions['compression'];
  /** Weakest frame security accepted in DATA (default: the protection's mode, else `none`). */
  minSecurity?: DecodeFrameOptions['minSecurity'];
  /** Called with messages the timers produce (PING, CLOSE on timeout). */
  onSend?: (message: Message) => void;
  /** Called once when the session reaches CLOSED. */
  onClosed?: (info: ClosedInfo) => void;
}

/** How a session ended. */
export interface ClosedInfo {
  /** The close reason: the one in the CLOSE sent or received, TIMEOUT for timers, ERROR for a lost connection, NORMAL after a REJECT. */
  reason: CloseReason;
  /** Detail text: the CLOSE's message (`''` for a bare CLOSE), or this SDK's own (e.g. `connection lost`, `rejected: <code>`, `no answer to HELLO`). */
  message: string;
  /** Who ended it. */
  by: 'local' | 'peer' | 'timer' | 'transport';
  /** The error a waiting caller sees (Closed, Rejected, Timeout), if any. */
  error?: M2MError;
}

/**
 * The frame encoder's `Invalid JSON` (a Compression error, the reference's wording for
 * `encodeFrame`, marked by its `invalidJson` detail: core/src/wire/json.ts) as what it means for
 * DATA: the content must be JSON text. The content is not repeated (the parser's position says
 * where), nor the engine's error, whose message quotes it.
 */
function notJson(e: unknown): unknown {
  const text = isSdkError(e) && e.kind === 'Compression' ? e.details.invalidJson : undefined;
  return text === undefined ? e : new M2MError('Json', { reason: `content must be JSON (JSON.stringify plain text first): ${text}` });
}

/** Optional DATA fields (the reference never sets them, so they are off by default). */
export interface DataExtras {
  /** Add `original_size`: the content's UTF-8 length before encoding. */
  includeOriginalSize?: boolean;
  /** A security scanner's verdict to carry with the content. */
  securityStatus?: SecurityStatus;
}

/** What a received message produced. */
export interface ReceiveResult {
  /** A message to send back (ACCEPT/REJECT for HELLO, PONG for PING). */
  reply?: Message;
  /** DATA's decoded content. */
  content?: string;
  /** DATA's payload as received. */
  data?: DataPayload;
}

/**
 * @internal A core's message slab, which its {@link Session} shares (set by SessionCore's static
 * block): a session and its core are one owner, so one slab serves both, and a handshake pays
 * for one first slab per side, not two (docs/ARCHITECTURE.md, Performance notes).
 */
export let slabOfCore: (core: SessionCore) => Slab;

/** The `error` accessor of every {@link LostConnection} (one descriptor, set by its static block). */
let lostConnectionError: PropertyDescriptor;

/**
 * The {@link ClosedInfo} of a lost connection. Its `error` is built when first read: every
 * session over a transport ends this way when the peer closes, and most ends are never looked
 * at, while an error object (its stack trace, its rendered message) cost about 5% of a whole
 * encrypted handshake (docs/ARCHITECTURE.md, Performance notes). Readers see the same value
 * every time. `error` is an own enumerable accessor, as an object literal's getter would be
 * (keys, spreads and JSON show it), defined from one shared descriptor: a literal with a getter
 * took ~0.6 µs to create against ~0.17 µs (two per handshake).
 */
class LostConnection implements ClosedInfo {
  readonly reason = 'ERROR';
  readonly message = 'connection lost';
  readonly by = 'transport';
  declare readonly error: M2MError;
  readonly #cause: unknown;
  #error: M2MError | undefined;
  constructor(cause: unknown) {
    this.#cause = cause;
    Object.defineProperty(this, 'error', lostConnectionError);
  }
  static {
    lostConnectionError = {
      enumerable: true,
      configurable: true,
      get(this: LostConnection): M2MError {
        return (this.#error ??= new M2MError('Closed', { reason: 'ERROR', message: 'connection lost' }, this.#cause === undefined ? undefined : { cause: this.#cause }));
      },
    };
  }
}

function connectionLost(cause: unknown): ClosedInfo {
  return new LostConnection(cause);
}

/**
 * One session's protocol logic.
 * @example
 * ```ts
 * const client = new SessionCore({ role: 'client' });
 * const server = new SessionCore({ role: 'server' });
 * const { reply } = server.receive(client.createHello()); // ACCEPT
 * client.receive(reply!);
 * server.receive(client.compress('{"model":"gpt-4o","messages":[]}')).content; // the JSON
 * ```
 */
export class SessionCore {
  /** Which end of the handshake this is, from {@link SessionCoreOptions.role}. */
  readonly role: SessionRole;
  /** This side's capabilities, sent in its HELLO (client) or ACCEPT (server). */
  readonly capabilities: Capabilities;
  /** Live counters, updated in place as messages go and come (the same object for the session's life, not a snapshot). */
  readonly stats: SessionStats = { messagesSent: 0, messagesReceived: 0, bytesCompressed: 0, bytesSaved: 0 };
  #machine = new StateMachine();
  /** A client's id is made when first read: it takes the server's from ACCEPT (one random UUID fewer per handshake). */
  #id: string | undefined;
  #peer: Capabilities | undefined;
  #negotiated: Negotiated | undefined;
  #clock: Clock;
  #timers: ResolvedTimers;
  #opts: SessionCoreOptions;
  #timer: unknown;
  /** When the armed timer fires (clock time); meaningful while `#timer` is set. */
  #timerAt = 0;
  #helloAt = 0;
  #closingAt = 0;
  #lastHeard = 0;
  #lastActivity = 0;
  #pongDue = 0;
  #missedPongs = 0;
  #closed: ClosedInfo | undefined;
  #requireFrames = false;
  /** Encrypted sessions: every DATA frame's associated data also binds the message's other fields. */
  #bound: BindingProtection | undefined;
  /** This session's message buffers (frames, bindings, and its Session's messages): none of another session's bytes share them (codec/slab.ts). */
  #slab = new Slab();

  /**
   * Room for one of this session's Noise handshake messages, carved from this core's own slab
   * (the allocator of crypto's `HandshakeState.writeMessage`, passed by secure/handshake.ts): a view that shares
   * memory with this session's bytes only.
   * @internal
   */
  allocate(n: number): Uint8Array {
    return this.#slab.allocate(n);
  }

  static {
    slabOfCore = (core) => core.#slab;
  }

  /** @throws M2MError of kind Config for timer settings outside the spec's ranges. */
  constructor(options: SessionCoreOptions) {
    this.role = options.role;
    this.capabilities = options.capabilities ?? defaultCapabilities();
    this.#id = options.sessionId ?? (options.role === 'server' ? globalThis.crypto.randomUUID() : undefined);
    this.#clock = options.clock ?? systemClock;
    this.#timers = resolveTimers(options.timers);
    this.#opts = options;
  }

  /**
   * Switches DATA to encrypted frames: every DATA is sent as an M2M AEAD frame under
   * `protection`, and received DATA must be one (anything else is a SecurityDowngrade). The
   * frame's associated data also binds the message's type, session id, timestamp, algorithm,
   * original size and security status (secure/binding.ts), so none of them can change on the way.
   */
  secure(protection: AeadFrameProtection): void {
    // The frame options read the protection from #bound and require 'aead' once it is set
    // (#encodeOptions, #decodeOptions), rather than from a copy of all options made here.
    this.#requireFrames = true;
    this.#bound = new BindingProtection(protection);
    this.#encodeOpts = this.#decodeOpts = undefined;
  }

  /** Current state. */
  get state(): SessionState {
    return this.#machine.state;
  }
  /** Session id (a client adopts the server's from ACCEPT). */
  get id(): string {
    return (this.#id ??= globalThis.crypto.randomUUID());
  }
  /** The peer's capabilities once known. */
  get peerCapabilities(): Capabilities | undefined {
    return this.#peer;
  }
  /** This side's negotiation result once established. */
  get negotiated(): Negotiated | undefined {
    return this.#negotiated;
  }
  /** How the session ended, once CLOSED. */
  get closedInfo(): ClosedInfo | undefined {
    return this.#closed;
  }

  #message(type: MessageType, payload: Message['payload'], withId = true): Message {
    const m: Message = { type, timestamp: this.#clock.now() };
    if (withId) m.sessionId = this.id;
    if (payload) m.payload = payload;
    this.stats.messagesSent++;
    return m;
  }

  #apply(event: SessionEvent): void {
    const before = this.#machine.state;
    this.#machine.apply(event);
    if (this.#machine.state !== before) this.#schedule();
  }

  // Frame options, built once per session (and again when it turns encrypted), not per DATA.
  #encodeOpts: EncodeFrameOptions | undefined;
  #decodeOpts: DecodeFrameOptions | undefined;

  #encodeOptions(): EncodeFrameOptions {
    if (this.#encodeOpts) return this.#encodeOpts;
    // Limits resolved once here (frozen; resolveLimits hands them back as they are), not per frame.
    const opts: EncodeFrameOptions = { limits: this.#opts.limits && resolveLimits(this.#opts.limits), compression: this.#opts.compression ?? 'always' };
    const protection = this.#bound ?? this.#opts.protection;
    if (protection) opts.protection = protection;
    if (this.#opts.promptTokens) opts.promptTokens = this.#opts.promptTokens;
    return (this.#encodeOpts = opts);
  }

  #decodeOptions(): DecodeFrameOptions {
    if (this.#decodeOpts) return this.#decodeOpts;
    const opts: DecodeFrameOptions = { limits: this.#opts.limits && resolveLimits(this.#opts.limits) };
    const protection = this.#bound ?? this.#opts.protection;
    if (protection) opts.protection = protection;
    const minSecurity = this.#bound ? 'aead' : this.#opts.minSecurity;
    if (minSecurity) opts.minSecurity = minSecurity;
    return (this.#decodeOpts = opts);
  }

  /** Client: the HELLO to send. @throws M2MError Protocol unless INITIAL. */
  createHello(): Message {
    // The deadline first: #apply arms the timer for it (set after, the timer was armed for the
    // stale deadline 0, fired at once and was armed again).
    this.#helloAt = this.#clock.now() + this.#timers.helloTimeoutMs;
    this.#apply('sendHello');
    return this.#message('HELLO', { kind: 'capabilities', value: this.capabilities }, false);
  }

  /**
   * Server: refuses a HELLO (limits, policy) before negotiating, or an encrypted client's last
   * handshake message (secure/handshake.ts), which ends this side.
   * @throws M2MError Protocol unless INITIAL or ESTABLISHED.
   */
  reject(code: RejectionCode, message: string, retryAfterMs?: number): Message {
    this.#apply(this.state === SessionState.ESTABLISHED ? 'transportClosed' : 'sendReject');
    const info: RejectionInfo = { code, message };
    if (retryAfterMs !== undefined) info.retryAfterMs = retryAfterMs;
    return this.#message('REJECT', { kind: 'rejection', value: info }, false);
  }

  /**
   * Processes one message from the peer.
   * @throws M2MError: Protocol (illegal in this state, state unchanged), InvalidMessage (missing
   *   capabilities, session id or DATA payload), NegotiationFailed, Rejected (REJECT received:
   *   carries code, retryAfterMs, message), LimitExceeded, codec errors for DATA content.
   */
  receive(message: Message): ReceiveResult {
    this.stats.messagesReceived++;
    // A plaintext session's message that names another session is refused (spec
    // 05-session-management.md §6.8.2: invalid session_id closes the session). HELLO, ACCEPT and
    // REJECT carry no id of this session yet; encrypted sessions authenticate the id instead
    // (secure/binding.ts), so a changed one fails as the AEAD check it is.
    const sid = message.sessionId;
    if (sid !== undefined && sid !== this.#id && this.#id !== undefined && !this.#requireFrames && SESSION_BOUND.has(message.type)) {
      throw new M2MError('Protocol', { reason: `${message.type} names another session_id than this session's` });
    }
    const now = this.#clock.now();
    this.#lastHeard = now;
    switch (message.type) {
      case 'HELLO':
        return this.#receiveHello(message);
      case 'ACCEPT':
        this.#receiveAccept(message);
        return {};
      case 'REJECT':
        return this.#receiveReject(message);
      case 'DATA': {
        const content = this.#decompress(message, now);
        return { content, data: (message.payload as { value: DataPayload }).value };
      }
      case 'PING':
        this.#apply('receivePing');
        if (this.state !== SessionState.ESTABLISHED) return {};
        this.#apply('sendPong');
        return { reply: this.#message('PONG', { kind: 'empty' }) };
      case 'PONG':
        this.#apply('receivePong');
        this.#pongDue = 0;
        this.#missedPongs = 0;
        this.#schedule();
        return {};
      case 'AUTH':
        // AUTH belongs to the encrypted handshake, which `Session` runs before the core sees anything.
        return this.#illegal('receiveAuth');
      case 'CLOSE': {
        this.#apply('receiveClose');
        const p = message.payload;
        const info = p?.kind === 'close' ? p.value : { reason: 'NORMAL' as const, message: '' };
        this.#finish({ ...info, by: 'peer', error: new M2MError('Closed', { reason: info.reason, message: info.message }) });
        return {};
      }
    }
  }

  #receiveHello(message: Message): ReceiveResult {
    if (this.role !== 'server') this.#illegal('receiveHello');
    this.#apply('receiveHello');
    const p = message.payload;
    // An encrypted client at a plaintext server learns why, as a plaintext client at an encrypted
    // server does (secure/handshake.ts), instead of seeing the connection drop.
    if (p?.kind === 'handshake') return { reply: this.reject('SECURITY_POLICY', `this server takes plaintext sessions only, not ${p.value.protocol ?? 'an encrypted session'}`) };
    if (p?.kind !== 'capabilities') throw new M2MError('InvalidMessage', { reason: 'HELLO missing capabilities' });
    const peer = p.value;
    if (!versionsCompatible(peer.version, this.capabilities.version)) {
      return { reply: this.reject('VERSION_MISMATCH', `Version ${peer.version} not compatible with ${this.capabilities.version}`) };
    }
    const negotiated = negotiate(this.capabilities, peer);
    if (!negotiated) return { reply: this.reject('NO_COMMON_ALGORITHM', 'No common compression algorithm') };
    this.#peer = peer;
    this.#negotiated = negotiated;
    this.#establish();
    this.#apply('sendAccept');
    return { reply: this.#message('ACCEPT', { kind: 'capabilities', value: this.capabilities }) };
  }

  #receiveAccept(message: Message): void {
    if (this.role !== 'client' || this.state !== SessionState.HELLO_SENT) this.#illegal('receiveAccept');
    const p = message.payload;
    if (p?.kind !== 'capabilities') throw new M2MError('InvalidMessage', { reason: 'ACCEPT missing capabilities' });
    if (message.sessionId === undefined) throw new M2MError('InvalidMessage', { reason: 'ACCEPT missing session ID' });
    const negotiated = negotiate(this.capabilities, p.value);
    if (!negotiated) throw new M2MError('NegotiationFailed', { reason: 'Failed to negotiate capabilities' });
    this.#id = message.sessionId;
    this.#peer = p.value;
    this.#negotiated = negotiated;
    this.#establish();
    this.#apply('receiveAccept');
  }

  #receiveReject(message: Message): ReceiveResult {
    // An encrypted client's server refused its last handshake message (secure/handshake.ts):
    // unauthenticated, as every REJECT; it ends the session as a lost connection would. Only as
    // the first message after ACCEPT: later the server has spoken under the keys, so admitted
    // the client, and a REJECT is forged (test/attack-forged-reject.test.ts).
    this.#apply(this.#requireFrames && this.role === 'client' && this.stats.messagesReceived < 3 ? 'transportClosed' : 'receiveReject');
    const p = message.payload;
    const info: RejectionInfo = p?.kind === 'rejection' ? p.value : { code: 'UNKNOWN', message: 'Unknown rejection' };
    const details: { code: RejectionCode; message: string; retryAfterMs?: number } = { code: info.code, message: info.message };
    if (info.retryAfterMs !== undefined) details.retryAfterMs = info.retryAfterMs;
    const error = new M2MError('Rejected', details);
    this.#finish({ reason: 'NORMAL', message: `rejected: ${info.code}`, by: 'peer', error });
    throw error;
  }

  #illegal(event: SessionEvent): never {
    throw new M2MError('Protocol', { reason: `Cannot ${event} in state ${this.state}`, state: this.state, event });
  }

  #establish(): void {
    const now = this.#clock.now();
    this.#lastActivity = now;
    this.#lastHeard = now;
  }

  #requireEstablished(event: SessionEvent): void {
    // DATA outside its states gets the reference's specific error rather than a generic Protocol one.
    if (this.#machine.next(event) === undefined) throw new M2MError('SessionNotEstablished', { state: this.state });
  }

  /**
   * @internal `Session.send` under the binary codec passes its `FrameMessageWriter` (Node's
   * platform, codec/data-writer.ts): plaintext M2M DATA then comes back as its binary message's
   * bytes, laid out around the frame without a `Message`; anything else as the `Message`, for the
   * codec to encode. Same bytes, state, stats and errors as without it. (Declared before the
   * public signature, so that `ReturnType` and the like still see `Message`.)
   */
  compress(content: string, algorithm: Algorithm | undefined, extra: DataExtras, writer: FrameMessageWriter | undefined): Message | Uint8Array;
  /**
   * A DATA message carrying `content` encoded with the negotiated algorithm (or `algorithm`).
   * @throws M2MError: SessionNotEstablished, LimitExceeded (over the negotiated maxPayload),
   *   Json (text that is not JSON where M2M frames carry it: `m2m`, every DATA of an encrypted
   *   session), other codec errors.
   */
  compress(content: string, algorithm?: Algorithm, extra?: DataExtras): Message;
  compress(content: string, algorithm?: Algorithm, extra: DataExtras = NO_EXTRAS, writer?: FrameMessageWriter): Message | Uint8Array {
    // DATA leaves ESTABLISHED as it is: the table is consulted only in other states.
    const established = this.#machine.state === SessionState.ESTABLISHED;
    if (!established) this.#requireEstablished('sendData');
    // Encrypted sessions carry only AEAD frames, whatever was negotiated.
    const algo = this.#requireFrames ? 'm2m' : (algorithm ?? this.#negotiated?.algorithm ?? 'm2m');
    // Counted up front only where needed: an M2M frame's encoding counts the bytes it encodes.
    let originalBytes = algo !== 'm2m' || extra.includeOriginalSize ? utf8ByteLength(content) : -1;
    const now = this.#clock.now();
    // Plaintext M2M DATA with none of the extras goes straight into its binary message.
    const place = writer?.start(this.#id, now, algo, extra, this.#bound);
    let value: DataPayload | undefined;
    let message: Message | undefined;
    if (!place) {
      // The message is built first: an encrypted session seals its fields into the frame's AAD.
      value = { algorithm: algo, content: '' };
      if (extra.includeOriginalSize) value.originalSize = originalBytes;
      if (extra.securityStatus) value.securityStatus = { ...extra.securityStatus };
      message = { type: 'DATA', sessionId: this.#id, timestamp: now, payload: { kind: 'data', value } };
      if (this.#bound) this.#bound.bindMessage(message);
    }
    const opts = this.#encodeOptions();
    // M2M frames stay bytes (the binary codec carries them as such; docs/PROTOCOL.md §4.2),
    // encoded straight into the binary message they travel in (codec/data-writer.ts, Node's
    // platform; elsewhere a slab view the generic encoder copies).
    const previous = useSlab(this.#slab);
    let encoded: string | Uint8Array;
    try {
      encoded = algo === 'm2m' ? encodeFrameWith(content, opts, place ?? fastFrameAllocator(message!) ?? allocate, originalBytes < 0 ? undefined : originalBytes) : compress(content, algo, opts);
    } catch (e) {
      throw notJson(e);
    } finally {
      useSlab(previous);
    }
    if (originalBytes < 0) originalBytes = lastFrameJsonBytes();
    const length = contentTextLength(encoded);
    const max = this.#negotiated?.maxPayload ?? 0;
    if (max > 0 && length > max) throw new M2MError('LimitExceeded', { limit: 'maxPayload', actual: length, max });
    if (!established) this.#apply('sendData');
    this.#lastActivity = now;
    this.#schedule();
    this.stats.bytesCompressed += length;
    this.stats.bytesSaved += Math.max(0, originalBytes - length);
    this.stats.messagesSent++;
    if (place) return writer!.take();
    value!.content = encoded;
    return message!;
  }

  /**
   * Decodes a DATA message's content by its prefix (the `algorithm` field is advisory, as in the
   * reference).
   * @throws M2MError: SessionNotEstablished, InvalidMessage (`Not a DATA message`, content neither a string nor a Uint8Array),
   *   LimitExceeded, codec errors.
   */
  decompress(message: Message): string {
    return this.#decompress(message, undefined);
  }

  /** {@link SessionCore.decompress}; `now` when the caller read the clock already. */
  #decompress(message: Message, now: number | undefined): string {
    const established = this.#machine.state === SessionState.ESTABLISHED;
    if (!established) this.#requireEstablished('receiveData');
    const p = message.payload;
    if (message.type !== 'DATA' || p?.kind !== 'data') throw new M2MError('InvalidMessage', { reason: 'Not a DATA message' });
    const max = this.#negotiated?.maxPayload ?? 0;
    const content = p.value.content;
    // A Message built by the app (receive/decompress are public) may carry anything: the checks
    // below read `content.length` (test/attack-receive-path.test.ts: null content threw a TypeError).
    if (typeof content !== 'string' && !isBytes(content)) throw new M2MError('InvalidMessage', { reason: 'DATA content must be a string or a Uint8Array' });
    if (this.#requireFrames && !(typeof content === 'string' ? content.startsWith('#M2M|1|') : isFrameBytes(content))) {
      throw new M2MError('SecurityDowngrade', { required: 'aead', actual: typeof content === 'string' ? `${detectAlgorithm(content)} content` : 'binary content that is not a frame' });
    }
    // The text length only where a limit was negotiated (most sessions: none) and the content
    // could pass it: bytes never read longer than their base64 form (frame-bytes.ts).
    if (max > 0 && (typeof content === 'string' || 4 * Math.ceil(content.length / 3) > max)) {
      const length = contentTextLength(content);
      if (length > max) throw new M2MError('LimitExceeded', { limit: 'maxPayload', actual: length, max });
    }
    // Encrypted sessions: the frame opens only with this message's own fields in its AAD.
    if (this.#bound) this.#bound.bindMessage(message);
    // Node: at most 64 times the content's size decompressed, 1 MiB at least (decompression-bound.ts).
    const base = this.#decodeOptions();
    const opts = boundedDecodeOptions(base, content.length) ?? base;
    let text: string;
    const previous = useSlab(this.#slab);
    // Node reads the payload without building the header (platform/fast-codec.node.ts, which
    // reads a frame in a SharedArrayBuffer from a private copy: a core's caller may be anyone);
    // browsers decode the whole frame.
    try {
      text = typeof content === 'string' ? decompress(content, opts) : (fastFramePayload(content, opts) ?? decodeFrame(content, opts).payload);
    } catch (e) {
      if (isSdkError(e)) throw e;
      throw new M2MError('Decompression', { reason: (e as Error)?.message ?? String(e) }, { cause: e });
    } finally {
      useSlab(previous);
    }
    if (!established) this.#apply('receiveData');
    this.#lastActivity = now ?? this.#clock.now();
    this.#schedule();
    return text;
  }

  /** A PING to send now. @throws M2MError Protocol unless ESTABLISHED. */
  ping(): Message {
    this.#apply('sendPing');
    if (!this.#pongDue) this.#pongDue = this.#clock.now() + this.#timers.pingTimeoutMs;
    this.#schedule();
    return this.#message('PING', { kind: 'empty' });
  }

  /**
   * Starts closing: the CLOSE to send (CLOSING, then CLOSED on the peer's CLOSE or after the
   * closing timeout). From HELLO_SENT the session closes at once. Returns `undefined` when
   * already CLOSING or CLOSED (closing twice is harmless).
   * @throws M2MError Protocol in INITIAL.
   */
  close(reason: CloseReason = 'NORMAL', message = ''): Message | undefined {
    if (this.state === SessionState.CLOSING || this.state === SessionState.CLOSED) return undefined;
    return this.#closeWith('sendClose', reason, message, 'local');
  }

  #closeWith(event: SessionEvent, reason: CloseReason, message: string, by: ClosedInfo['by']): Message {
    const wasHelloSent = this.state === SessionState.HELLO_SENT;
    this.#apply(event);
    const msg = this.#message('CLOSE', reason === 'NORMAL' && message === '' ? { kind: 'empty' } : { kind: 'close', value: { reason, message } });
    if (wasHelloSent || this.state === SessionState.CLOSED) this.#finish({ reason, message, by });
    else {
      this.#closingAt = this.#clock.now() + this.#timers.closingTimeoutMs;
      this.#pendingClose = { reason, message, by };
      this.#schedule();
    }
    return msg;
  }
  #pendingClose: ClosedInfo | undefined;

  /** The transport went away: CLOSED at once. */
  transportClosed(error?: unknown): void {
    if (this.state === SessionState.CLOSED) return;
    const pending = this.#pendingClose;
    this.#apply('transportClosed');
    if (pending) this.#finish(isSdkError(error) && error.kind !== 'Closed' ? { ...pending, error: error as M2MError } : pending);
    else this.#finish(connectionLost(error));
  }

  #finish(info: ClosedInfo): void {
    if (this.#closed) return;
    if (this.#pendingClose && info.by === 'peer' && !info.error) info = this.#pendingClose;
    this.#closed = info;
    this.#pendingClose = undefined;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#opts.onClosed?.(info);
  }

  /** Stops the timers (the session is being dropped). */
  dispose(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Timers: one clock timer at the earliest deadline; `#tick` decides what is due.

  #deadline(): number | undefined {
    const t = this.#timers;
    switch (this.state) {
      case SessionState.HELLO_SENT:
        return this.#helloAt;
      case SessionState.ESTABLISHED: {
        const idle = this.#lastActivity + t.sessionTimeoutMs;
        const keepalive = this.#pongDue || this.#lastHeard + t.pingIntervalMs;
        return Math.min(idle, keepalive);
      }
      case SessionState.CLOSING:
        return this.#closingAt;
      default:
        return undefined;
    }
  }

  #schedule(): void {
    const at = this.#deadline();
    // Activity only pushes deadlines later, so a timer armed at or before the new deadline stays:
    // it fires early, #tick finds nothing due and arms the next one. This spares every DATA sent
    // or received a clearTimeout and a setTimeout (docs/ARCHITECTURE.md, Performance notes).
    if (at !== undefined && this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (at === undefined) return;
    const now = this.#clock.now();
    this.#timerAt = Math.max(now, at);
    this.#timer = this.#clock.setTimeout(() => this.#tick(), this.#timerAt - now);
  }

  #emit(m: Message | undefined): void {
    if (m) this.#opts.onSend?.(m);
  }

  #tick(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    const t = this.#timers;
    switch (this.state) {
      case SessionState.HELLO_SENT:
        if (now >= this.#helloAt) {
          this.#apply('helloTimeout');
          this.#finish({ reason: 'TIMEOUT', message: 'no answer to HELLO', by: 'timer', error: new M2MError('Timeout', { operation: 'HELLO', ms: t.helloTimeoutMs }) });
          return;
        }
        break;
      case SessionState.ESTABLISHED:
        if (now >= this.#lastActivity + t.sessionTimeoutMs) {
          this.#emit(this.#closeWith('idleTimeout', 'TIMEOUT', `idle for ${t.sessionTimeoutMs} ms`, 'timer'));
          return;
        }
        if (this.#pongDue && now >= this.#pongDue) {
          this.#missedPongs++;
          this.#pongDue = 0;
          if (this.#missedPongs >= t.maxMissedPongs) {
            this.#emit(this.#closeWith('pongTimeout', 'TIMEOUT', `${this.#missedPongs} PINGs unanswered`, 'timer'));
            return;
          }
          this.#emit(this.ping());
          return;
        }
        if (!this.#pongDue && now >= this.#lastHeard + t.pingIntervalMs) {
          this.#emit(this.ping());
          return;
        }
        break;
      case SessionState.CLOSING:
        if (now >= this.#closingAt) {
          const pending = this.#pendingClose ?? { reason: 'NORMAL' as const, message: '', by: 'local' as const };
          this.#apply('closingTimeout');
          this.#finish(pending);
          return;
        }
        break;
      default:
        return;
    }
    this.#schedule();
  }
}

export type { CloseInfo };
