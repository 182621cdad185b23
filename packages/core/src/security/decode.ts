/**
 * Finds payloads hidden in encodings (base64, URL encoding, hex, `\x`/`\u` escapes, HTML
 * character references, ROT13 and reversed text when the text asks for them) and decodes
 * them so they are scanned like any other text. Bounded: at most {@link MAX_PAYLOADS}
 * payloads and {@link MAX_DECODED_CHARS} decoded characters per scan; only decodings that
 * are readable text are kept (a base64 image or a hash decodes to binary and is dropped).
 * @module
 */

/** Most payloads decoded per scan. */
export const MAX_PAYLOADS = 64;
/** Most decoded characters per scan. */
export const MAX_DECODED_CHARS = 256 * 1024;

/** A decoded payload and the encoding it was found in. */
export interface Payload {
  encoding: 'base64' | 'url' | 'hex' | 'escape' | 'html' | 'rot13' | 'reversed';
  text: string;
}

/** Decoding budget shared by every segment of one scan. */
export interface DecodeBudget {
  payloads: number;
  chars: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isB64(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x2d || c === 0x5f;
}
function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Whether decoded text reads as text: valid UTF-8, mostly printable, with letters. */
function readable(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  let printable = 0;
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) printable++;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c > 0x7f) letters++;
  }
  if (text.length === 0 || printable / text.length < 0.9 || letters / text.length < 0.5) return undefined;
  return text;
}

function base64Bytes(run: string): Uint8Array | undefined {
  let s = run.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (s.length % 4 === 1) return undefined;
  s += '='.repeat((4 - (s.length % 4)) % 4);
  try {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

const encoder = new TextEncoder();

function percentDecode(text: string): string | undefined {
  const bytes = new Uint8Array(text.length * 3);
  let n = 0;
  let escapes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length) {
      const h = hexVal(text.charCodeAt(i + 1));
      const l = hexVal(text.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        bytes[n++] = h * 16 + l;
        escapes++;
        i += 2;
        continue;
      }
    }
    if (c === 0x2b) bytes[n++] = 0x20;
    else if (c < 0x80) bytes[n++] = c;
    else n += encoder.encodeInto(String.fromCharCode(c), bytes.subarray(n)).written;
  }
  if (escapes < 3) return undefined;
  return new TextDecoder().decode(bytes.subarray(0, n));
}

/** `\x69`, `\u0069`, `\u{69}` and `&#105;` / `&#x69;` escapes, decoded (when there are three or more). */
function unescapeText(text: string): { escape?: string; html?: string } {
  let escape = '';
  let html = '';
  let escapes = 0;
  let refs = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c && (text[i + 1] === 'x' || text[i + 1] === 'u')) {
      const braced = text[i + 1] === 'u' && text[i + 2] === '{';
      const len = text[i + 1] === 'x' ? 2 : braced ? 0 : 4;
      let j = i + (braced ? 3 : 2);
      let v = 0;
      let k = 0;
      while (j < text.length && (len === 0 ? k < 6 : k < len) && hexVal(text.charCodeAt(j)) >= 0) {
        v = v * 16 + hexVal(text.charCodeAt(j));
        j++;
        k++;
      }
      if (k > 0 && (len === 0 ? text[j] === '}' : k === len) && v <= 0x10ffff) {
        escape += String.fromCodePoint(v);
        escapes++;
        i = braced ? j : j - 1;
        continue;
      }
    }
    if (c === 0x26 && text[i + 1] === '#') {
      const hex = text[i + 2] === 'x' || text[i + 2] === 'X';
      let j = i + (hex ? 3 : 2);
      let v = 0;
      let k = 0;
      while (j < text.length && k < 7) {
        const d = hex ? hexVal(text.charCodeAt(j)) : text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39 ? text.charCodeAt(j) - 0x30 : -1;
        if (d < 0) break;
        v = v * (hex ? 16 : 10) + d;
        j++;
        k++;
      }
      if (k > 0 && text[j] === ';' && v <= 0x10ffff) {
        html += String.fromCodePoint(v);
        refs++;
        i = j;
        continue;
      }
    }
    escape += text[i];
    html += text[i];
  }
  return { escape: escapes >= 3 ? escape : undefined, html: refs >= 3 ? html : undefined };
}

function rot13(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) out += String.fromCharCode(((c - 0x61 + 13) % 26) + 0x61);
    else if (c >= 0x41 && c <= 0x5a) out += String.fromCharCode(((c - 0x41 + 13) % 26) + 0x41);
    else out += text[i];
  }
  return out;
}

/** Finds and decodes the payloads hidden in `text`, within the shared budget. */
export function findPayloads(text: string, budget: DecodeBudget): Payload[] {
  const out: Payload[] = [];
  const add = (encoding: Payload['encoding'], decoded: string | undefined): void => {
    if (decoded === undefined || budget.payloads >= MAX_PAYLOADS || budget.chars >= MAX_DECODED_CHARS) return;
    const cut = decoded.slice(0, MAX_DECODED_CHARS - budget.chars);
    budget.payloads++;
    budget.chars += cut.length;
    out.push({ encoding, text: cut });
  };
  // base64 / base64url runs of 16+ characters.
  for (let i = 0; i < text.length && budget.payloads < MAX_PAYLOADS; i++) {
    if (!isB64(text.charCodeAt(i))) continue;
    let j = i;
    while (j < text.length && isB64(text.charCodeAt(j))) j++;
    if (j - i >= 16) {
      const run = text.slice(i, Math.min(j, i + 4 * MAX_DECODED_CHARS));
      const hex = /^[0-9a-fA-F]+$/.test(run) && run.length % 2 === 0;
      if (hex) {
        const bytes = new Uint8Array(run.length / 2);
        for (let k = 0; k < bytes.length; k++) bytes[k] = hexVal(run.charCodeAt(2 * k)) * 16 + hexVal(run.charCodeAt(2 * k + 1));
        add('hex', readable(bytes));
      } else if (/[a-z]/.test(run) && /[A-Z0-9]/.test(run)) {
        const bytes = base64Bytes(run);
        if (bytes) add('base64', readable(bytes));
      }
    }
    i = j;
  }
  // Whole-text decodings read no more than the budget can still take.
  const room = text.slice(0, Math.max(0, 3 * (MAX_DECODED_CHARS - budget.chars)));
  if (room.includes('%')) add('url', percentDecode(room));
  if (room.includes('\\x') || room.includes('\\u') || room.includes('&#')) {
    const u = unescapeText(room);
    add('escape', u.escape);
    add('html', u.html);
  }
  const lower = room.toLowerCase();
  if (lower.includes('rot13') || lower.includes('rot-13') || lower.includes('rot 13') || lower.includes('caesar')) add('rot13', rot13(room.slice(0, MAX_DECODED_CHARS)));
  if (lower.includes('reverse') || lower.includes('backward') || lower.includes('right to left') || lower.includes('right-to-left')) add('reversed', Array.from(room.slice(0, 65536)).reverse().join(''));
  return out;
}
