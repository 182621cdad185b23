/**
 * The Rust reference's HTTP API (m2m-protocol 0.4.0's `m2m server`), route for route: the same
 * paths, methods, JSON fields, status codes and error bodies (`../shared/reference/http-api.md`).
 * Where the reference is broken this does the right thing; docs/PROTOCOL.md §8 lists each
 * difference.
 * @module
 */
import { M2MError, compress, decompress, detectAlgorithm, encodeBrotliText, isM2MError, isSdkError, selectAlgorithm, ALGORITHMS, DEFAULT_LIMITS, type Algorithm, type RejectionCode } from '@m2m/core';
import { utf8ByteLength } from '@m2m/core/internal';
import { SessionState, negotiate, type Capabilities, type Message } from '@m2m/session';
import { decodeMessageJson, encodeMessageJson } from '@m2m/session/json';
import type { Hono } from 'hono';
import type { Scanner } from '../scan.js';
import { jsonText, readJsonBody, shapeError, type BodyReading } from './json-body.js';
import { jsonStringBytes } from './json-text-size.js';
import type { SessionTable } from './session-table.js';
import type { BodyAccount, BodyBudget } from '../gateway/body-budget.js';

/** Options of {@link referenceRoutes}. */
export interface ReferenceRoutesOptions {
  table: SessionTable;
  /** `undefined` turns the security scan off (`--no-security`). */
  scanner: Scanner | undefined;
  /** Blocking threshold of the scan (default 0.8). */
  threshold: number;
  /** Blocking mode: DATA whose content the scan blocks is refused. */
  blocking: boolean;
  /** Largest request body in bytes. */
  maxBodyBytes: number;
  /** Version reported by `/health` and `/status`. */
  version: string;
  /** The runtime's body reader (the gateway's `readBody`; default: the web Request's body). */
  readBody?: (request: Request, env: unknown, max: number, account?: BodyAccount) => Promise<Uint8Array>;
  /** The server's budget for request bodies held at once. */
  bodyBudget?: BodyBudget;
}

const str = JSON.stringify;

/**
 * The most a request may decompress to: 64 times its own size, at least 1 MiB, at most the
 * codec's limit. Without it a 52-byte Brotli text asked `/decompress` for 16 MiB, answered as
 * 96 MiB of JSON escapes (2 s, 460 MB), against docs/ARCHITECTURE.md "Resource budget".
 */
export function decompressBudget(requestChars: number): number {
  return Math.min(DEFAULT_LIMITS.maxDecompressedBytes, Math.max(1024 * 1024, 64 * requestChars));
}

/**
 * Refuses decompressed `content` whose JSON text (escapes included) is over `budget` bytes: the
 * decompression budget bounds the content, but a control character is answered as a six-byte
 * escape, so without this a 256 KiB request got a 96 MiB answer (./json-text-size.ts).
 * @throws M2MError LimitExceeded (`answerBytes`; `actual` is where counting stopped, past the budget).
 */
function checkAnswerSize(content: string, budget: number): void {
  const bytes = jsonStringBytes(content, budget);
  if (bytes > budget) throw new M2MError('LimitExceeded', { limit: 'answerBytes', actual: bytes, max: budget });
}

/** serde_json's f64 text (`1.0`, `0.4304635761589404`). */
function f64(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** The reference's JSON text of capabilities (the `json` codec's writer, lifted out of a message). */
export function capabilitiesJson(caps: Capabilities): string {
  const m = encodeMessageJson({ type: 'ACCEPT', sessionId: '', payload: { kind: 'capabilities', value: caps }, timestamp: 0 });
  return m.slice(m.indexOf('"payload":') + '"payload":'.length, m.length - ',"timestamp":0}'.length);
}

function reject(status: number, code: RejectionCode, message: string, retryAfterMs?: number): Response {
  const value = retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs };
  return jsonText(status, encodeMessageJson({ type: 'REJECT', payload: { kind: 'rejection', value }, timestamp: Date.now() }));
}

const reply = (m: Message) => jsonText(200, encodeMessageJson(m));
const errorText = (e: unknown) => (isSdkError(e) ? e.message : String((e as Error)?.message ?? e));

/** Content (UTF-8 bytes) Brotli-compressed at the text format's quality 11; past it quality 5 (q11 costs ~2 ms per KiB of JSON, q5 a fortieth). */
const BROTLI_Q11_MAX_BYTES = 256 * 1024;
/** Most content TokenNative encodes for one request (0.6-3 ms per KiB of random text). */
const TOKEN_NATIVE_MAX_BYTES = 256 * 1024;

