/**
 * The scanner's defaults, in a module of their own so that the main entry can export them
 * without loading the scanner (`@m2m/core/scan`, bench/startup.ts).
 * @module
 */

/** The reference's default blocking threshold. */
export const DEFAULT_BLOCK_THRESHOLD = 0.8;
/** Default deepest nesting (the wire codec's JSON depth limit, packages/core/src/wire/limits.ts). */
export const DEFAULT_MAX_DEPTH = 32;
