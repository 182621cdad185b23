/**
 * `@m2m/server/node`: the server on a Node HTTP listener (`@hono/node-server`), with one log
 * line per request and a graceful close (stop accepting, let requests in flight finish within a
 * grace period, then drop what is left).
 * @module
 */
import { serve } from '@hono/node-server';
import { M2MError } from '@m2m/core';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ByteRuns, readBoundedBody } from '@m2m/session/internal';
import type { KeyPair } from '@m2m/crypto';
import { type Server as M2MServer } from '@m2m/session';
import { SharedKeyList } from '@m2m/session/nats';
import type { SharedRateLimitTarget } from './gateway/pool-rate-limit.js';
import { createServerApp, type ServerApp, type ServerAppOptions } from './app.js';
import { nodeHttpForwarder } from './gateway/forward-node.js';
import type { BodyAccount } from './gateway/body-budget.js';
import { peerForwarder, type PeerForwarder } from './gateway/peer-link.js';
import { listenForPeers } from './gateway/peer-listener.js';

/**
 * The gateway's request body read from node:http's IncomingMessage (`@hono/node-server` passes it
 * as `env.incoming`) without a web stream in between; counted as it arrives.
 * `account` (the server's body budget) counts every byte as it arrives.
 * @throws M2MError LimitExceeded past `max` (declared or read), ServerBusy when `account` refuses
 *   more bytes, Network when the client drops.
 */
export function readIncomingBody(request: Request, env: unknown, max: number, account?: BodyAccount): Promise<Uint8Array> {
  const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.readableEnded) {
    return readBoundedBody(request, max, 'requestBytes').then((b) => {
      account?.hold(b.length);
      return b;
    });
  }
  return new Promise((resolve, reject) => {
    const declared = Number(incoming.headers['content-length']);
    // Past the limit the rest is left unread: @hono/node-server drains a bounded amount after the
    // reply and then closes the connection.
    if (declared > max) {
      return reject(new M2MError('LimitExceeded', { limit: 'requestBytes', actual: declared, max }));
    }
    // Small reads copied together (ByteRuns): a trickled body costs its size, not a Buffer per read.
    const parts = new ByteRuns();
    const onData = (c: Buffer) => {
      const total = parts.bytes + c.length;
      if (total > max) {
        done();
        incoming.pause();
        reject(new M2MError('LimitExceeded', { limit: 'requestBytes', actual: total, max }));
        return;
      }
      try {
        account?.hold(c.length);
      } catch (e) {
        done();
        incoming.pause();
        reject(e);
        return;
      }
      parts.push(c);
    };
    const onEnd = () => {
      done();
      const b = parts.join();
      resolve(new Uint8Array(b.buffer, b.byteOffset, b.length));
    };
    const onClose = () => {
      done();
      reject(new M2MError('Network', { reason: 'client closed the connection while sending its body' }));
    };
    const done = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('close', onClose);
      incoming.off('error', onClose);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('close', onClose);
    incoming.on('error', onClose);
  });
}

/**
 * The gateway's "client went away" signal from node:http's response (`env.outgoing`): it fires
 * when the response closes before it finished, as @hono/node-server's own does, without making
 * @hono/node-server build a full undici Request the way reading `request.signal` does.
 */
export function outgoingSignal(request: Request, env: unknown): AbortSignal {
  const outgoing = (env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (!outgoing || typeof outgoing.once !== 'function') return request.signal;
  const controller = new AbortController();
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) controller.abort(new M2MError('Aborted', { operation: 'client went away' }));
  });
  return controller.signal;
}

/**
 * Joins the pool's key list: loads it and adds this gateway's own keys. When NATS does not answer,
 * says so and keeps trying every 5 s in the background (the gateway serves its own keys meanwhile).
 */
async function joinKeyList(list: SharedKeyList, own: readonly string[], warn: (line: string) => void): Promise<() => void> {
  const join = async () => {
    await list.start();
    for (const k of own) await list.add(k);
  };
  try {
    await join();
    return () => undefined;
  } catch (e) {
    warn(`shared API key list unavailable at start (${(e as Error)?.message ?? String(e)}); accepting this gateway's own keys until NATS answers`);
    const retry = setInterval(() => {
      join().then(
        () => {
          clearInterval(retry);
          warn('shared API key list joined through NATS');
        },
        () => undefined,
      );
    }, 5000);
    retry.unref();
    return () => clearInterval(retry);
  }
}