/**
 * `compress` with the work of one request bounded: without these bounds one unauthenticated
 * `/compress` of the default 10 MiB body held the event loop for tens of seconds
 * (server/test/attack-compress-cost.test.ts). Small content gives the reference's exact output.
 * @throws M2MError LimitExceeded (`tokenNativeBytes`) past TokenNative's bound; the codec's own errors.
 */
function boundedCompress(content: string, bytes: number, algorithm: Algorithm): string {
  if (algorithm === 'tokennative' && bytes > TOKEN_NATIVE_MAX_BYTES) throw new M2MError('LimitExceeded', { limit: 'tokenNativeBytes', actual: bytes, max: TOKEN_NATIVE_MAX_BYTES });
  if (algorithm === 'brotli' && bytes > BROTLI_Q11_MAX_BYTES) return encodeBrotliText(content, 5);
  return compress(content, algorithm);
}

/** Reads `{"content": string, "algorithm"?: …}` as serde would, or the 422 reply. */
function compressRequest(value: unknown, withAlgorithm: boolean): { content: string; algorithm: Algorithm } | Response {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return shapeError('invalid type: expected struct CompressRequest');
  const o = value as Record<string, unknown>;
  if (!Object.hasOwn(o, 'content')) return shapeError('missing field `content`');
  if (typeof o.content !== 'string') return shapeError('content: invalid type: expected a string');
  let algorithm: Algorithm = 'm2m';
  if (withAlgorithm && o.algorithm !== undefined && o.algorithm !== null) {
    if (typeof o.algorithm !== 'string' || !(ALGORITHMS as readonly string[]).includes(o.algorithm)) {
      return shapeError(`algorithm: unknown variant \`${String(o.algorithm)}\`, expected one of \`none\`, \`m2m\`, \`tokennative\`, \`brotli\``);
    }
    algorithm = o.algorithm as Algorithm;
  }
  return { content: o.content, algorithm };
}

