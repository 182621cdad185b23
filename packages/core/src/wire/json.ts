/**
 * JSON reading for frame headers: a depth check that runs before any parsing, `JSON.parse`
 * for speed, and an exact parser (numbers kept as their source text) used when a document
 * has number literals whose source matters for the reference's `as_u64` rule, or to produce
 * serde_json-style error texts.
 * @module
 */
import { M2MError } from '../errors/base.js';

/** A number literal kept as written (`1000`, `1000.0`, `1e3` differ). */
export class RawNumber {
  constructor(readonly raw: string) {}
}

/** A JSON value as {@link parseJsonExact} returns it. */
export type ExactJson = null | boolean | string | RawNumber | ExactJson[] | { [k: string]: ExactJson };

/** What a scan found: depth, and whether the exact parser is needed for number fidelity. */
export interface JsonScan {
  maxDepth: number;
  /** Containers opened plus commas outside strings: an upper bound on the values a parse builds, minus one. */
  elements: number;
  /** Some number literal is integral in value but not a plain integer literal, or too long for a double. */
  ambiguousNumbers: boolean;
}

/**
 * Scans JSON text without building values: the maximum nesting depth (stopping as soon as it
 * passes `limit`), the number of elements (stopping as soon as it passes `maxElements`), and
 * whether number literals need exact handling. Linear time, constant memory: it runs before any
 * parser so that neither depth nor element count is paid for before it is bounded.
 * @throws M2MError of kind LimitExceeded when the depth exceeds `limit` (`jsonDepth`) or the
 *   elements exceed `maxElements` (`jsonElements`).
 */
export function scanJson(text: string, limit: number, maxElements = Infinity): JsonScan {
  let depth = 0;
  let max = 0;
  let elements = 0;
  let ambiguous = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string with native indexOf (strings are most of a chat payload); a quote
      // preceded by an odd number of backslashes is escaped.
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q < 0) {
          i = n;
          break;
        }
        let bs = 0;
        while (text.charCodeAt(q - 1 - bs) === 0x5c) bs++;
        i = q;
        if ((bs & 1) === 0) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++elements > maxElements) throw new M2MError('LimitExceeded', { limit: 'jsonElements', actual: elements, max: maxElements });
      if (++depth > max) {
        max = depth;
        if (max > limit) throw new M2MError('LimitExceeded', { limit: 'jsonDepth', actual: max, max: limit });
      }
    } else if (c === 0x2c) {
      if (++elements > maxElements) throw new M2MError('LimitExceeded', { limit: 'jsonElements', actual: elements, max: maxElements });
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i;
      let special = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if ((d >= 0x30 && d <= 0x39) || d === 0x2d || d === 0x2b) j++;
        else if (d === 0x2e || d === 0x65 || d === 0x45) {
          special = true;
          j++;
        } else break;
      }
      if (!ambiguous) {
        const lit = text.slice(i, j);
        if (lit.length > 15 || (special && Number.isInteger(Number(lit))) || lit === '-0') ambiguous = true;
      }
      i = j - 1;
    }
  }
  return { maxDepth: max, elements, ambiguousNumbers: ambiguous };
}

class JsonSyntaxError extends Error {}

/**
 * Parses JSON exactly (numbers as {@link RawNumber}), with serde_json-style error texts
 * (`expected value at line 1 column 1`, `EOF while parsing a list at line 1 column 30`).
 * @throws Error whose message is the serde-style text.
 */
