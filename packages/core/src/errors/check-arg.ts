/**
 * The one check public functions make on an argument's type, so that a caller's mistake is a typed
 * Config error naming what the argument takes, not a bare TypeError from deep inside (used by
 * withRetry here, and by @m2m/session's connect, allowKeys, knownKeys, organizationPsk).
 * @module
 */
import { M2MError } from './base.js';

/**
 * Throws unless `ok`. The message names the argument's type only, never its value: it may be a
 * key or a psk.
 * @throws M2MError of kind Config: `<what> takes <takes>, got <type>`.
 */
export function checkArg(ok: unknown, what: string, takes: string, got: unknown): void {
  if (!ok) throw new M2MError('Config', { reason: `${what} takes ${takes}, got ${typeof got}` });
}
