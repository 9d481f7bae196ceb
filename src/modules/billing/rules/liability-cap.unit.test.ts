import { describe, expect, it } from 'vitest';
import { type CapPayment, htShareOfPayment, liabilityCap } from './liability-cap.ts';

// A monthly invoice of 1 000 € HT, 1 200 € TTC.
const monthly = { invoiceHtCents: 100_000, invoiceTtcCents: 120_000 };
const paid = (date: string, amountTtcCents: number, invoice = monthly): CapPayment => ({ date, amountTtcCents, ...invoice });

describe('htShareOfPayment', () => {
  it('converts a TTC payment to HT in the proportion of its invoice', () => {
    expect(htShareOfPayment(paid('2026-01-01', 120_000))).toBe(100_000);
    expect(htShareOfPayment(paid('2026-01-01', 60_000))).toBe(50_000); // a partial payment counts its share
    expect(htShareOfPayment(paid('2026-01-01', 118_800))).toBe(99_000); // paid with the 1 % discount
  });

  it('rounds each payment half-up once', () => {
    // 1.00 € of an invoice of 123.45 € HT / 148.14 € TTC: 83.33 c → 83 c.
    expect(htShareOfPayment({ amountTtcCents: 100, invoiceHtCents: 12_345, invoiceTtcCents: 14_814 })).toBe(83);
    // 3 c of 1 200 / 1 000: 2.5 c → 3 c.
    expect(htShareOfPayment(paid('2026-01-01', 3))).toBe(3);
  });

  it('counts a reverse-charge or export invoice in full, and a refunded credit note negatively', () => {
    expect(htShareOfPayment({ amountTtcCents: 34_800, invoiceHtCents: 34_800, invoiceTtcCents: 34_800 })).toBe(34_800);
    expect(htShareOfPayment({ amountTtcCents: -12_000, invoiceHtCents: -10_000, invoiceTtcCents: -12_000 })).toBe(-10_000);
    expect(htShareOfPayment({ amountTtcCents: 0, invoiceHtCents: 0, invoiceTtcCents: 0 })).toBe(0);
  });

  it('refuses invoices that cannot exist', () => {
    expect(() => htShareOfPayment({ amountTtcCents: 100, invoiceHtCents: 200, invoiceTtcCents: 100 })).toThrow(/exceed/);
    expect(() => htShareOfPayment({ amountTtcCents: 100, invoiceHtCents: -100, invoiceTtcCents: 120 })).toThrow(/sign/);
    expect(() => htShareOfPayment({ amountTtcCents: 100, invoiceHtCents: 10, invoiceTtcCents: 0 })).toThrow(RangeError);
    expect(() => htShareOfPayment({ amountTtcCents: 10.5, invoiceHtCents: 100, invoiceTtcCents: 120 })).toThrow(RangeError);
  });
});

describe('liabilityCap (R-CAP)', () => {
  it('adds the HT paid over the 12 months before the event, the event day excluded', () => {
    const cap = liabilityCap('2026-03-15', [
      paid('2025-03-14', 120_000), // 12 months and a day before: out
      paid('2025-03-15', 120_000), // the same day 12 months before: in
      paid('2025-09-10', 60_000), // a partial payment: its share
      paid('2026-03-14', 120_000), // the day before: in
      paid('2026-03-15', 120_000), // the day of the event: out
      paid('2026-04-01', 120_000), // after: out
    ]);
    expect(cap).toMatchObject({ eventDate: '2026-03-15', windowStart: '2025-03-15', windowEnd: '2026-03-14', capHtCents: 250_000 });
    expect(cap.counted.map((p) => [p.date, p.htShareCents])).toEqual([
      ['2025-03-15', 100_000],
      ['2025-09-10', 50_000],
      ['2026-03-14', 100_000],
    ]);
  });

  it('takes off refunded credit notes and never goes below zero', () => {
    const creditNote = { invoiceHtCents: -10_000, invoiceTtcCents: -12_000 };
    expect(liabilityCap('2026-03-15', [paid('2025-06-01', 120_000), paid('2025-07-01', -12_000, creditNote)]).capHtCents).toBe(90_000);
    expect(liabilityCap('2026-03-15', [paid('2025-07-01', -12_000, creditNote)]).capHtCents).toBe(0);
  });

  it('is zero without payments, however much was invoiced', () => {
    expect(liabilityCap('2026-03-15', [])).toMatchObject({ capHtCents: 0, counted: [] });
  });

  it('counts 12 calendar months back, the end of February included', () => {
    expect(liabilityCap('2028-02-29', [])).toMatchObject({ windowStart: '2027-02-28', windowEnd: '2028-02-28' });
    expect(liabilityCap('2026-01-01', [])).toMatchObject({ windowStart: '2025-01-01', windowEnd: '2025-12-31' });
  });

  it('refuses malformed dates', () => {
    expect(() => liabilityCap('2026-02-30', [])).toThrow(RangeError);
    expect(() => liabilityCap('2026-03-15', [paid('15/03/2025', 100)])).toThrow(RangeError);
  });
});
