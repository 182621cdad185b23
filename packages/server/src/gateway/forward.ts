/**
 * Where the gateway sends a request: an OpenAI-compatible HTTP upstream ({@link httpForwarder})
 * or a peer gateway over an encrypted M2M session (`peer-link.ts`). Both take the request and the
 * client's AbortSignal and resolve with a web `Response` whose body streams.
 * @module
 */
import { M2MError, isM2MError } from '@m2m/core';
import { sourcedBody, type BodySink } from './body-stream.js';

/** A request on its way upstream. */
export interface UpstreamRequest {
  /** HTTP method of the client's request. */
  method: 'GET' | 'POST';
  /** The path after `/v1` (`/chat/completions`, `/models`). */
  path: string;
  /** Headers to send (lower-case names). */
  headers: Record<string, string>;
  /** The body exactly as the client sent it. */
  body?: Uint8Array;
}

/**
 * Sends a request upstream.
 * @throws M2MError: UpstreamTimeout (no answer in time), Upstream (unreachable), Aborted (the signal fired).
 */
export type Forwarder = (request: UpstreamRequest, signal: AbortSignal) => Promise<Response>;

/** Bodies of forwarders' responses (see {@link forwardedResponse}). */
const forwardedBodies = new WeakMap<Response, Uint8Array | ReadableStream<Uint8Array> | null>();

/**
 * A forwarder's response whose body the gateway reads through {@link responseBody}: a
 * `Uint8Array` is a small body already in memory (sent in one write), a stream streams.
 */
export function forwardedResponse(body: Uint8Array | ReadableStream<Uint8Array> | null, init: ResponseInit): Response {
  const response = new Response(body as Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null, init);
  forwardedBodies.set(response, body);
  return response;
}

/**
 * The body of a forwarder's response. For one made by {@link forwardedResponse} this is the body
 * as given, without touching `Response.body`: on Node, @hono/node-server's lightweight Response
 * builds a full undici Response (and a stream around in-memory bytes) the first time `.body` is read.
 */
export function responseBody(response: Response): Uint8Array | ReadableStream<Uint8Array> | null {
  return forwardedBodies.has(response) ? forwardedBodies.get(response)! : response.body;
}

/** Options of {@link httpForwarder}. */
export interface HttpForwarderOptions {
  /** Base URL including its version prefix, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /** Longest silence from upstream: before its headers, and between two body chunks (default 60 s). */
  timeoutMs?: number;
}

/**
 * A body that fails with UpstreamTimeout when `source` is silent for `idleMs`, and cancels it when
 * the reader goes away. `abort` is called to stop the underlying request; `onDone` once when the
 * body ends either way. One stream layer: the SSE guard installs itself on it (`body-stream.ts`).
 */
export function idleGuardedBody(source: ReadableStream<Uint8Array>, idleMs: number, abort: (reason: M2MError) => void, onDone?: () => void): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let finished = false;
  let sink: BodySink | undefined;
  // One timer for the whole body, re-armed only when it fires: a chunk costs a clock read, not a
  // timer and a promise. Silence counts only while a read is waiting (a slow client is no timeout).
  let waitingSince: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finish = () => {
    clearTimeout(timer);
    if (!finished) {
      finished = true;
      onDone?.();
    }
  };
  const check = () => {
    const silent = waitingSince === undefined ? 0 : Date.now() - waitingSince;
    if (silent < idleMs) {
      timer = setTimeout(check, idleMs - silent);
      return;
    }
    const timeout = new M2MError('UpstreamTimeout', { ms: idleMs });
    abort(timeout);
    finish();
    reader.cancel(timeout).catch(() => undefined);
    sink?.fail(timeout);
  };
  return sourcedBody({
    async pull(s) {
      sink = s;
      waitingSince = Date.now();
      timer ??= setTimeout(check, idleMs);
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        finish();
        reader.cancel(e).catch(() => undefined);
        throw isM2MError(e) ? e : new M2MError('Upstream', { reason: `upstream stream broke: ${(e as Error)?.message ?? String(e)}` }, { cause: e });
      } finally {
        waitingSince = undefined;
      }
      if (finished) return; // timed out meanwhile
      if (r.done) {
        finish();
        s.close();
      } else s.push(r.value);
    },
    cancel(reason) {
      finish();
      abort(new M2MError('Aborted', { operation: 'client went away' }));
      return reader.cancel(reason).catch(() => undefined);
    },
  });
}

/**
 * The upstream's base URL, checked (both forwarders use it).
 * @throws M2MError: Config for a base URL that is not http(s).
 */
export function upstreamBaseUrl(baseUrl: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch (e) {
    throw new M2MError('Config', { reason: `upstream is not a URL: ${baseUrl}` }, { cause: e });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new M2MError('Config', { reason: `upstream must be http(s): ${baseUrl}` });
  return base;
}

/**
 * Forwards to an HTTP upstream with `fetch`. The client's signal and the timeout both abort the
 * upstream request.
 * @throws M2MError: Config for a base URL that is not http(s).
 */
export function httpForwarder(options: HttpForwarderOptions): Forwarder {
  upstreamBaseUrl(options.baseUrl);
  const prefix = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 60_000;
  return async (request, signal) => {
    const ctl = new AbortController();
    const stop = (reason: M2MError) => {
      if (!ctl.signal.aborted) ctl.abort(reason);
    };
    const onClientAbort = () => stop(new M2MError('Aborted', { operation: 'client went away' }));
    if (signal.aborted) onClientAbort();
    signal.addEventListener('abort', onClientAbort, { once: true });
    const timer = setTimeout(() => stop(new M2MError('UpstreamTimeout', { ms: timeoutMs })), timeoutMs);
    let res: Response;
    try {
      res = await fetch(prefix + request.path, {
        method: request.method,
        headers: request.headers,
        body: request.body as Uint8Array<ArrayBuffer> | undefined,
        signal: ctl.signal,
      });
    } catch (e) {
      signal.removeEventListener('abort', onClientAbort);
      const reason: unknown = ctl.signal.reason;
      if (isM2MError(reason)) throw reason;
      throw new M2MError('Upstream', { reason: `upstream unreachable: ${(e as Error)?.message ?? String(e)}` }, { cause: e });
    } finally {
      clearTimeout(timer);
    }
    if (!res.body) {
      signal.removeEventListener('abort', onClientAbort);
      return res;
    }
    const body = idleGuardedBody(res.body, timeoutMs, stop, () => signal.removeEventListener('abort', onClientAbort));
    return forwardedResponse(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
