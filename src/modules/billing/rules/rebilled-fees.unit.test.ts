import { describe, expect, it } from 'vitest';
import { computeInvoiceTotals } from './invoice-totals.ts';
import { AF2M_ADMIN_FEE_BP, af2mFineLines, passThroughLine } from './rebilled-fees.ts';

describe('af2mFineLines (R-AF2M)', () => {
  it('re-invoices the fine in full plus a 15 % administrative fee, as two lines', () => {
    expect(AF2M_ADMIN_FEE_BP).toBe(1500);
    expect(af2mFineLines({ fineCents: 500_000, reference: 'AF2M décision 2026-014', vatRateBp: 2000 })).toEqual({
      ok: true,
      lines: [
        { label: 'Refacturation amende AF2M — AF2M décision 2026-014', quantity: 1, unitPrice: { cents: 500_000 }, vatRateBp: 2000 },
        { label: 'Frais de gestion administrative 15 % — AF2M décision 2026-014', quantity: 1, unitPrice: { cents: 75_000 }, vatRateBp: 2000 },
      ],
    });
  });

  it('rounds the fee half-up to the cent', () => {
    const fee = (fineCents: number) => {
      const result = af2mFineLines({ fineCents, reference: 'R', vatRateBp: 0 });
      return result.ok ? (result.lines[1]!.unitPrice as { cents: number }).cents : Number.NaN;
    };
    expect(fee(10)).toBe(2); // 1.5 c → 2 c
    expect(fee(3)).toBe(0); // 0.45 c → 0 c
    expect(fee(123_457)).toBe(18_519); // 18 518.55 c → 18 519 c
    expect(fee(123_453)).toBe(18_518); // 18 517.95 c → 18 518 c
  });

  it('gives lines that invoice-totals adds up: fine + fee = 115 % of the fine', () => {
    const result = af2mFineLines({ fineCents: 1_000_000, reference: 'R', vatRateBp: 2000 });
    if (!result.ok) throw new Error(result.message);
    expect(computeInvoiceTotals(result.lines)).toMatchObject({ totalHtCents: 1_150_000, totalVatCents: 230_000 });
  });

  it('refuses a fine that is not a positive amount in cents, or that names no sanction', () => {
    expect(af2mFineLines({ fineCents: 0, reference: 'R', vatRateBp: 2000 })).toMatchObject({ ok: false, error: 'invalid_amount' });
    expect(af2mFineLines({ fineCents: -100, reference: 'R', vatRateBp: 2000 })).toMatchObject({ ok: false, error: 'invalid_amount' });
    expect(af2mFineLines({ fineCents: 99.5, reference: 'R', vatRateBp: 2000 })).toMatchObject({ ok: false, error: 'invalid_amount' });
    expect(af2mFineLines({ fineCents: 100, reference: '  ', vatRateBp: 2000 })).toMatchObject({ ok: false, error: 'missing_reference' });
  });
});

describe('passThroughLine (R-PASSTHRU)', () => {
  it('re-invoices a third-party tax at cost, on one line with no margin', () => {
    expect(passThroughLine({ label: 'Redevance opérateur — mars 2026', costCents: 12_345, vatRateBp: 2000 })).toEqual({
      ok: true,
      lines: [{ label: 'Redevance opérateur — mars 2026', quantity: 1, unitPrice: { cents: 12_345 }, vatRateBp: 2000 }],
    });
    expect(passThroughLine({ label: 'Taxe', costCents: 12_345, billedCents: 12_345, vatRateBp: 0 })).toMatchObject({ ok: true });
  });

  it('refuses any billed amount that differs from the cost, up or down', () => {
    expect(passThroughLine({ label: 'Taxe', costCents: 12_345, billedCents: 12_346, vatRateBp: 2000 })).toEqual({
      ok: false,
      error: 'margin_not_allowed',
      message: 'third-party taxes are re-invoiced at cost (R-PASSTHRU): billed 12346 cents for a cost of 12345 cents',
    });
    expect(passThroughLine({ label: 'Taxe', costCents: 12_345, billedCents: 12_344, vatRateBp: 2000 })).toMatchObject({ ok: false, error: 'margin_not_allowed' });
  });

  it('refuses an empty label or a cost that is not a positive amount in cents', () => {
    expect(passThroughLine({ label: ' ', costCents: 100, vatRateBp: 2000 })).toMatchObject({ ok: false, error: 'missing_reference' });
    expect(passThroughLine({ label: 'Taxe', costCents: 0, vatRateBp: 2000 })).toMatchObject({ ok: false, error: 'invalid_amount' });
    expect(passThroughLine({ label: 'Taxe', costCents: 10.5, vatRateBp: 2000 })).toMatchObject({ ok: false, error: 'invalid_amount' });
  });
});
