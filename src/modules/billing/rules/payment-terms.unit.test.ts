import { describe, expect, it } from 'vitest';
import { computeInvoiceTotals } from './invoice-totals.ts';
import { discountDeadline, dueDate, isWithinDiscountPeriod, type PayableInvoice, settleInvoice } from './payment-terms.ts';

// 1 000 € HT at 20 %: 1 200 € TTC, 1 188 € when paid within 8 days (invoice-totals.ts).
const totals = computeInvoiceTotals([{ label: 'SoView', quantity: 1, unitPrice: { cents: 100_000 }, vatRateBp: 2000 }]);
const invoice: PayableInvoice = { issueDate: '2026-03-02', totalTtcCents: totals.totalTtcCents, discountedAmountCents: totals.earlyPaymentDiscount.amountToPayCents };

describe('payment dates (R-PAYMENT)', () => {
  it('makes an invoice due 30 days after issue', () => {
    expect(dueDate('2026-03-02')).toBe('2026-04-01');
    expect(dueDate('2026-12-15')).toBe('2027-01-14');
    expect(dueDate('2028-01-31')).toBe('2028-03-01'); // leap year: 29 days of February count
    expect(dueDate('2026-03-28')).toBe('2026-04-27'); // across the DST change, no drift
  });

  it('ends the discount period 8 calendar days after issue, weekends included', () => {
    expect(discountDeadline('2026-03-02')).toBe('2026-03-10');
    expect(discountDeadline('2026-12-28')).toBe('2027-01-05');
    expect(discountDeadline('2026-05-08')).toBe('2026-05-16'); // a Saturday: not moved to the next business day
  });

  it('grants the discount on day 8 and not on day 9 (issue 5)', () => {
    expect(isWithinDiscountPeriod('2026-03-02', '2026-03-10')).toBe(true); // day 8
    expect(isWithinDiscountPeriod('2026-03-02', '2026-03-11')).toBe(false); // day 9
    expect(isWithinDiscountPeriod('2026-03-02', '2026-03-02')).toBe(true); // day of issue
    expect(isWithinDiscountPeriod('2026-03-02', '2026-03-01')).toBe(true); // paid before issue (advance)
  });
});

describe('settleInvoice', () => {
  it('settles at the discounted amount when paid in full on day 8 (issue 5)', () => {
    expect(settleInvoice(invoice, [{ date: '2026-03-10', amountCents: 118_800 }])).toEqual({
      status: 'paid',
      discountApplied: true,
      amountOwedCents: 118_800,
      paidCents: 118_800,
      remainingCents: 0,
      overpaidCents: 0,
      settledOn: '2026-03-10',
      dueDate: '2026-04-01',
      discountDeadline: '2026-03-10',
    });
  });

  it('owes the full TTC when the same payment arrives on day 9 (issue 5)', () => {
    expect(settleInvoice(invoice, [{ date: '2026-03-11', amountCents: 118_800 }])).toMatchObject({
      status: 'partially_paid',
      discountApplied: false,
      amountOwedCents: 120_000,
      paidCents: 118_800,
      remainingCents: 1200,
      settledOn: null,
    });
  });

  it('owes nothing more when the full TTC is paid in time, and reports the excess', () => {
    expect(settleInvoice(invoice, [{ date: '2026-03-05', amountCents: 120_000 }])).toMatchObject({
      status: 'overpaid',
      discountApplied: true,
      amountOwedCents: 118_800,
      remainingCents: 0,
      overpaidCents: 1200,
      settledOn: '2026-03-05',
    });
    expect(settleInvoice(invoice, [{ date: '2026-03-20', amountCents: 120_000 }])).toMatchObject({ status: 'paid', discountApplied: false, overpaidCents: 0, settledOn: '2026-03-20' });
  });

  it('adds up partial payments, in any order', () => {
    const payments = [
      { date: '2026-03-25', amountCents: 50_000 },
      { date: '2026-03-15', amountCents: 20_000 },
    ];
    expect(settleInvoice(invoice, payments)).toMatchObject({ status: 'partially_paid', paidCents: 70_000, remainingCents: 50_000, settledOn: null });
    expect(settleInvoice(invoice, [...payments, { date: '2026-04-10', amountCents: 50_000 }])).toMatchObject({ status: 'paid', remainingCents: 0, settledOn: '2026-04-10' });
  });

  it('grants the discount to instalments that complete the discounted amount within the 8 days', () => {
    expect(
      settleInvoice(invoice, [
        { date: '2026-03-03', amountCents: 100_000 },
        { date: '2026-03-10', amountCents: 18_800 },
      ]),
    ).toMatchObject({ status: 'paid', discountApplied: true, amountOwedCents: 118_800, settledOn: '2026-03-10' });
  });

  it('does not grant the discount to a part paid early when the rest comes late', () => {
    expect(
      settleInvoice(invoice, [
        { date: '2026-03-03', amountCents: 100_000 },
        { date: '2026-03-11', amountCents: 18_800 },
      ]),
    ).toMatchObject({ status: 'partially_paid', discountApplied: false, amountOwedCents: 120_000, remainingCents: 1200 });
  });

  it('reports an unpaid invoice', () => {
    expect(settleInvoice(invoice, [])).toMatchObject({ status: 'unpaid', discountApplied: false, paidCents: 0, remainingCents: 120_000, settledOn: null, dueDate: '2026-04-01' });
  });

  it('refuses impossible invoices and payments', () => {
    expect(() => settleInvoice({ ...invoice, issueDate: '2026-02-30' }, [])).toThrow(RangeError);
    expect(() => settleInvoice({ ...invoice, totalTtcCents: -120_000 }, [])).toThrow(RangeError);
    expect(() => settleInvoice({ ...invoice, discountedAmountCents: 130_000 }, [])).toThrow(RangeError);
    expect(() => settleInvoice(invoice, [{ date: '2026-03-10', amountCents: 0 }])).toThrow(RangeError);
    expect(() => settleInvoice(invoice, [{ date: '2026-03-10', amountCents: 10.5 }])).toThrow(RangeError);
    expect(() => settleInvoice(invoice, [{ date: '10/03/2026', amountCents: 100 }])).toThrow(RangeError);
  });
});
