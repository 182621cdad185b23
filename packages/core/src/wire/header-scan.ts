/**
 * The frame header straight from the JSON text, in one pass that validates the JSON and reads
 * only the fields the routing or response header needs (docs/PROTOCOL.md §1), without building
 * the document's values. It replaces `scanJson` + `JSON.parse` + the object walk of
 * header-build.ts on the encoder's hot path (measurements: docs/ARCHITECTURE.md, Performance notes).
 *
 * It decides only what it can decide exactly: for any text it does not accept (a syntax error,
 * nesting past the depth limit or past {@link MAX_SCAN_DEPTH}, a number literal whose source
 * matters for serde's `as_u64`, the case where json.ts switches to its exact parser) it returns
 * `undefined`, and the caller takes the full path (json.ts `parseForHeaders`, header-build.ts
 * `buildHeader`), which produces the errors and the quirky results. Accepted texts are exactly
 * the JSON that `JSON.parse` accepts with none of those number literals, and for them the header
 * equals `buildHeader(JSON.parse(text))` byte for byte, duplicate keys (the last one wins) and
 * lone surrogates included; test: packages/core/test/header-scan.test.ts.
 *
 * Memory: a few scalars and one array of role codes (one small integer per message); strings
 * are sliced only for the fields read. Time: linear, long string bodies skipped by a regular
 * expression.
 * @module
 */
import { platform } from '#platform';
import { RequestFlag, ResponseFlag } from './header.js';
import { finishReasonByte, presenceFlag, roleCode, writeRequestHeader, writeResponseHeader, type BuiltHeader } from './header-build.js';
import { asU64ToU32 } from './json.js';

/**
 * Deepest nesting the scan follows itself (it recurses once per level); deeper documents, where
 * the limit allows them, go to the full path.
 */
export const MAX_SCAN_DEPTH = 64;

/** Thrown inside the scan to hand the text to the full path (caught in {@link scanHeader}, never escapes). */
const GIVE_UP = new (class ScanGiveUp extends Error {})('header scan gives the text to the full path');

/**
 * The scan's state: one object whose fields the helpers share, so they take no arguments (its
 * fields measured cheaper than module-level `let`s, which carry initialisation checks). `text`
 * is released after every scan: a large document must not stay reachable from here.
 */
class ScanState {
  text = '';
  end = 0;
  at = 0;
  depthLimit = 0;
  /** Whether the whole text is ASCII, so a string's UTF-8 length is its length. */
  ascii = false;
  // The last string scanned: its body is text[strStart, strEnd), `strEscaped` if it holds
  // escapes, `strEscapes` of them, `strUnicode` if one is a \u escape.
  strStart = 0;
  strEnd = 0;
  strEscaped = false;
  strEscapes = 0;
  strUnicode = false;
  // The last key: text[keyStart, keyEnd), decoded only when it has escapes.
  keyStart = 0;
  keyEnd = 0;
  keyDecoded: string | undefined = undefined;
  /** Whether strings are found by native searches (texts of {@link PRECHECK_FROM} characters or more). */
  native = false;
  // There, the next tab, line feed and carriage return at or after the last string searched (`end` when none).
  nextTab = 0;
  nextLf = 0;
  nextCr = 0;
  /** The next backslash at or after the last string position searched from (`end` when none). */
  nextBackslash = -1;
  // The last number scanned: its literal is text[numStart, at), `numPlain` if it is a
  // non-negative integer literal (the only literals serde's `as_u64` reads in the texts accepted).
  numStart = 0;
  numPlain = false;
  // Fields of the header (reset per scan).
  topObject = false;
  flags = 0;
  model = '';
  id: string | undefined = undefined;
  hasModel = false;
  hasMessages = false;
  hasChoices = false;
  hasUsage = false;
  hasMaxTokensKey = false;
  maxTokens: number | undefined = undefined;
  maxCompletionTokens: number | undefined = undefined;
  stream = false;
  msgCount = 0;
  roleCount = 0;
  roles: number[] = [];
  contentHint = 0;
  systemPrompt = false;
  images = false;
  toolCalls = false;
  refusal = false;
  finish: string | undefined = undefined;
  usagePrompt: number | undefined = undefined;
  usageCompletion: number | undefined = undefined;
  cached: number | undefined = undefined;
  reasoning: number | undefined = undefined;
  // Per message and per content part (the last of duplicate keys wins, as in JSON.parse).
  contentBytes = 0;
  contentImage = false;
  partBytes = 0;
  partImage = false;
}
const st = new ScanState();

/** Role arrays longer than this are dropped after a scan rather than kept for the next. */
const KEPT_ROLES = 4096;

/**
 * The variable header of `json` as header-build.ts's `buildHeader(JSON.parse(json))` writes it,
 * or `undefined` when the text needs the full path (see the module comment). Never throws.
 * @param isAscii - whether `json` is ASCII only (its UTF-8 length equals its length)
 */
export function scanHeader(json: string, maxDepth: number, isAscii: boolean): BuiltHeader | undefined {
  st.text = json;
  st.end = json.length;
  st.at = 0;
  st.depthLimit = Math.min(maxDepth, MAX_SCAN_DEPTH);
  st.ascii = isAscii;
  st.nextBackslash = -1;
  try {
    st.native = st.end >= PRECHECK_FROM;
    if (st.native) precheckControls();
    resetFields();
    skipWs();
    if (st.text.charCodeAt(st.at) === 0x7b) readTop();
    else skipValue(0);
    skipWs();
    if (st.at !== st.end) return undefined;
    return finishHeader();
  } catch {
    // GIVE_UP, or anything unforeseen: the full path decides, with its own errors.
    return undefined;
  } finally {
    st.text = '';
    st.model = '';
    st.id = st.finish = st.keyDecoded = undefined;
    if (st.roles.length > KEPT_ROLES) st.roles = [];
  }
}

function resetFields(): void {
  st.topObject = st.hasModel = st.hasMessages = st.hasChoices = st.hasUsage = st.hasMaxTokensKey = st.stream = false;
  st.flags = 0;
  st.model = '';
  st.id = undefined;
  st.maxTokens = st.maxCompletionTokens = undefined;
  resetMessages();
  resetChoices();
  resetUsage();
}

function resetMessages(): void {
  st.msgCount = st.roleCount = st.contentHint = 0;
  st.systemPrompt = st.images = false;
}

function resetChoices(): void {
  st.toolCalls = st.refusal = false;
  st.finish = undefined;
}

function resetUsage(): void {
  st.usagePrompt = st.usageCompletion = st.cached = st.reasoning = undefined;
}

function finishHeader(): BuiltHeader {
  if (!st.topObject) return writeRequestHeader(0, '', 0, st.roles, 0, 0, undefined, undefined);
  if ((st.hasMessages && st.hasModel) || !(st.hasChoices || (st.id !== undefined && st.id.startsWith('chatcmpl-')))) {
    let f = st.flags;
    if (st.stream) f |= RequestFlag.STREAM_REQUESTED;
    if (st.systemPrompt) f |= RequestFlag.HAS_SYSTEM_PROMPT;
    if (st.images) f |= RequestFlag.HAS_IMAGES;
    const mt = f & RequestFlag.HAS_MAX_TOKENS ? (st.hasMaxTokensKey ? st.maxTokens : st.maxCompletionTokens) : undefined;
    return writeRequestHeader(f, st.model, st.msgCount, st.roles, st.roleCount, st.contentHint, mt, undefined);
  }
  let f = 0;
  if (st.toolCalls) f |= ResponseFlag.HAS_TOOL_CALLS;
  if (st.refusal) f |= ResponseFlag.HAS_REFUSAL;
  if (st.finish === 'content_filter') f |= ResponseFlag.CONTENT_FILTERED;
  if (st.finish === 'length') f |= ResponseFlag.TRUNCATED;
  if (st.hasUsage) f |= ResponseFlag.HAS_USAGE;
  return writeResponseHeader(f, st.id ?? '', st.model, finishReasonByte(st.finish), u32OrZero(st.usagePrompt), u32OrZero(st.usageCompletion), st.cached, st.reasoning);
}

/** A usage count as the reference writes it: `as u32`, 0 when absent or not a u64. */
function u32OrZero(v: number | undefined): number {
  return v === undefined ? 0 : (asU64ToU32(v) ?? 0);
}

