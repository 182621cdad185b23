/**
 * What `util.inspect` (console.log, console.error of an error) shows of an SDK error: the header
 * and stack Node prints for any error, then what an operator acts on: `code`, `kind` (and a
 * CryptoError's `reason`), `retryable`, `retryAfterMs` when the peer gave one, the details with
 * secrets redacted (redact.ts; the raw details could hold key bytes), and the cause chain, where
 * a non-SDK cause (any Error or object an app or library threw) is shown through a stand-in whose
 * own fields pass the same redaction, so a cause carrying `key` bytes or a `privateKey` string
 * cannot print them.
 * Fields that are constant per code (`id`, `category`, `httpStatus`, `exposeDetails`) stay
 * readable as properties but out of the log. Node's layout is kept, so `m2m errors decode`
 * (packages/cli/src/log-decoder/text-block.ts) reads it as before.
 * @module
 */
import { setToJSONHook } from './json-hook.js';
import { isSecretName, redactDetails } from './redact.js';
import { serializeError } from './serialize.js';

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

/** How many causes deep the inspect view follows a chain (serialize.ts stops at 16 as well). */
const MAX_CAUSE_DEPTH = 16;

/** Prototypes given the hook by {@link installInspectHook}: their instances are SDK errors. */
const hookedPrototypes: object[] = [];

function isHooked(x: object): boolean {
  return hookedPrototypes.some((p) => Object.prototype.isPrototypeOf.call(p, x));
}

/** Views and stand-ins made so far in one inspect call: a cycle reuses them, so Node prints `[Circular]`. */
type Made = Map<object, object>;

/**
 * An object Node's inspect prints as `e` with only the fields above: same prototype (so the same
 * class name in the header), same stack, a sanitized cause chain, and `INSPECT_CUSTOM` shadowed
 * so Node formats it itself instead of calling back here.
 */
export function inspectView(e: InspectedError, depth = 0, made: Made = new Map()): object {
  const view: Record<string, unknown> = Object.create(Object.getPrototypeOf(e) as object) as Record<string, unknown>;
  made.set(e, view);
  const hidden = (key: PropertyKey, value: unknown) => Object.defineProperty(view, key, { value, enumerable: false, configurable: true, writable: true });
  hidden(INSPECT_CUSTOM, undefined);
  hidden('stack', e.stack);
  hidden('message', e.message);
  if ('cause' in e) hidden('cause', standIn(e.cause, depth + 1, made));
  view.code = e.code;
  view.kind = e.kind;
  if (e.reason !== undefined) view.reason = e.reason;
  view.retryable = e.retryable;
  if (e.retryAfterMs !== undefined) view.retryAfterMs = e.retryAfterMs;
  if (Object.keys(e.details).length) view.details = redactDetails(e.details);
  return view;
}

/**
 * What the inspect view shows for a cause: an SDK error as its own view; any other Error as an
 * object of the same prototype with the same name, message, code and stack whose own fields are
 * redacted (redact.ts, as serializeError does) and whose cause (and an AggregateError's
 * `errors`) are stood in for in turn; any other object as its redacted copy. Depth-bounded;
 * a cycle gets the stand-in already made.
 */
function standIn(cause: unknown, depth: number, made: Made): unknown {
  if (typeof cause !== 'object' || cause === null) return typeof cause === 'function' ? '[Function]' : cause;
  const done = made.get(cause);
  if (done) return done;
  if (depth > MAX_CAUSE_DEPTH) return '[cause chain truncated]';
  if (isHooked(cause)) return inspectView(cause as InspectedError, depth, made);
  if (!(cause instanceof Error)) return standInObject(cause as Record<string, unknown>, depth, made);
  const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(cause) as object) as Record<string, unknown>;
  made.set(cause, out);
  const hidden = (key: PropertyKey, value: unknown) => Object.defineProperty(out, key, { value, enumerable: false, configurable: true, writable: true });
  hidden(INSPECT_CUSTOM, undefined);
  hidden('stack', typeof cause.stack === 'string' ? cause.stack : undefined);
  hidden('message', String(cause.message));
  if (Object.prototype.hasOwnProperty.call(cause, 'name')) hidden('name', String(cause.name));
  if ('cause' in cause) hidden('cause', standIn(cause.cause, depth + 1, made));
  const errors = (cause as { errors?: unknown }).errors;
  if (Array.isArray(errors)) hidden('errors', errors.slice(0, 100).map((x) => standIn(x, depth + 1, made)));
  copyRedacted(cause as unknown as Record<string, unknown>, out, depth, made);
  return out;
}

/** A plain object's stand-in: its own fields redacted, a `cause` field stood in for. */
function standInObject(cause: Record<string, unknown>, depth: number, made: Made): object {
  if (Array.isArray(cause) || ArrayBuffer.isView(cause) || cause instanceof ArrayBuffer) return redactDetails(cause) as object;
  const out: Record<string, unknown> = {};
  made.set(cause, out);
  copyRedacted(cause, out, depth, made);
  return out;
}

function copyRedacted(from: Record<string, unknown>, to: Record<string, unknown>, depth: number, made: Made): void {
  for (const k of Object.keys(from)) {
    if (k === 'stack' || k === 'message') continue;
    if (isSecretName(k)) to[k] = '[REDACTED]';
    else if (k === 'cause') to[k] = standIn(from[k], depth + 1, made);
    else {
      const r = redactDetails(from[k]);
      if (r !== undefined) to[k] = r;
    }
  }
}

/**
 * Makes {@link inspectView} what `util.inspect` shows of instances of each class, and
 * `serializeError`'s form what their `toJSON` returns (errors/base.ts calls it once for M2MError
 * and CryptoError; the browser build's `inspect.browser.ts` does nothing).
 */
export function installInspectHook(...classes: readonly { readonly prototype: object }[]): void {
  // Node programs log errors with JSON.stringify too: there an SDK error's toJSON writes the
  // whole chain with retry advice from the start, not only once @m2m/core/errors is loaded
  // (json-hook.ts). A call, not a bare import: the package is "sideEffects": false.
  setToJSONHook((e) => serializeError(e));
  for (const c of classes) {
    hookedPrototypes.push(c.prototype);
    Object.defineProperty(c.prototype, INSPECT_CUSTOM, {
      value(this: InspectedError): object {
        return inspectView(this);
      },
      writable: true,
      configurable: true,
    });
  }
}
