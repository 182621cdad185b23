/**
 * What `util.inspect` (console.log, console.error of an error) shows of an SDK error: the header
 * and stack Node prints for any error, then what an operator acts on: `code`, `kind` (and a
 * CryptoError's `reason`), `retryable`, `retryAfterMs` when the peer gave one, the details with
 * secrets redacted (redact.ts; the raw details could hold key bytes), and the cause chain.
 * Fields that are constant per code (`id`, `category`, `httpStatus`, `exposeDetails`) stay
 * readable as properties but out of the log. Node's layout is kept, so `m2m errors decode`
 * (packages/cli/src/log-decoder/text-block.ts) reads it as before.
 * @module
 */
import { redactDetails } from './redact.js';

/** Node's `util.inspect.custom` (a registered symbol: no node:util import, browsers ignore it). */
export const INSPECT_CUSTOM: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/** The fields of an SDK error that {@link inspectView} reads. */
interface InspectedError extends Error {
  readonly code: string;
  readonly kind: string;
  readonly reason?: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: object;
}

/**
 * An object Node's inspect prints as `e` with only the fields above: same prototype (so the same
 * class name in the header), same stack and cause, and `INSPECT_CUSTOM` shadowed so Node formats
 * it itself instead of calling back here.
 */
export function inspectView(e: InspectedError): object {
  const view: Record<string, unknown> = Object.create(Object.getPrototypeOf(e) as object) as Record<string, unknown>;
  const hidden = (key: PropertyKey, value: unknown) => Object.defineProperty(view, key, { value, enumerable: false, configurable: true, writable: true });
  hidden(INSPECT_CUSTOM, undefined);
  hidden('stack', e.stack);
  hidden('message', e.message);
  if ('cause' in e) hidden('cause', e.cause);
  view.code = e.code;
  view.kind = e.kind;
  if (e.reason !== undefined) view.reason = e.reason;
  view.retryable = e.retryable;
  if (e.retryAfterMs !== undefined) view.retryAfterMs = e.retryAfterMs;
  if (Object.keys(e.details).length) view.details = redactDetails(e.details);
  return view;
}

/**
 * Makes {@link inspectView} what `util.inspect` shows of instances of each class (errors/base.ts
 * calls it once for M2MError and CryptoError; the browser build's `inspect.browser.ts` does nothing).
 */
export function installInspectHook(...classes: readonly { readonly prototype: object }[]): void {
  for (const c of classes) {
    Object.defineProperty(c.prototype, INSPECT_CUSTOM, {
      value(this: InspectedError): object {
        return inspectView(this);
      },
      writable: true,
      configurable: true,
    });
  }
}
