/**
 * `winstonErrorFormat`: a winston format that writes the whole typed error chain.
 * @module
 */
import { serializeError } from './serialize.js';

// triple-beam's keys are registered symbols, so winston's own objects carry these very symbols.
const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');
const SPLAT = Symbol.for('splat');

/** The shape of a winston `info` object (winston's `TransformableInfo`), taken structurally. */
export interface WinstonInfo {
  /** Log level (`error`, `warn`, ...). */
  level: string;
  /** The log message; may itself be an Error when `logger.error(err)` is called. */
  message: unknown;
  /** Metadata fields and triple-beam's symbol keys (`level`, `message`, `splat`). */
  [key: string | symbol]: unknown;
}

/** What `winston.format.combine` accepts: an object with a `transform` method. */
export interface WinstonFormatLike {
  /** Rewrites one `info` object; when it carries an Error, the result holds the serialized chain in the configured field. */
  transform(info: WinstonInfo, opts?: unknown): WinstonInfo;
}

/** Options of {@link winstonErrorFormat}. */
export interface WinstonErrorFormatOptions {
  /** Field that receives the serialized chain. Default `err` (what `m2m errors decode` reads). */
  field?: string;
  /** Include each link's stack. Default true. */
  stack?: boolean;
}

const isErrorLike = (x: unknown): x is Error => x instanceof Error;
/** Fields of an SDK error (packages/core/src/errors/base.ts) that the serialized chain already holds. */
const ERROR_OWN = new Set(['name', 'message', 'stack', 'cause', 'code', 'id', 'category', 'retryable', 'retryAfterMs', 'httpStatus', 'exposeDetails', 'kind', 'reason', 'details']);

/**
 * A winston format that keeps the cause chain: `logger.error(err)`, `logger.log({ level,
 * message: err })` and errors in `err` / `error` / `cause` fields become `serializeError`'s
 * output (every link with code, kind, details and stack; secrets redacted) under `err`, and
 * `message` becomes the error's message. Use it instead of `format.errors()` (which keeps the
 * outer error only), before `format.json()`:
 *
 * @example
 * ```ts
 * const logger = winston.createLogger({ format: format.combine(winstonErrorFormat(), format.json()), transports });
 * logger.error(err); // {"level":"error","message":"Crypto error: …","err":{"code":"CRYPTO_ERROR",…,"cause":{…}}}
 * ```
 * Never throws.
 */
export function winstonErrorFormat(options: WinstonErrorFormatOptions = {}): WinstonFormatLike {
  const field = options.field ?? 'err';
  const stack = options.stack ?? true;
  return {
    transform(info: WinstonInfo): WinstonInfo {
      let out: WinstonInfo = info;
      const err = isErrorLike(info) ? info : isErrorLike(info.message) ? info.message : undefined;
      if (err) {
        // winston hands over the Error itself (with `level` and any defaultMeta added): keep
        // those fields, not the error's own, which the serialized chain carries.
        out = { level: info.level, message: err.message };
        for (const k of Object.keys(info)) if (!ERROR_OWN.has(k)) out[k] = info[k];
        for (const sym of [LEVEL, SPLAT]) if (info[sym] !== undefined) out[sym] = info[sym];
        out.message = err.message;
        out[field] = serializeError(err, { stack });
        if (info[MESSAGE] !== undefined && typeof info[MESSAGE] === 'string') out[MESSAGE] = info[MESSAGE];
      }
      for (const k of ['err', 'error', 'cause']) {
        const v = out[k];
        if (isErrorLike(v) && !(k === 'cause' && err)) {
          if (out === info) out = { ...info };
          out[k] = serializeError(v, { stack });
        }
      }
      return out;
    },
  };
}
