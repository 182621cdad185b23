/**
 * One NATS connection shared by many session ends: it loads `@nats-io/transport-node` on first
 * use (so nothing NATS is on the cold import path), subscribes once to
 * `_M2M.<connection token>.*`, and routes each message to the session end whose token it names.
 * Losing the connection ends every session on it (frames may have been lost in between, and
 * Noise's strict counters would fail later anyway).
 *
 * Publishes are queued and handed to the client together once per event-loop turn: the client
 * writes to its socket once per microtask checkpoint, so a session awaiting each `send` cost one
 * socket write per message (the largest item of a CPU profile, bench/profile-nats.ts). The
 * FRAMEs one session end queues in a turn go as one BATCH message: the client's cost per NATS
 * message (protocol line, subject, callback) outweighed a whole session layer's per message.
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { NatsTransport, type NatsIncoming, type NatsPort, type NatsTransportOptions } from './nats-transport.js';
import { batchedLength, encodeBatch, encodeFrame, INITIAL_WINDOW, randomToken, sessionSubject, SESSION_PREFIX } from './nats-frames.js';
import { Buffer } from 'node:buffer';
import { setImmediate } from 'node:timers';

/** The part of a NATS message this module reads. */
export interface NatsMsgLike {
  subject: string;
  data: Uint8Array;
  reply?: string;
  headers?: { code: number; hasError: boolean };
}

/** The part of `@nats-io/transport-node`'s connection this module uses. */
export interface NatsConnectionLike {
  readonly info?: { max_payload: number; port?: number };
  publish(subject: string, data: Uint8Array, options?: { reply?: string }): void;
  subscribe(subject: string, options: { queue?: string; callback: (err: Error | null, msg: NatsMsgLike) => void }): { unsubscribe(): void };
  status(): AsyncIterable<{ type: string }>;
  closed(): Promise<void | Error>;
  flush(): Promise<void>;
  drain(): Promise<void>;
  close(): Promise<void>;
  isClosed(): boolean;
}

interface NatsClientModule {
  connect(options: object): Promise<unknown>;
}
let clientModule: Promise<NatsClientModule> | undefined;

/** Connects to NATS with the optional client package, loaded on first use. */
export async function natsConnect(servers: string[], name: string): Promise<NatsConnectionLike> {
  let mod: NatsClientModule;
  try {
    clientModule ??= import('@nats-io/transport-node') as unknown as Promise<NatsClientModule>;
    mod = await clientModule;
  } catch (e) {
    clientModule = undefined;
    throw new M2MError('Config', { reason: 'the nats transport needs the optional package @nats-io/transport-node (npm install @nats-io/transport-node@~3.3.1: 3.4 declares Node >= 22 through @nats-io/nuid 3)' }, { cause: e });
  }
  try {
    // maxReconnectAttempts -1: a listener keeps its queue subscription across broker restarts.
    return (await mod.connect({ servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 250 })) as NatsConnectionLike;
  } catch (e) {
    throw new M2MError('Network', { reason: `cannot connect to NATS ${servers.join(',')}: ${(e as Error).message}` }, { cause: e });
  }
}

/**
 * Bytes queued in one event-loop turn past which senders wait for the next turn (NatsPort.pace).
 * A turn has a fixed cost (the flush, a socket write, the broker's and the reader's wake-ups), so
 * fewer, larger turns: 512 KiB measured ×0.93-0.97 of 128 KiB's CPU and ×0.92-0.94 of its wall
 * time per plaintext message (docs/ARCHITECTURE.md, NATS), while a turn still holds the event
 * loop for only a few milliseconds of encoding.
 */
const PACE_BYTES = 512 * 1024;

/** Whole session messages of one session end queued in this turn: one BATCH, or a FRAME when alone. */
interface PendingBatch {
  readonly subject: string;
  /** The session messages as the session sent them (no kind byte): copied once, into the NATS message. */
  readonly messages: Uint8Array[];
  /** Size of the BATCH message they make. */
  bytes: number;
}

