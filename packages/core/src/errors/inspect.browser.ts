/**
 * The browser side of the `#inspect-hook` seam (package.json `imports`): browsers have no
 * `util.inspect`, so SDK errors get no inspect view there, and `inspect.ts` with the redaction it
 * needs (`redact.ts`) stays out of browser bundles (bench/startup.ts); so does the serializer that
 * the Node side installs as the errors' `toJSON` (json-hook.ts): a page gets it by importing
 * `@m2m/core/errors`.
 * @module
 */
import type * as nodeInspect from './inspect.js';

/** Does nothing in browser builds. */
export const installInspectHook: typeof nodeInspect.installInspectHook = () => {};
