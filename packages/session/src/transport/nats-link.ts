/**
 * One NATS connection shared by many session ends: it loads `@nats-io/transport-node` on first
 * use (so nothing NATS is on the cold import path), subscribes once to
 * `_M2M.<connection token>.*`, and routes each message to the session end whose token it names.
 * Losing the connection ends every session on it (frames may have been lost in between, and
 * Noise's strict counters would fail later anyway).
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { NatsTransport, type NatsIncoming, type NatsPort, type NatsTransportOptions } from './nats-transport.js';
import { randomToken, sessionSubject, SESSION_PREFIX } from './nats-frames.js';

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

/** Connects to NATS with the optional client package, loaded on first use. */
export async function natsConnect(servers: string[], name: string): Promise<NatsConnectionLike> {
  let mod: { connect(options: object): Promise<unknown> };
  try {
    mod = (await import('@nats-io/transport-node')) as unknown as typeof mod;
  } catch (e) {
    throw new M2MError('Config', { reason: 'the nats transport needs the optional package @nats-io/transport-node (npm install @nats-io/transport-node)' }, { cause: e });
  }
  try {
    // maxReconnectAttempts -1: a listener keeps its queue subscription across broker restarts.
    return (await mod.connect({ servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 250 })) as NatsConnectionLike;
  } catch (e) {
    throw new M2MError('Network', { reason: `cannot connect to NATS ${servers.join(',')}: ${(e as Error).message}` }, { cause: e });
  }
}

/** A NATS connection carrying session ends. */
export class NatsLink implements NatsPort {
  readonly nc: NatsConnectionLike;
  readonly token = randomToken();
  readonly maxPayload: number;
  #ends = new Map<string, NatsTransport>();
  #onEmpty?: () => void;

  /** @param onEmpty called when the last session end released the link (clients close it). */
  constructor(nc: NatsConnectionLike, onEmpty?: () => void) {
    this.nc = nc;
    this.#onEmpty = onEmpty;
    this.maxPayload = nc.info?.max_payload ?? 1 << 20;
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

  publish(subject: string, data: Uint8Array, reply: string): void {
    this.nc.publish(subject, data, { reply });
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
        void nc.drain().catch(() => undefined);
      });
      return link;
    });
    pending.catch(() => clientLinks.delete(server));
    clientLinks.set(server, pending);
  }
  const link = await pending;
  if (link.nc.isClosed()) {
    if (clientLinks.get(server) === pending) clientLinks.delete(server);
    return openNatsClient(servers, subject, options);
  }
  return link.open(subject, false, options);
}
