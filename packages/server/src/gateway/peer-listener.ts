/**
 * Gateway B's side of the hop: accepts encrypted M2M sessions from pinned peer gateways and
 * answers each exchange (`hop.ts`) by forwarding it to B's own upstream. SSE bodies are parsed
 * with `eventsource-parser` (bounded buffer) and sent one event per DATA; other bodies are read
 * up to the hop's message limit. A session that ends mid-exchange aborts the upstream request.
 * @module
 */
import { M2MError } from '@m2m/core';
import { utf8Encode } from '@m2m/core/internal';
import type { KeyPair } from '@m2m/crypto';
import { allowKeys, listen, type Server, type Session } from '@m2m/session';
import { readBoundedBody } from '@m2m/session/internal';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { gatewayErrorBody } from './errors.js';
import type { Forwarder } from './forward.js';
import { hopControl, isPlainJsonObject, readHop, stringRecord } from './hop.js';

/** Options of {@link listenForPeers}. */
export interface PeerListenerOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** `tcp` (default) or `ws`. */
  transport?: 'tcp' | 'ws';
  /** This gateway's static key. */
  staticKey: KeyPair;
  /** Public keys of the gateways allowed to connect (at least one). */
  peerKeys: ReadonlyArray<Uint8Array | string>;
  /** Where exchanges go (B's upstream). */
  forward: Forwarder;
  /** Largest single body or SSE event sent back in one message (default 8 MiB). */
  maxMessageBytes?: number;
  /** Called when an exchange fails on this side (for logs). */
  onError?: (error: unknown) => void;
}

/** The requests gateway A forwards (routes.ts), by path: the only ones B sends upstream for a peer. */
const HOP_ROUTES: ReadonlyMap<string, 'GET' | 'POST'> = new Map([
  ['/chat/completions', 'POST'],
  ['/models', 'GET'],
]);

/** Request headers taken from a peer's request (those gateway A sets); B's upstream key replaces `authorization` when it has one. */
const HOP_REQUEST_HEADERS = ['accept', 'content-type', 'authorization'];

/** Response headers carried back over the hop. */
const HOP_HEADERS = ['content-type', 'x-request-id', 'openai-processing-ms', 'openai-model', 'retry-after'];

/**
 * Listens for peer gateways.
 * @throws M2MError: Config (no peer keys), Io/Network (cannot bind).
 */
export async function listenForPeers(options: PeerListenerOptions): Promise<Server> {
  if (options.peerKeys.length === 0) throw new M2MError('Config', { reason: 'a peer listener needs at least one peer key (--peer-key)' });
  const maxMessage = options.maxMessageBytes ?? 8 * 1024 * 1024;
  return listen({
    transport: options.transport ?? 'tcp',
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    secure: { staticKey: options.staticKey, verifyPeer: allowKeys(options.peerKeys) },
    onSession: (session) => void serveSession(session, options.forward, maxMessage).catch((e: unknown) => options.onError?.(e)),
    ...(options.onError ? { onHandshakeError: options.onError } : {}),
  });
}

/** Answers the exchanges of one session, one after the other. */
async function serveSession(session: Session, forward: Forwarder, maxMessage: number): Promise<void> {
  const inbox = session[Symbol.asyncIterator]();
  const gone = new AbortController();
  void session.closed.then(() => gone.abort());
  for (;;) {
    const first = await inbox.next();
    if (first.done) return;
    const head = readHop(first.value.content);
    if (head?.m2m_gateway !== 'request' || (head.method !== 'GET' && head.method !== 'POST') || typeof head.path !== 'string') {
      await session.close('ERROR', 'expected a gateway request');
      return;
    }
    let body: Uint8Array | undefined;
    if (head.method === 'POST') {
      const b = await inbox.next();
      if (b.done) return;
      body = utf8Encode(b.value.content);
    }
    // Only what gateway A's routes send (routes.ts), whatever the peer asks: B's upstream key
    // must not reach other upstream endpoints, nor the peer choose host or framing headers.
    if (HOP_ROUTES.get(head.path) !== head.method) {
      const { status, body: error } = gatewayErrorBody(new M2MError('RouteNotFound', { method: head.method, path: `/v1${head.path.slice(0, 256)}` }));
      await session.send(hopControl({ m2m_gateway: 'failure', status, error: error.error }));
      continue;
    }
    const asked = stringRecord(head.headers);
    const headers: Record<string, string> = {};
    for (const h of HOP_REQUEST_HEADERS) if (asked[h] !== undefined) headers[h] = asked[h];
    await answer(session, forward, { method: head.method, path: head.path, headers, ...(body ? { body } : {}) }, gone.signal, maxMessage);
  }
}

async function answer(session: Session, forward: Forwarder, request: Parameters<Forwarder>[0], signal: AbortSignal, maxMessage: number): Promise<void> {
  let res: Response;
  try {
    res = await forward(request, signal);
    if (res.status >= 500) {
      await res.body?.cancel().catch(() => undefined);
      throw new M2MError('Upstream', { reason: `upstream answered ${res.status}` });
    }
  } catch (e) {
    const { status, body } = gatewayErrorBody(e);
    await session.send(hopControl({ m2m_gateway: 'failure', status, error: body.error }));
    return;
  }
  const headers: Record<string, string> = {};
  for (const h of HOP_HEADERS) {
    const v = res.headers.get(h);
    if (v !== null) headers[h] = v;
  }
  await session.send(hopControl({ m2m_gateway: 'response', status: res.status, headers }));
  try {
    if (res.body && (headers['content-type'] ?? '').includes('text/event-stream')) await relayEvents(session, res.body, maxMessage);
    else if (res.body) {
      const text = new TextDecoder().decode(await readBoundedBody(res, maxMessage, 'responseBytes'));
      if (text) await session.send(isPlainJsonObject(text) ? text : hopControl({ m2m_gateway: 'body', text }));
    }
  } catch (e) {
    if (session.state !== 'ESTABLISHED') return;
    await session.send(hopControl({ m2m_gateway: 'error', error: gatewayErrorBody(e).body.error }));
    return;
  }
  await session.send(hopControl({ m2m_gateway: 'end' }));
}

/** One DATA per SSE event, in order; a chunk's events are all taken by the transport before the next chunk is read (backpressure). */
async function relayEvents(session: Session, body: ReadableStream<Uint8Array>, maxMessage: number): Promise<void> {
  const events: EventSourceMessage[] = [];
  let parseError: unknown;
  const parser = createParser({ maxBufferSize: maxMessage, onEvent: (e) => events.push(e), onError: (e) => (parseError ??= e) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      if (parseError) throw new M2MError('Upstream', { reason: `upstream SSE stream is malformed: ${(parseError as Error).message}` }, { cause: parseError });
      // The events of one chunk go out back to back (the session keeps their order); the next
      // chunk is read only once the transport took them all.
      await Promise.all(
        events.splice(0).map((ev) => {
          const plain = ev.event === undefined && ev.id === undefined && isPlainJsonObject(ev.data);
          return session.send(plain ? ev.data : hopControl({ m2m_gateway: 'event', ...(ev.event !== undefined ? { event: ev.event } : {}), ...(ev.id !== undefined ? { id: ev.id } : {}), data: ev.data }));
        }),
      );
      if (done) return;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
