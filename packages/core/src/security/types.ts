/**
 * The scanner's public types: what `scan` takes, what it returns, and what a detector plugged
 * into it sees and reports.
 * @module
 */

import type { ThreatSeverity, ThreatType } from '../errors/enums.js';

export type { ThreatSeverity, ThreatType };

/** One threat the scanner found. */
export interface Threat {
  /** Stable snake_case name of the rule or detector that fired, e.g. `ignore_instructions`. */
  name: string;
  /** The threat type. */
  category: ThreatType;
  /** The threat type's severity (JAILBREAK critical; PROMPT_INJECTION and DATA_EXFILTRATION high; the others medium). */
  severity: ThreatSeverity;
  /** How sure this finding is, 0..1 (the number the reference prints as its `severity`). */
  confidence: number;
  /** One sentence for humans. */
  description: string;
}

/** What `scan` returns: the reference's `/scan` reply (`shouldBlock` is `should_block` on the wire). */
export interface ScanResult {
  /** True when no threat was reported. */
  safe: boolean;
  /** When unsafe: the highest threat confidence; when safe: 1 (as the reference). */
  confidence: number;
  /** Every threat, highest confidence first. */
  threats: Threat[];
  /** True when the highest threat confidence reaches the blocking threshold. */
  shouldBlock: boolean;
}

/** A content part of an OpenAI-style message. */
export interface ChatContentPart {
  /** Part type, like `text` or `image_url`. */
  type?: string;
  /** The text of a `text` part (scanned). */
  text?: string;
  /** An image reference: a URL string or `{ url }` (scanned as text). */
  image_url?: string | { url?: string };
  /** Any other field; string values are scanned too. */
  [key: string]: unknown;
}

/** An OpenAI-style chat message (every field optional: the scanner reads what is there). */
export interface ChatMessageLike {
  /** Author role (`system`, `user`, `assistant`, `tool`); reported on findings. */
  role?: string;
  /** Message text, or a list of content parts; `null` for a tool-call-only message. */
  content?: string | ChatContentPart[] | null;
  /** Optional participant or function name. */
  name?: string;
  /** Tool calls of an assistant message; each function's `arguments` (a JSON string) is scanned. */
  tool_calls?: Array<{ function?: { name?: string; arguments?: string } } & Record<string, unknown>>;
  /** The id of the tool call a `tool` message answers. */
  tool_call_id?: string;
  /** Any other field; string values are scanned too. */
  [key: string]: unknown;
}

/** An OpenAI-style chat request, or any JSON object: every string in it is scanned. */
export interface ChatRequestLike {
  /** The chat messages, scanned with their paths (`messages[i]...`). */
  messages?: ChatMessageLike[];
  /** Any other field (model, tools, ...); string values are scanned too. */
  [key: string]: unknown;
}

/** What `scan` accepts: text (a JSON request's text is read as a request), UTF-8 bytes, or a request object. */
export type ScanInput = string | Uint8Array | ChatRequestLike;

/** One piece of text the scanner read, with where it came from. */
export interface ScanSegment {
  /** Where: `text`, `messages[2].content`, `messages[3].tool_calls[0].function.arguments`, `…#base64`. */
  path: string;
  /** The message role, when the text came from a message. */
  role?: string;
  /** The raw text (before normalisation). */
  text: string;
}

/** What a detector sees: the raw segments and the normalised words. */
export interface DetectorContext {
  /** Every text segment, including decoded base64 / URL-encoded payloads. */
  segments: readonly ScanSegment[];
  /** The whole input's normalised text (lower case, confusables folded, leetspeak undone). */
  normalized: string;
  /** The built-in findings so far. */
  threats: readonly Threat[];
}

/** A finding a detector reports (severity defaults to the category's). */
export type DetectorFinding = Omit<Threat, 'severity' | 'description'> & Partial<Pick<Threat, 'severity' | 'description'>>;

/**
 * An extra detector: a classifier, an LLM judge, a custom rule. It returns findings (or a
 * promise of them: then use the async scan).
 */
export type Detector = (context: DetectorContext) => DetectorFinding[] | Promise<DetectorFinding[]>;

/** Options of `scan`. */
export interface ScanOptions {
  /** Blocking threshold on the highest threat confidence (default 0.8, as the reference). */
  threshold?: number;
  /** Extra detectors run after the built-in ones. */
  detectors?: readonly Detector[];
  /** Throw `SECURITY_THREAT` when the result says `shouldBlock` (default false). */
  throwOnBlock?: boolean;
  /** Deepest JSON / bracket nesting allowed before EXCESSIVE_NESTING (default 32). */
  maxDepth?: number;
  /** Most text read, in UTF-16 code units over all segments; the rest is cut off and reported (default 1 Mi). */
  maxInputChars?: number;
  /** Findings below this confidence are dropped (default 0.5). */
  reportThreshold?: number;
}