export function parseJsonExact(text: string): ExactJson {
  let i = 0;
  const n = text.length;
  const where = (pos: number) => {
    let line = 1;
    let col = 0;
    for (let k = 0; k < pos && k < n; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        col = 0;
      } else col++;
    }
    return `line ${line} column ${col}`;
  };
  const fail = (msg: string, pos = i): never => {
    throw new JsonSyntaxError(`${msg} at ${where(pos)}`);
  };
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  // serde_json after a comma: end of input is `EOF while parsing a value`, a closing bracket is `trailing comma`.
  const afterComma = (close: string) => {
    ws();
    if (i >= n) fail('EOF while parsing a value', n);
    if (text[i] === close) fail('trailing comma', i + 1);
  };
  const value = (ctx: string): ExactJson => {
    ws();
    if (i >= n) return fail(`EOF while parsing ${ctx}`, n);
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, ExactJson> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (i >= n) return fail('EOF while parsing an object', n);
        if (text[i] !== '"') return fail('key must be a string', i + 1);
        const k = str();
        ws();
        if (i >= n) return fail('EOF while parsing an object', n);
        if (text[i] !== ':') return fail('expected `:`', i + 1);
        i++;
        // As JSON.parse (CreateDataProperty): `__proto__` is an own key, not the prototype, so
        // an exact parse reads the same document (test: core/test/attack-header-scan.test.ts).
        if (k === '__proto__') Object.defineProperty(obj, k, { value: value('a value'), writable: true, enumerable: true, configurable: true });
        else obj[k] = value('a value');
        ws();
        if (i >= n) return fail('EOF while parsing an object', n);
        if (text[i] === ',') {
          i++;
          afterComma('}');
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        return fail('expected `,` or `}`', i + 1);
      }
    }
    if (c === '[') {
      i++;
      const arr: ExactJson[] = [];
      ws();
      if (i >= n) return fail('EOF while parsing a list', n);
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value('a list'));
        ws();
        if (i >= n) return fail('EOF while parsing a list', n);
        if (text[i] === ',') {
          i++;
          afterComma(']');
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        return fail('expected `,` or `]`', i + 1);
      }
    }
    if (c === '"') return str();
    if (c === '-' || (c >= '0' && c <= '9')) return num();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (c === word[0]) {
        for (let k = 0; k < word.length; k++) {
          if (i + k >= n) return fail(`EOF while parsing a value`, n);
          if (text[i + k] !== word[k]) return fail('expected ident', i + k + 1);
        }
        i += word.length;
        return v;
      }
    }
    return fail('expected value', i + 1);
  };
  const digit = (k: number) => k < n && text.charCodeAt(k) >= 0x30 && text.charCodeAt(k) <= 0x39;
  // serde_json's number grammar and errors: `EOF while parsing a value` where input ends inside a
  // number, `invalid number` at the offending character, `number out of range` past f64.
  const num = (): RawNumber => {
    const start = i;
    let j = i;
    const need = () => {
      if (j >= n) fail('EOF while parsing a value', n);
      if (!digit(j)) fail('invalid number', j + 1);
      while (digit(j)) j++;
    };
    if (text[j] === '-') j++;
    if (j < n && text[j] === '0') {
      j++;
      if (digit(j)) fail('invalid number', j + 1);
    } else need();
    if (text[j] === '.') {
      j++;
      need();
    }
    if (text[j] === 'e' || text[j] === 'E') {
      j++;
      if (text[j] === '+' || text[j] === '-') j++;
      need();
    }
    const raw = text.slice(start, j);
    if (!Number.isFinite(Number(raw))) fail('number out of range', j);
    i = j;
    return new RawNumber(raw);
  };
  const str = (): string => {
    const start = i;
    i++;
    for (;;) {
      if (i >= n) return fail('EOF while parsing a string', n);
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) return fail('control character (\\u0000-\\u001F) found while parsing a string', i + 1);
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === undefined) return fail('EOF while parsing a string', n);
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('invalid escape', i + 2);
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) return fail('invalid escape', i + 2);
        i += 2;
        continue;
      }
      i++;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const v = value('a value');
  ws();
  if (i < n) fail('trailing characters', i + 1);
  return v;
}

/** A number as `serde_json::Value::as_u64` sees it, cast `as u32`; `undefined` when not a u64. */
export function asU64ToU32(v: unknown): number | undefined {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || Object.is(v, -0)) return undefined;
    return v <= 0xffffffff ? v : Number(BigInt(v) & 0xffffffffn);
  }
  if (v instanceof RawNumber) {
    if (!/^(0|[1-9]\d*)$/.test(v.raw)) return undefined;
    const big = BigInt(v.raw);
    if (big > 0xffffffffffffffffn) return undefined;
    return Number(big & 0xffffffffn);
  }
  return undefined;
}

/** Parsed JSON for header extraction: plain `JSON.parse` output, or {@link ExactJson} when needed. */
export type HeaderJson = unknown;

/**
 * Parses JSON for header extraction, enforcing the depth limit first.
 * @throws M2MError: LimitExceeded for depth; Compression `Invalid JSON: ...` for syntax (`details.invalidJson`: the parser's text).
 */
export function parseForHeaders(text: string, maxDepth: number): HeaderJson {
  const scan = scanJson(text, maxDepth);
  if (!scan.ambiguousNumbers) {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw invalidJson(text, e);
    }
  }
  try {
    return parseJsonExact(text);
  } catch (e) {
    throw invalidJson(text, e);
  }
}

function invalidJson(text: string, original: unknown): M2MError<'Compression'> {
  let msg: string;
  try {
    parseJsonExact(text);
    msg = original instanceof Error ? original.message : String(original);
  } catch (e) {
    msg = (e as Error).message;
  }
  return new M2MError('Compression', { reason: `Invalid JSON: ${msg}`, invalidJson: msg }, { cause: original });
}
