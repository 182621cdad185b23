/**
 * Splits run-together text ("ignoreallpreviousinstructions", letters typed one by one) back
 * into the scanner's words: a trie over the lexicon and a dynamic program that minimises the
 * letters left over. Time is linear: each position walks the trie at most the longest word.
 * @module
 */

/** A lexicon trie over a..z. */
export class WordTrie {
  private next: Int32Array = new Int32Array(27 * 1024).fill(-1);
  private terminal: Uint8Array = new Uint8Array(1024);
  private nodes = 1;

  constructor(words: Iterable<string>) {
    for (const word of words) if (/^[a-z]{2,24}$/.test(word)) this.add(word);
  }

  private add(word: string): void {
    let node = 0;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i) - 97;
      let child = this.next[node * 27 + c];
      if (child < 0) {
        child = this.nodes++;
        if (this.nodes > this.terminal.length) this.grow();
        this.next[node * 27 + c] = child;
      }
      node = child;
    }
    this.terminal[node] = 1;
  }

  private grow(): void {
    const size = this.terminal.length * 2;
    const next = new Int32Array(27 * size).fill(-1);
    next.set(this.next);
    const terminal = new Uint8Array(size);
    terminal.set(this.terminal);
    this.next = next;
    this.terminal = terminal;
  }

  /**
   * Splits `s` (letters a..z only) into lexicon words, or returns undefined when more than
   * `maxLeftover` of its letters (default a fifth) belong to no word.
   */
  segment(s: string, maxLeftover = 0.2): string[] | undefined {
    const n = s.length;
    // cost[i]: best cost of s[0..i); a leftover letter costs 1, a word 0.1 (fewer, longer words win).
    const cost = new Float64Array(n + 1).fill(Infinity);
    const from = new Int32Array(n + 1).fill(-1);
    const isWord = new Uint8Array(n + 1);
    cost[0] = 0;
    for (let i = 0; i < n; i++) {
      if (cost[i] === Infinity) continue;
      if (cost[i] + 1 < cost[i + 1]) {
        cost[i + 1] = cost[i] + 1;
        from[i + 1] = i;
        isWord[i + 1] = 0;
      }
      let node = 0;
      for (let j = i; j < n; j++) {
        const c = s.charCodeAt(j) - 97;
        if (c < 0 || c > 25) break;
        node = this.next[node * 27 + c];
        if (node < 0) break;
        if (this.terminal[node] && cost[i] + 0.1 < cost[j + 1]) {
          cost[j + 1] = cost[i] + 0.1;
          from[j + 1] = i;
          isWord[j + 1] = 1;
        }
      }
    }
    const out: string[] = [];
    let leftover = 0;
    let pending = '';
    for (let k = n; k > 0; k = from[k]) {
      const piece = s.slice(from[k], k);
      if (isWord[k]) {
        if (pending) out.push(pending);
        pending = '';
        out.push(piece);
      } else {
        leftover++;
        pending = piece + pending;
      }
    }
    if (pending) out.push(pending);
    if (leftover > maxLeftover * n || (out.length < 2 && leftover > 0)) return undefined;
    return out.reverse();
  }
}
