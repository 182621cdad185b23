/**
 * A typed client for the reference's HTTP routes other than `/message` (which the `rest`
 * transport of `@m2m/session` speaks): health, status, compress, decompress, scan, sessions.
 * Works against the Rust reference server and against ours; `fetch` only, so it runs in
 * browsers. Replies are bounded while read (default 16 MiB).
 * @module
 */
import { M2MError, isM2MError, type Algorithm } from '@m2m/core';
import { utf8DecodeStrict } from '@m2m/core/internal';
import { readBoundedBody } from '@m2m/session/internal';

/** `/health`. */
export interface HealthReply {
  /** `ok` when the server is up. */
  status: string;
  /** The server's version string. */
  version: string;
}
/** `/status`. */
export interface StatusReply extends HealthReply {
  /** Seconds since the server started (whole seconds). */
  uptimeSecs: number;
  /** Sessions currently held by the server's session table. */
  activeSessions: number;
  /** The server's capabilities as the reference's JSON (snake_case keys). */
  capabilities: Record<string, unknown>;
}
/** `/compress` and `/compress/auto`. */
export interface CompressReply {
  /** The algorithm the server used (for `/compress/auto`, the one it picked). */
  algorithm: Algorithm;
  /** The compressed wire text (like `#M2M|1|…`, `#TK|…`). */
  data: string;
  /** Size of the input, in UTF-8 bytes. */
  originalBytes: number;
  /** Size of `data`, in bytes. */
  compressedBytes: number;
  /** original / compressed. */
  ratio: number;
}
/** `/decompress`. */
export interface DecompressReply {
  /** The decompressed text. */
  content: string;
  /** Size of `content`, in UTF-8 bytes. */
  bytes: number;
}
/** `/scan`. */
export interface ScanReply {
  /** Whether no threat was found. */
  safe: boolean;
  /** Confidence of the verdict, in [0, 1]. */
  confidence: number;
  /** Whether the server's policy would block this content. */
  shouldBlock: boolean;
  /** Threats found: name, category, severity and a description. */
  threats: Array<{ name: string; category: string; severity: number; description: string }>;
}
/** `GET /session/:id`. */
export interface SessionStatsReply {
  /** The session's id. */
  sessionId: string;
  /** The session state's name as the reference spells it (`Initial`, `HelloSent`, `Established`, `Closing`, `Closed`). */
  state: string;
  /** Messages the server sent in this session. */
  messagesSent: number;
  /** Messages the server received in this session. */
  messagesReceived: number;
  /** Total bytes of DATA content sent, after compression. */
  bytesCompressed: number;
  /** Bytes saved by compression (original minus compressed, where positive). */
  bytesSaved: number;
  /** (bytesCompressed + bytesSaved) / bytesCompressed; 1 before any DATA. */
  compressionRatio: number;
}

/** Options of {@link M2MHttpClient}. */
export interface M2MHttpClientOptions {
  /** Largest reply read (default 16 MiB). */
  maxReplyBytes?: number;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

type Json = Record<string, unknown>;

/**
 * A typed client for the HTTP API of the Rust reference's `m2m server` (and of
 * {@link createServerApp}, which serves the same routes): one method per route, replies in
 * camelCase. Node and browsers (global `fetch`).
 *
 * Every method rejects with a typed `M2MError`: `NETWORK_ERROR` when the server is unreachable,
 * `LIMIT_EXCEEDED` for a reply over `maxReplyBytes`, `CONTENT_BLOCKED` (403: the server's scan
 * blocked the content), `INVALID_REQUEST` (400/415/422, with the server's text), `SERVER_ERROR`
 * (5xx), `ROUTE_NOT_FOUND` (404 without a body), `INVALID_MESSAGE` when a 2xx reply is not JSON.
 * @example
 * ```ts
 * const api = new M2MHttpClient('http://127.0.0.1:3000');
 * const { data } = await api.compress('{"model":"gpt-4o","messages":[]}', 'm2m');
 * console.log((await api.decompress(data)).content);
 * ```
 */
export class M2MHttpClient {
  /** The server's base URL, trailing slashes removed. */
  readonly baseUrl: string;
  #max: number;
  #headers: Record<string, string>;

  /**
   * @param baseUrl - the server's origin, e.g. `http://127.0.0.1:3000` (no request is made here)
   * @param options - reply size limit and extra headers
   */
  constructor(baseUrl: string, options: M2MHttpClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#max = options.maxReplyBytes ?? 16 * 1024 * 1024;
    this.#headers = options.headers ?? {};
  }

