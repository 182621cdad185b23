/**
 * Error codes a user half remembers, for `m2m errors explain` and `errors decode --code`.
 * @module
 */
import { errorCatalog } from '@m2m/core';

/**
 * Codes whose name or title holds every word of `query` (`replay`, `decryption failed`,
 * `aead_decrypt`), at most five.
 */
export function similarCodes(query: string): string[] {
  const words = query.toLowerCase().split(/[\s_-]+/).filter((w) => w.length >= 3);
  if (!words.length) return [];
  const hits = errorCatalog.filter((e) => {
    const text = `${e.code} ${e.title}`.toLowerCase().replace(/_/g, ' ');
    return words.every((w) => text.includes(w));
  });
  return hits.slice(0, 5).map((e) => e.code);
}

/** True when `code` is a code of the catalog. */
export function isCatalogCode(code: string): boolean {
  return errorCatalog.some((e) => e.code === code);
}
