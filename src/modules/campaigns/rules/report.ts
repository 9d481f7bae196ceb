import { roundMillicentsToCents } from '../../messaging/rules.ts';

/** Campaign analytics: how message outcomes are counted, rates, cost and CSV. */

/** Message statuses, as the report groups them. */
export type OutcomeGroup = 'pending' | 'sent' | 'delivered' | 'failed' | 'suppressed';

/**
 * `sent` counts what left (submitted to the operator or provider, whatever happened after);
 * `delivered` what the handset or mailbox confirmed; `failed` what never arrived (rejected,
 * undelivered, expired, cancelled), with who failed (R-3RD); `suppressed` what an opt-out or a
 * withdrawn consent stopped before it left (R-OPTOUT, R-CONSENT).
 */
export function outcomeOf(status: string): OutcomeGroup {
  switch (status) {
    case 'queued':
    case 'scheduled':
    case 'sending':
      return 'pending';
    case 'submitted':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'suppressed':
      return 'suppressed';
    default:
      return 'failed';
  }
}

/** A rate in percent with one decimal, from integers (0 when nothing was sent). */
export function percent(numerator: number, denominator: number): number {
  if (denominator <= 0) return 0;
  return Math.round((numerator * 1000) / denominator) / 10;
}

/** Cost: the billed millicents added up, rounded once to the cent (half up), as invoices do. */
export function costOf(millicents: number): { millicents: number; cents: number } {
  return { millicents, cents: roundMillicentsToCents(millicents) };
}

/** One CSV line (RFC 4180): fields with a separator, a quote or a line break are quoted. */
export function csvLine(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // A cell starting with = + - @ is a formula to spreadsheets (CSV injection): neutralised. A phone
  // number (+ and digits) and a negative number stay as they are.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^[+-]\d+$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Buckets of the time series: an hour for a campaign that spans under 3 days, else a day. */
export function seriesBucket(from: Date, until: Date): 'hour' | 'day' {
  return until.getTime() - from.getTime() <= 3 * 86_400_000 ? 'hour' : 'day';
}