/** A pino-like logger (`info` and `error`, and `warn` when it has one). */
export interface RequestLogger {
  info(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
  /** Used when present (a shared rate limit lost or restored); `error` otherwise. */
  warn?(obj: Record<string, unknown>, msg?: string): void;
}

/** Options of {@link startServer}. */
export interface StartServerOptions extends ServerAppOptions {
  /** Port (default 3000, as the reference; 0 picks a free one). */
  port?: number;
  /** Address to bind (default 127.0.0.1, as the reference). */
  host?: string;
  /** One line per request goes here. */
  logger?: RequestLogger;
  /**
   * Accept peer gateways over encrypted M2M sessions (`--m2m-listen`) and forward their requests
   * to `upstream` (which must then be a URL).
   */
  m2mListen?: { host?: string; port?: number; staticKey: KeyPair; peerKeys: ReadonlyArray<Uint8Array | string> };
  /**
   * Share the API key list with a gateway pool through NATS JetStream key-value (`--api-key-nats`):
   * this gateway adds its own `apiKeys` to the list and accepts every key in it. While NATS is
   * unreachable, the last list seen (at start: only its own keys) stays in force, and the log says so.
   */
  apiKeysShared?: Omit<SharedRateLimitTarget, 'bucket'> & { /** Key-value bucket (default `m2m-keys`). */ bucket?: string };
  /** Forward `/v1` to a peer gateway instead of an HTTP upstream (`--m2m-upstream`, `--peer-key`). */
  m2mUpstream?: { address: string; staticKey: KeyPair; peerPublicKey: Uint8Array | string; maxSessions?: number };
}

/** A running server. */
export interface RunningServer extends ServerApp {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** The M2M listener for peer gateways, when `m2mListen` was given. */
  readonly peerListener?: M2MServer;
  /** The pool's shared API key list, when `apiKeysShared` was given. */
  readonly sharedApiKeys?: SharedKeyList;
  /** Stops accepting, waits up to `graceMs` (default 5 s) for requests in flight, then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts the server.
 * @throws M2MError: Config (bad options), Io (the port cannot be bound).
 * @example
 * ```ts
 * const server = await startServer({ port: 0, upstream: 'http://127.0.0.1:8080/v1' });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const port: unknown = options.port ?? 3000;
  // node:http would take 'abc' as a pipe name and report the URL as http://127.0.0.1:undefined.
  if (!(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65_535)) throw new M2MError('Config', { reason: `port must be an integer from 0 to 65535, got ${typeof port === 'string' ? JSON.stringify(port) : String(port)}` });
  const log = options.logger;
  const onRequest: ServerAppOptions['onRequest'] = (info) => {
    options.onRequest?.(info);
    // A 5xx is the server's or its upstream's failure: logged as an error, so a level filter finds it.
    if (log) (info.status >= 500 ? log.error : log.info).call(log, { ...info, ms: Math.round(info.ms * 100) / 100 }, 'request');
  };
  if (options.m2mUpstream && options.upstream !== undefined) throw new M2MError('Config', { reason: 'give either an upstream URL or an M2M upstream, not both' });
  if (options.m2mListen && typeof options.upstream !== 'string') throw new M2MError('Config', { reason: 'an M2M listener forwards to an upstream URL (--upstream)' });
  let peerLink: PeerForwarder | undefined;
  if (options.m2mUpstream) peerLink = peerForwarder({ ...options.m2mUpstream, ...(options.upstreamTimeoutMs ? { timeoutMs: options.upstreamTimeoutMs } : {}) });
  const warn = (line: string) => log && (log.warn ?? log.error).call(log, { pool: 'nats' }, line);
  let keyList: SharedKeyList | undefined;
  let stopJoining: (() => void) | undefined;
  if (options.apiKeysShared) {
    keyList = new SharedKeyList({ ...options.apiKeysShared, log: warn });
    stopJoining = await joinKeyList(keyList, options.apiKeys ?? [], warn);
  }
  // The shared rate limit says in the log when it loses NATS (and falls back to this instance's own limit) and when it is back.
  const shared = options.rateLimitShared && !options.rateLimitShared.log && log ? { rateLimitShared: { ...options.rateLimitShared, log: warn } } : {};
  const built = createServerApp({ forwarderFor: nodeHttpForwarder, readBody: readIncomingBody, requestSignal: outgoingSignal, ...options, ...shared, ...(keyList ? { apiKeySource: keyList } : {}), onRequest, ...(peerLink ? { upstream: peerLink } : {}) });
  // A shared limit opens its bucket now rather than on the first request (bounded, never fails the start).
  await built.rateLimiter?.ready?.();
  let peerListener: M2MServer | undefined;
  if (options.m2mListen) {
    const toUpstream = (options.forwarderFor ?? nodeHttpForwarder)({ baseUrl: options.upstream as string, ...(options.upstreamTimeoutMs ? { timeoutMs: options.upstreamTimeoutMs } : {}) });
    // Requests from a peer gateway carry no key of ours: this gateway's upstream key applies.
    const key = options.upstreamApiKey;
    const forward: typeof toUpstream = key ? (req, signal) => toUpstream({ ...req, headers: { ...req.headers, authorization: `Bearer ${key}` } }, signal) : toUpstream;
    peerListener = await listenForPeers({ ...options.m2mListen, forward, onError: (e) => log?.error({ err: (e as Error)?.message ?? String(e) }, 'peer exchange failed') });
  }
  const { app } = built;
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: port as number, hostname: host }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', (e) => reject(new M2MError('Io', { reason: `cannot listen on ${host}:${port as number}: ${e.message}` }, { cause: e })));
  }).catch(async (e: unknown) => {
    // Nothing started may outlive a failed start: NATS connections, the peer link and listener.
    stopJoining?.();
    await Promise.all([keyList?.close(), built.rateLimiter?.close?.().catch(() => undefined), peerLink?.close(), peerListener?.close('SERVER_SHUTDOWN')]);
    throw e;
  });
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  let closing: Promise<void> | undefined;
  return {
    ...built,
    url,
    port: bound,
    ...(peerListener ? { peerListener } : {}),
    ...(keyList ? { sharedApiKeys: keyList } : {}),
    close(graceMs = 5000) {
      closing ??= new Promise<void>((resolve) => {
        void peerLink?.close();
        void built.rateLimiter?.close?.().catch(() => undefined);
        stopJoining?.();
        void keyList?.close();
        void peerListener?.close('SERVER_SHUTDOWN');
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
export { listenForPeers, type PeerListenerOptions } from './gateway/peer-listener.js';
export { nodeHttpForwarder } from './gateway/forward-node.js';
