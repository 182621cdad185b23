/**
 * `localizeError`: an error's message in one of six languages.
 * @module
 */
import { isSdkError } from './base.js';
import { catalogEntry } from './catalog.js';
import { translations, type Locale } from './messages.js';

/** The locales {@link localizeError} supports. */
export const supportedLocales: readonly Locale[] = ['en', 'es', 'fr', 'de', 'ja', 'zh'];

/**
 * The generic message of a code in a locale (`en`, `es`, `fr`, `de`, `ja`, `zh`; a region
 * suffix such as `fr-CA` is accepted; unknown locales fall back to English).
 */
export function localizedTitle(code: string, locale: string): string | undefined {
  const entry = catalogEntry(code);
  if (!entry) return undefined;
  const lang = normalizeLocale(locale);
  if (lang === 'en') return entry.title;
  const t = translations[code];
  return t ? t[supportedLocales.indexOf(lang) - 1] : entry.title;
}

function normalizeLocale(locale: string): Locale {
  const lang = String(locale).toLowerCase().split(/[-_]/)[0] as Locale;
  return supportedLocales.includes(lang) ? lang : 'en';
}

/**
 * An error's message in a locale: the translated generic message of its code, followed by
 * the specific part (library texts and values are not translated). The error's own
 * `message` stays English.
 *
 * @example
 * ```ts
 * localizeError(new M2MError('SessionExpired', {}), 'de'); // 'Sitzung abgelaufen'
 * ```
 */
export function localizeError(e: unknown, locale: string): string {
  if (!isSdkError(e)) return e instanceof Error ? e.message : String(e);
  const title = localizedTitle(e.code, locale) ?? e.message;
  if (normalizeLocale(locale) === 'en') return e.message;
  const details = e.details as Record<string, unknown>;
  let specific: string | undefined;
  if (e.kind === 'Crypto' && isSdkError(e.cause)) specific = localizeError(e.cause, locale);
  else if (typeof details.reason === 'string' && details.reason) specific = details.reason;
  else if (typeof details.detail === 'string' && details.detail) specific = details.detail;
  else {
    const parts = Object.entries(details).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k}=${String(v)}`);
    if (parts.length) specific = parts.join(', ');
  }
  return specific ? `${title}: ${specific}` : title;
}