/** Mounts the reference's routes on `app`. */
export function referenceRoutes(app: Hono, o: ReferenceRoutesOptions): void {
  const started = Date.now();
  const { table } = o;
  const capsJson = capabilitiesJson(table.capabilities);
  const readBody = o.readBody;
  const bodyReading = (c: { req: { raw: Request }; env?: unknown }): BodyReading => ({
    ...(readBody ? { read: (max: number, account?: BodyAccount) => readBody(c.req.raw, c.env, max, account) } : {}),
    ...(o.bodyBudget ? { budget: o.bodyBudget } : {}),
  });

  app.get('/health', (c) => c.json({ status: 'ok', version: o.version }));

  app.get('/status', () =>
    jsonText(200, `{"status":"ok","version":${str(o.version)},"uptime_secs":${Math.floor((Date.now() - started) / 1000)},"active_sessions":${table.size},"capabilities":${capsJson}}`),
  );

  const compressRoute = (auto: boolean) => async (c: { req: { raw: Request }; env?: unknown }) => {
    const body = await readJsonBody(c.req.raw, o.maxBodyBytes, bodyReading(c));
    if (!body.ok) return body.response;
    const req = compressRequest(body.value, !auto);
    if (req instanceof Response) return req;
    if (o.scanner) {
      const verdict = o.scanner(req.content, { threshold: o.threshold });
      if (verdict.shouldBlock) {
        return jsonText(403, auto ? '{"error":"Content blocked by security scan"}' : `{"error":"Content blocked by security scan","threats":${str(verdict.threats.map((t) => t.name))}}`);
      }
    }
    const algorithm = auto ? selectAlgorithm(req.content) : req.algorithm;
    const original = utf8ByteLength(req.content);
    let data: string;
    try {
      data = boundedCompress(req.content, original, algorithm);
    } catch (e) {
      return jsonText(400, `{"error":${str(errorText(e))}}`);
    }
    const compressed = utf8ByteLength(data);
    return jsonText(200, `{"algorithm":${str(algorithm)},"compressed_bytes":${compressed},"data":${str(data)},"original_bytes":${original},"ratio":${f64(compressed === 0 ? 1 : original / compressed)}}`);
  };
  app.post('/compress', compressRoute(false));
  app.post('/compress/auto', compressRoute(true));

  app.post('/decompress', async (c) => {
    const body = await readJsonBody(c.req.raw, o.maxBodyBytes, bodyReading(c));
    if (!body.ok) return body.response;
    const v = body.value as Record<string, unknown> | null;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return shapeError('invalid type: expected struct DecompressRequest');
    if (!Object.hasOwn(v, 'data')) return shapeError('missing field `data`');
    if (typeof v.data !== 'string') return shapeError('data: invalid type: expected a string');
    let content: string;
    try {
      const budget = decompressBudget(body.text.length);
      content = decompress(v.data, { limits: { maxDecompressedBytes: budget } });
      checkAnswerSize(content, budget);
    } catch (e) {
      return jsonText(400, `{"error":${str(errorText(e))}}`);
    }
    return jsonText(200, `{"bytes":${utf8ByteLength(content)},"content":${str(content)}}`);
  });

  app.post('/scan', async (c) => {
    const body = await readJsonBody(c.req.raw, o.maxBodyBytes, bodyReading(c));
    if (!body.ok) return body.response;
    const v = body.value as Record<string, unknown> | null;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return shapeError('invalid type: expected struct ScanRequest');
    if (!Object.hasOwn(v, 'content')) return shapeError('missing field `content`');
    if (typeof v.content !== 'string') return shapeError('content: invalid type: expected a string');
    if (!o.scanner) return jsonText(200, '{"confidence":1.0,"safe":true,"should_block":false,"threats":[]}');
    const r = o.scanner(v.content, { threshold: o.threshold });
    const threats = r.threats.map((t) => `{"category":${str(t.category)},"description":${str(t.description)},"name":${str(t.name)},"severity":${f64(t.severity)}}`);
    return jsonText(200, `{"confidence":${f64(r.confidence)},"safe":${r.safe},"should_block":${r.shouldBlock},"threats":[${threats.join(',')}]}`);
  });

  app.post('/session', async (c) => {
    const body = await readJsonBody(c.req.raw, o.maxBodyBytes, bodyReading(c));
    if (!body.ok) return body.response;
    if (typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) return shapeError('invalid type: expected struct CreateSessionRequest');
    if (table.full) return new Response(`{"error":"Server busy: session table full"}`, { status: 503, headers: { 'content-type': 'application/json', 'retry-after': String(Math.ceil(table.retryAfterMs() / 1000)) } });
    const core = table.create();
    table.add(core);
    return jsonText(201, `{"session_id":${str(core.id)},"capabilities":${capsJson}}`);
  });

  app.get('/session/:id', (c) => {
    const s = table.get(c.req.param('id'));
    if (!s) return jsonText(404, '{"error":"Session not found"}');
    const st = s.core.stats;
    const original = st.bytesCompressed + st.bytesSaved;
    const ratio = st.bytesCompressed === 0 ? 1 : original / st.bytesCompressed;
    return jsonText(
      200,
      `{"bytes_compressed":${st.bytesCompressed},"bytes_saved":${st.bytesSaved},"compression_ratio":${f64(ratio)},"messages_received":${st.messagesReceived},"messages_sent":${st.messagesSent},"session_id":${str(s.id)},"state":${str(stateName(s.core.state))}}`,
    );
  });

  app.delete('/session/:id', (c) => {
    table.delete(c.req.param('id'));
    return new Response(null, { status: 204 });
  });

  app.post('/message', async (c) => {
    const body = await readJsonBody(c.req.raw, o.maxBodyBytes, bodyReading(c));
    if (!body.ok) return body.response;
    let msg: Message;
    try {
      msg = decodeMessageJson(body.text);
    } catch (e) {
      const reason = isM2MError(e) && e.kind === 'InvalidMessage' ? e.details.reason : errorText(e);
      return shapeError(reason);
    }
    return handleMessage(msg, o, decompressBudget(body.text.length));
  });

  // Known paths answer other methods with 405 and an empty body, as the reference's router does.
  const methodNotAllowed = () => new Response(null, { status: 405 });
  for (const path of ['/health', '/status', '/compress', '/compress/auto', '/decompress', '/scan', '/session', '/message']) app.all(path, methodNotAllowed);
}

/**
 * What ACCEPT carries: the server's capabilities narrowed to what both sides agreed on, so a
 * client that reads ACCEPT as "the session's capabilities" (as the reference's clients do) gets
 * the negotiated set: shared algorithms and encodings in the server's order, streaming and ML
 * routing ANDed, threat detection and blocking ORed, the smaller payload limit. Negotiating
 * against it picks what negotiating against the full set would (docs/PROTOCOL.md §4.3).
 */
