/**
 * Error chains in one JSON log record: this SDK's serialized errors (top level, `err`, `error`),
 * pino's default `err` (causes folded into `message` and `stack`), winston's `format.errors()`
 * (the error's fields at the top level), bunyan's `stdSerializers.err`, and OpenTelemetry log
 * records (flat `attributes` or OTLP/JSON `resourceLogs`, and span events) with `exception.*`
 * attributes or our `m2m.error.chain` attribute (packages/core/src/errors/otel.ts).
 * @module
 */
import { catalogEntry } from '@m2m/core';
import { isSerializedSdkError } from '@m2m/core/errors';
import { completeChain } from './catalog-match.js';
import { parseErrorHeader, parseStackText, splitCodePrefix } from './stack-text.js';
import { LIMITS, makeLink, type ChainLink, type RecordFormat } from './types.js';

type Rec = Record<string, unknown>;
const isRec = (x: unknown): x is Rec => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

/** One error chain of a record, before line numbers are attached. */
export interface RecordError {
  format: RecordFormat;
  time?: Date;
  chain: ChainLink[];
  retryable?: boolean;
}

/** The time of a record, from the usual fields (`time`, `timestamp`, `ts`, `@timestamp`, OTel's `timeUnixNano`). */
export function timeOf(o: Rec): Date | undefined {
  for (const k of ['time', 'timestamp', 'ts', '@timestamp']) {
    const v = o[k];
    if (typeof v === 'number' && Number.isFinite(v)) return new Date(v < 1e12 ? v * 1000 : v);
    if (typeof v === 'string') {
      const d = new Date(v);
      if (!Number.isNaN(d.getTime())) return d;
    }
  }
  for (const k of ['timeUnixNano', 'observedTimeUnixNano']) {
    const v = o[k];
    const ns = typeof v === 'string' && /^\d{1,20}$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
    if (Number.isFinite(ns) && ns > 0) return new Date(ns / 1e6);
  }
  return undefined;
}

function formatOf(o: Rec): RecordFormat {
  if (o.v === 0 && typeof o.hostname === 'string' && typeof o.msg === 'string') return 'bunyan';
  if (typeof o.level === 'number') return 'pino';
  if (typeof o.level === 'string') return 'winston';
  if (isSerializedSdkError(o)) return 'm2m-json';
  return 'json';
}

/** Links from a text value (a message, a stack, or `formatErrorChain` output). */
function linksFromText(text: string): ChainLink[] {
  if (text.includes('\n')) {
    return parseStackText(text).map((h) => makeLink(h.code, h.name, h.message));
  }
  const h = parseErrorHeader(text) ?? splitCodePrefix(text);
  return [makeLink(h.code, h.name, h.message)];
}

/** Links from an error-like value: serialized, pino/bunyan-serialized, or a string. */
export function linksFromValue(v: unknown, depth = 0): ChainLink[] {
  if (depth >= LIMITS.maxChain) return [];
  if (typeof v === 'string') return linksFromText(v);
  if (!isRec(v)) return [];
  const name = str(v.name) ?? str(v.type);
  let message = str(v.message) ?? '';
  const code = str(v.code);
  const stack = str(v.stack) ? parseStackText(v.stack as string) : [];
  // pino's default serializer appends each cause's message to `message`; the stack's first
  // segment holds the error's own message.
  if (stack.length && stack[0].message && (message === '' || (message.startsWith(stack[0].message) && message.length > stack[0].message.length))) message = stack[0].message;
  const link = makeLink(code, name, message);
  let rest: ChainLink[] = [];
  if (v.cause !== undefined && v.cause !== null) rest = linksFromValue(v.cause, depth + 1);
  else if (stack.length > 1) rest = stack.slice(1).map((h) => makeLink(h.code, h.name, h.message));
  return [link, ...rest].slice(0, LIMITS.maxChain - depth);
}

function looksLikeError(o: Rec): boolean {
  if (isSerializedSdkError(o)) return true;
  if (typeof o.message !== 'string') return false;
  if (typeof o.stack === 'string' && parseErrorHeader(o.stack.slice(0, 300)) !== undefined) return true;
  return typeof o.code === 'string' && catalogEntry(o.code) !== undefined;
}

function finish(format: RecordFormat, time: Date | undefined, links: ChainLink[], retryable: unknown): RecordError | undefined {
  if (!links.length) return undefined;
  const chain = completeChain(links);
  const outer = chain[0].code;
  const r = typeof retryable === 'boolean' ? retryable : outer ? catalogEntry(outer)?.retryable : undefined;
  const out: RecordError = { format, time, chain };
  if (r !== undefined) out.retryable = r;
  return out;
}

