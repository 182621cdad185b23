/**
 * Finds error chains in JSON-lines logs: this SDK's serialized errors, pino's `err` field
 * (with or without our `errSerializer`), and plain objects with an `error` field. Lines that are
 * not JSON, or cut off, are counted and skipped.
 * @module
 */
import { deserializeError, isSdkError, isSerializedSdkError } from '@m2m/core';

/** One error found in a log. */
export interface FoundError {
  /** 1-based line number. */
  line: number;
  /** Time of the log entry, when it has one. */
  time?: Date;
  code: string;
  retryable?: boolean;
  /** The chain, outermost first. */
  chain: Array<{ code?: string; message: string }>;
  /** The rebuilt error (typed for SDK errors). */
  error: unknown;
}

/** Everything a log produced. */
export interface DecodedLog {
  errors: FoundError[];
  skipped: number;
  lines: number;
}

type Rec = Record<string, unknown>;
const isRec = (x: unknown): x is Rec => typeof x === 'object' && x !== null && !Array.isArray(x);

function timeOf(o: Rec): Date | undefined {
  for (const k of ['time', 'timestamp', 'ts', '@timestamp']) {
    const v = o[k];
    if (typeof v === 'number' && Number.isFinite(v)) return new Date(v < 1e12 ? v * 1000 : v);
    if (typeof v === 'string') {
      const d = new Date(v);
      if (!Number.isNaN(d.getTime())) return d;
    }
  }
  return undefined;
}

/** Turns pino's default err shape (`type`, `message`, `stack`, `code`, `cause`) into ours. */
function normalise(x: unknown): unknown {
  if (typeof x === 'string') return { name: 'Error', message: x };
  if (!isRec(x)) return x;
  if (isSerializedSdkError(x)) return x;
  const out: Rec = { ...x };
  if (typeof out.name !== 'string' && typeof out.type === 'string') out.name = out.type;
  if (out.cause !== undefined) out.cause = normalise(out.cause);
  return out;
}

function candidates(o: Rec): unknown[] {
  if (isSerializedSdkError(o)) return [o];
  const found: unknown[] = [];
  for (const k of ['err', 'error']) {
    const v = o[k];
    if (v !== undefined && v !== null && (typeof v === 'string' || isRec(v))) found.push(normalise(v));
  }
  return found;
}

function chainOf(e: unknown): Array<{ code?: string; message: string }> {
  const out: Array<{ code?: string; message: string }> = [];
  const seen = new Set<unknown>();
  for (let cur = e; cur !== undefined && cur !== null && out.length < 32 && !seen.has(cur); cur = (cur as { cause?: unknown }).cause) {
    seen.add(cur);
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      out.push({ code: typeof code === 'string' ? code : undefined, message: cur.message });
    } else {
      out.push({ message: typeof cur === 'string' ? cur : JSON.stringify(cur) });
      break;
    }
  }
  return out;
}

/** Decodes a log's text. Never throws. */
export function decodeLog(text: string): DecodedLog {
  const result: DecodedLog = { errors: [], skipped: 0, lines: 0 };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    result.lines++;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      result.skipped++;
      return;
    }
    if (!isRec(o)) {
      result.skipped++;
      return;
    }
    const time = timeOf(o);
    for (const c of candidates(o)) {
      const error = deserializeError(c);
      const sdk = isSdkError(error) ? error : undefined;
      const code = sdk?.code ?? (isRec(c) && typeof c.code === 'string' ? c.code : 'UNCODED');
      result.errors.push({ line: i + 1, time, code, retryable: sdk?.retryable, chain: chainOf(error), error });
    }
  });
  return result;
}

/** Parses `--since`: an ISO date or a duration back from `now` (`90s`, `15m`, `2h`, `7d`). */
export function parseSince(value: string, now = Date.now()): Date | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (m) {
    const unit = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 'ms'];
    return new Date(now - Number(m[1]) * unit);
  }
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
