/**
 * Gateway A's side of the hop: a {@link Forwarder} that sends each request to a peer gateway over
 * encrypted M2M sessions (Noise XX, the peer's static key pinned) instead of to an HTTP upstream.
 * Sessions are pooled, one exchange at a time each; a session whose exchange is cut short (the
 * client went away, a timeout) is closed, which makes the peer abort its upstream request.
 * @module
 */
import { M2MError, isM2MError } from '@m2m/core';
import type { KeyPair } from '@m2m/crypto';
import { SessionState, allowKeys, connect, type Session, type SessionData } from '@m2m/session';
import { httpTransport } from '@m2m/session/http';
import type { Forwarder, UpstreamRequest } from './forward.js';
import { hopControl, readHop, stringRecord } from './hop.js';

/** Options of {@link peerForwarder}. */
export interface PeerLinkOptions {
  /** The peer gateway's M2M address: `tcp://host:port`, `host:port`, or a `ws://` URL. */
  address: string;
  /** This gateway's static key. */
  staticKey: KeyPair;
  /** The peer gateway's public key: the only key accepted. */
  peerPublicKey: Uint8Array | string;
  /** Sessions kept open at most (default 16); more concurrent requests wait for one. */
  maxSessions?: number;
  /** Longest wait for the peer's answer headers and between two body messages (default 60 s). */
  timeoutMs?: number;
}

/** A forwarder to a peer gateway, with a way to close its sessions. */
export interface PeerForwarder extends Forwarder {
  /** Shuts the link down: closes the idle pooled sessions to the peer and fails requests still waiting for one (Upstream). */
  close(): Promise<void>;
}

interface Link {
  session: Session;
  inbox: AsyncIterator<SessionData>;
}

const encoder = new TextEncoder();

/** `host:port` → `tcp://host:port`; URLs stay as they are. */
export function peerUrl(address: string): string {
  return /^[a-z]+:\/\//i.test(address) ? address : `tcp://${address}`;
}

/**
 * A {@link Forwarder} that sends the gateway's `/v1` requests to a peer gateway (one started
 * with `m2m server --m2m-listen`, or `startServer({ m2mListen })`) over encrypted M2M sessions,
 * Noise XX with `peerPublicKey` the only key accepted; up to `maxSessions` sessions are opened
 * on demand and reused, one exchange at a time each. Nothing is dialled here.
 * A forwarded request rejects with an `M2MError`: `UPSTREAM_ERROR` (the peer unreachable or
 * refusing, its session failed, the link closed, or the peer's own upstream failed),
 * `UPSTREAM_TIMEOUT` (no answer within `timeoutMs`), `ABORTED` (the client went away).
 * @example
 * ```ts
 * const forward = peerForwarder({ address: '10.0.0.2:7401', staticKey: KeyPair.generate(), peerPublicKey: peerHex });
 * createServerApp({ upstream: forward });
 * ```
 */
