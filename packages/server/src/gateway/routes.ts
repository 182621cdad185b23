/**
 * The OpenAI-compatible gateway (seed 000's proxy): `POST /v1/chat/completions` (plain and
 * `stream: true`), `GET /v1/models`, forwarded to a {@link Forwarder}. Checks run in this order,
 * each failing with seed 000's status and body: API key (401; a wrong one also counts against
 * the client address's rate, so guessing keys meets 429), rate limit (429), body size while
 * reading (413), JSON (400), security scan in blocking mode (422); then upstream failures (502,
 * 504). The upstream response streams through; the client's disconnect aborts the upstream
 * request.
 * @module
 */
import { isSdkError, M2MError } from '@m2m/core';
import { concatBytes, utf8DecodeStrict } from '@m2m/core/internal';
import { readBoundedBody } from '@m2m/session/internal';
import type { Hono } from 'hono';
import type { Scanner } from '../scan.js';
import type { ApiKeys } from './auth.js';
import { gatewayErrorResponse } from './errors.js';
import { responseBody, type Forwarder, type UpstreamRequest } from './forward.js';
import type { RequestLimiter } from './rate-limit.js';
import { wholeBody } from './body-stream.js';
import { guardSse } from './sse-guard.js';
import type { BodyAccount, BodyBudget } from './body-budget.js';

/** Options of {@link gatewayRoutes}. */
export interface GatewayRoutesOptions {
  /** Sends an accepted request upstream (to the provider, or to a peer gateway) and returns its response. */
  forward: Forwarder;
  /** Keys clients must present; none = open gateway. */
  apiKeys?: ApiKeys;
  /**
   * Per-key rate limit (without keys: per client address where the runtime gives it): a local
   * `RateLimiter` (checked synchronously) or one shared by a pool (`PoolRateLimiter`, awaited).
   */
  rateLimit?: RequestLimiter;
  /** Largest request body (default 10 MiB). */
  maxBodyBytes?: number;
  /** Scan requests and block threats (`undefined`: no scan). */
  scanner?: Scanner;
  /** Blocking threshold (default 0.8). */
  threshold?: number;
  /**
   * Key sent upstream as `Authorization: Bearer …`. Without it, the client's own Authorization
   * is passed through when the gateway checks no keys of its own; otherwise none is sent.
   */
  upstreamApiKey?: string;
  /**
   * Reads a request body up to `max` bytes (throws LimitExceeded past it). Default: the web
   * Request's body; on Node `startServer` reads the socket's stream directly, which is cheaper.
   * A runtime that gives this also disposes of bodies left unread (a request refused early).
   */
  readBody?: (request: Request, env: unknown, max: number, account?: BodyAccount) => Promise<Uint8Array>;
  /** The server's budget for request bodies held at once; a request past it fails with SERVER_BUSY (503). */
  bodyBudget?: BodyBudget;
  /**
   * The signal that fires when the client goes away. Default: `request.signal`; on Node
   * `startServer` derives it from the response socket, because reading `request.signal` makes
   * @hono/node-server build a full undici Request (and a body stream) for every request.
   */
  requestSignal?: (request: Request, env: unknown) => AbortSignal;
  /**
   * Called after each request with what a log line needs: a failed one carries the error's
   * message and, for an SDK error, its `code` (what `m2m errors explain` and docs/ERRORS.md take);
   * `upstream: true` marks a status the upstream answered and the gateway passed on (a 401 there
   * is the upstream refusing the gateway's key, not the gateway refusing the client's).
   */
  onRequest?: (info: { method: string; path: string; status: number; ms: number; stream: boolean; error?: string; code?: string; upstream?: true }) => void;
}

/** Response headers passed back from upstream. */
const PASS_HEADERS = ['content-type', 'cache-control', 'x-request-id', 'openai-processing-ms', 'openai-model', 'retry-after'];

/** Largest non-streaming upstream body sent in one piece. */
const SMALL_BODY = 1024 * 1024;

/**
 * Reads `body` whole when it ends within `limit` bytes; otherwise returns a stream of what was
 * read followed by the rest (so at most `limit` bytes are ever held).
 */