export function agreedCapabilities(server: Capabilities, client: Capabilities): Capabilities {
  const n = negotiate(server, client)!;
  return {
    ...server,
    compression: {
      ...server.compression,
      algorithms: server.compression.algorithms.filter((a) => client.compression.algorithms.includes(a)),
      encodings: server.compression.encodings.filter((e) => client.compression.encodings.includes(e)),
      preferredEncoding: n.encoding,
      streaming: n.streaming,
      mlRouting: n.mlRouting,
      maxPayload: n.maxPayload,
    },
    security: { ...server.security, threatDetection: n.threatDetection, blockingMode: n.blockingMode },
  };
}

/** The reference's spelling of a state (its Rust variant names). */
function stateName(s: SessionState): string {
  switch (s) {
    case SessionState.INITIAL:
      return 'Initial';
    case SessionState.HELLO_SENT:
      return 'HelloSent';
    case SessionState.ESTABLISHED:
      return 'Established';
    case SessionState.CLOSING:
      return 'Closing';
    default:
      return 'Closed';
  }
}

/** One `/message` request. */
function handleMessage(msg: Message, o: ReferenceRoutesOptions, budget: number): Response {
  const { table } = o;
  switch (msg.type) {
    case 'HELLO': {
      // A HELLO may adopt a session made by POST /session; otherwise it makes a new one.
      const pre = msg.sessionId !== undefined ? table.get(msg.sessionId) : undefined;
      const adopted = pre && pre.core.state === SessionState.INITIAL ? pre : undefined;
      if (!adopted && table.full) return reject(503, 'SERVER_BUSY', 'Server busy: session table full', table.retryAfterMs());
      const core = adopted?.core ?? table.create();
      let answer: Message | undefined;
      try {
        answer = core.receive(msg).reply;
      } catch (e) {
        if (adopted) table.delete(adopted.id);
        return reject(400, 'UNKNOWN', errorText(e));
      }
      if (answer?.type !== 'ACCEPT') {
        if (adopted) table.delete(adopted.id);
        else core.dispose();
        return answer ? reply(answer) : reject(400, 'UNKNOWN', 'No answer to HELLO');
      }
      if (!adopted) table.add(core);
      const client = msg.payload?.kind === 'capabilities' ? msg.payload.value : undefined;
      return reply(client ? { ...answer, payload: { kind: 'capabilities', value: agreedCapabilities(table.capabilities, client) } } : answer);
    }
    case 'DATA': {
      if (msg.sessionId === undefined) return reject(400, 'UNKNOWN', 'Missing session ID');
      const s = table.get(msg.sessionId);
      if (!s) return reject(404, 'UNKNOWN', 'Session not found');
      // Checked within this request's budget first: the session's codec limit alone would let a
      // few bytes of Brotli become 16 MiB to scan and send back.
      // The json codec reads DATA content as text (bytes travel only in the binary codec).
      const wire = msg.payload?.kind === 'data' ? msg.payload.value.content : '';
      const data = typeof wire === 'string' ? wire : '';
      if (detectAlgorithm(data) !== 'none') {
        try {
          decompress(data, { limits: { maxDecompressedBytes: budget } });
        } catch (e) {
          if (isM2MError(e) && e.kind === 'LimitExceeded') return reject(400, 'UNKNOWN', errorText(e));
        }
      }
      let content: string;
      try {
        content = s.core.receive(msg).content ?? '';
        // Echoed below as JSON: its escapes count against the same budget.
        checkAnswerSize(content, budget);
      } catch (e) {
        return reject(400, 'UNKNOWN', errorText(e));
      }
      if (o.scanner && o.blocking && o.scanner(content, { threshold: o.threshold }).shouldBlock) {
        return reject(403, 'SECURITY_POLICY', 'Content blocked by security scan');
      }
      // The reference meant to answer with the decompressed content; it does so here, as DATA
      // the client can decode (algorithm none).
      return reply(s.core.compress(content, 'none'));
    }
    case 'PING': {
      if (msg.sessionId === undefined) return reply({ type: 'PONG', sessionId: 'unknown', payload: { kind: 'empty' }, timestamp: Date.now() });
      const s = table.get(msg.sessionId);
      if (!s) return reject(404, 'UNKNOWN', 'Session not found');
      try {
        const answer = s.core.receive(msg).reply;
        if (answer) return reply(answer);
      } catch {
        // A PING outside ESTABLISHED still gets its PONG, as the reference answers every PING.
      }
      return reply({ type: 'PONG', sessionId: s.id, payload: { kind: 'empty' }, timestamp: Date.now() });
    }
    case 'CLOSE': {
      if (msg.sessionId !== undefined) table.delete(msg.sessionId);
      return reply(msg);
    }
    default:
      return reject(400, 'UNKNOWN', 'Unsupported message type');
  }
}
