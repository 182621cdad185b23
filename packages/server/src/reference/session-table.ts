/**
 * Sessions created over HTTP (`POST /session`, HELLO on `/message`): a bounded table whose
 * entries expire after an idle timeout. Each entry is a {@link SessionCore} in the server role
 * on a clock without timers (HTTP cannot push a PING; expiry here replaces the idle timer).
 * Map order is kept least-recently-used first, so expiry walks only the expired entries.
 * @module
 */
import { SessionCore, defaultCapabilities, type Capabilities, type Clock } from '@m2m/session';

/** A clock that reads the time and never fires: HTTP sessions have no server-side timers. */
const NO_TIMERS: Clock = { now: () => Date.now(), setTimeout: () => undefined, clearTimeout: () => undefined };

/** One HTTP session. */
export interface HttpSession {
  /** The session id (the `session_id` clients send). */
  readonly id: string;
  /** The session's protocol state machine. */
  readonly core: SessionCore;
  /** When the session was last stored or looked up, in epoch milliseconds (the idle timeout counts from here). */
  lastUsed: number;
}

/** Options of {@link SessionTable}. */
export interface SessionTableOptions {
  /** Most sessions held at once (default 10,000). */
  maxSessions?: number;
  /** A session unused this long is dropped (default 300 s, the reference's session timeout). */
  idleTimeoutMs?: number;
  /** The server's capabilities. */
  capabilities?: Capabilities;
  /** Time source (tests). */
  now?: () => number;
}

/** The HTTP session table. */
export class SessionTable {
  /** Most sessions held at once (default 10,000). */
  readonly maxSessions: number;
  /** Milliseconds of disuse after which a session is dropped (default 300,000). */
  readonly idleTimeoutMs: number;
  /** The capabilities the server offers in ACCEPT. */
  readonly capabilities: Capabilities;
  #sessions = new Map<string, HttpSession>();
  #now: () => number;

  constructor(options: SessionTableOptions = {}) {
    this.maxSessions = options.maxSessions ?? 10_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.capabilities = options.capabilities ?? defaultCapabilities({ agentType: 'm2m-server' });
    this.#now = options.now ?? Date.now;
  }

  /** Sessions held now (after dropping expired ones). */
  get size(): number {
    this.#expire();
    return this.#sessions.size;
  }

  /** True when no session can be added. */
  get full(): boolean {
    return this.size >= this.maxSessions;
  }

  /** A new server-side session core (not yet in the table). */
  create(sessionId?: string): SessionCore {
    return new SessionCore({ role: 'server', capabilities: this.capabilities, clock: { ...NO_TIMERS, now: this.#now }, ...(sessionId ? { sessionId } : {}) });
  }

  /** Stores a session; returns false when the table is full. */
  add(core: SessionCore): boolean {
    if (this.full) return false;
    this.#sessions.set(core.id, { id: core.id, core, lastUsed: this.#now() });
    return true;
  }

  /** The live session of an id, marked as used; `undefined` when absent or expired. */
  get(id: string): HttpSession | undefined {
    this.#expire();
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    this.#sessions.delete(id);
    s.lastUsed = this.#now();
    this.#sessions.set(id, s);
    return s;
  }

  /** Removes a session; true when it was there. */
  delete(id: string): boolean {
    const s = this.#sessions.get(id);
    s?.core.dispose();
    return this.#sessions.delete(id);
  }

  /** Milliseconds until the oldest session expires (a retry hint when full). */
  retryAfterMs(): number {
    const oldest = this.#sessions.values().next().value as HttpSession | undefined;
    return oldest ? Math.max(1, oldest.lastUsed + this.idleTimeoutMs - this.#now()) : 1;
  }

  #expire(): void {
    const cutoff = this.#now() - this.idleTimeoutMs;
    for (const [id, s] of this.#sessions) {
      if (s.lastUsed > cutoff) break;
      s.core.dispose();
      this.#sessions.delete(id);
    }
  }
}
