/**
 * What `JSON.stringify` writes for an SDK error (`M2MBaseError#toJSON` in base.ts calls
 * {@link errorToJSON}). By default `{ name, code, message }`; serialize.ts installs its full form
 * (kind, retry advice, redacted details, the cause chain) when it loads, and on Node inspect.ts's
 * `installInspectHook` (the Node side of the `#inspect-hook` seam) installs it from the start; in
 * browsers only a page that uses `@m2m/core/errors` loads the serializer (it stays out of
 * bundles that never log errors).
 * A module of its own with no runtime imports: on Node, serialize.ts runs while base.ts is still
 * loading (base.ts → inspect.ts → serialize.ts), before any variable of base.ts exists.
 * @module
 */
import type { M2MBaseError } from './base.js';

/**
 * @internal The JSON form of an SDK error (what its `toJSON` returns); a live binding that
 * {@link setToJSONHook} replaces.
 */
export let errorToJSON: (e: M2MBaseError) => unknown = (e) => ({ name: e.name, code: e.code, message: e.message });

/** @internal Lets the serializer module install itself without an import cycle. */
export function setToJSONHook(fn: (e: M2MBaseError) => unknown): void {
  errorToJSON = fn;
}