// ---------------------------------------------------------------------------------------------
// The document's fields

function readTop(): void {
  st.topObject = true;
  if (!openObject(1)) return;
  do {
    readKey();
    const known = topKeyIndex();
    if (known < 0) {
      skipValue(1);
      continue;
    }
    st.flags |= TOP_FLAGS[known];
    switch (TOP_KEYS[known]) {
      case 'model':
        st.hasModel = true;
        st.model = readString(1) ?? '';
        break;
      case 'id':
        st.id = readString(1);
        break;
      case 'messages':
        st.hasMessages = true;
        readMessages();
        break;
      case 'stream':
        st.stream = readTrue(1);
        break;
      case 'max_tokens':
        st.hasMaxTokensKey = true;
        st.maxTokens = readU32(1);
        break;
      case 'max_completion_tokens':
        st.maxCompletionTokens = readU32(1);
        break;
      case 'choices':
        st.hasChoices = true;
        readChoices();
        break;
      case 'usage':
        st.hasUsage = true;
        readUsage();
        break;
      default:
        skipValue(1);
    }
  } while (nextMember());
}

function readMessages(): void {
  resetMessages();
  if (st.text.charCodeAt(st.at) !== 0x5b) return skipValue(1);
  if (!openArray(2)) return;
  do {
    st.msgCount++;
    if (st.text.charCodeAt(st.at) === 0x7b) readMessage();
    else skipValue(2);
  } while (nextElement());
}

function readMessage(): void {
  let code: number | undefined;
  st.contentBytes = 0;
  st.contentImage = false;
  if (openObject(3)) {
    do {
      readKey();
      if (keyIs('role')) code = readRole();
      else if (keyIs('content')) readContent();
      else skipValue(3);
    } while (nextMember());
  }
  if (code !== undefined) st.roles[st.roleCount++] = code;
  if (code === 0) st.systemPrompt = true;
  st.contentHint += st.contentBytes;
  if (st.contentImage) st.images = true;
}

function readContent(): void {
  st.contentBytes = 0;
  st.contentImage = false;
  const c = st.text.charCodeAt(st.at);
  if (c === 0x22) {
    scanString();
    st.contentBytes = stringBytes();
    return;
  }
  if (c !== 0x5b) return skipValue(3);
  if (!openArray(4)) return;
  do {
    if (st.text.charCodeAt(st.at) === 0x7b) {
      readPart();
      st.contentBytes += st.partBytes;
      if (st.partImage) st.contentImage = true;
    } else skipValue(4);
  } while (nextElement());
}

function readPart(): void {
  st.partBytes = 0;
  st.partImage = false;
  if (!openObject(5)) return;
  do {
    readKey();
    if (keyIs('text')) {
      st.partBytes = 0;
      if (st.text.charCodeAt(st.at) === 0x22) {
        scanString();
        st.partBytes = stringBytes();
      } else skipValue(5);
    } else if (keyIs('type')) st.partImage = readString(5) === 'image_url';
    else skipValue(5);
  } while (nextMember());
}

function readChoices(): void {
  resetChoices();
  if (st.text.charCodeAt(st.at) !== 0x5b) return skipValue(1);
  if (!openArray(2)) return;
  if (st.text.charCodeAt(st.at) === 0x7b) readFirstChoice();
  else skipValue(2);
  while (nextElement()) skipValue(2);
}

function readFirstChoice(): void {
  if (!openObject(3)) return;
  do {
    readKey();
    if (keyIs('message')) readChoiceMessage();
    else if (keyIs('finish_reason')) st.finish = readString(3);
    else skipValue(3);
  } while (nextMember());
}

function readChoiceMessage(): void {
  st.toolCalls = st.refusal = false;
  if (st.text.charCodeAt(st.at) !== 0x7b) return skipValue(3);
  if (!openObject(4)) return;
  do {
    readKey();
    if (keyIs('tool_calls')) {
      st.toolCalls = true;
      skipValue(4);
    } else if (keyIs('refusal')) st.refusal = readString(4) !== undefined;
    else skipValue(4);
  } while (nextMember());
}

function readUsage(): void {
  resetUsage();
  if (st.text.charCodeAt(st.at) !== 0x7b) return skipValue(1);
  if (!openObject(2)) return;
  do {
    readKey();
    if (keyIs('prompt_tokens')) st.usagePrompt = readU64(2);
    else if (keyIs('completion_tokens')) st.usageCompletion = readU64(2);
    else if (keyIs('prompt_tokens_details')) st.cached = readDetail('cached_tokens');
    else if (keyIs('completion_tokens_details')) st.reasoning = readDetail('reasoning_tokens');
    else skipValue(2);
  } while (nextMember());
}

/** `usage.*_details.<name>` as serde's `as_u64` reads it; `undefined` when absent or not a u64. */
function readDetail(name: string): number | undefined {
  if (st.text.charCodeAt(st.at) !== 0x7b) {
    skipValue(2);
    return undefined;
  }
  let v: number | undefined;
  if (!openObject(3)) return undefined;
  do {
    readKey();
    if (keyIs(name)) v = readU64(3);
    else skipValue(3);
  } while (nextMember());
  return v;
}

// ---------------------------------------------------------------------------------------------
// Values read at the current position (after whitespace); `depth` is the enclosing container's.

/** The string value here, or `undefined` after skipping a value of another type. */
function readString(depth: number): string | undefined {
  if (st.text.charCodeAt(st.at) !== 0x22) {
    skipValue(depth);
    return undefined;
  }
  scanString();
  return stringValue();
}

/** A message's role code (header-build.ts `roleCode`), read in place; `undefined` for other roles and non-strings. */
function readRole(): number | undefined {
  if (st.text.charCodeAt(st.at) !== 0x22) {
    skipValue(3);
    return undefined;
  }
  scanString();
  if (st.strEscaped) return roleCode(stringValue());
  const s = st.text;
  const at = st.strStart;
  switch (st.strEnd - at) {
    case 4:
      return s.startsWith('user', at) ? 1 : s.startsWith('tool', at) ? 3 : undefined;
    case 6:
      return s.startsWith('system', at) ? 0 : undefined;
    case 9:
      return s.startsWith('assistant', at) ? 2 : s.startsWith('developer', at) ? 0 : undefined;
    default:
      return undefined;
  }
}

function readTrue(depth: number): boolean {
  if (st.text.startsWith('true', st.at)) {
    st.at += 4;
    return true;
  }
  skipValue(depth);
  return false;
}

/** A number as serde's `as_u64` reads it (in the texts accepted: a plain integer literal), or `undefined`. */
function readU64(depth: number): number | undefined {
  const c = st.text.charCodeAt(st.at);
  if (c !== 0x2d && !(c >= 0x30 && c <= 0x39)) {
    skipValue(depth);
    return undefined;
  }
  scanNumber();
  return st.numPlain ? Number(st.text.slice(st.numStart, st.at)) : undefined;
}

/** {@link readU64} cast `as u32`. */
function readU32(depth: number): number | undefined {
  const v = readU64(depth);
  return v === undefined ? undefined : asU64ToU32(v);
}

/** The last scanned string's value. */
function stringValue(): string {
  return st.strEscaped ? (JSON.parse(st.text.slice(st.strStart - 1, st.strEnd + 1)) as string) : st.text.slice(st.strStart, st.strEnd);
}

/** UTF-8 length of the last scanned string's value (a lone surrogate counts 3, as its U+FFFD). */
function stringBytes(): number {
  // A two-character escape other than `\\u` stands for one ASCII character: one byte less.
  if (st.strUnicode) return platform.utf8Length(stringValue());
  return (st.ascii ? st.strEnd - st.strStart : platform.utf8Length(st.text.slice(st.strStart, st.strEnd))) - st.strEscapes;
}

// ---------------------------------------------------------------------------------------------
// Validation: JSON's grammar (ECMA-404), as JSON.parse accepts it.

function giveUp(): never {
  throw GIVE_UP;
}

function skipWs(): void {
  const s = st.text;
  let i = st.at;
  while (i < st.end) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  st.at = i;
}

