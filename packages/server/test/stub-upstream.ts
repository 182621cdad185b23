/**
 * A local OpenAI-compatible upstream for tests and the gateway benchmark (node:http, loopback).
 * The request's `model` chooses the behaviour:
 * - anything else: a completion (or, with `stream: true`, `chunks` SSE chunks and `[DONE]`);
 * - `fail-500`: HTTP 500; `hang`: never answers; `break`: two chunks, then the socket is destroyed;
 * - `stall`: two chunks, then silence; `endless`: a chunk every 20 ms until the client goes away;
 *   `trickle`: the stream, one write per chunk on successive event-loop turns.
 * Every request is recorded (method, path, headers, exact body bytes, and whether it was aborted).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Resolves when the client side of this request went away before the response ended. */
  aborted: Promise<void>;
}

export interface StubUpstream {
  /** Base URL with `/v1`. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** The n-th chunk of a streamed completion. */
export function chunkJson(i: number, model: string): string {
  return JSON.stringify({ id: 'chatcmpl-stub', object: 'chat.completion.chunk', created: 1700000000, model, choices: [{ index: 0, delta: { content: `tok${i} ` }, finish_reason: null }] });
}

/** The completion for a model. */
export function completionJson(model: string, text = 'Hello from the stub'): string {
  return JSON.stringify({
    id: 'chatcmpl-stub',
    object: 'chat.completion',
    created: 1700000000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
  });
}

export async function startStubUpstream(options: { chunks?: number; record?: boolean } = {}): Promise<StubUpstream> {
  const chunks = options.chunks ?? 5;
  const record = options.record ?? true;
  const requests: RecordedRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    let onAbort!: () => void;
    const aborted = new Promise<void>((r) => (onAbort = r));
    res.on('close', () => {
      if (!res.writableFinished) onAbort();
    });
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      if (record) requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, aborted });
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1700000000, owned_by: 'stub' }] }));
        return;
      }
      let parsed: { model?: string; stream?: boolean } = {};
      try {
        parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad json"}}');
        return;
      }
      const model = parsed.model ?? 'gpt-4o';
      if (model === 'fail-500') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
      if (model === 'hang') return;
      if (!parsed.stream) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-stub' }).end(completionJson(model));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      if (model === 'break' || model === 'stall') {
        res.write(`data: ${chunkJson(0, model)}\n\n`);
        res.write(`data: ${chunkJson(1, model)}\n\n`);
        if (model === 'break') setTimeout(() => res.destroy(), 20);
        return;
      }
      if (model === 'endless') {
        let i = 0;
        const t = setInterval(() => res.write(`data: ${chunkJson(i++, model)}\n\n`), 20);
        res.on('close', () => clearInterval(t));
        return;
      }
      if (model === 'trickle') {
        // One write per chunk, each on its own turn of the event loop (how a model streams, minus the wait).
        let i = 0;
        const next = () => {
          if (res.destroyed) return;
          if (i < chunks) {
            res.write(`data: ${chunkJson(i++, model)}\n\n`);
            setImmediate(next);
          } else res.end('data: [DONE]\n\n');
        };
        return next();
      }
      let out = '';
      for (let i = 0; i < chunks; i++) out += `data: ${chunkJson(i, model)}\n\n`;
      res.end(out + 'data: [DONE]\n\n');
    });
  };
  const server: Server = createServer(handler);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
