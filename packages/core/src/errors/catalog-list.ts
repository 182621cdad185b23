/**
 * The exported list of every error code ({@link errorCatalog}), a module of its own so that only
 * what exports it builds the catalog at import: `@m2m/core`'s main entry and `@m2m/core/explain`.
 * The session and crypto packages reach the error classes through `@m2m/core/internal`, and
 * catalog.ts builds its entries on their first error (bench/startup.ts measures the import).
 * @module
 */
import { catalogEntries, type ErrorCatalogEntry } from './catalog.js';

/**
 * Every error code of the SDK, in id order (each code's description and remedy:
 * `explainError` from `@m2m/core/explain`); the same entry objects `catalogEntry` returns.
 * @example
 * ```ts
 * const entry = errorCatalog.find((e) => e.code === 'AEAD_DECRYPTION_FAILED');
 * console.log(entry?.httpStatus, entry?.retryable);
 * ```
 */
export const errorCatalog: readonly ErrorCatalogEntry[] = catalogEntries();
