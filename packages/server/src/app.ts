/**
 * The server as one Hono app on web-standard Request/Response (so it runs on Node through
 * `@hono/node-server`, and on edge runtimes as `app.fetch`): the reference's API and, when an
 * upstream is configured, the OpenAI-compatible gateway under `/v1`.
 * @module
 */
import { M2MError } from '@m2m/core';
import { defaultCapabilities, type Capabilities } from '@m2m/session';
import { Hono, type MiddlewareHandler } from 'hono';
import { ApiKeys, type ApiKeySource } from './gateway/auth.js';
import { httpForwarder, type Forwarder, type HttpForwarderOptions } from './gateway/forward.js';
import { PoolRateLimiter, type SharedRateLimitTarget } from './gateway/pool-rate-limit.js';
import { RateLimiter, type RequestLimiter } from './gateway/rate-limit.js';
import { gatewayRoutes, type GatewayRoutesOptions } from './gateway/routes.js';
import { gatewayErrorBody } from './gateway/errors.js';
import { BodyBudget } from './gateway/body-budget.js';
import { referenceRoutes } from './reference/routes.js';
import { SessionTable } from './reference/session-table.js';
import { defaultScan, type Scanner } from './scan.js';

/** The reference's route paths (reference/routes.ts), for the log middleware. */
const REFERENCE_PATHS = ['/health', '/status', '/compress', '/compress/auto', '/decompress', '/scan', '/session', '/session/*', '/message'];

/** This package's version, reported by `/health` and `/status`. */
export const SERVER_VERSION = '0.1.0';

/** Options of {@link createServerApp}. */
export interface ServerAppOptions {
  /** Security scan on (default true; `--no-security` turns it off). */
  security?: boolean;
  /** Blocking mode (default false): gateway requests and DATA the scan blocks are refused. */
  blocking?: boolean;
  /** Blocking threshold, 0–1 (default 0.8). */
  threshold?: number;
  /** The scanner (default: `@m2m/core`'s `scan` in the reference's shape). */
  scanner?: Scanner;
  /** Largest request body in bytes (default 10 MiB). */
  maxBodyBytes?: number;
  /**
   * Request bodies held at once, in bytes, beyond 64 KiB each (default 64 MiB): past it a request
   * fails with SERVER_BUSY (503, `Retry-After`), so that many slow big bodies cannot hold
   * connections × `maxBodyBytes`.
   */
  maxBufferedBodyBytes?: number;
  /** HTTP sessions held at once (default 10,000). */
  maxSessions?: number;
  /** Idle timeout of HTTP sessions (default 300 s). */
  sessionIdleMs?: number;
  /** Server capabilities (default: all algorithms, agent type `m2m-server`). */
  capabilities?: Capabilities;
  /** OpenAI-compatible upstream base URL (with its `/v1`), or a forwarder (a peer gateway link). */
  upstream?: string | Forwarder;
  /** Upstream silence limit in ms (default 60 s). */
  upstreamTimeoutMs?: number;
  /** Gateway API keys (none, and no `apiKeySource` = open). */
  apiKeys?: readonly string[];
  /**
   * Keys accepted besides `apiKeys`, e.g. a gateway pool's list shared through NATS
   * (`startServer`'s `apiKeysShared`); with a source, requests need a key even while it is empty.
   */
  apiKeySource?: ApiKeySource;
  /** Requests per second per API key. */
  rateLimitPerSecond?: number;
  /**
   * Share `rateLimitPerSecond` with the other gateways of a pool through NATS JetStream
   * key-value, so that the limit holds across them all (Node only; needs the optional packages
   * `@nats-io/transport-node` and `@nats-io/kv`). Without NATS reachable, each gateway applies
   * the limit alone and says so once through `log`.
   */
  rateLimitShared?: SharedRateLimitTarget & {
    /** Where "shared limit lost / restored" lines go. */
    log?: (line: string) => void;
    /** Time source (tests). */
    now?: () => number;
  };
  /** A rate limiter of your own; replaces `rateLimitPerSecond` and `rateLimitShared`. */
  rateLimiter?: RequestLimiter;
  /** Key sent upstream instead of passing the client's through. */
  upstreamApiKey?: string;
  /** Makes the forwarder for an upstream URL (default: `fetch`; `startServer` passes the node:http one). */
  forwarderFor?: (options: HttpForwarderOptions) => Forwarder;
  /** Request body reader of the gateway (see {@link GatewayRoutesOptions.readBody}). */
  readBody?: GatewayRoutesOptions['readBody'];
  /** The gateway's client-went-away signal (see {@link GatewayRoutesOptions.requestSignal}). */
  requestSignal?: GatewayRoutesOptions['requestSignal'];
  /** Per-request callback for logs. */
  onRequest?: GatewayRoutesOptions['onRequest'];
}

/** The app and the state behind it. */
export interface ServerApp {
  /** The Hono app with every route; serve it with any Hono adapter. */
  app: Hono;
  /** The session table of the reference's HTTP `/session` and `/message` routes. */
  sessions: SessionTable;
  /** The gateway's rate limiter, when one is configured (close it with the server: a shared one holds a NATS connection). */
  rateLimiter?: RequestLimiter;
}