/** At the opening bracket of a container at `depth` that `close` ends: true when something follows (positioned at it). */
function openContainer(depth: number, close: number): boolean {
  if (depth > st.depthLimit) giveUp();
  st.at++;
  skipWs();
  if (st.text.charCodeAt(st.at) === close) {
    st.at++;
    return false;
  }
  return true;
}

/** At `{` of a container at `depth`: true when a member follows (positioned at its key). */
function openObject(depth: number): boolean {
  return openContainer(depth, 0x7d);
}
/** At `[` of a container at `depth`: true when an element follows (positioned at it). */
function openArray(depth: number): boolean {
  return openContainer(depth, 0x5d);
}

/** A member's key and its colon; positioned at the value. The key is then tested with {@link keyIs}. */
function readKey(): void {
  if (st.text.charCodeAt(st.at) !== 0x22) giveUp();
  scanString();
  st.keyStart = st.strStart;
  st.keyEnd = st.strEnd;
  st.keyDecoded = st.strEscaped ? stringValue() : undefined;
  skipWs();
  if (st.text.charCodeAt(st.at) !== 0x3a) giveUp();
  st.at++;
  skipWs();
}

/** Whether the last key read is `name` (compared in place; decoded only when it has escapes). */
function keyIs(name: string): boolean {
  if (st.keyDecoded !== undefined) return st.keyDecoded === name;
  return st.keyEnd - st.keyStart === name.length && st.text.startsWith(name, st.keyStart);
}

/** The top-level keys the header reads or whose presence sets a request flag (header-build.ts `presenceFlag`). */
const TOP_KEYS = ['model', 'id', 'messages', 'stream', 'max_tokens', 'max_completion_tokens', 'choices', 'usage', 'tools', 'functions', 'tool_choice', 'function_call', 'response_format', 'reasoning_effort', 'service_tier', 'seed', 'logprobs', 'user', 'temperature', 'top_p', 'stop'];
const TOP_FLAGS = TOP_KEYS.map(presenceFlag);
/** Indexes into {@link TOP_KEYS} by key length: a key is compared only with names of its length. */
const TOP_BY_LENGTH: number[][] = [];
TOP_KEYS.forEach((k, i) => (TOP_BY_LENGTH[k.length] ??= []).push(i));

/** The last key's index in {@link TOP_KEYS}, or -1. */
function topKeyIndex(): number {
  if (st.keyDecoded !== undefined) return TOP_KEYS.indexOf(st.keyDecoded);
  const candidates = TOP_BY_LENGTH[st.keyEnd - st.keyStart];
  if (candidates === undefined) return -1;
  for (let j = 0; j < candidates.length; j++) {
    if (st.text.startsWith(TOP_KEYS[candidates[j]], st.keyStart)) return candidates[j];
  }
  return -1;
}

/** After a member's value: true at `,` (positioned at the next key), false at `}`. */
function nextMember(): boolean {
  skipWs();
  const c = st.text.charCodeAt(st.at++);
  if (c === 0x2c) {
    skipWs();
    return true;
  }
  if (c === 0x7d) return false;
  return giveUp();
}

/** After an element: true at `,` (positioned at the next element), false at `]`. */
function nextElement(): boolean {
  skipWs();
  const c = st.text.charCodeAt(st.at++);
  if (c === 0x2c) {
    skipWs();
    return true;
  }
  if (c === 0x5d) return false;
  return giveUp();
}

/** Skips one value (positioned at it) inside a container at `depth`. */
function skipValue(depth: number): void {
  const c = st.text.charCodeAt(st.at);
  if (c === 0x22) scanString();
  else if (c === 0x7b) {
    if (openObject(depth + 1)) {
      do {
        readKeyRaw();
        skipValue(depth + 1);
      } while (nextMember());
    }
  } else if (c === 0x5b) {
    if (openArray(depth + 1)) {
      do skipValue(depth + 1);
      while (nextElement());
    }
  } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) scanNumber();
  else if (c === 0x74 && st.text.startsWith('true', st.at)) st.at += 4;
  else if (c === 0x66 && st.text.startsWith('false', st.at)) st.at += 5;
  else if (c === 0x6e && st.text.startsWith('null', st.at)) st.at += 4;
  else giveUp();
}

/** {@link readKey} without decoding the key (inside skipped values). */
function readKeyRaw(): void {
  if (st.text.charCodeAt(st.at) !== 0x22) giveUp();
  scanString();
  skipWs();
  if (st.text.charCodeAt(st.at) !== 0x3a) giveUp();
  st.at++;
  skipWs();
}

/**
 * Texts from this length on are checked for control characters up front (one native search per
 * character value, about 0.4 ns a character); below it the per-string check costs less.
 */
const PRECHECK_FROM = 1024;

/**
 * The up-front check: gives up when the text holds a control character (U+0000 to U+001F) that
 * JSON allows nowhere, and records where the first tab, line feed and carriage return are (JSON
 * allows them between tokens only). Strings are then found by native searches for `"` and `\\`
 * ({@link scanStringFast}), which check those three positions against each string.
 */
function precheckControls(): void {
  for (let c = 0; c < 0x20; c++) {
    if (c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (st.text.indexOf(String.fromCharCode(c)) >= 0) giveUp();
  }
  st.nextTab = nextIndex('\t', 0);
  st.nextLf = nextIndex('\n', 0);
  st.nextCr = nextIndex('\r', 0);
}

/** The first `c` at or after `from`, or the text's end. */
function nextIndex(c: string, from: number): number {
  const i = st.text.indexOf(c, from);
  return i < 0 ? st.end : i;
}

/** A run of string characters that need no checking: not `"`, `\` or a control character. */
// eslint-disable-next-line no-control-regex -- JSON strings may not hold raw control characters: that is what this finds.
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
/** Characters checked one by one before handing a string's rest to {@link PLAIN_RUN}. */
const SHORT_STRING = 24;

/** At `"`: validates the string and records its body (strStart, strEnd, strEscaped); positioned after it. */
function scanString(): void {
  if (st.native) return scanStringFast();
  const s = st.text;
  let i = st.at + 1;
  st.strStart = i;
  st.strEscaped = st.strUnicode = false;
  st.strEscapes = 0;
  // Keys and short values by hand: a regular-expression call costs more than a few characters.
  const short = Math.min(st.end, i + SHORT_STRING);
  let c = 0;
  for (; i < short; i++) {
    c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c < 0x20) break;
  }
  for (;;) {
    if (i >= short) {
      PLAIN_RUN.lastIndex = i;
      PLAIN_RUN.test(s);
      i = PLAIN_RUN.lastIndex;
    }
    if (i >= st.end) giveUp();
    c = s.charCodeAt(i);
    if (c === 0x22) break;
    if (c !== 0x5c) giveUp(); // a control character
    st.strEscaped = true;
    i = escapeEnd(i);
    // Continue with the regular expression from after the escape.
    if (i < short) {
      for (; i < short; i++) {
        c = s.charCodeAt(i);
        if (c === 0x22 || c === 0x5c || c < 0x20) break;
      }
    }
  }
  st.strEnd = i;
  st.at = i + 1;
}

/** {@link scanString} after {@link precheckControls}: native searches for `"` and `\\`. */
function scanStringFast(): void {
  let i = st.at + 1;
  st.strStart = i;
  st.strEscaped = st.strUnicode = false;
  st.strEscapes = 0;
  // Each search starts where the last one's answer was used up, so escapes keep it linear.
  let q = st.text.indexOf('"', i);
  for (;;) {
    if (q < 0) giveUp();
    if (st.nextBackslash < i) {
      st.nextBackslash = st.text.indexOf('\\', i);
      if (st.nextBackslash < 0) st.nextBackslash = st.end;
    }
    if (st.nextBackslash > q) {
      // A raw tab, line feed or carriage return inside the string makes the JSON invalid.
      const start = st.strStart;
      if (st.nextTab < start) st.nextTab = nextIndex('\t', start);
      if (st.nextLf < start) st.nextLf = nextIndex('\n', start);
      if (st.nextCr < start) st.nextCr = nextIndex('\r', start);
      if (st.nextTab < q || st.nextLf < q || st.nextCr < q) giveUp();
      st.strEnd = q;
      st.at = q + 1;
      return;
    }
    st.strEscaped = true;
    i = escapeEnd(st.nextBackslash);
    if (i > q) q = st.text.indexOf('"', i);
  }
}

