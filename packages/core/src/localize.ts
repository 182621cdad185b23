/**
 * `@m2m/core/localize`: an error's message in Spanish, French, German, Japanese or Chinese. The
 * translation table is its own entry so that applications and browser bundles that show
 * English only do not carry it (bench/startup.ts); `Locale` is also a type of the main entry.
 * @module
 */
export { localizeError, localizedTitle, supportedLocales } from './errors/localize.js';
export type { Locale } from './errors/messages.js';