/**
 * Builds the server app.
 * @throws M2MError Config for an invalid upstream URL, rate or key.
 * @example
 * ```ts
 * const { app } = createServerApp({ upstream: 'http://127.0.0.1:8080/v1', apiKeys: ['k1'] });
 * const res = await app.fetch(new Request('http://gw/health'));
 * ```
 */
export function createServerApp(options: ServerAppOptions = {}): ServerApp {
  const security = options.security ?? true;
  const blocking = options.blocking ?? false;
  const threshold = options.threshold ?? 0.8;
  const scanner = security ? (options.scanner ?? defaultScan) : undefined;
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const capabilities = options.capabilities ?? serverCapabilities({ security, blocking, threshold });
  const sessions = new SessionTable({ capabilities, ...(options.maxSessions ? { maxSessions: options.maxSessions } : {}), ...(options.sessionIdleMs ? { idleTimeoutMs: options.sessionIdleMs } : {}) });
  const bodyBudget = new BodyBudget(options.maxBufferedBodyBytes);
  const app = new Hono();
  const onRequest = options.onRequest;
  if (onRequest) {
    // The reference's routes are logged here, each path by name so that /v1 requests skip this
    // middleware (one handler fewer on the gateway's path); /v1 routes log themselves (a stream
    // when it ends), unknown paths in notFound below.
    const log: MiddlewareHandler = async (c, next) => {
      const t0 = performance.now();
      await next();
      onRequest({ method: c.req.method, path: c.req.path, status: c.res.status, ms: performance.now() - t0, stream: false });
    };
    for (const path of REFERENCE_PATHS) app.use(path, log);
  }
  referenceRoutes(app, { table: sessions, scanner, threshold, blocking, maxBodyBytes, version: SERVER_VERSION, bodyBudget, ...(options.readBody ? { readBody: options.readBody } : {}) });
  let rateLimiter: RequestLimiter | undefined;
  if (options.upstream !== undefined) {
    rateLimiter = options.rateLimiter ?? gatewayRateLimiter(options);
    const forward = typeof options.upstream === 'string' ? (options.forwarderFor ?? httpForwarder)({ baseUrl: options.upstream, ...(options.upstreamTimeoutMs ? { timeoutMs: options.upstreamTimeoutMs } : {}) }) : options.upstream;
    gatewayRoutes(app, {
      forward,
      maxBodyBytes,
      bodyBudget,
      threshold,
      ...(options.apiKeys?.length || options.apiKeySource ? { apiKeys: new ApiKeys(options.apiKeys ?? [], options.apiKeySource) } : {}),
      ...(rateLimiter ? { rateLimit: rateLimiter } : {}),
      ...(scanner && blocking ? { scanner } : {}),
      ...(options.upstreamApiKey ? { upstreamApiKey: options.upstreamApiKey } : {}),
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      ...(options.readBody ? { readBody: options.readBody } : {}),
      ...(options.requestSignal ? { requestSignal: options.requestSignal } : {}),
    });
  }
  const gatewayOff = options.upstream === undefined;
  const gatewayOffReason = 'the gateway is off: this server was started without an upstream (upstream option, m2m server --upstream URL)';
  app.notFound((c) => {
    onRequest?.({ method: c.req.method, path: c.req.path, status: 404, ms: 0, stream: false });
    // An OpenAI client pointed at a server without an upstream learns why from the body; other
    // unknown paths answer the reference's empty 404.
    if (gatewayOff && c.req.path.startsWith('/v1/')) {
      // Seed 000's body with the catalog's code; the public view would hide the reason, which is no secret here.
      const { body } = gatewayErrorBody(new M2MError('Config', { reason: gatewayOffReason }));
      body.error.message = `Configuration error: ${gatewayOffReason}`;
      return new Response(JSON.stringify(body), { status: 404, headers: { 'content-type': 'application/json' } });
    }
    return new Response(null, { status: 404 });
  });
  return { app, sessions, ...(rateLimiter ? { rateLimiter } : {}) };
}

/**
 * The limiter for `rateLimitPerSecond`: local, or shared through NATS with `rateLimitShared`.
 * @throws M2MError Config for a bad rate, or `rateLimitShared` without a rate.
 */
function gatewayRateLimiter(options: ServerAppOptions): RequestLimiter | undefined {
  const perSecond = options.rateLimitPerSecond;
  const shared = options.rateLimitShared;
  if (shared && !perSecond) throw new M2MError('Config', { reason: 'a shared rate limit needs a rate (rateLimitPerSecond, --rate-limit N/s)' });
  if (!perSecond) return undefined;
  return shared ? new PoolRateLimiter({ perSecond, ...shared }) : new RateLimiter({ perSecond });
}

/** The server's capabilities for its security settings. */
export function serverCapabilities(s: { security: boolean; blocking: boolean; threshold: number }): Capabilities {
  const caps = defaultCapabilities({ agentType: 'm2m-server' });
  caps.security = { threatDetection: s.security, modelVersion: s.security ? SERVER_VERSION : null, blockingMode: s.blocking, blockThreshold: s.threshold };
  return caps;
}