/** Position after the escape at `i` (a backslash); gives up on an invalid escape. */
function escapeEnd(i: number): number {
  const e = st.text.charCodeAt(i + 1);
  st.strEscapes++;
  switch (e) {
    case 0x22:
    case 0x5c:
    case 0x2f:
    case 0x62:
    case 0x66:
    case 0x6e:
    case 0x72:
    case 0x74:
      return i + 2;
    case 0x75:
      st.strUnicode = true;
      for (let k = i + 2; k < i + 6; k++) {
        const h = st.text.charCodeAt(k);
        if (!((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) giveUp();
      }
      return i + 6;
    default:
      return giveUp();
  }
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * At a number: validates the literal (numStart, numPlain); positioned after it. Gives up on the
 * literals for which json.ts's `scanJson` reports `ambiguousNumbers` (longer than 15 characters,
 * `-0`, or a fraction or exponent with an integral value): there the full path parses exactly.
 */
function scanNumber(): void {
  const s = st.text;
  let i = st.at;
  st.numStart = i;
  let c = s.charCodeAt(i);
  const negative = c === 0x2d;
  if (negative) c = s.charCodeAt(++i);
  if (c === 0x30) c = s.charCodeAt(++i);
  else if (c >= 0x31 && c <= 0x39) {
    do c = s.charCodeAt(++i);
    while (isDigit(c));
  } else giveUp();
  let special = false;
  // A fraction with a nonzero digit and no exponent is never integral in a literal of at most
  // 15 characters (a double holds 15 significant digits exactly): no Number() call needed.
  let fractional = false;
  if (c === 0x2e) {
    special = true;
    c = s.charCodeAt(++i);
    if (!isDigit(c)) giveUp();
    do {
      if (c !== 0x30) fractional = true;
      c = s.charCodeAt(++i);
    } while (isDigit(c));
  }
  if (c === 0x65 || c === 0x45) {
    fractional = false;
    special = true;
    c = s.charCodeAt(++i);
    if (c === 0x2b || c === 0x2d) c = s.charCodeAt(++i);
    if (!isDigit(c)) giveUp();
    do c = s.charCodeAt(++i);
    while (isDigit(c));
  }
  st.at = i;
  const length = i - st.numStart;
  if (length > 15) giveUp();
  if (special) {
    if (!fractional && Number.isInteger(Number(s.slice(st.numStart, i)))) giveUp();
  } else if (negative && length === 2 && s.charCodeAt(st.numStart + 1) === 0x30) giveUp();
  st.numPlain = !negative && !special;
}

// ---------------------------------------------------------------------------------------------
// Texts read from their UTF-8 bytes: the common chat request and response. A loop over a
// Uint8Array costs about a third of the same loop over charCodeAt here, and the encoder needs the
// bytes for the frame anyway (frame.ts). It covers texts up to SHORT_SCAN_BYTES bytes, and longer
// ones that are ASCII without a byte below 0x20 (their long strings found by native searches,
// {@link longStringEndAt}), whose top level is an object, with escapes only in strings it skips
// or measures (not in keys, roles, model, id, part types or finish reasons, which it reads as
// text), `\u` escapes only in ASCII texts ({@link unicodeEscapeEnd}); for anything else, and anything it would give up on,
// it returns `undefined` and the caller runs {@link scanHeader}, which decides as before. It
// follows scanHeader's rules exactly: the same fields, request-or-response decision, depth limit,
// number literals, UTF-8 lengths (a lone surrogate is U+FFFD's three bytes in both), and the last
// of duplicate keys winning. Measurements: docs/ARCHITECTURE.md, Performance notes.

/**
 * Texts up to this many UTF-8 bytes take {@link scanHeaderBytes} whatever their characters;
 * longer ones only when ASCII without control bytes (see the section comment).
 */
export const SHORT_SCAN_BYTES = PRECHECK_FROM;

/** The fields read by {@link scanHeaderBytes} (one object, reset per scan). */
class ByteScan {
  b: Uint8Array = new Uint8Array(0);
  text = '';
  ascii = false;
  depthLimit = 0;
  flags = 0;
  model = '';
  hasMaxTokensKey = false;
  maxTokens: number | undefined = undefined;
  maxCompletionTokens: number | undefined = undefined;
  stream = false;
  msgCount = 0;
  roleCount = 0;
  contentHint = 0;
  systemPrompt = false;
  images = false;
  // Of the message being read: its content's UTF-8 bytes and whether it holds an image part.
  bytes = 0;
  image = false;
  /** Where the container that {@link nextAt} last found closed ends. */
  closedAt = 0;
  /** How many bytes fewer the last string read by {@link stringEndAt} has in UTF-8 than in the text (0: no escapes). */
  escapes = 0;
  /** The same for the last `\\u` escape read ({@link unicodeEscapeEnd}). */
  shrink = 0;
  /** Whether the last number read by {@link numberEndAt} is a plain non-negative integer. */
  numPlain = false;
  /** The last number read by {@link u32At}. */
  u32: number | undefined = undefined;
  // Whether the top level has these keys, and the response's fields (as scanHeader reads them).
  hasModel = false;
  hasMessages = false;
  hasChoices = false;
  hasUsage = false;
  id: string | undefined = undefined;
  toolCalls = false;
  refusal = false;
  finish: string | undefined = undefined;
  usagePrompt: number | undefined = undefined;
  usageCompletion: number | undefined = undefined;
  cached: number | undefined = undefined;
  reasoning: number | undefined = undefined;
  /** The last string read by {@link textAt} (`undefined` for another value). */
  str: string | undefined = undefined;
  /** The last number read by {@link u64At}. */
  u64: number | undefined = undefined;
  /** Whether long strings are found by native searches ({@link longStringEndAt}): long ASCII texts. */
  native = false;
  /** There, the next backslash at or after the last string position searched from (`b.length` when none). */
  nextBackslash = -1;
}
const sr = new ByteScan();
/** {@link TOP_KEYS} as bytes (ASCII), by the same indexes. */
const TOP_KEY_BYTES = TOP_KEYS.map((k) => Uint8Array.from(k, (c) => c.charCodeAt(0)));
// `ignoreBOM`: every decode call is a new stream, and by default a text starting U+FEFF (a model
// or id like "\uFEFFgpt-4o") would lose it, unlike the same string from JSON.parse.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The routing or response header of `text` from `bytes`, its UTF-8 encoding
 * (the caller's, e.g. `TextEncoder.encodeInto`), or `undefined` when {@link scanHeader} must
 * decide (see the section comment). Never throws.
 * @param isAscii - whether `text` is ASCII only (then byte and character positions agree)
 */
export function scanHeaderBytes(bytes: Uint8Array, text: string, maxDepth: number, isAscii: boolean): BuiltHeader | undefined {
  // Longer texts only when ASCII without a single control byte (so no raw tab or line break
  // either): their strings are then found by native searches, and anything else is scanHeader's.
  const long = bytes.length > SHORT_SCAN_BYTES;
  if (long && (!isAscii || hasControlByte(bytes))) return undefined;
  try {
    sr.native = long;
    sr.nextBackslash = -1;
    sr.b = bytes;
    sr.text = text;
    sr.ascii = isAscii;
    sr.depthLimit = Math.min(maxDepth, MAX_SCAN_DEPTH);
    sr.flags = sr.msgCount = sr.roleCount = sr.contentHint = 0;
    sr.model = '';
    sr.hasMaxTokensKey = sr.stream = sr.systemPrompt = sr.images = false;
    sr.maxTokens = sr.maxCompletionTokens = undefined;
    sr.hasModel = sr.hasMessages = sr.hasChoices = sr.hasUsage = sr.toolCalls = sr.refusal = false;
    sr.id = sr.finish = sr.usagePrompt = sr.usageCompletion = sr.cached = sr.reasoning = undefined;
    let i = wsAt(bytes, 0);
    if (bytes[i] !== 0x7b || sr.depthLimit < 1) return undefined;
    i = topMembersAt(bytes, wsAt(bytes, i + 1));
    if (wsAt(bytes, i) !== bytes.length) return undefined;
    // Request or response as scanHeader's finishHeader (and header-build.ts buildHeader) decide.
    // (`as`: TypeScript keeps the `undefined` assigned above through the calls that set `id`.)
    const id = sr.id as string | undefined;
    if (!((sr.hasMessages && sr.hasModel) || !(sr.hasChoices || (id !== undefined && id.startsWith('chatcmpl-'))))) return shortResponse();
    let f = sr.flags;
    if (sr.stream) f |= RequestFlag.STREAM_REQUESTED;
    if (sr.systemPrompt) f |= RequestFlag.HAS_SYSTEM_PROMPT;
    if (sr.images) f |= RequestFlag.HAS_IMAGES;
    const mt = f & RequestFlag.HAS_MAX_TOKENS ? (sr.hasMaxTokensKey ? sr.maxTokens : sr.maxCompletionTokens) : undefined;
    return writeRequestHeader(f, sr.model, sr.msgCount, st.roles, sr.roleCount, sr.contentHint, mt, undefined);
  } catch {
    return undefined;
  } finally {
    sr.b = EMPTY;
    sr.text = sr.model = '';
    sr.id = sr.finish = undefined;
    if (st.roles.length > KEPT_ROLES) st.roles = [];
  }
}
const EMPTY: Uint8Array = new Uint8Array(0);

/** The response header from the fields read (scanHeader's finishHeader, response branch). */
function shortResponse(): BuiltHeader {
  let f = 0;
  if (sr.toolCalls) f |= ResponseFlag.HAS_TOOL_CALLS;
  if (sr.refusal) f |= ResponseFlag.HAS_REFUSAL;
  if (sr.finish === 'content_filter') f |= ResponseFlag.CONTENT_FILTERED;
  if (sr.finish === 'length') f |= ResponseFlag.TRUNCATED;
  if (sr.hasUsage) f |= ResponseFlag.HAS_USAGE;
  return writeResponseHeader(f, sr.id ?? '', sr.model, finishReasonByte(sr.finish), u32OrZero(sr.usagePrompt), u32OrZero(sr.usageCompletion), sr.cached, sr.reasoning);
}

/** {@link wsAt} without a call for compact JSON (small enough for V8 to inline at each use). */
function wsOr(b: Uint8Array, i: number): number {
  return b[i] > 0x20 ? i : wsAt(b, i);
}

/** Position of the first byte at or after `i` that is not JSON whitespace. */
function wsAt(b: Uint8Array, i: number): number {
  for (const n = b.length; i < n; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
  }
  return i;
}

/**
 * At the `"` of a string: the position after its closing quote, with `sr.escapes` set to how many
 * bytes fewer its value has in UTF-8 than its body in the text (a two-character escape stands for
 * one byte; `\\u` escapes: {@link unicodeEscapeEnd}), nonzero exactly when it holds an escape.
 * Gives up on a `\\u` escape in a text that is not ASCII (scanHeader decodes those), an invalid
 * escape, a control character or the end.
 */
function stringEndAt(b: Uint8Array, i: number): number {
  if (sr.native) return longStringEndAt(b, i);
  const n = b.length;
  let escapes = 0;
  i++;
  for (;;) {
    // Plain bytes by a table, four at a time, then one at a time up to the byte that stops the
    // run: about one branch per four bytes instead of three per byte.
    while (i + 4 <= n && (STRING_STOP[b[i]] | STRING_STOP[b[i + 1]] | STRING_STOP[b[i + 2]] | STRING_STOP[b[i + 3]]) === 0) i += 4;
    while (i < n && STRING_STOP[b[i]] === 0) i++;
    if (i >= n) giveUp();
    const c = b[i];
    if (c === 0x22) {
      sr.escapes = escapes;
      return i + 1;
    }
    if (c !== 0x5c) giveUp(); // JSON allows no raw control character in a string
    // \" \\ \/ \b \f \n \r \t, else \u
    if (SHORT_ESCAPE[b[i + 1]] === 1) {
      escapes++;
      i += 2;
    } else {
      i = unicodeEscapeEnd(b, i);
      escapes += sr.shrink;
    }
  }
}

/**
 * At a backslash: the position after the `\\u` escape there (with its low-surrogate partner when
 * it is a high surrogate followed by one), and in `sr.shrink` how many bytes fewer its UTF-8 has:
 * 6 characters for 1-3 bytes, a lone surrogate counting 3 as the U+FFFD that UTF-8 encoders write
 * for it (as utf8-length.ts counts), a pair 12 characters for 4. Only in ASCII texts, where no raw
 * surrogate can pair with an escaped one (their bytes are U+FFFD's); gives up on anything else:
 * another escape letter, bad hex digits, the end.
 */
function unicodeEscapeEnd(b: Uint8Array, i: number): number {
  if (b[i + 1] !== 0x75 || !sr.ascii) giveUp();
  const cp = hex4(b, i + 2);
  if (cp >= 0xd800 && cp <= 0xdbff && b[i + 6] === 0x5c && b[i + 7] === 0x75) {
    const low = hex4(b, i + 8);
    if (low >= 0xdc00 && low <= 0xdfff) {
      sr.shrink = 8;
      return i + 12;
    }
  }
  sr.shrink = cp < 0x80 ? 5 : cp < 0x800 ? 4 : 3;
  return i + 6;
}

/** The four hex digits at `i` as a number; gives up on anything else. */
function hex4(b: Uint8Array, i: number): number {
  let v = 0;
  for (let k = i; k < i + 4; k++) {
    const h = b[k];
    const d = h >= 0x30 && h <= 0x39 ? h - 0x30 : h >= 0x61 && h <= 0x66 ? h - 0x57 : h >= 0x41 && h <= 0x46 ? h - 0x37 : -1;
    if (d < 0) giveUp();
    v = v * 16 + d;
  }
  return v;
}

/** Bytes of a string read by the table in long texts before {@link longStringEndAt} searches natively. */
const TABLE_RUN = 16;

/**
 * {@link stringEndAt} in long texts (ASCII, no control byte anywhere: {@link hasControlByte}):
 * short strings by the table, longer ones by native searches of the text for `"` and `\\`
 * (byte and character positions agree in ASCII), which skip ~70 characters a nanosecond here
 * against ~1 for any loop in JavaScript (docs/ARCHITECTURE.md, Performance notes).
 */
function longStringEndAt(b: Uint8Array, i: number): number {
  const start = i + 1;
  const stop = Math.min(b.length, start + TABLE_RUN);
  let k = start;
  while (k < stop && STRING_STOP[b[k]] === 0) k++;
  if (k < stop && b[k] === 0x22) {
    sr.escapes = 0;
    return k + 1;
  }
  const text = sr.text;
  let escapes = 0;
  k = start;
  // Each search starts where the last one's answer was used up, so escapes keep it linear.
  let q = text.indexOf('"', k);
  for (;;) {
    if (q < 0) giveUp();
    if (sr.nextBackslash < k) {
      sr.nextBackslash = text.indexOf('\\', k);
      if (sr.nextBackslash < 0) sr.nextBackslash = b.length;
    }
    const e = sr.nextBackslash;
    if (e > q) {
      sr.escapes = escapes;
      return q + 1;
    }
    // \" \\ \/ \b \f \n \r \t, else \u
    if (SHORT_ESCAPE[b[e + 1]] === 1) {
      escapes++;
      k = e + 2;
    } else {
      k = unicodeEscapeEnd(b, e);
      escapes += sr.shrink;
    }
    if (k > q) q = text.indexOf('"', k);
  }
}

/**
 * Whether the ASCII bytes `b` hold one below 0x20 (JSON allows none in strings, and only tab, line
 * feed and carriage return between tokens). Four bytes a word, eight words a step: an ASCII byte
 * is below 0x20 exactly when its bits 5 and 6 are both clear, so bit 5 of each byte of
 * `x | (x >>> 1)`, ANDed over all words, is clear exactly when one such byte occurred in that
 * lane. About twice as fast as the classic `(x - 0x20202020) & ~x` word test here.
 */
function hasControlByte(b: Uint8Array): boolean {
  const n = b.length;
  let i = 0;
  while (i < n && (b.byteOffset + i) & 3) if (b[i++] < 0x20) return true;
  const w = new Int32Array(b.buffer, b.byteOffset + i, (n - i) >>> 2);
  const m = w.length;
  let acc = -1;
  let k = 0;
  for (; k + 8 <= m; k += 8) {
    acc &= (w[k] | (w[k] >>> 1)) & (w[k + 1] | (w[k + 1] >>> 1)) & (w[k + 2] | (w[k + 2] >>> 1)) & (w[k + 3] | (w[k + 3] >>> 1)) & (w[k + 4] | (w[k + 4] >>> 1)) & (w[k + 5] | (w[k + 5] >>> 1)) & (w[k + 6] | (w[k + 6] >>> 1)) & (w[k + 7] | (w[k + 7] >>> 1));
  }
  for (; k < m; k++) acc &= w[k] | (w[k] >>> 1);
  if ((acc & 0x20202020) !== 0x20202020) return true;
  for (i += m * 4; i < n; i++) if (b[i] < 0x20) return true;
  return false;
}

/** 1 for the bytes that end a run of plain string bytes: `"`, `\\` and the control characters. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[0x22] = STRING_STOP[0x5c] = 1;
/** 1 for the bytes after a backslash that make a two-character escape. */
const SHORT_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SHORT_ESCAPE[c.charCodeAt(0)] = 1;

/** {@link stringEndAt} for a string read as text (a key, role, model or part type): gives up on any escape. */
function plainStringEndAt(b: Uint8Array, i: number): number {
  const end = stringEndAt(b, i);
  if (sr.escapes !== 0) giveUp();
  return end;
}

/** {@link TOP_KEYS} indexes by the name's first byte. */
const TOP_BY_FIRST: number[][] = [];
TOP_KEYS.forEach((k, j) => (TOP_BY_FIRST[k.charCodeAt(0)] ??= []).push(j));

/**
 * The index in {@link TOP_KEYS} of the key whose `"` is at `i`, or -1. A key is matched against
 * the names of its first byte as it is read (name, then closing quote), so a known key is read
 * once, not scanned first and compared after.
 */
function topKeyAt(b: Uint8Array, i: number): number {
  // The two keys of every request first, by constant comparisons (see isRoleKey).
  if (b[i + 1] === 0x6d) {
    if (b[i + 2] === 0x6f && b[i + 3] === 0x64 && b[i + 4] === 0x65 && b[i + 5] === 0x6c && b[i + 6] === 0x22) return 0; // model
    if (b[i + 2] === 0x65 && b[i + 3] === 0x73 && b[i + 4] === 0x73 && b[i + 5] === 0x61 && b[i + 6] === 0x67 && b[i + 7] === 0x65 && b[i + 8] === 0x73 && b[i + 9] === 0x22) return 2; // messages
  }
  const candidates = TOP_BY_FIRST[b[i + 1]];
  if (candidates === undefined) return -1;
  for (let j = 0; j < candidates.length; j++) {
    if (isStringAt(b, i, TOP_KEY_BYTES[candidates[j]])) return candidates[j];
  }
  return -1;
}

/**
 * Whether the string whose `"` is at `i` is `"role"`. The names read in every message are
 * compared byte by byte with constants: a loop over a name's bytes was a fifth of a chat
 * request's scan (two loads and a loop step per byte against one load and compare).
 */
function isRoleKey(b: Uint8Array, i: number): boolean {
  return b[i + 1] === 0x72 && b[i + 2] === 0x6f && b[i + 3] === 0x6c && b[i + 4] === 0x65 && b[i + 5] === 0x22;
}
/** Whether the string whose `"` is at `i` is `"content"` (as {@link isRoleKey}). */
function isContentKey(b: Uint8Array, i: number): boolean {
  return b[i + 1] === 0x63 && b[i + 2] === 0x6f && b[i + 3] === 0x6e && b[i + 4] === 0x74 && b[i + 5] === 0x65 && b[i + 6] === 0x6e && b[i + 7] === 0x74 && b[i + 8] === 0x22;
}

/** Whether the string whose `"` is at `i` is exactly the ASCII `name` (its bytes, then the closing quote). */
function isStringAt(b: Uint8Array, i: number, name: Uint8Array): boolean {
  const n = name.length;
  for (let k = 0; k < n; k++) if (b[i + 1 + k] !== name[k]) return false;
  return b[i + 1 + n] === 0x22;
}

/** At a member's key ending at `keyEnd` (its closing quote): the position of its value. */
function valueAt(b: Uint8Array, keyEnd: number): number {
  // Compact JSON (`"key":value`) takes no call: a call per token was much of the scan's time.
  const i = keyEnd + 1;
  if (b[i] === 0x3a && b[i + 1] > 0x20) return i + 1;
  return spacedValueAt(b, i);
}

/** {@link valueAt} with whitespace around the colon (or none there). */
function spacedValueAt(b: Uint8Array, i: number): number {
  i = wsAt(b, i);
  if (b[i] !== 0x3a) giveUp();
  return wsOr(b, i + 1);
}

/**
 * After a member or element (whitespace skipped here): the position of the next one, or -1 at
 * the container's `close` (the position after it is then `sr.closedAt`).
 */
function nextAt(b: Uint8Array, i: number, close: number): number {
  let c = b[i];
  if (c === 0x2c && b[i + 1] > 0x20) return i + 1; // compact JSON: no call
  if (c <= 0x20) c = b[(i = wsAt(b, i))];
  if (c === 0x2c) return wsOr(b, i + 1);
  if (c !== close) giveUp();
  sr.closedAt = i + 1;
  return -1;
}

/** The text of the string body `b[start, end)` (no escapes in it). */
function textOf(b: Uint8Array, start: number, end: number): string {
  // Byte and character positions agree in ASCII text; otherwise the bytes are decoded (they
  // came from a UTF-8 encoder: a lone surrogate reads as U+FFFD, which writes the same bytes).
  return sr.ascii ? sr.text.slice(start, end) : decoder.decode(b.subarray(start, end));
}

/** The top-level members from the first key (or `}`); returns the position after the object. */
function topMembersAt(b: Uint8Array, i: number): number {
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    if (b[i] !== 0x22) giveUp();
    const known = topKeyAt(b, i);
    // A known key was read whole by its match; any other is scanned (and checked) here.
    const keyEnd = known >= 0 ? i + 1 + TOP_KEY_BYTES[known].length : plainStringEndAt(b, i) - 1;
    i = valueAt(b, keyEnd);
    if (known < 0) i = skipAt(b, i, 1);
    else {
      sr.flags |= TOP_FLAGS[known];
      switch (known) {
        case 1: // id
          i = textAt(b, i, 1);
          sr.id = sr.str;
          break;
        case 6: // choices
          sr.hasChoices = true;
          i = choicesAt(b, i);
          break;
        case 7: // usage
          sr.hasUsage = true;
          i = usageAt(b, i);
          break;
        case 0: // model
          sr.hasModel = true;
          if (b[i] === 0x22) {
            const end = plainStringEndAt(b, i);
            sr.model = textOf(b, i + 1, end - 1);
            i = end;
          } else {
            sr.model = '';
            i = skipAt(b, i, 1);
          }
          break;
        case 2: // messages
          sr.hasMessages = true;
          i = messagesAt(b, i);
          break;
        case 3: // stream
          sr.stream = b[i] === 0x74 && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65;
          i = sr.stream ? i + 4 : skipAt(b, i, 1);
          break;
        case 4: // max_tokens
          sr.hasMaxTokensKey = true;
          i = u32At(b, i);
          sr.maxTokens = sr.u32;
          break;
        case 5: // max_completion_tokens
          i = u32At(b, i);
          sr.maxCompletionTokens = sr.u32;
          break;
        default:
          i = skipAt(b, i, 1);
      }
    }
    i = nextAt(b, i, 0x7d);
    if (i < 0) return sr.closedAt;
  }
}

/** A top-level value as {@link readU32} reads it, into `sr.u32` (`undefined` for other values); returns the position after it. */
function u32At(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c !== 0x2d && !(c >= 0x30 && c <= 0x39)) {
    sr.u32 = undefined;
    return skipAt(b, i, 1);
  }
  const end = numberEndAt(b, i);
  sr.u32 = sr.numPlain ? asU64ToU32(digitsValue(b, i, end)) : undefined;
  return end;
}

/**
 * The value of the plain integer literal `b[start, end)` (digits only, at most 15 of them, so
 * every step is exact in a double: what `Number` of its text gives, without making the text).
 */
function digitsValue(b: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let k = start; k < end; k++) v = v * 10 + (b[k] - 0x30);
  return v;
}

