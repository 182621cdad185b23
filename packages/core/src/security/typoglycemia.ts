/**
 * Scrambled words ("ignroe all prevoius isntructions"): readers and models read a word whose
 * first and last letters are right and whose middle letters are shuffled. A word the lexicon
 * does not know is looked up by its first letter, last letter and sorted middle; a cheap
 * first/last/length filter keeps ordinary words from being sorted at all.
 * @module
 */

const MIN = 5;
const MAX = 14;

/** Unscrambles words against a lexicon. */
export class Unscrambler {
  private readonly shapes = new Set<string>();
  private readonly bySignature = new Map<string, string>();

  constructor(lexicon: Iterable<string>) {
    for (const word of lexicon) {
      if (word.length < MIN || word.length > MAX || !/^[a-z]+$/.test(word)) continue;
      this.shapes.add(shape(word));
      const sig = signature(word);
      // Two lexicon words with one signature are ambiguous: keep neither.
      this.bySignature.set(sig, this.bySignature.has(sig) && this.bySignature.get(sig) !== word ? '' : word);
    }
  }

  /** The lexicon word `word` is a scramble of, or undefined. */
  unscramble(word: string): string | undefined {
    if (word.length < MIN || word.length > MAX || !this.shapes.has(shape(word))) return undefined;
    const found = this.bySignature.get(signature(word));
    return found || undefined;
  }
}

function shape(word: string): string {
  return `${word[0]}${word[word.length - 1]}${word.length}`;
}

function signature(word: string): string {
  return `${word[0]}${word[word.length - 1]}${word.slice(1, -1).split('').sort().join('')}`;
}
