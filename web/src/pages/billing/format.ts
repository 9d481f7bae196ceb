import { useMemo } from 'react';
import { intlLocaleOf, useI18n } from '../../i18n';
import type { Locale } from '../../types';

/**
 * Formatters of the billing pages. Amounts arrive as integer cents (unit prices of messaging as
 * millicents) and are only divided for display, never summed as floats. Billing dates are civil
 * days (YYYY-MM-DD, Paris) and are shown in full: "26 novembre 2026".
 */
export interface BillingFormat {
  /** 102286 → "1 022,86 €". */
  euros: (cents: number | null | undefined) => string;
  /** 60000 → "600 €" (chart axes). */
  wholeEuros: (cents: number) => string;
  /** A unit price in millicents: 2900000 → "29,00 €", 4500 → "0,045 €". */
  unitPrice: (millicents: number) => string;
  /** "2026-11-26" → "26 novembre 2026". */
  day: (date: string | null | undefined) => string;
  /** "2026-11-26" → "26/11/2026", for dense tables. */
  shortDay: (date: string | null | undefined) => string;
  /** "2026-11" or "2026-11-01" → "novembre 2026". */
  month: (month: string | null | undefined) => string;
  /** "2026-11" → "nov. 26", for chart axes. */
  monthShort: (month: string) => string;
  /** 2000 basis points → "20 %". */
  rate: (basisPoints: number) => string;
  /** "2.62" → "2,62 %". */
  percent: (value: string) => string;
  /** "10.5" → "10,5". */
  quantity: (value: string) => string;
  /** A decimal kept as written, with the language's separator: "315.0" → "315,0". */
  decimal: (value: string) => string;
}

/** Parses a civil day (or month) as UTC midnight, so that no time zone can shift it. */
function civilDate(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(value);
  if (!match) return null;
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3] ?? '1')));
}

export function billingFormat(locale: Locale): BillingFormat {
  const tag = intlLocaleOf(locale);
  const euro = new Intl.NumberFormat(tag, { style: 'currency', currency: 'EUR' });
  const whole = new Intl.NumberFormat(tag, {
    style: 'currency',
    currency: 'EUR',
    maximumFractionDigits: 0,
  });
  const unit = new Intl.NumberFormat(tag, {
    style: 'currency',
    currency: 'EUR',
    minimumFractionDigits: 2,
    maximumFractionDigits: 5,
  });
  const long = new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeZone: 'UTC' });
  const short = new Intl.DateTimeFormat(tag, { dateStyle: 'short', timeZone: 'UTC' });
  const monthLong = new Intl.DateTimeFormat(tag, {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const monthShort = new Intl.DateTimeFormat(tag, {
    month: 'short',
    year: '2-digit',
    timeZone: 'UTC',
  });
  const decimal = new Intl.NumberFormat(tag, { maximumFractionDigits: 3 });
  const percent = new Intl.NumberFormat(tag, { maximumFractionDigits: 2 });
  const withDate =
    (formatter: Intl.DateTimeFormat) =>
    (value: string | null | undefined): string => {
      if (!value) return '';
      const date = civilDate(value);
      return date ? formatter.format(date) : value;
    };
  return {
    euros: (cents) => (cents === null || cents === undefined ? '' : euro.format(cents / 100)),
    wholeEuros: (cents) => whole.format(Math.round(cents / 100)),
    unitPrice: (millicents) => unit.format(millicents / 100_000),
    day: withDate(long),
    shortDay: withDate(short),
    month: withDate(monthLong),
    monthShort: (month) => withDate(monthShort)(month),
    rate: (basisPoints) => `${percent.format(basisPoints / 100)} %`,
    percent: (value) => {
      const n = Number(value);
      return Number.isFinite(n) ? `${percent.format(n)} %` : value;
    },
    decimal: (value) => (locale === 'fr' ? value.replace('.', ',') : value),
    quantity: (value) => {
      const n = Number(value);
      return Number.isFinite(n) ? decimal.format(n) : value;
    },
  };
}

export function useBillingFormat(): BillingFormat {
  const { locale } = useI18n();
  return useMemo(() => billingFormat(locale), [locale]);
}

/**
 * "1 022,86" / "1022.86" / "29" → 102286 cents, without going through a float; null when it is
 * not an amount with at most two decimals.
 */
export function parseEuros(input: string): number | null {
  const text = input.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return null;
  return match[1] ? -cents : cents;
}

/** 2900 cents → "29,00" (or "29.00"), to prefill an amount field. */
export function centsToInput(cents: number, locale: Locale): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const text = `${Math.trunc(abs / 100)}${locale === 'fr' ? ',' : '.'}${String(abs % 100).padStart(2, '0')}`;
  return sign + text;
}

/** Today's civil day in Paris. */
export { parisDate as today } from '../../time';
