/**
 * Seed 000's proxy error responses: the status of the error's catalog code and the body
 * `{"error":{"code","message","details"}}` (details in snake_case, `retry_after_ms` for 429s), and
 * the same error as a Server-Sent Event for streams that fail after their headers went out.
 * @module
 */
import { M2MError, isM2MError, isSdkError } from '@m2m/core';
import { serializeError } from '@m2m/core/errors';

/** Seed 000's error body. */
export interface GatewayErrorBody {
  /** Stable `code`, public `message`, `details` with snake_case keys, and `retry_after_ms` (milliseconds) on 429 answers. */
  error: { code: string; message: string; details: Record<string, unknown>; retry_after_ms?: number };
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Any thrown value as a typed error (an unknown one becomes SERVER_ERROR). */
export function asGatewayError(e: unknown): M2MError {
  if (isM2MError(e)) return e;
  if (isSdkError(e)) return new M2MError('Server', { reason: 'internal failure' }, { cause: e });
  return new M2MError('Server', { reason: (e as Error)?.message ?? String(e) }, { cause: e });
}

/** The status and body of an error, in its public view (no hidden details, no causes). */
export function gatewayErrorBody(e: unknown): { status: number; body: GatewayErrorBody } {
  const err = asGatewayError(e);
  const s = serializeError(err, { view: 'public' });
  const details: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.details ?? {})) details[snake(k)] = v;
  const body: GatewayErrorBody = { error: { code: String(s.code ?? 'SERVER_ERROR'), message: s.message, details } };
  if (err.retryAfterMs !== undefined) body.error.retry_after_ms = err.retryAfterMs;
  return { status: err.httpStatus, body };
}

/**
 * The error as an HTTP response (`Retry-After` in whole seconds when the error has a retry hint).
 * @example `gatewayErrorResponse(new M2MError('Unauthorized', { reason: 'missing API key' })).status` → 401
 */
export function gatewayErrorResponse(e: unknown): Response {
  const { status, body } = gatewayErrorBody(e);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (body.error.retry_after_ms !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(body.error.retry_after_ms / 1000)));
  return new Response(JSON.stringify(body), { status, headers });
}

/** The error as the last event of an SSE stream (`event: error`, the body as data). */
export function gatewayErrorEvent(e: unknown): string {
  return `event: error\ndata: ${JSON.stringify(gatewayErrorBody(e).body)}\n\n`;
}
