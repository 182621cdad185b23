/**
 * Input → the text segments to scan. A chat request (an object, or JSON text) is read the
 * way an attacker writes one: every string in it (every message, content part, tool-call
 * argument, tool result, name, and any other field), not only the last user message.
 * Tool-call arguments that are JSON text are read as JSON too. Nesting is measured before
 * anything is parsed, so a deep document is reported instead of recursed into.
 * @module
 */
import { jsonDepth } from './nesting.js';
import type { ChatRequestLike, ScanInput, ScanSegment } from './types.js';

/** A structural finding (nesting, broken JSON, invalid UTF-8, cut input). */
export interface StructuralFinding {
  type: 'MALFORMED_INPUT' | 'EXCESSIVE_NESTING';
  name: string;
  confidence: number;
  description: string;
}

/** What extraction produced. */
export interface Extracted {
  segments: ScanSegment[];
  findings: StructuralFinding[];
}

/** Bounds of one extraction. */
export interface ExtractLimits {
  maxDepth: number;
  maxInputChars: number;
}

const MAX_NODES = 200_000;
/** Fields whose short values are structure, not text ("role": "assistant" is no greeting to an AI). */
const STRUCTURAL_KEYS = new Set(['role', 'type', 'id', 'tool_call_id', 'model', 'object', 'finish_reason', 'detail', 'format', 'encoding_format']);
const MAX_SEGMENTS = 20_000;
const REQUEST_KEYS = ['"messages"', '"role"', '"content"', '"model"', '"prompt"', '"input"', '"tool_calls"'];

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/** Reads `input` into segments, reporting structure problems on the way. */
export function extractSegments(input: ScanInput, limits: ExtractLimits): Extracted {
  const out: Extracted = { segments: [], findings: [] };
  let text: string;
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array) {
    try {
      text = fatalUtf8.decode(input);
    } catch {
      out.findings.push({ type: 'MALFORMED_INPUT', name: 'invalid_utf8', confidence: 0.9, description: 'Input bytes are not valid UTF-8' });
      text = lenientUtf8.decode(input);
    }
  } else if (input !== null && typeof input === 'object') {
    walk(input, '', undefined, 0, limits, out, { nodes: 0, nestedJson: 0, chars: 0 });
    return out;
  } else {
    out.findings.push({ type: 'MALFORMED_INPUT', name: 'not_text', confidence: 0.6, description: 'Input is neither text nor a request object' });
    return out;
  }
  if (text.length > limits.maxInputChars) {
    out.findings.push({ type: 'MALFORMED_INPUT', name: 'oversized_input', confidence: 0.6, description: `Input cut at ${limits.maxInputChars} characters` });
    text = text.slice(0, limits.maxInputChars);
  }
  readText(text, 'text', undefined, 0, limits, out, { nodes: 0, nestedJson: 0, chars: 0 }, true);
  return out;
}

interface WalkState {
  nodes: number;
  nestedJson: number;
  /** Characters kept so far, against `maxInputChars`. */
  chars: number;
}

/** Keeps a segment within the input budget; the first cut is reported. */
function pushSegment(out: Extracted, state: WalkState, limits: ExtractLimits, seg: ScanSegment): void {
  if (out.segments.length >= MAX_SEGMENTS) return;
  const room = limits.maxInputChars - state.chars;
  if (seg.text.length > room && !out.findings.some((f) => f.name === 'oversized_input')) {
    out.findings.push({ type: 'MALFORMED_INPUT', name: 'oversized_input', confidence: 0.6, description: `Input cut at ${limits.maxInputChars} characters` });
  }
  if (room <= 0) return;
  const text = seg.text.length > room ? seg.text.slice(0, room) : seg.text;
  state.chars += text.length;
  out.segments.push({ ...seg, text });
}

/** A text: plain, or JSON (a request, or tool arguments) read as JSON. */
function readText(text: string, path: string, role: string | undefined, depth: number, limits: ExtractLimits, out: Extracted, state: WalkState, top: boolean): void {
  const t = text.trimStart();
  const first = t.charCodeAt(0);
  if ((first === 0x7b || first === 0x5b) && state.nestedJson < 64) {
    const d = jsonDepth(t, limits.maxDepth * 4);
    if (depth + d > limits.maxDepth) {
      out.findings.push(nestingFinding(depth + d, limits.maxDepth, path));
      pushSegment(out, state, limits, { path, role, text });
      return;
    }
    let value: unknown;
    let parsed = false;
    try {
      value = JSON.parse(t);
      parsed = true;
    } catch {
      if (top && REQUEST_KEYS.some((k) => t.includes(k))) {
        out.findings.push({ type: 'MALFORMED_INPUT', name: 'broken_json', confidence: 0.85, description: 'Request JSON does not parse' });
      }
    }
    if (parsed && value !== null && typeof value === 'object') {
      state.nestedJson++;
      walk(value, path, role, depth, limits, out, state);
      return;
    }
  }
  pushSegment(out, state, limits, { path, role, text });
}

function nestingFinding(depth: number, max: number, path: string): StructuralFinding {
  return {
    type: 'EXCESSIVE_NESTING',
    name: 'json_depth',
    confidence: depth > 2 * max ? 0.95 : 0.88,
    description: `JSON nesting ${depth > 4 * max ? `over ${4 * max}` : depth} exceeds the limit ${max}${path && path !== 'text' ? ` (at ${path})` : ''}`,
  };
}

function walk(value: unknown, path: string, role: string | undefined, depth: number, limits: ExtractLimits, out: Extracted, state: WalkState): void {
  if (++state.nodes > MAX_NODES) return;
  if (depth > limits.maxDepth) {
    if (!out.findings.some((f) => f.type === 'EXCESSIVE_NESTING')) out.findings.push(nestingFinding(depth, limits.maxDepth, path));
    return;
  }
  if (typeof value === 'string') {
    readText(value, path || 'text', role, depth, limits, out, state, false);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && state.nodes <= MAX_NODES; i++) walk(value[i], `${path}[${i}]`, role, depth + 1, limits, out, state);
    return;
  }
  const obj = value as ChatRequestLike & Record<string, unknown>;
  const myRole = typeof obj.role === 'string' ? obj.role : role;
  for (const key of Object.keys(obj)) {
    if (state.nodes > MAX_NODES) break;
    const v = obj[key];
    if (STRUCTURAL_KEYS.has(key) && typeof v === 'string' && v.length <= 64) continue;
    // Keys are text an attacker controls too; the common short ones carry nothing.
    if ((key === '__proto__' || key === 'constructor' || key === 'prototype') && !out.findings.some((f) => f.name === 'prototype_pollution')) {
      out.findings.push({ type: 'MALFORMED_INPUT', name: 'prototype_pollution', confidence: 0.85, description: `Object key ${JSON.stringify(key)} (prototype pollution)` });
    }
    if (key.length > 24) pushSegment(out, state, limits, { path: `${path}.{key}`, role: myRole, text: key });
    walk(obj[key], path ? `${path}.${key}` : key, myRole, depth + 1, limits, out, state);
  }
}