/** The ASCII bytes `b[start, end)` as text (number literals: at most 15 of them). */
function asciiText(b: Uint8Array, start: number, end: number): string {
  let t = '';
  for (let k = start; k < end; k++) t += String.fromCharCode(b[k]);
  return t;
}

/** {@link numberEnd} over bytes: the same literals accepted, the same ones handed over. */
function numberEndAt(b: Uint8Array, start: number): number {
  let i = start;
  let c = b[i];
  const negative = c === 0x2d;
  if (negative) c = b[++i];
  if (c === 0x30) c = b[++i];
  else if (c >= 0x31 && c <= 0x39) {
    do c = b[++i];
    while (c >= 0x30 && c <= 0x39);
  } else giveUp();
  let special = false;
  let fractional = false;
  if (c === 0x2e) {
    special = true;
    c = b[++i];
    if (!(c >= 0x30 && c <= 0x39)) giveUp();
    do {
      if (c !== 0x30) fractional = true;
      c = b[++i];
    } while (c >= 0x30 && c <= 0x39);
  }
  if (c === 0x65 || c === 0x45) {
    fractional = false;
    special = true;
    c = b[++i];
    if (c === 0x2b || c === 0x2d) c = b[++i];
    if (!(c >= 0x30 && c <= 0x39)) giveUp();
    do c = b[++i];
    while (c >= 0x30 && c <= 0x39);
  }
  const length = i - start;
  if (length > 15) giveUp();
  if (special) {
    if (!fractional && Number.isInteger(Number(asciiText(b, start, i)))) giveUp();
  } else if (negative && length === 2 && b[start + 1] === 0x30) giveUp();
  sr.numPlain = !negative && !special;
  return i;
}

