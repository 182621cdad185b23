/**
 * One byte budget for all request bodies a server is reading or holding at once (the gateway's
 * and the reference routes'). `maxBodyBytes` bounds one body; without this, connections that each
 * sent most of a body and then went quiet held connections × `maxBodyBytes` (40 connections held
 * 360 MiB; attacker test server/test/attack-bodies.test.ts). Like the session listeners' budget
 * (session/src/transport/budget.ts), each request reads a small allowance on its own, so small
 * requests are served while big ones have used up the budget; past it the request fails with
 * SERVER_BUSY (503, retryable).
 * @module
 */
import { M2MError } from '@m2m/core';

/** Default budget for request bodies held at once (64 MiB). */
export const DEFAULT_MAX_BUFFERED_BODY_BYTES = 64 * 1024 * 1024;
/** Bytes one request body may hold without drawing on the budget (64 KiB). */
export const BODY_ALLOWANCE = 64 * 1024;
/** Retry hint of a refused body. */
const RETRY_AFTER_MS = 1000;

/** What one request body holds: its allowance first, then the shared budget. */
export interface BodyAccount {
  /**
   * Counts `n` more bytes of this body.
   * @throws M2MError ServerBusy when the server's budget cannot cover them.
   */
  hold(n: number): void;
  /** Gives back what this body drew (idempotent). */
  release(): void;
}

/** The server-wide budget for request bodies. */
export class BodyBudget {
  /** Bytes drawable beyond the allowances. */
  readonly max: number;
  #used = 0;

  /** @throws M2MError Config for a maximum that is not a non-negative number. */
  constructor(max: number = DEFAULT_MAX_BUFFERED_BODY_BYTES) {
    if (!(max >= 0) || !Number.isFinite(max)) throw new M2MError('Config', { reason: `maxBufferedBodyBytes must be a non-negative number, got ${String(max)}` });
    this.max = max;
  }

  /** Bytes drawn now (beyond the allowances). */
  get used(): number {
    return this.#used;
  }

  /** A new request body's account. */
  account(): BodyAccount {
    let held = 0;
    let drawn = 0;
    return {
      hold: (n) => {
        const extra = Math.max(0, held + n - BODY_ALLOWANCE) - drawn;
        if (extra > 0) {
          if (this.#used + extra > this.max) throw new M2MError('ServerBusy', { reason: `request bodies in flight use the server's buffer budget (${this.max} bytes)`, retryAfterMs: RETRY_AFTER_MS });
          this.#used += extra;
          drawn += extra;
        }
        held += n;
      },
      release: () => {
        this.#used -= drawn;
        drawn = 0;
        held = 0;
      },
    };
  }
}