  /**
   * One request; the reply's JSON, or `undefined` for an empty 2xx/404 body.
   * @throws M2MError: Network (unreachable), LimitExceeded (reply too large), ContentBlocked (403),
   *   InvalidRequest (400/415/422, with the server's text), Server (5xx), RouteNotFound (404 without a body).
   */
  async #call(method: string, path: string, body?: unknown, okStatus: number[] = [200]): Promise<Json | undefined> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: { ...this.#headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      // undici says only "fetch failed" and keeps why (ECONNREFUSED, a reset) in its cause.
      const why = (e as { cause?: { message?: unknown } } | undefined)?.cause?.message;
      const message = (e as Error | undefined)?.message ?? String(e);
      throw new M2MError('Network', { reason: `${method} ${path} failed: ${message}${typeof why === 'string' && why !== message ? ` (${why})` : ''}` }, { cause: e });
    }
    const bytes = await readBoundedBody(res, this.#max, 'replyBytes');
    const text = utf8DecodeStrict(bytes) ?? '';
    let json: Json | undefined;
    try {
      json = text ? (JSON.parse(text) as Json) : undefined;
    } catch {
      json = undefined;
    }
    if (okStatus.includes(res.status)) {
      if (text && json === undefined) throw new M2MError('InvalidMessage', { reason: `${method} ${path}: reply is not JSON` });
      return json;
    }
    const message = typeof json?.error === 'string' ? json.error : text || `HTTP ${res.status}`;
    if (res.status === 403) throw new M2MError('ContentBlocked', { reason: message });
    if (res.status === 404) throw new M2MError('RouteNotFound', { method, path });
    if (res.status >= 500) throw new M2MError('Server', { reason: `${method} ${path}: HTTP ${res.status}: ${message}` });
    throw new M2MError('InvalidRequest', { reason: `${method} ${path}: HTTP ${res.status}: ${message}` });
  }

  /** `GET /health`. */
  async health(): Promise<HealthReply> {
    const j = (await this.#call('GET', '/health'))!;
    return { status: String(j.status), version: String(j.version) };
  }

  /** `GET /status`. */
  async status(): Promise<StatusReply> {
    const j = (await this.#call('GET', '/status'))!;
    return { status: String(j.status), version: String(j.version), uptimeSecs: Number(j.uptime_secs), activeSessions: Number(j.active_sessions), capabilities: (j.capabilities ?? {}) as Record<string, unknown> };
  }

  /** `POST /compress` (algorithm omitted: the server's default, m2m). @throws M2MError ContentBlocked when the scan blocks. */
  async compress(content: string, algorithm?: Algorithm): Promise<CompressReply> {
    return compressReply((await this.#call('POST', '/compress', algorithm ? { content, algorithm } : { content }))!);
  }

  /** `POST /compress/auto`: the server picks the algorithm. */
  async compressAuto(content: string): Promise<CompressReply> {
    return compressReply((await this.#call('POST', '/compress/auto', { content }))!);
  }

  /** `POST /decompress` (text of no known format comes back unchanged). */
  async decompress(data: string): Promise<DecompressReply> {
    const j = (await this.#call('POST', '/decompress', { data }))!;
    return { content: String(j.content), bytes: Number(j.bytes) };
  }

  /** `POST /scan`. */
  async scan(content: string): Promise<ScanReply> {
    const j = (await this.#call('POST', '/scan', { content }))!;
    const threats = Array.isArray(j.threats) ? (j.threats as Json[]) : [];
    return {
      safe: j.safe === true,
      confidence: Number(j.confidence),
      shouldBlock: j.should_block === true,
      threats: threats.map((t) => ({ name: String(t.name), category: String(t.category), severity: Number(t.severity), description: String(t.description) })),
    };
  }

  /** `POST /session` (201): a session id and the server's capabilities. */
  async createSession(): Promise<{ sessionId: string; capabilities: Record<string, unknown> }> {
    const j = (await this.#call('POST', '/session', {}, [201]))!;
    return { sessionId: String(j.session_id), capabilities: (j.capabilities ?? {}) as Record<string, unknown> };
  }

  /** `GET /session/:id`, or `undefined` when the server does not know it. */
  async getSession(id: string): Promise<SessionStatsReply | undefined> {
    try {
      const j = (await this.#call('GET', `/session/${encodeURIComponent(id)}`))!;
      return {
        sessionId: String(j.session_id),
        state: String(j.state),
        messagesSent: Number(j.messages_sent),
        messagesReceived: Number(j.messages_received),
        bytesCompressed: Number(j.bytes_compressed),
        bytesSaved: Number(j.bytes_saved),
        compressionRatio: Number(j.compression_ratio),
      };
    } catch (e) {
      if (isM2MError(e) && e.kind === 'RouteNotFound') return undefined;
      throw e;
    }
  }

  /** `DELETE /session/:id` (204 whether or not it existed). */
  async deleteSession(id: string): Promise<void> {
    await this.#call('DELETE', `/session/${encodeURIComponent(id)}`, undefined, [204]);
  }
}

function compressReply(j: Json): CompressReply {
  return { algorithm: j.algorithm as Algorithm, data: String(j.data), originalBytes: Number(j.original_bytes), compressedBytes: Number(j.compressed_bytes), ratio: Number(j.ratio) };
}