/** The `messages` value at `i` (depth 2 when an array); returns the position after it. */
function messagesAt(b: Uint8Array, i: number): number {
  sr.msgCount = sr.roleCount = sr.contentHint = 0;
  sr.systemPrompt = sr.images = false;
  if (b[i] !== 0x5b) return skipAt(b, i, 1);
  if (sr.depthLimit < 2) giveUp();
  i = wsOr(b, i + 1);
  if (b[i] === 0x5d) return i + 1;
  for (;;) {
    sr.msgCount++;
    i = b[i] === 0x7b ? messageAt(b, i) : skipAt(b, i, 2);
    i = nextAt(b, i, 0x5d);
    if (i < 0) return sr.closedAt;
  }
}

const ascii = (t: string): Uint8Array => Uint8Array.from(t, (c) => c.charCodeAt(0));
const IMAGE_URL = ascii('image_url');
const DEVELOPER = ascii('developer');

/**
 * {@link roleCode} of the role string whose `"` is at `i` (`undefined` for other roles), with
 * the position after it in `sr.closedAt`: the five names are matched as they are read.
 */
function roleAt(b: Uint8Array, i: number): number | undefined {
  // Constant comparisons, as isRoleKey.
  switch (b[i + 1]) {
    case 0x75: // user
      if (b[i + 2] === 0x73 && b[i + 3] === 0x65 && b[i + 4] === 0x72 && b[i + 5] === 0x22) {
        sr.closedAt = i + 6;
        return 1;
      }
      break;
    case 0x73: // system
      if (b[i + 2] === 0x79 && b[i + 3] === 0x73 && b[i + 4] === 0x74 && b[i + 5] === 0x65 && b[i + 6] === 0x6d && b[i + 7] === 0x22) {
        sr.closedAt = i + 8;
        return 0;
      }
      break;
    case 0x61: // assistant
      if (b[i + 2] === 0x73 && b[i + 3] === 0x73 && b[i + 4] === 0x69 && b[i + 5] === 0x73 && b[i + 6] === 0x74 && b[i + 7] === 0x61 && b[i + 8] === 0x6e && b[i + 9] === 0x74 && b[i + 10] === 0x22) {
        sr.closedAt = i + 11;
        return 2;
      }
      break;
    case 0x74: // tool
      if (b[i + 2] === 0x6f && b[i + 3] === 0x6f && b[i + 4] === 0x6c && b[i + 5] === 0x22) {
        sr.closedAt = i + 6;
        return 3;
      }
      break;
    case 0x64:
      if (isStringAt(b, i, DEVELOPER)) {
        sr.closedAt = i + DEVELOPER.length + 2;
        return 0;
      }
  }
  sr.closedAt = plainStringEndAt(b, i);
  return undefined;
}