/** A NATS connection carrying session ends. */
export class NatsLink implements NatsPort {
  readonly nc: NatsConnectionLike;
  readonly token = randomToken();
  readonly maxPayload: number;
  #batchLimit: number;
  #ends = new Map<string, NatsTransport>();
  #onEmpty?: () => void;

  /** @param onEmpty called when the last session end released the link (clients close it). */
  constructor(nc: NatsConnectionLike, onEmpty?: () => void) {
    this.nc = nc;
    this.#onEmpty = onEmpty;
    this.maxPayload = nc.info?.max_payload ?? 1 << 20;
    this.#batchLimit = Math.min(this.maxPayload, INITIAL_WINDOW);
    nc.subscribe(`${SESSION_PREFIX}.${this.token}.*`, { callback: (err, msg) => (err ? undefined : this.#route(msg)) });
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.failAll(new M2MError('Network', { reason: 'NATS connection lost' }));
      }
    })().catch(() => undefined);
    void nc.closed().then(() => this.failAll(new M2MError('Network', { reason: 'NATS connection closed' })));
  }

  /** Session ends on this link. */
  get size(): number {
    return this.#ends.size;
  }

  #route(msg: NatsMsgLike): void {
    const end = this.#ends.get(msg.subject.slice(SESSION_PREFIX.length + 1 + this.token.length + 1));
    if (!end) return;
    const incoming: NatsIncoming = { data: msg.data, reply: msg.reply };
    if (msg.headers?.hasError) incoming.status = msg.headers.code;
    end.deliver(incoming);
  }

  /** A new session end on this link; `peer` is the listen subject (client) or the client's session subject (server). */
  open(peer: string, bound: boolean, options: NatsTransportOptions): NatsTransport {
    const token = randomToken();
    const end = new NatsTransport(this, sessionSubject(this.token, token), peer, bound, options);
    this.#ends.set(token, end);
    return end;
  }

  // Queued publishes, flat: subject, data, reply, subject, data, reply, …
  #queue: Array<string | Uint8Array | PendingBatch> = [];
  // The batch each session end (by its reply subject) may still add FRAMEs to in this turn, and
  // the last one used (a busy end sends many messages in a row: no map lookup for those).
  #open = new Map<string, PendingBatch>();
  #lastReply: string | undefined;
  #lastBatch: PendingBatch | undefined;
  #flushing = false;
  #draining = false;

  /** True once {@link drain} was called: open no new session ends on it. */
  get draining(): boolean {
    return this.#draining;
  }

  #turnWaiters: Array<() => void> = [];
  #queuedBytes = 0;
  #flushQueue = (): void => {
    this.#flushing = false;
    const q = this.#queue;
    this.#queue = [];
    this.#open.clear();
    this.#lastReply = this.#lastBatch = undefined;
    this.#queuedBytes = 0;
    for (const w of this.#turnWaiters.splice(0)) w();
    // Ends whose publish failed in this flush: nothing of theirs may follow the lost message.
    let failed: Set<string> | undefined;
    for (let i = 0; i < q.length; i += 3) {
      const reply = q[i + 2] as string;
      if (failed?.has(reply)) continue;
      const item = q[i + 1] as Uint8Array | PendingBatch;
      try {
        // A batch is written whole, so its buffer needs no zeroing (Node's unpooled allocation).
        const data = item instanceof Uint8Array ? item : item.messages.length === 1 ? encodeFrame(item.messages[0]) : encodeBatch(item.messages, item.bytes, Buffer.allocUnsafeSlow(item.bytes));
        this.nc.publish(q[i] as string, data, { reply });
      } catch (e) {
        (failed ??= new Set()).add(reply);
        this.#ends.get(reply.slice(reply.lastIndexOf('.') + 1))?.fail(new M2MError('Network', { reason: `NATS publish failed: ${(e as Error).message}` }, { cause: e }));
      }
    }
  };

  /**
   * Queues a publish of a NATS message (kind byte first) for the end of this event-loop turn, in
   * order with every other publish of this connection; it closes the batch its end (`reply`)
   * opened in this turn, so that end's later messages go after it.
   * @throws M2MError of kind Network when the connection is closed.
   */
  publish(subject: string, data: Uint8Array, reply: string): void {
    if (this.nc.isClosed()) throw new M2MError('Network', { reason: 'NATS connection closed' });
    this.#open.delete(reply);
    if (this.#lastReply === reply) this.#lastReply = this.#lastBatch = undefined;
    this.#queue.push(subject, data, reply);
    this.#queued(data.length);
  }

  /**
   * Queues one whole session message (no kind byte; kept, not copied, until the turn ends): it
   * joins the batch its end (`reply`) opened in this turn while that fits in one NATS message
   * (`min(max_payload, 1 MiB)`), else opens the next one. A batch of one goes as a FRAME.
   * @throws M2MError of kind Network when the connection is closed.
   */
  publishMessage(subject: string, message: Uint8Array, reply: string): void {
    if (this.nc.isClosed()) throw new M2MError('Network', { reason: 'NATS connection closed' });
    const open = reply === this.#lastReply ? this.#lastBatch : this.#open.get(reply);
    const added = batchedLength(message.length);
    if (open !== undefined && open.subject === subject && open.bytes + added <= this.#batchLimit) {
      open.messages.push(message);
      open.bytes += added;
      this.#lastReply = reply;
      this.#lastBatch = open;
    } else {
      const batch: PendingBatch = { subject, messages: [message], bytes: 1 + added };
      this.#open.set(reply, batch);
      this.#queue.push(subject, batch, reply);
      this.#lastReply = reply;
      this.#lastBatch = batch;
    }
    this.#queued(message.length);
  }

  #queued(bytes: number): void {
    this.#queuedBytes += bytes;
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(this.#flushQueue);
    }
  }

  /**
   * Once 512 KiB are queued for this turn, a promise that resolves when the queue is handed to
   * the client (senders wait for it, so sockets and timers run in between); else undefined.
   */
  pace(): Promise<void> | undefined {
    if (this.#queuedBytes < PACE_BYTES) return undefined;
    return new Promise((r) => this.#turnWaiters.push(r)); // a flush is scheduled: something is queued
  }

  /** Unzeroed memory of its own (`Buffer.allocUnsafeSlow`) for a copy that overwrites all of it (NatsPort). */
  allocateUninitialized(length: number): Uint8Array {
    return Buffer.allocUnsafeSlow(length);
  }

  /** Hands what is queued to the client now, then drains the connection (used to close it). */
  async drain(): Promise<void> {
    this.#draining = true;
    this.#flushQueue();
    await this.nc.drain();
  }

  release(transport: NatsTransport): void {
    const token = transport.subject.slice(transport.subject.lastIndexOf('.') + 1);
    if (this.#ends.get(token) !== transport) return;
    this.#ends.delete(token);
    if (this.#ends.size === 0) this.#onEmpty?.();
  }

  /** Ends every session end with `error`. */
  failAll(error: unknown): void {
    for (const end of [...this.#ends.values()]) end.fail(error);
  }
}

const clientLinks = new Map<string, Promise<NatsLink>>();

/**
 * Opens the client end of a session to `subject` through the NATS servers `servers`
 * (`host:port`, one cluster). Sessions to the same servers share one connection, closed with
 * the last one.
 * @throws M2MError: Config (client package missing), Network (cannot connect), Aborted.
 */
export async function openNatsClient(servers: string[], subject: string, options: NatsTransportOptions & { signal?: AbortSignal } = {}): Promise<NatsTransport> {
  if (options.signal?.aborted) throw new M2MError('Aborted', { operation: 'connect' });
  const server = servers.join(',');
  let pending = clientLinks.get(server);
  if (!pending) {
    pending = natsConnect(servers, 'm2m-client').then((nc) => {
      const link: NatsLink = new NatsLink(nc, () => {
        if (clientLinks.get(server) === pending) clientLinks.delete(server);
        void link.drain().catch(() => undefined);
      });
      return link;
    });
    pending.catch(() => clientLinks.delete(server));
    clientLinks.set(server, pending);
  }
  const link = await pending;
  if (link.nc.isClosed() || link.draining) {
    if (clientLinks.get(server) === pending) clientLinks.delete(server);
    return openNatsClient(servers, subject, options);
  }
  return link.open(subject, false, options);
}
