/**
 * Malformed-input checks on raw text: null bytes, control characters, terminal escapes,
 * lone surrogates (invalid UTF-16, what invalid UTF-8 becomes), replacement characters,
 * bidi overrides, Unicode tag characters (hidden ASCII), combining-mark floods, and
 * variation-selector floods. One pass per segment.
 * @module
 */
import { isBidiControl, isTagChar } from './invisible.js';

/** A malformed-input finding before it becomes a Threat. */
export interface MalformedFinding {
  name: string;
  confidence: number;
  description: string;
}

/** What the pass found, and any ASCII hidden in tag characters. */
export interface MalformedReport {
  findings: MalformedFinding[];
  /** ASCII smuggled as Unicode tag characters, to be scanned too. */
  hiddenTagText: string;
}

const TEMPLATE_MARKERS = ['[inst]', '[/inst]', '<<sys>>', '<</sys>>', '<|im_start|>', '<|im_end|>', '<|system|>', '<|user|>', '<|assistant|>', '<|endoftext|>', '<|eot_id|>', '<|start_header_id|>', '<|end_header_id|>', '### instruction:', '### system:'];

/**
 * Chat-template control tokens inside content: text that pretends to open a new system or
 * instruction turn. The scan reports them as PROMPT_INJECTION.
 */
export function findTemplateMarkers(text: string): string[] {
  if (!text.includes('<|') && !text.includes('[') && !text.includes('<<') && !text.includes('###')) return [];
  const lower = text.length > 1 << 20 ? text.slice(0, 1 << 20).toLowerCase() : text.toLowerCase();
  return TEMPLATE_MARKERS.filter((m) => lower.includes(m));
}

/** Checks one raw text. */
export function checkMalformed(text: string): MalformedReport {
  let nulls = 0;
  let controls = 0;
  let escapes = 0;
  let lone = 0;
  let replacement = 0;
  let bidi = 0;
  let tags = 0;
  let markRun = 0;
  let maxMarkRun = 0;
  let selectorRun = 0;
  let maxSelectorRun = 0;
  let hidden = '';
  let zeroWidth = 0;
  let inWordZeroWidth = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) {
      // Printable ASCII: nothing to count, and it ends any run of marks or selectors.
      markRun = selectorRun = 0;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
      } else {
        lone++;
        continue;
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      lone++;
      continue;
    }
    if (c === 0x200b || c === 0x200c || c === 0x2060 || c === 0xfeff || c === 0x200d) {
      // A zero-width joiner between emoji is ordinary; zero-width characters between letters split words.
      const before = text.charCodeAt(i - 1);
      const after = text.charCodeAt(i + 1);
      const letter = (x: number): boolean => (x >= 0x41 && x <= 0x5a) || (x >= 0x61 && x <= 0x7a);
      if (c !== 0x200d || (letter(before) && letter(after))) zeroWidth++;
      if (letter(before) && letter(after)) inWordZeroWidth++;
    }
    if (c === 0) nulls++;
    else if (c === 0x1b) escapes++;
    else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) controls++;
    else if (c === 0xfffd) replacement++;
    else if (isBidiControl(c)) bidi++;
    else if (isTagChar(c)) {
      tags++;
      if (c >= 0xe0020 && c <= 0xe007e && hidden.length < 65536) hidden += String.fromCharCode(c - 0xe0000);
    }
    const mark = (c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe20 && c <= 0xfe2f);
    markRun = mark ? markRun + 1 : 0;
    if (markRun > maxMarkRun) maxMarkRun = markRun;
    const selector = (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xe0100 && c <= 0xe01ef);
    selectorRun = selector ? selectorRun + 1 : 0;
    if (selectorRun > maxSelectorRun) maxSelectorRun = selectorRun;
  }
  const findings: MalformedFinding[] = [];
  if (nulls) findings.push({ name: 'null_bytes', confidence: 0.95, description: `Null byte injection (${nulls})` });
  if (escapes) findings.push({ name: 'terminal_escape', confidence: 0.9, description: 'Terminal escape sequences (ESC)' });
  if (controls) findings.push({ name: 'control_characters', confidence: controls > 1 ? 0.88 : 0.82, description: `Control characters (${controls})` });
  if (lone) findings.push({ name: 'invalid_unicode', confidence: 0.92, description: 'Unpaired UTF-16 surrogates (invalid Unicode)' });
  if (replacement) findings.push({ name: 'invalid_utf8', confidence: replacement > 1 ? 0.85 : 0.6, description: 'Replacement characters from invalid UTF-8' });
  if (bidi) findings.push({ name: 'bidi_override', confidence: 0.88, description: 'Bidirectional override characters (text that reads differently than it renders)' });
  if (tags) findings.push({ name: 'unicode_tags', confidence: 0.92, description: 'Invisible Unicode tag characters (hidden text)' });
  // Marks of any script (\p{M}), not only the combining-diacritics blocks counted above.
  const flood = /\p{M}{9,}/u.exec(text);
  if (flood && flood[0].length > maxMarkRun) maxMarkRun = flood[0].length;
  if (maxMarkRun > 8) findings.push({ name: 'combining_flood', confidence: maxMarkRun > 16 ? 0.9 : 0.82, description: `Combining-mark flood (${maxMarkRun} on one character)` });
  if (zeroWidth >= 8 || inWordZeroWidth >= 3) findings.push({ name: 'zero_width_characters', confidence: zeroWidth >= 16 ? 0.82 : 0.7, description: `Zero-width characters inside text (${zeroWidth})` });
  if (maxSelectorRun > 3) findings.push({ name: 'variation_selector_flood', confidence: 0.88, description: 'Variation-selector run (data hidden in invisible selectors)' });
  return { findings, hiddenTagText: hidden };
}
