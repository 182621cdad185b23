/**
 * `@m2m/core/explain`: what each error code means and what to do about it (the text of
 * docs/ERRORS.md and `m2m errors explain`). An entry of its own so that applications and
 * browser bundles that only throw and catch errors do not carry the prose (bench/startup.ts);
 * the main entry's `errorCatalog` / `catalogEntry` have everything else of a code.
 * @module
 */
export { explainError, explainedCatalog, type ExplainedCatalogEntry } from './errors/catalog-docs.js';
