/**
 * `errorChainAttributes` / `recordErrorChain`: an error and its cause chain as OpenTelemetry
 * exception attributes, on a span or a log record, taken structurally (no OpenTelemetry
 * dependency).
 * @module
 */
import { serializeError } from './serialize.js';

/** An OpenTelemetry attribute value (the API's `AttributeValue`). */
export type OtelAttributeValue = string | number | boolean | string[];

/** The attributes {@link errorChainAttributes} produces. */
export interface ErrorChainAttributes {
  /** OTel semantic convention: the outer error's class name (`M2MError`). */
  'exception.type': string;
  /** OTel semantic convention: the outer error's message. */
  'exception.message': string;
  /** OTel semantic convention: the stacks of every link, causes as `caused by:` segments. */
  'exception.stacktrace'?: string;
  /** The outer code, when the error has one. */
  'm2m.error.code'?: string;
  /** Every code of the chain, outermost first. */
  'm2m.error.codes': string[];
  /** `serializeError`'s output as JSON (no stacks): what `m2m errors decode` rebuilds the chain from. */
  'm2m.error.chain': string;
  /** Room for the caller's own attributes next to these. */
  [key: string]: OtelAttributeValue | undefined;
}

/** A span (`@opentelemetry/api`'s `Span`), taken structurally. */
export interface OtelSpanLike {
  /** Adds a timed event; {@link recordErrorChain} adds an `exception` event with the chain attributes. */
  addEvent(name: string, attributes?: Record<string, OtelAttributeValue | undefined>): unknown;
}
/** A log record being built (`@opentelemetry/sdk-logs`'s `LogRecord` in a processor), taken structurally. */
export interface OtelLogRecordLike {
  /** Merges attributes into the record; {@link recordErrorChain} writes the chain attributes here. */
  setAttributes(attributes: Record<string, OtelAttributeValue | undefined>): unknown;
}
/** A plain record (what `logger.emit()` takes), taken structurally. */
export interface OtelRecordObject {
  /** The record's attributes; {@link recordErrorChain} creates it if missing and merges the chain attributes in. */
  attributes?: Record<string, unknown>;
}

const MAX_LINKS = 16;

function links(err: unknown): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<unknown>();
  for (let cur = err; cur !== undefined && cur !== null && out.length < MAX_LINKS && !seen.has(cur); cur = (cur as { cause?: unknown }).cause) {
    seen.add(cur);
    out.push(cur);
    if (typeof cur !== 'object') break;
  }
  return out;
}

function chainedStack(chain: unknown[]): string | undefined {
  const stacks = chain.map((e) => (e instanceof Error && typeof e.stack === 'string' ? e.stack : undefined));
  if (stacks[0] === undefined) return undefined;
  return stacks
    .map((s, i) => (i === 0 ? s : `caused by: ${s ?? String((chain[i] as Error)?.message ?? chain[i])}`))
    .join('\n');
}

/**
 * The OpenTelemetry attributes of an error and its chain: the semantic-convention
 * `exception.type`, `exception.message` and `exception.stacktrace` (every link's stack, causes as
 * `caused by:` segments), plus `m2m.error.code`, `m2m.error.codes` and `m2m.error.chain` (the
 * serialized chain as JSON, secrets redacted). Never throws.
 *
 * @example
 * ```ts
 * logger.emit({ severityNumber: SeverityNumber.ERROR, body: 'could not open frame', attributes: errorChainAttributes(err) });
 * ```
 */
export function errorChainAttributes(err: unknown): ErrorChainAttributes {
  const chain = links(err);
  const serialized = serializeError(err);
  const codes = chain.map((e) => (typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined)).filter((c): c is string => typeof c === 'string');
  const stack = chainedStack(chain);
  return {
    'exception.type': serialized.name,
    'exception.message': serialized.message,
    ...(stack !== undefined ? { 'exception.stacktrace': stack } : {}),
    ...(typeof serialized.code === 'string' ? { 'm2m.error.code': serialized.code } : {}),
    'm2m.error.codes': codes,
    'm2m.error.chain': JSON.stringify(serialized),
  };
}

/**
 * Records an error and its chain on a span (as an `exception` event, as the API's
 * `recordException` does), on a log record being built (`setAttributes`), or on a plain record
 * object (merged into its `attributes`). Returns the attributes written. Never throws for an
 * unknown target shape: it only returns the attributes.
 *
 * @example
 * ```ts
 * span.setStatus({ code: SpanStatusCode.ERROR });
 * recordErrorChain(span, err);
 * ```
 */
export function recordErrorChain(target: OtelSpanLike | OtelLogRecordLike | OtelRecordObject, err: unknown): ErrorChainAttributes {
  const attributes = errorChainAttributes(err);
  if (typeof (target as OtelSpanLike).addEvent === 'function') (target as OtelSpanLike).addEvent('exception', attributes);
  else if (typeof (target as OtelLogRecordLike).setAttributes === 'function') (target as OtelLogRecordLike).setAttributes(attributes);
  else if (typeof target === 'object' && target !== null) {
    const rec = target as OtelRecordObject;
    rec.attributes = { ...(rec.attributes ?? {}), ...attributes };
  }
  return attributes;
}
