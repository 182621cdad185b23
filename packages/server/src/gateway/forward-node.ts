/**
 * The Node forwarder: the same contract as {@link httpForwarder} (timeout before the headers and
 * between body chunks, the client's AbortSignal aborts the request), on node:http / node:https
 * with keep-alive agents instead of `fetch`, which costs several times more CPU per request
 * (bench/gateway.ts). `startServer` uses it; edge runtimes use `httpForwarder`.
 * @module
 */
import { M2MError, isM2MError } from '@m2m/core';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { sourcedBody } from './body-stream.js';
import { forwardedResponse, upstreamBaseUrl, type Forwarder, type HttpForwarderOptions } from './forward.js';

/** Non-streaming bodies up to this size are read here and handed over whole (past it they stream). */
const SMALL_BODY = 1024 * 1024;

/** Response headers that describe the connection, not the content: not passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/**
 * Forwards with node:http(s).
 * @throws M2MError: Config for a base URL that is not http(s).
 */
export function nodeHttpForwarder(options: HttpForwarderOptions): Forwarder {
  const base = upstreamBaseUrl(options.baseUrl);
  const https = base.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 512 }) : new HttpAgent({ keepAlive: true, maxSockets: 512 });
  const send = https ? httpsRequest : httpRequest;
  const prefix = base.pathname.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 60_000;

  return (request, signal) =>
    new Promise<Response>((resolve, reject) => {
      let failure: M2MError | undefined;
      let responded = false;
      const headers: Record<string, string> = { ...request.headers };
      if (request.body) headers['content-length'] = String(request.body.length);
      const req = send({ protocol: base.protocol, hostname: base.hostname.replace(/^\[|\]$/g, ''), port: base.port || (https ? 443 : 80), method: request.method, path: prefix + request.path, headers, agent });
      const stop = (e: M2MError) => {
        failure ??= e;
        req.destroy(e);
      };
      const onAbort = () => stop(new M2MError('Aborted', { operation: 'client went away' }));
      const cleanup = () => signal.removeEventListener('abort', onAbort);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      // The socket's idle timer: silence before the headers or between two chunks.
      req.setTimeout(timeoutMs, () => stop(new M2MError('UpstreamTimeout', { ms: timeoutMs })));
      req.on('error', (e) => {
        cleanup();
        if (responded) return;
        if (isM2MError(failure)) reject(failure);
        else reject(new M2MError('Upstream', { reason: `upstream unreachable: ${e.message}` }, { cause: e }));
      });
      // A 101 to a plain request: node:http hands over the socket here and never emits
      // 'response' (nor times out); without this the client's request hung for ever.
      // (req emits no 'error' after it, so the answer is given here).
      req.on('upgrade', (_res: IncomingMessage, socket: { destroy(): void }) => {
        socket.destroy();
        cleanup();
        reject(new M2MError('Upstream', { reason: 'upstream switched protocols (101) on a plain request' }));
      });
      req.on('response', (res: IncomingMessage) => {
        responded = true;
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out.set(k, Array.isArray(v) ? v.join(', ') : v);
        const status = res.statusCode ?? 502;
        res.on('error', () => undefined); // reported through 'close'
        // The body as one stream, fed by the response's events (after `head`, what was read
        // already); the SSE guard installs itself on it (body-stream.ts).
        const streamed = (head: Buffer[]) => {
          const body = sourcedBody(
            {
              start(sink) {
                for (const c of head) sink.push(new Uint8Array(c.buffer, c.byteOffset, c.length));
                res.on('data', (chunk: Buffer) => {
                  if (!sink.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))) res.pause();
                });
                res.on('end', () => {
                  cleanup();
                  sink.close();
                });
                res.on('close', () => {
                  cleanup();
                  // Before 'end': the upstream broke or we stopped it.
                  if (!res.complete) sink.fail(failure ?? new M2MError('Upstream', { reason: 'upstream stream broke' }));
                });
              },
              pull() {
                res.resume();
              },
              cancel() {
                stop(new M2MError('Aborted', { operation: 'client went away' }));
              },
            },
            16,
          );
          resolve(forwardedResponse(body, { status, headers: out }));
        };
        const declared = Number(res.headers['content-length']);
        if (String(res.headers['content-type'] ?? '').includes('text/event-stream') || declared > SMALL_BODY) return streamed([]);
        // Any other body (a JSON answer, with a length or chunked) is read here and handed over
        // whole; past SMALL_BODY what was read and the rest stream instead.
        const parts: Buffer[] = [];
        let total = 0;
        const detach = () => {
          res.off('data', onData);
          res.off('end', onEnd);
          res.off('close', onClose);
        };
        const onData = (c: Buffer) => {
          parts.push(c);
          total += c.length;
          if (total > SMALL_BODY) {
            detach();
            streamed(parts);
          }
        };
        const onEnd = () => {
          detach();
          cleanup();
          const whole = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
          resolve(forwardedResponse(new Uint8Array(whole.buffer, whole.byteOffset, whole.length), { status, headers: out }));
        };
        const onClose = () => {
          detach();
          cleanup();
          if (!res.complete) reject(failure ?? new M2MError('Upstream', { reason: 'upstream body broke' }));
        };
        res.on('data', onData);
        res.on('end', onEnd);
        res.on('close', onClose);
      });
      req.end(request.body ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.length) : undefined);
    });
}
