/**
 * `toErrorResponse`: the HTTP / wire error body of an error.
 * @module
 */
import { isSdkError } from './base.js';
import { serializeError, type ErrorView } from './serialize.js';

/** The body of an error response. */
export interface ErrorResponseBody {
  /** The error itself (snake_case keys, as sent on the wire). */
  error: {
    /** Stable error code; `INTERNAL_ERROR` when the error had no string code. */
    code: string;
    /** Message for the client (the catalog title when the public view hides details). */
    message: string;
    /** Whether the client may retry the same request. */
    retryable: boolean;
    /** Suggested wait before retrying, in milliseconds; omitted when the error set none. */
    retry_after_ms?: number;
    /** Redacted structured details; omitted when empty. */
    details?: Record<string, unknown>;
    /** The request id passed to `toErrorResponse`, if any. */
    request_id?: string;
    /** The documentation link passed to `toErrorResponse`, if any. */
    documentation_url?: string;
  };
}

/**
 * Builds `{ status, body }` for an error: the body shape reconciles the seeds' responses
 * (`{"error":{code,message,retryable,retry_after_ms?,details?,request_id?,documentation_url?}}`).
 * The default view is `public`.
 *
 * @example
 * ```ts
 * const { status, body } = toErrorResponse(e, { requestId: 'req-1' });
 * res.writeHead(status).end(JSON.stringify(body));
 * ```
 */
export function toErrorResponse(
  e: unknown,
  options: { view?: ErrorView; requestId?: string; documentationUrl?: string } = {},
): { status: number; body: ErrorResponseBody } {
  const view = options.view ?? 'public';
  const s = serializeError(e, { view, requestId: options.requestId, documentationUrl: options.documentationUrl });
  const body: ErrorResponseBody = {
    error: {
      code: typeof s.code === 'string' ? s.code : 'INTERNAL_ERROR',
      message: s.message,
      retryable: s.retryable ?? false,
      ...(s.retryAfterMs !== undefined ? { retry_after_ms: s.retryAfterMs } : {}),
      ...(s.details && Object.keys(s.details).length > 0 ? { details: s.details } : {}),
      ...(options.requestId !== undefined ? { request_id: options.requestId } : {}),
      ...(options.documentationUrl !== undefined ? { documentation_url: options.documentationUrl } : {}),
    },
  };
  return { status: isSdkError(e) || s.httpStatus ? (s.httpStatus ?? 500) : 500, body };
}
