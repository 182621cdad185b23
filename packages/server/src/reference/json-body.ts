/**
 * Reading a JSON request body as the reference's axum `Json` extractor answers: 415 without
 * `content-type: application/json`, 400 for a syntax error, 422 for a wrong shape (the caller's
 * job), 413 past the body limit. Its error bodies are plain text, kept word for word
 * (`../shared/reference/http-api.md`). The body is counted while it is read, never buffered past
 * the limit.
 * @module
 */
import { isM2MError } from '@m2m/core';
import { utf8DecodeStrict } from '@m2m/core/internal';
import { readBoundedBody } from '@m2m/session/internal';
import type { BodyAccount, BodyBudget } from '../gateway/body-budget.js';

/** A body read as JSON, or the plain-text answer to send instead. */
export type JsonBody = { ok: true; text: string; value: unknown } | { ok: false; response: Response };

/** `application/json` or any `application/*+json`, with parameters (axum's test). */
function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const mime = value.split(';')[0]!.trim().toLowerCase();
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

/** A plain-text reply, as axum's rejections are written. */
export function textReply(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** A JSON reply of a ready-made JSON text. */
export function jsonText(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'content-type': 'application/json' } });
}

/** How a body is read: the runtime's own reader (counting into `account`), and the server's body budget. */
export interface BodyReading {
  /** Reads up to `max` bytes (throws LimitExceeded past it), counting each into `account`; the runtime disposes of unread bodies. */
  read?: (max: number, account?: BodyAccount) => Promise<Uint8Array>;
  /** The server's budget for bodies held at once (SERVER_BUSY past it, answered 503). */
  budget?: BodyBudget;
}

/**
 * Reads and parses `request`'s body.
 * @returns the text and parsed value, or the reply the reference would give.
 */
export async function readJsonBody(request: Request, maxBytes: number, reading: BodyReading = {}): Promise<JsonBody> {
  if (!isJsonContentType(request.headers.get('content-type'))) {
    if (!reading.read) await request.body?.cancel().catch(() => undefined);
    return { ok: false, response: textReply(415, 'Expected request with `Content-Type: application/json`') };
  }
  let bytes: Uint8Array;
  // Held while the body is read; what follows the read is synchronous up to the reply.
  const account = reading.budget?.account();
  try {
    if (reading.read) bytes = await reading.read(maxBytes, account);
    else {
      bytes = await readBoundedBody(request, maxBytes);
      account?.hold(bytes.length);
    }
  } catch (e) {
    account?.release();
    if (isM2MError(e) && e.kind === 'LimitExceeded') return { ok: false, response: textReply(413, 'Failed to buffer the request body: length limit exceeded') };
    if (isM2MError(e) && e.kind === 'ServerBusy') return { ok: false, response: new Response('Server busy: request bodies use all of the server\'s buffer budget', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(Math.max(1, Math.ceil((e.retryAfterMs ?? 1000) / 1000))) } }) };
    return { ok: false, response: textReply(400, `Failed to buffer the request body: ${(e as Error)?.message ?? String(e)}`) };
  }
  account?.release();
  const text = utf8DecodeStrict(bytes);
  if (text === undefined) return { ok: false, response: textReply(400, 'Failed to parse the request body as JSON: invalid UTF-8') };
  try {
    return { ok: true, text, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, response: textReply(400, `Failed to parse the request body as JSON: ${(e as Error).message}`) };
  }
}

/** axum's 422 text for a body of the wrong shape. */
export function shapeError(reason: string): Response {
  return textReply(422, `Failed to deserialize the JSON body into the target type: ${reason}`);
}
