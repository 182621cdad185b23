/**
 * What the log decoder finds: error chains, their links, and the counts of a log.
 * @module
 */

/** One link of an error chain, outermost first. */
export interface ChainLink {
  /** The link's code: written in the log, or recovered from the catalog (then `inferred`). */
  code?: string;
  /** The class name when the log shows it (`M2MError`, `CryptoError`, `TypeError`…). */
  name?: string;
  message: string;
  /**
   * True when this link's code, or the link itself, was not written in the log but recovered by
   * matching a message against the catalog's message templates (see `catalog-match.ts`).
   */
  inferred?: boolean;
  /** Every code whose template fits the message equally well, when there is more than one. */
  candidates?: string[];
}

/** A link with only the fields that have values (no `undefined` keys in `--json` output). */
export function makeLink(code: string | undefined, name: string | undefined, message: string): ChainLink {
  const link: ChainLink = { message };
  if (code) link.code = code;
  if (name) link.name = name;
  return link;
}

/** Which shape of log an error came from. */
export type RecordFormat =
  | 'm2m-json'
  | 'pino'
  | 'winston'
  | 'bunyan'
  | 'json'
  | 'otel'
  | 'inspect'
  | 'stack'
  | 'chain-text';

/** One error chain found in a log. */
export interface FoundError {
  /** 1-based line where the record starts. */
  line: number;
  /** 1-based last line of a multi-line record. */
  endLine: number;
  /** Time of the log entry, when it has one. */
  time?: Date;
  format: RecordFormat;
  /** The outermost link's code, or `UNCODED`. */
  code: string;
  /** Every code of the chain, outermost first (without duplicates). */
  codes: string[];
  retryable?: boolean;
  /** The chain, outermost first. */
  chain: ChainLink[];
  /** True when any link was inferred. */
  inferred: boolean;
  /** True when the record was cut (an unclosed multi-line block): its chain may lack links. */
  partial?: boolean;
}

/** Everything a log produced. */
export interface DecodedLog {
  errors: FoundError[];
  /** Non-empty lines read. */
  lines: number;
  /** Lines parsed as JSON records. */
  records: number;
  /** Cut or oversized records: JSON lines that do not parse, unclosed text blocks, lines over the size bound. */
  partial: number;
  /** Lines that are neither a record nor part of an error block. */
  other: number;
}

/** Which parsers {@link DecodeOptions.format} enables. */
export type LogFormat = 'auto' | 'json' | 'text';

/** Options of `decodeLog`. */
export interface DecodeOptions {
  /** `json`: JSON lines only; `text`: text blocks only; `auto` (default): both. */
  format?: LogFormat;
}

/** Bounds that keep decoding linear in the input whatever it holds. */
export const LIMITS = {
  /** Longer lines are counted as partial and not parsed. */
  maxLineChars: 256 * 1024,
  /** A text block stops (partial) after this many lines. */
  maxBlockLines: 2000,
  /** Links of one chain. */
  maxChain: 32,
  /** Messages longer than this are not matched against the catalog. */
  maxMatchChars: 8192,
  /** How far into a line an error header is looked for. */
  maxHeaderOffset: 200,
  /** Records inside one OTLP line. */
  maxOtelRecords: 1000,
  /** Foreign lines tolerated inside an open `{ … }` block of `util.inspect` output. */
  maxInterleaved: 16,
} as const;
