import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';
import type { Locale } from '../types';
import { en } from './en';
import { fr, type MessageKey } from './fr';

export type { MessageKey } from './fr';
export type TParams = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: TParams) => string;

export const LOCALES: readonly Locale[] = ['fr', 'en'];
export const TIME_ZONE = 'Europe/Paris';
const STORAGE_KEY = 'sofy.locale';

const dictionaries: Record<Locale, Record<MessageKey, string>> = { fr, en };
const intlLocale: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };

/** The BCP 47 tag Intl formatters use for a console language. */
export function intlLocaleOf(locale: Locale): string {
  return intlLocale[locale];
}

function isLocale(value: unknown): value is Locale {
  return value === 'fr' || value === 'en';
}

/** The locale the user chose explicitly in this browser, if any. */
export function storedLocale(): Locale | null {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null;
  }
}

export function translate(locale: Locale, key: MessageKey, params?: TParams): string {
  const template = dictionaries[locale][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in params ? String(params[name]) : match,
  );
}

export interface I18n {
  locale: Locale;
  /** Switch language and remember the choice in localStorage. */
  setLocale: (locale: Locale) => void;
  /** Adopt a locale (e.g. the user's) unless the browser has an explicit choice. */
  adoptLocale: (locale: Locale) => void;
  t: Translate;
  formatDateTime: (iso: string | null | undefined) => string;
  formatDate: (iso: string | null | undefined) => string;
  formatNumber: (value: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => storedLocale() ?? 'fr');

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const setLocale = useCallback((next: Locale) => {
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    setLocaleState(next);
  }, []);

  const adoptLocale = useCallback((next: Locale) => {
    if (!storedLocale() && isLocale(next)) setLocaleState(next);
  }, []);

  const value = useMemo<I18n>(() => {
    const dateTime = new Intl.DateTimeFormat(intlLocale[locale], {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: TIME_ZONE,
    });
    const date = new Intl.DateTimeFormat(intlLocale[locale], {
      dateStyle: 'medium',
      timeZone: TIME_ZONE,
    });
    const number = new Intl.NumberFormat(intlLocale[locale]);
    const format = (formatter: Intl.DateTimeFormat) => (iso: string | null | undefined) => {
      if (!iso) return '';
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : formatter.format(d);
    };
    return {
      locale,
      setLocale,
      adoptLocale,
      t: (key, params) => translate(locale, key, params),
      formatDateTime: format(dateTime),
      formatDate: format(date),
      formatNumber: (n) => number.format(n),
    };
  }, [locale, setLocale, adoptLocale]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n must be used inside <I18nProvider>');
  return value;
}