export async function collectSmall(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array | ReadableStream<Uint8Array>> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return parts.length === 1 ? parts[0]! : concatBytes(...parts);
    parts.push(value);
    total += value.length;
    if (total > limit) break;
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const head = parts.shift();
      if (head) return controller.enqueue(head);
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (e) {
        controller.error(e);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** The client's address when the runtime tells it (`@hono/node-server` passes node's request as `env.incoming`). */
function clientAddress(env: unknown): string | undefined {
  const socket = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket;
  return socket?.remoteAddress;
}

/**
 * A POST that a page of another origin can make a browser send without a preflight: an `Origin`
 * that is not the gateway's own, with a CORS-safelisted content type (text/plain, a form, or
 * none). The page cannot read the answer, but the request was forwarded with the operator's
 * upstream key (test/attack-gateway-cross-site.test.ts). Clients send no `Origin`; browsers
 * preflight `application/json`, which the gateway does not answer.
 */
function simpleCrossOrigin(raw: Request): boolean {
  const origin = raw.headers.get('origin');
  if (origin === null) return false;
  const host = raw.headers.get('host');
  if (host !== null && (origin === `http://${host}` || origin === `https://${host}`)) return false;
  const type = (raw.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return type === '' || type === 'text/plain' || type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
}

/** Mounts `/v1/*` on `app`. */
export function gatewayRoutes(app: Hono, o: GatewayRoutesOptions): void {
  const maxBody = o.maxBodyBytes ?? 10 * 1024 * 1024;

  const readBody =
    o.readBody ??
    (async (raw: Request, _env: unknown, max: number, account?: BodyAccount) => {
      const bytes = await readBoundedBody(raw, max, 'requestBytes');
      account?.hold(bytes.length);
      return bytes;
    });

  const handle = async (raw: Request, env: unknown, path: string): Promise<Response> => {
    const started = performance.now();
    let stream = false;
    // The body counts against the server's budget until the request is answered (it is held while the upstream is asked).
    const account = raw.method === 'POST' ? o.bodyBudget?.account() : undefined;
    const done = (status: number, error?: unknown, upstream?: true) =>
      o.onRequest?.({ method: raw.method, path: `/v1${path}`, status, ms: performance.now() - started, stream, ...(error ? { error: (error as Error).message, ...(isSdkError(error) ? { code: error.code } : {}) } : {}), ...(upstream ? { upstream } : {}) });
    try {
      if (raw.method === 'POST' && simpleCrossOrigin(raw)) throw new M2MError('InvalidRequest', { reason: 'cross-origin request without a preflight (send content-type: application/json)' });
      let key: string | undefined;
      if (o.apiKeys?.required) {
        try {
          key = o.apiKeys.check(raw.headers);
        } catch (e) {
          // A wrong key costs the address's rate: guessing keys is rate limited too (429 once spent).
          const limited = o.rateLimit?.take(`addr:${clientAddress(env) ?? 'unknown'}`);
          if (limited) await limited;
          throw e;
        }
      }
      const limited = o.rateLimit?.take(key ?? `addr:${clientAddress(env) ?? 'unknown'}`);
      if (limited) await limited;
      const headers: Record<string, string> = { accept: raw.headers.get('accept') ?? 'application/json' };
      if (o.upstreamApiKey) headers.authorization = `Bearer ${o.upstreamApiKey}`;
      else if (!o.apiKeys?.required && raw.headers.get('authorization')) headers.authorization = raw.headers.get('authorization')!;
      // Only POST and GET reach here, and HEAD (Hono answers it with the GET route): asked as GET.
      const request: UpstreamRequest = { method: raw.method === 'POST' ? 'POST' : 'GET', path, headers };
      if (request.method === 'POST') {
        const bytes = await readBody(raw, env, maxBody, account);
        const text = utf8DecodeStrict(bytes);
        let json: unknown;
        try {
          if (text === undefined) throw new Error('body is not UTF-8');
          json = JSON.parse(text);
        } catch (e) {
          throw new M2MError('InvalidRequest', { reason: `body is not JSON: ${(e as Error).message}` });
        }
        if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new M2MError('InvalidRequest', { reason: 'body must be a JSON object' });
        stream = (json as { stream?: unknown }).stream === true;
        if (o.scanner) {
          // The whole request: message text, content parts and tool calls (the scanner knows the chat shape).
          const verdict = o.scanner(json as Parameters<Scanner>[0], { threshold: o.threshold ?? 0.8 });
          if (verdict.shouldBlock) {
            const top = [...verdict.threats].sort((a, b) => b.severity - a.severity)[0];
            throw new M2MError('SecurityViolation', { threatType: top?.threatType ?? 'PROMPT_INJECTION', confidence: verdict.confidence });
          }
        }
        headers['content-type'] = 'application/json';
        request.body = bytes;
      }
      const res = await o.forward(request, o.requestSignal ? o.requestSignal(raw, env) : raw.signal);
      const resBody = responseBody(res);
      if (res.status >= 500) {
        if (resBody instanceof ReadableStream) await resBody.cancel().catch(() => undefined);
        throw new M2MError('Upstream', { reason: `upstream answered ${res.status}` });
      }
      const out = new Headers();
      for (const h of PASS_HEADERS) {
        const v = res.headers.get(h);
        if (v !== null) out.set(h, v);
      }
      const isSse = (res.headers.get('content-type') ?? '').includes('text/event-stream');
      if (!resBody) {
        done(res.status, undefined, true);
        return new Response(null, { status: res.status, headers: out });
      }
      if (isSse && resBody instanceof ReadableStream) {
        out.set('cache-control', 'no-cache');
        // An answer that already arrived whole goes out in one write; anything else streams.
        const whole = wholeBody(resBody);
        if (whole) {
          done(res.status, undefined, true);
          return new Response(whole as Uint8Array<ArrayBuffer>, { status: res.status, headers: out });
        }
        return new Response(
          guardSse(resBody, (e) => done(res.status, e, true)),
          { status: res.status, headers: out },
        );
      }
      // Small JSON bodies go out in one write (streaming them through costs milliseconds);
      // past 1 MiB the rest streams, so nothing is held beyond that.
      const body = resBody instanceof ReadableStream ? await collectSmall(resBody, SMALL_BODY) : resBody;
      done(res.status, undefined, true);
      return new Response(body as Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>, { status: res.status, headers: out });
    } catch (e) {
      // A runtime that reads bodies itself (readBody) also disposes of unread ones.
      if (!o.readBody) await raw.body?.cancel().catch(() => undefined);
      const reply = gatewayErrorResponse(e);
      done(reply.status, e);
      return reply;
    } finally {
      account?.release();
    }
  };

  app.post('/v1/chat/completions', (c) => handle(c.req.raw, c.env, '/chat/completions'));
  app.get('/v1/models', (c) => handle(c.req.raw, c.env, '/models'));
  app.all('/v1/*', (c) => {
    const e = new M2MError('RouteNotFound', { method: c.req.method, path: c.req.path });
    o.onRequest?.({ method: c.req.method, path: c.req.path, status: 404, ms: 0, stream: false, error: e.message, code: e.code });
    return gatewayErrorResponse(e);
  });
}