/** One message object at `i` (depth 3): its role and content; returns the position after it. */
function messageAt(b: Uint8Array, i: number): number {
  if (sr.depthLimit < 3) giveUp();
  let code: number | undefined;
  sr.bytes = 0;
  sr.image = false;
  i = wsOr(b, i + 1);
  if (b[i] === 0x7d) i++;
  else {
    for (;;) {
      if (b[i] !== 0x22) giveUp();
      // `role` and `content` matched as they are read; other keys scanned.
      if (isRoleKey(b, i)) {
        i = valueAt(b, i + 5);
        if (b[i] === 0x22) {
          code = roleAt(b, i);
          i = sr.closedAt;
        } else {
          code = undefined;
          i = skipAt(b, i, 3);
        }
      } else if (isContentKey(b, i)) i = contentAt(b, valueAt(b, i + 8));
      else i = skipAt(b, valueAt(b, plainStringEndAt(b, i) - 1), 3);
      i = nextAt(b, i, 0x7d);
      if (i < 0) {
        i = sr.closedAt;
        break;
      }
    }
  }
  if (code !== undefined) st.roles[sr.roleCount++] = code;
  if (code === 0) sr.systemPrompt = true;
  sr.contentHint += sr.bytes;
  if (sr.image) sr.images = true;
  return i;
}

/** A message's `content` at `i`: a string, or an array of parts (depth 4); returns the position after it. */
function contentAt(b: Uint8Array, i: number): number {
  sr.bytes = 0;
  sr.image = false;
  const c = b[i];
  if (c === 0x22) {
    const end = stringEndAt(b, i);
    // The string's UTF-8 length: its byte span, each two-character escape one byte.
    sr.bytes = end - i - 2 - sr.escapes;
    return end;
  }
  if (c !== 0x5b) return skipAt(b, i, 3);
  if (sr.depthLimit < 4) giveUp();
  i = wsOr(b, i + 1);
  if (b[i] === 0x5d) return i + 1;
  for (;;) {
    i = b[i] === 0x7b ? partAt(b, i) : skipAt(b, i, 4);
    i = nextAt(b, i, 0x5d);
    if (i < 0) return sr.closedAt;
  }
}

/** One content part at `i` (depth 5): its `text` bytes and whether its `type` is `image_url`. */
function partAt(b: Uint8Array, i: number): number {
  if (sr.depthLimit < 5) giveUp();
  let bytes = 0;
  let image = false;
  i = wsOr(b, i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    if (b[i] !== 0x22) giveUp();
    // "text" and "type", as isRoleKey.
    const t = b[i + 1] === 0x74 && b[i + 5] === 0x22;
    const isText = t && b[i + 2] === 0x65 && b[i + 3] === 0x78 && b[i + 4] === 0x74;
    const isType = t && b[i + 2] === 0x79 && b[i + 3] === 0x70 && b[i + 4] === 0x65;
    i = valueAt(b, isText || isType ? i + 5 : plainStringEndAt(b, i) - 1);
    const isString = b[i] === 0x22;
    if (isText) {
      bytes = 0;
      if (isString) {
        const end = stringEndAt(b, i);
        bytes = end - i - 2 - sr.escapes;
        i = end;
      } else i = skipAt(b, i, 5);
    } else if (isType) {
      image = false;
      if (isString) {
        image = isStringAt(b, i, IMAGE_URL);
        i = image ? i + IMAGE_URL.length + 2 : plainStringEndAt(b, i);
      } else i = skipAt(b, i, 5);
    } else i = skipAt(b, i, 5);
    i = nextAt(b, i, 0x7d);
    if (i < 0) break;
  }
  sr.bytes += bytes;
  if (image) sr.image = true;
  return sr.closedAt;
}

