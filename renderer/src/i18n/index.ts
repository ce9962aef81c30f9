/**
 * Translation: flat dictionaries (`en`, `zh-CN`) keyed by dotted ids, with `{name}`
 * placeholders. The views' own strings (views/strings.ts) are merged in. A missing key falls
 * back to English, then to the key itself, so a gap is visible but never breaks the UI; the
 * i18n test walks both dictionaries so gaps do not ship.
 */
import { VIEW_STRINGS } from '../views/strings.js';
import type { Lang, TFunction } from '../views/types.js';
import { en } from './en.js';
import { zhCN } from './zh-CN.js';

export const LANGS: readonly Lang[] = ['en', 'zh-CN'];

export const DICTIONARIES: Record<Lang, Record<string, string>> = {
  en: { ...VIEW_STRINGS.en, ...en },
  'zh-CN': { ...VIEW_STRINGS['zh-CN'], ...zhCN },
};

export function isLang(v: unknown): v is Lang {
  return v === 'en' || v === 'zh-CN';
}

export function interpolate(template: string, vars?: Record<string, string | number>): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m));
}

export function makeT(lang: Lang): TFunction {
  const dict = DICTIONARIES[lang];
  const fallback = DICTIONARIES.en;
  return (key, vars) => {
    const s = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : Object.prototype.hasOwnProperty.call(fallback, key) ? fallback[key] : key;
    return interpolate(s ?? key, vars);
  };
}

/** Formats a count with the language's digit grouping. */
export function formatNumber(lang: Lang, n: number): string {
  return new Intl.NumberFormat(lang).format(n);
}