/** OTLP AnyValue (`{stringValue}`, `{arrayValue:{values}}`, …) to a plain value. */
function anyValue(v: unknown, depth = 0): unknown {
  if (!isRec(v)) return v;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return v.intValue;
  if ('doubleValue' in v) return v.doubleValue;
  if (isRec(v.arrayValue) && Array.isArray(v.arrayValue.values) && depth < 4) return v.arrayValue.values.slice(0, 256).map((x) => anyValue(x, depth + 1));
  return undefined;
}

/** Attributes as a flat map, from an object map or OTLP's `[{key, value}]` list. */
function attributesOf(a: unknown): Rec | undefined {
  if (isRec(a)) return a;
  if (!Array.isArray(a)) return undefined;
  const out: Rec = {};
  for (const kv of a.slice(0, 256)) if (isRec(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  return out;
}

/** The chain an OpenTelemetry record or span event carries in its attributes. */
function otelLinks(attrs: Rec): { links: ChainLink[]; retryable?: unknown } | undefined {
  const chainJson = str(attrs['m2m.error.chain']);
  if (chainJson !== undefined) {
    try {
      const parsed = JSON.parse(chainJson) as unknown;
      if (isRec(parsed)) return { links: linksFromValue(parsed), retryable: parsed.retryable };
    } catch {
      // fall through to the standard attributes
    }
  }
  const type = str(attrs['exception.type']);
  const message = str(attrs['exception.message']);
  const stack = str(attrs['exception.stacktrace']);
  if (type === undefined && message === undefined && stack === undefined) return undefined;
  const code = str(attrs['m2m.error.code']) ?? (type && catalogEntry(type) ? type : undefined);
  const name = type && !catalogEntry(type) ? type : undefined;
  const links = linksFromValue({ ...(name ? { name } : {}), ...(code ? { code } : {}), message: message ?? '', ...(stack ? { stack } : {}) });
  return { links };
}

function* otelRecords(o: Rec): Generator<{ attrs: Rec; time?: Date }> {
  let n = 0;
  const lists: Array<[unknown, string, string]> = [
    [o.resourceLogs, 'scopeLogs', 'logRecords'],
    [o.resourceSpans, 'scopeSpans', 'spans'],
  ];
  for (const [resources, scopeKey, itemKey] of lists) {
    if (!Array.isArray(resources)) continue;
    for (const r of resources.slice(0, LIMITS.maxOtelRecords)) {
      const scopes = isRec(r) && Array.isArray(r[scopeKey]) ? (r[scopeKey] as unknown[]) : [];
      for (const s of scopes.slice(0, LIMITS.maxOtelRecords)) {
        const items = isRec(s) && Array.isArray(s[itemKey]) ? (s[itemKey] as unknown[]) : [];
        for (const item of items) {
          if (++n > LIMITS.maxOtelRecords || !isRec(item)) return;
          if (itemKey === 'logRecords') {
            const attrs = attributesOf(item.attributes);
            if (attrs) yield { attrs, time: timeOf(item) };
          } else if (Array.isArray(item.events)) {
            for (const ev of item.events.slice(0, 64)) {
              const attrs = isRec(ev) ? attributesOf(ev.attributes) : undefined;
              if (attrs) yield { attrs, time: timeOf(ev) };
            }
          }
        }
      }
    }
  }
}

/** Every error chain in one parsed JSON record. */
export function errorsInRecord(o: Rec): RecordError[] {
  const out: RecordError[] = [];
  const push = (r: RecordError | undefined) => r && out.push(r);
  if (Array.isArray(o.resourceLogs) || Array.isArray(o.resourceSpans)) {
    for (const { attrs, time } of otelRecords(o)) {
      const found = otelLinks(attrs);
      if (found) push(finish('otel', time, found.links, found.retryable));
    }
    return out;
  }
  const time = timeOf(o);
  const attrs = attributesOf(o.attributes);
  const otel = attrs ? otelLinks(attrs) : undefined;
  if (otel) push(finish('otel', time, otel.links, otel.retryable));
  const format = formatOf(o);
  let fieldFound = false;
  for (const k of ['err', 'error', 'exception']) {
    const v = o[k];
    if (typeof v === 'string' ? v.length > 0 : isRec(v)) {
      fieldFound = true;
      let links = linksFromValue(v);
      // A message in `error` with its code beside it (the request lines of m2m server,
      // packages/server/src/node.ts): the code is the record's, not one inferred from the text.
      const beside = typeof v === 'string' && links.length && links[0].code === undefined && typeof o.code === 'string' && catalogEntry(o.code) ? o.code : undefined;
      if (beside) links = [makeLink(beside, links[0].name, links[0].message), ...links.slice(1)];
      push(finish(format, time, links, isRec(v) ? v.retryable : undefined));
    }
  }
  if (!fieldFound && !otel && looksLikeError(o)) push(finish(format, time, linksFromValue(o), o.retryable));
  return out;
}
