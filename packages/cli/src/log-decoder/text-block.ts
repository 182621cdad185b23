/**
 * One multi-line error block of a text log: Node's `util.inspect` of an error (what
 * `console.error(err)` prints: the stack, then a `{ … }` block of own properties such as `code`,
 * nested `[cause]:` errors, an AggregateError's `[errors]: [ … ]`), a stack trace with
 * `caused by:` segments, or `formatErrorChain` text. The reader takes lines one at a time and
 * tracks open braces by indentation, so ordinary log lines written between the lines of an
 * open block (another process, another logger) are handed back and decoded on their own.
 * @module
 */
import { completeChain } from './catalog-match.js';
import { causeHeader, findErrorHeader, isCausedBy, isFrame, parseErrorHeader, timeInPrefix, type ErrorHeader } from './stack-text.js';
import { LIMITS, makeLink, type ChainLink, type RecordFormat } from './types.js';

interface Node {
  link: ChainLink;
  cause?: Node;
  /** Column of the line that introduced the node: its `{ … }` block closes at this column. */
  indent: number;
  /** Whether a stack frame followed the node's header (its message is complete). */
  frames?: boolean;
}

interface Open {
  kind: 'props' | 'list' | 'value';
  closeIndent: number;
  owner?: Node;
}

/**
 * What {@link TextBlock.offer} did with a line: `taken` (part of the block), `end` (not part of
 * it; the block is over), `foreign` (an interleaved line inside an open block), `maybe` (a
 * possible further line of a multi-line message: kept aside until a stack frame confirms it;
 * otherwise the caller decodes it again on its own).
 */
export type Offer = 'taken' | 'end' | 'foreign' | 'maybe';

/** Lines of a multi-line message held before a frame confirms them. */
const MAX_PENDING = 8;
/** Open `{ … }` / `[ … ]` levels a block may nest; deeper is treated as a cut block. */
const MAX_OPEN = 64;

/** One chain of a finished block. */
export interface BlockError {
  format: RecordFormat;
  chain: ChainLink[];
  partial: boolean;
}

const toLink = (h: ErrorHeader): ChainLink => makeLink(h.code, h.name, h.message);

function leadingSpaces(line: string): number {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  return i;
}

/** An inspected cause or list item: an error, a depth-cut `[CryptoError]`, or a plain value. */
function nodeValue(text: string): ChainLink {
  const h = parseErrorHeader(text);
  if (h) return toLink(h);
  const cut = /^\[([A-Za-z_$][\w$.]{0,127})\],?$/.exec(text);
  if (cut) return { name: cut[1], message: '' };
  return { message: text.replace(/,$/, '') };
}

/** A multi-line error block being read. */
export class TextBlock {
  readonly startLine: number;
  endLine: number;
  readonly time?: Date;
  /** True once the block's braces closed: it needs no more lines. */
  complete = false;
  private readonly roots: Node[] = [];
  private cur: Node;
  private readonly open: Open[] = [];
  private lines = 1;
  private interleaved = 0;
  private inspect = false;
  private frames = false;
  private cut = false;

  /** Starts a block at the line holding `header` at column `at` (`time`: from a collector prefix already removed). */
  constructor(lineNo: number, line: string, header: ErrorHeader, at: number, time?: Date) {
    this.startLine = this.endLine = lineNo;
    this.time = time ?? (at > 0 ? timeInPrefix(line.slice(0, at)) : undefined);
    this.cur = { link: toLink(header), indent: leadingSpaces(line) };
    this.roots.push(this.cur);
    if (header.message.endsWith(' {')) {
      this.cur.link.message = header.message.slice(0, -2);
      this.openBlock('props', this.cur.indent, this.cur);
    }
  }

  private readonly pending: string[] = [];

  private openBlock(kind: Open['kind'], closeIndent: number, owner?: Node): void {
    this.inspect = true;
    if (this.open.length >= MAX_OPEN) this.cut = true;
    else this.open.push({ kind, closeIndent, owner });
  }