export function peerForwarder(options: PeerLinkOptions): PeerForwarder {
  const url = peerUrl(options.address);
  const max = options.maxSessions ?? 16;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const idle: Link[] = [];
  const waiters: Array<(l: Link | undefined) => void> = [];
  let open = 0;
  let closed = false;

  const dial = async (): Promise<Link> => {
    const session = await connect(url, {
      secure: { staticKey: options.staticKey, verifyPeer: allowKeys([options.peerPublicKey]) },
      signal: AbortSignal.timeout(timeoutMs),
      ...(/^https?:/.test(url) ? { transport: httpTransport } : {}),
    });
    return { session, inbox: session[Symbol.asyncIterator]() };
  };

  const acquire = async (signal?: AbortSignal): Promise<Link> => {
    if (closed) throw new M2MError('Upstream', { reason: 'peer link is closed' });
    for (let l = idle.pop(); l; l = idle.pop()) {
      if (l.session.state === SessionState.ESTABLISHED) return l;
      open--;
    }
    if (open < max) {
      open++;
      try {
        return await dial();
      } catch (e) {
        open--;
        throw new M2MError('Upstream', { reason: `peer gateway unreachable: ${(e as Error)?.message ?? String(e)}` }, { cause: e });
      }
    }
    // Waits for a session; a client that goes away meanwhile leaves the queue at once (else its
    // request would still be sent once a session came free, long after it left).
    if (signal?.aborted) throw new M2MError('Aborted', { operation: 'client went away' });
    let onAbort: (() => void) | undefined;
    const l = await new Promise<Link | undefined>((resolve, reject) => {
      let settled = false;
      const waiter = (got: Link | undefined) => {
        // Handed a session after its client left (a replacement dialed for it): pass it on.
        if (settled) return got && release(got, true);
        settled = true;
        resolve(got);
      };
      waiters.push(waiter);
      onAbort = () => {
        settled = true;
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        reject(new M2MError('Aborted', { operation: 'client went away' }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }).finally(() => onAbort && signal?.removeEventListener('abort', onAbort));
    if (!l) throw new M2MError('Upstream', { reason: 'peer link is closed' });
    return l;
  };

  const release = (l: Link, healthy: boolean) => {
    if (!healthy || closed || l.session.state !== SessionState.ESTABLISHED) {
      open--;
      void l.session.close('CLIENT_SHUTDOWN', 'exchange abandoned').catch(() => undefined);
      const w = waiters.shift();
      if (w) void acquire().then(w, () => w(undefined));
      return;
    }
    const w = waiters.shift();
    if (w) w(l);
    else idle.push(l);
  };

  /** The next DATA within the timeout; aborts on the client's signal. */
  const next = async (l: Link, signal: AbortSignal): Promise<string> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    try {
      const r = await Promise.race([
        l.inbox.next(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new M2MError('UpstreamTimeout', { ms: timeoutMs })), timeoutMs);
          onAbort = () => reject(new M2MError('Aborted', { operation: 'client went away' }));
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
      if (r.done) throw new M2MError('Upstream', { reason: 'peer gateway closed the session' });
      return r.value.content;
    } catch (e) {
      if (isM2MError(e)) throw e;
      throw new M2MError('Upstream', { reason: `peer session failed: ${(e as Error)?.message ?? String(e)}` }, { cause: e });
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  };

  const forward = (async (request: UpstreamRequest, signal: AbortSignal): Promise<Response> => {
    const l = await acquire(signal);
    let head;
    try {
      await l.session.send(hopControl({ m2m_gateway: 'request', method: request.method, path: request.path, headers: request.headers }));
      if (request.body) await l.session.send(new TextDecoder().decode(request.body));
      head = readHop(await next(l, signal));
    } catch (e) {
      release(l, false);
      throw e;
    }
    if (head?.m2m_gateway === 'failure') {
      release(l, true);
      const details = head.error?.details ?? {};
      if (head.status === 504) throw new M2MError('UpstreamTimeout', { ms: typeof details.ms === 'number' ? details.ms : timeoutMs });
      throw new M2MError('Upstream', { reason: `peer gateway: ${head.error?.message ?? head.status}` });
    }
    if (head?.m2m_gateway !== 'response') {
      release(l, false);
      throw new M2MError('Upstream', { reason: 'peer gateway answered out of turn' });
    }
    // The head becomes a web Response below, which throws for a status outside 200-599 or a
    // header value with CR/LF: refused here as the peer's fault, and the session not reused.
    const headers = stringRecord(head.headers);
    let checked: Headers;
    try {
      if (!Number.isInteger(head.status) || head.status < 200 || head.status > 599) throw new Error(`status ${String(head.status).slice(0, 16)}`);
      checked = new Headers(headers);
    } catch (e) {
      release(l, false);
      throw new M2MError('Upstream', { reason: `peer gateway answered with an invalid response head (${(e as Error)?.message ?? String(e)})` });
    }
    const sse = (headers['content-type'] ?? '').includes('text/event-stream');
    let finished = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const text = await next(l, signal);
          const ctl = readHop(text);
          if (ctl?.m2m_gateway === 'end') {
            finished = true;
            controller.close();
            release(l, true);
            return;
          }
          if (ctl?.m2m_gateway === 'error') {
            // The peer's upstream broke mid-stream: its error event goes to the client as it is.
            finished = true;
            controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify({ error: ctl.error })}\n\n`));
            controller.close();
            release(l, true);
            return;
          }
          let out: string;
          if (ctl?.m2m_gateway === 'event') out = `${ctl.event ? `event: ${ctl.event}\n` : ''}${ctl.id ? `id: ${ctl.id}\n` : ''}${ctl.data.split('\n').map((d) => `data: ${d}`).join('\n')}\n\n`;
          else if (ctl?.m2m_gateway === 'body') out = ctl.text;
          else if (ctl) throw new M2MError('Upstream', { reason: `peer gateway sent ${ctl.m2m_gateway} mid-body` });
          else out = sse ? `data: ${text}\n\n` : text;
          controller.enqueue(encoder.encode(out));
        } catch (e) {
          finished = true;
          release(l, false);
          controller.error(e);
        }
      },
      cancel() {
        if (!finished) {
          finished = true;
          release(l, false);
        }
      },
    });
    try {
      return new Response(body, { status: head.status, headers: checked });
    } catch (e) {
      // A status that has no body (204, 205, 304) with the body stream that follows.
      finished = true;
      release(l, false);
      throw new M2MError('Upstream', { reason: `peer gateway answered with an invalid response head (${(e as Error)?.message ?? String(e)})` });
    }
  }) as PeerForwarder;

  forward.close = async () => {
    closed = true;
    for (const w of waiters.splice(0)) w(undefined);
    await Promise.all(idle.splice(0).map((l) => l.session.close('CLIENT_SHUTDOWN', 'gateway shutting down').catch(() => undefined)));
  };
  return forward;
}