/** Skips the value at `i` inside a container at `depth`; returns the position after it. */
function skipAt(b: Uint8Array, i: number, depth: number): number {
  const c = b[i];
  if (c === 0x22) return stringEndAt(b, i);
  if (c === 0x7b) {
    if (depth + 1 > sr.depthLimit) giveUp();
    i = wsOr(b, i + 1);
    if (b[i] === 0x7d) return i + 1;
    for (;;) {
      if (b[i] !== 0x22) giveUp();
      i = skipAt(b, valueAt(b, stringEndAt(b, i) - 1), depth + 1);
      i = nextAt(b, i, 0x7d);
      if (i < 0) return sr.closedAt;
    }
  }
  if (c === 0x5b) {
    if (depth + 1 > sr.depthLimit) giveUp();
    i = wsOr(b, i + 1);
    if (b[i] === 0x5d) return i + 1;
    for (;;) {
      i = nextAt(b, skipAt(b, i, depth + 1), 0x5d);
      if (i < 0) return sr.closedAt;
    }
  }
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return numberEndAt(b, i);
  if (c === 0x74 && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65) return i + 4;
  if (c === 0x66 && b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65) return i + 5;
  if (c === 0x6e && b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c) return i + 4;
  return giveUp();
}

/** A string value at `i` as text into `sr.str` (`undefined` after skipping another value at `depth`); returns the position after it. */
function textAt(b: Uint8Array, i: number, depth: number): number {
  if (b[i] !== 0x22) {
    sr.str = undefined;
    return skipAt(b, i, depth);
  }
  const end = plainStringEndAt(b, i);
  sr.str = textOf(b, i + 1, end - 1);
  return end;
}

/** A value as scanHeader's readU64 reads it, into `sr.u64`; returns the position after it. */
function u64At(b: Uint8Array, i: number, depth: number): number {
  const c = b[i];
  if (c !== 0x2d && !(c >= 0x30 && c <= 0x39)) {
    sr.u64 = undefined;
    return skipAt(b, i, depth);
  }
  const end = numberEndAt(b, i);
  sr.u64 = sr.numPlain ? digitsValue(b, i, end) : undefined;
  return end;
}

const MESSAGE = Uint8Array.from('message', (c) => c.charCodeAt(0));
const FINISH_REASON = Uint8Array.from('finish_reason', (c) => c.charCodeAt(0));
const TOOL_CALLS = Uint8Array.from('tool_calls', (c) => c.charCodeAt(0));
const REFUSAL = Uint8Array.from('refusal', (c) => c.charCodeAt(0));
const PROMPT_TOKENS = Uint8Array.from('prompt_tokens', (c) => c.charCodeAt(0));
const COMPLETION_TOKENS = Uint8Array.from('completion_tokens', (c) => c.charCodeAt(0));
const PROMPT_DETAILS = Uint8Array.from('prompt_tokens_details', (c) => c.charCodeAt(0));
const COMPLETION_DETAILS = Uint8Array.from('completion_tokens_details', (c) => c.charCodeAt(0));
const CACHED_TOKENS = Uint8Array.from('cached_tokens', (c) => c.charCodeAt(0));
const REASONING_TOKENS = Uint8Array.from('reasoning_tokens', (c) => c.charCodeAt(0));

/** `choices` at `i` (scanHeader's readChoices): the first choice read, the rest skipped; returns the position after it. */
function choicesAt(b: Uint8Array, i: number): number {
  sr.toolCalls = sr.refusal = false;
  sr.finish = undefined;
  if (b[i] !== 0x5b) return skipAt(b, i, 1);
  if (sr.depthLimit < 2) giveUp();
  i = wsOr(b, i + 1);
  if (b[i] === 0x5d) return i + 1;
  i = b[i] === 0x7b ? firstChoiceAt(b, i) : skipAt(b, i, 2);
  for (;;) {
    i = nextAt(b, i, 0x5d);
    if (i < 0) return sr.closedAt;
    i = skipAt(b, i, 2);
  }
}

/** The first choice object at `i` (depth 3): its `message` and `finish_reason`. */
function firstChoiceAt(b: Uint8Array, i: number): number {
  if (sr.depthLimit < 3) giveUp();
  i = wsOr(b, i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    if (b[i] !== 0x22) giveUp();
    if (isStringAt(b, i, MESSAGE)) i = choiceMessageAt(b, valueAt(b, i + MESSAGE.length + 1));
    else if (isStringAt(b, i, FINISH_REASON)) {
      i = textAt(b, valueAt(b, i + FINISH_REASON.length + 1), 3);
      sr.finish = sr.str;
    } else i = skipAt(b, valueAt(b, plainStringEndAt(b, i) - 1), 3);
    i = nextAt(b, i, 0x7d);
    if (i < 0) return sr.closedAt;
  }
}

/** A choice's `message` at `i` (depth 4 when an object): whether it has `tool_calls` and a string `refusal`. */
function choiceMessageAt(b: Uint8Array, i: number): number {
  sr.toolCalls = sr.refusal = false;
  if (b[i] !== 0x7b) return skipAt(b, i, 3);
  if (sr.depthLimit < 4) giveUp();
  i = wsOr(b, i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    if (b[i] !== 0x22) giveUp();
    const keyEnd = plainStringEndAt(b, i) - 1;
    const key = i;
    i = valueAt(b, keyEnd);
    if (isStringAt(b, key, TOOL_CALLS)) sr.toolCalls = true;
    else if (isStringAt(b, key, REFUSAL)) sr.refusal = b[i] === 0x22;
    i = skipAt(b, i, 4);
    i = nextAt(b, i, 0x7d);
    if (i < 0) return sr.closedAt;
  }
}

/** `usage` at `i` (depth 2 when an object): its token counts and details (scanHeader's readUsage). */
function usageAt(b: Uint8Array, i: number): number {
  sr.usagePrompt = sr.usageCompletion = sr.cached = sr.reasoning = undefined;
  if (b[i] !== 0x7b) return skipAt(b, i, 1);
  if (sr.depthLimit < 2) giveUp();
  i = wsOr(b, i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    if (b[i] !== 0x22) giveUp();
    if (isStringAt(b, i, PROMPT_TOKENS)) {
      i = u64At(b, valueAt(b, i + PROMPT_TOKENS.length + 1), 2);
      sr.usagePrompt = sr.u64;
    } else if (isStringAt(b, i, COMPLETION_TOKENS)) {
      i = u64At(b, valueAt(b, i + COMPLETION_TOKENS.length + 1), 2);
      sr.usageCompletion = sr.u64;
    } else if (isStringAt(b, i, PROMPT_DETAILS)) {
      i = detailAt(b, valueAt(b, i + PROMPT_DETAILS.length + 1), CACHED_TOKENS);
      sr.cached = sr.u64;
    } else if (isStringAt(b, i, COMPLETION_DETAILS)) {
      i = detailAt(b, valueAt(b, i + COMPLETION_DETAILS.length + 1), REASONING_TOKENS);
      sr.reasoning = sr.u64;
    } else i = skipAt(b, valueAt(b, plainStringEndAt(b, i) - 1), 2);
    i = nextAt(b, i, 0x7d);
    if (i < 0) return sr.closedAt;
  }
}

/** `usage.*_details.<name>` at `i` into `sr.u64` (scanHeader's readDetail); returns the position after the value. */
function detailAt(b: Uint8Array, i: number, name: Uint8Array): number {
  let v: number | undefined;
  if (b[i] !== 0x7b) {
    sr.u64 = undefined;
    return skipAt(b, i, 2);
  }
  if (sr.depthLimit < 3) giveUp();
  i = wsOr(b, i + 1);
  if (b[i] === 0x7d) {
    sr.u64 = undefined;
    return i + 1;
  }
  for (;;) {
    if (b[i] !== 0x22) giveUp();
    if (isStringAt(b, i, name)) {
      i = u64At(b, valueAt(b, i + name.length + 1), 3);
      v = sr.u64;
    } else i = skipAt(b, valueAt(b, plainStringEndAt(b, i) - 1), 3);
    i = nextAt(b, i, 0x7d);
    if (i < 0) {
      sr.u64 = v;
      return sr.closedAt;
    }
  }
}