  private ownerAt(indent: number): Node | undefined {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const o = this.open[i];
      if (o.kind === 'props' && o.closeIndent === indent - 2) return o.owner;
      if (o.closeIndent < indent - 2) break;
    }
    return undefined;
  }

  private attachCause(owner: Node, node: Node): void {
    if (!owner.cause) owner.cause = node;
    this.cur = node;
  }

  /** Offers the next line of the log (see {@link Offer}). */
  offer(lineNo: number, line: string): Offer {
    if (this.cut) return 'end';
    const before = this.cur;
    const r = this.classify(lineNo, line);
    if (r === 'end' && this.canContinueMessage(line)) {
      this.pending.push(line);
      return 'maybe';
    }
    if (r === 'taken' && this.pending.length) {
      // A frame or a cause after the held lines: they were the rest of the header's message.
      before.link.message += `\n${this.pending.join('\n')}`;
      this.pending.length = 0;
    }
    if (r === 'end') this.pending.length = 0;
    return r;
  }

  /** A held line may continue the current header's message: no frame yet, nothing open, not an error or JSON. */
  private canContinueMessage(line: string): boolean {
    if (this.cur.frames || this.open.length || this.pending.length >= MAX_PENDING || this.lines > LIMITS.maxBlockLines) return false;
    const t = line.trimStart();
    return t !== '' && t.charCodeAt(0) !== 123 /* { */ && findErrorHeader(line) === undefined;
  }

  private classify(lineNo: number, line: string): Offer {
    if (++this.lines > LIMITS.maxBlockLines) {
      this.cut = true;
      return 'end';
    }
    const indent = leadingSpaces(line);
    const t = line.slice(indent);
    if (t === '') return this.open.length ? this.take(lineNo) : 'end';
    if (isFrame(t)) {
      this.frames = true;
      this.cur.frames = true;
      if (t.endsWith(' {')) this.openBlock('props', this.cur.indent, this.cur);
      return this.take(lineNo);
    }
    if (isCausedBy(t)) {
      this.attachCause(this.deepest(this.cur), { link: toLink(causeHeader(t.slice(10))), indent });
      return this.take(lineNo);
    }
    if (t.startsWith('[cause]: ')) {
      const rest = t.slice(9);
      const opens = rest.endsWith(' {');
      const node: Node = { link: nodeValue(opens ? rest.slice(0, -2) : rest), indent };
      this.attachCause(this.ownerAt(indent) ?? this.cur, node);
      this.inspect = true;
      if (opens) this.openBlock('props', indent, node);
      return this.take(lineNo);
    }
    if (t.startsWith('[errors]: [')) {
      this.inspect = true;
      if (!t.endsWith(']') && !t.endsWith('],')) this.openBlock('list', indent);
      return this.take(lineNo);
    }
    const top = this.open[this.open.length - 1];
    if (top?.kind === 'list' && indent === top.closeIndent + 2 && t.charCodeAt(0) !== 93 /* ] */) {
      const h = parseErrorHeader(t);
      if (h && this.roots.length < LIMITS.maxChain) {
        const opens = h.message.endsWith(' {');
        if (opens) h.message = h.message.slice(0, -2);
        this.cur = { link: toLink(h), indent };
        this.roots.push(this.cur);
        if (opens) this.openBlock('props', indent, this.cur);
      } else if (t.endsWith('{') || t.endsWith('[')) this.openBlock('value', indent);
      return this.take(lineNo);
    }
    const c = t.charCodeAt(0);
    if ((c === 125 /* } */ || c === 93) /* ] */ && this.open.length) {
      while (this.open.length && this.open[this.open.length - 1].closeIndent > indent) this.open.pop();
      if (this.open.length && this.open[this.open.length - 1].closeIndent === indent) this.open.pop();
      if (!this.open.length) this.complete = true;
      return this.take(lineNo);
    }
    if (!this.open.length) return 'end';
    if (indent === 0) {
      if (++this.interleaved > LIMITS.maxInterleaved) {
        this.cut = true;
        return 'end';
      }
      return 'foreign';
    }
    if (t.startsWith('code: ')) {
      const owner = this.ownerAt(indent);
      const m = /^'([A-Za-z0-9_.-]{1,64})',?$/.exec(t.slice(6));
      if (owner && m && owner.link.code === undefined) owner.link.code = m[1];
    }
    if (t.endsWith('{') || t.endsWith('[')) this.openBlock('value', indent);
    return this.take(lineNo);
  }

  private take(lineNo: number): Offer {
    this.endLine = lineNo;
    return 'taken';
  }

  private deepest(n: Node): Node {
    let cur = n;
    for (let i = 0; cur.cause && i < LIMITS.maxChain; i++) cur = cur.cause;
    return cur;
  }

  /** The block's chains (the first error, then any AggregateError members). */
  finish(): BlockError[] {
    const partial = this.cut || this.open.length > 0;
    const format: RecordFormat = this.inspect ? 'inspect' : this.frames ? 'stack' : 'chain-text';
    return this.roots.map((root) => {
      const chain: ChainLink[] = [];
      for (let n: Node | undefined = root; n && chain.length < LIMITS.maxChain; n = n.cause) chain.push(n.link);
      return { format, chain: completeChain(chain), partial };
    });
  }
}
