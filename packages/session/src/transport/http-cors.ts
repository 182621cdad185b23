/**
 * Cross-origin access to the HTTP adapter (`listen({ transport: 'http', allowOrigins })`): which
 * page origins a browser may let call `/message`, and the CORS headers that say so. Off unless
 * the server names origins: a browser then keeps pages of other origins out (same origin only).
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { CONNECTION_HEADER, SEQUENCE_HEADER } from './http-frames.js';

/** Methods of the adapter (transport/http-server.ts): POST sends, GET long-polls, DELETE ends. */
const METHODS = 'GET, POST, DELETE';
/**
 * Request headers our client sets (transport/http-client.ts): `content-type`
 * (`application/octet-stream` and `application/x-m2m-frames` are not CORS-safelisted, so every
 * POST is preflighted), `accept`, and the connection id.
 */
const REQUEST_HEADERS = `content-type, accept, ${CONNECTION_HEADER}`;
/** Response headers the client reads besides the safelisted `content-type`. */
const EXPOSED_HEADERS = `${CONNECTION_HEADER}, ${SEQUENCE_HEADER}`;
/** How long a browser may reuse a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = '600';

/** The origins a server lets call it cross-origin: every one (`'*'`), or these. */
export type AllowOrigins = '*' | readonly string[];

/** Answers to cross-origin requests, from a checked {@link AllowOrigins}. */
export interface CorsPolicy {
  /**
   * Headers for a response to a request from `origin` (its `Origin` header): the allow and
   * expose headers when the origin is allowed, else none (the browser then keeps the response
   * from the page).
   */
  responseHeaders(origin: string | undefined): Record<string, string> | undefined;
  /** Headers for a preflight (`OPTIONS`) from `origin`, or undefined when the origin is not allowed. */
  preflightHeaders(origin: string | undefined): Record<string, string> | undefined;
  /**
   * Whether a request may be processed: no `Origin` (a non-browser client), an allowed origin,
   * or the server's own origin (`http(s)://` + the request's `Host`; browsers send `Origin` on
   * same-origin POSTs too). Others get 403 unprocessed: a page of another origin can send a
   * simple `text/plain` POST without a preflight, and it must not open connections.
   */
  admits(origin: string | undefined, host: string | undefined): boolean;
}

/**
 * Checks an `allowOrigins` option: `'*'`, or a list of origins written as a browser sends them
 * (`scheme://host[:port]`, no path, no trailing slash, http or https).
 * @throws M2MError of kind Config (CONFIG_ERROR) for anything else.
 */
export function checkAllowOrigins(value: unknown): asserts value is AllowOrigins {
  if (value === '*') return;
  if (!Array.isArray(value)) throw new M2MError('Config', { reason: `listen: allowOrigins must be '*' or a list of origins, got ${describe(value)}` });
  for (const origin of value as unknown[]) {
    if (typeof origin !== 'string' || !isOrigin(origin)) {
      throw new M2MError('Config', { reason: `listen: allowOrigins entries must be origins like "https://app.example.com" (scheme, host, port; no path or trailing slash), got ${describe(origin)}` });
    }
  }
}

/** True for `http(s)://host[:port]` exactly as URL serializes its origin (what a browser sends). */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'an array' : String(value);
}

/** The policy of a checked `allowOrigins` (see {@link checkAllowOrigins}). */
export function corsPolicy(allowOrigins: AllowOrigins): CorsPolicy {
  const any = allowOrigins === '*';
  const listed = new Set(any ? [] : allowOrigins);
  const allowed = (origin: string | undefined): string | undefined => {
    if (origin === undefined) return undefined;
    if (any) return '*';
    return listed.has(origin) ? origin : undefined;
  };
  // With a list, the answer depends on the Origin header: caches must key on it.
  const vary: Record<string, string> = any ? {} : { vary: 'Origin' };
  return {
    responseHeaders(origin) {
      const allow = allowed(origin);
      if (!allow) return any ? undefined : vary;
      return { ...vary, 'access-control-allow-origin': allow, 'access-control-expose-headers': EXPOSED_HEADERS };
    },
    admits(origin, host) {
      if (origin === undefined || allowed(origin) !== undefined) return true;
      return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
    },
    preflightHeaders(origin) {
      const allow = allowed(origin);
      if (!allow) return undefined;
      return {
        ...vary,
        'access-control-allow-origin': allow,
        'access-control-allow-methods': METHODS,
        'access-control-allow-headers': REQUEST_HEADERS,
        'access-control-max-age': PREFLIGHT_MAX_AGE_S,
      };
    },
  };
}
