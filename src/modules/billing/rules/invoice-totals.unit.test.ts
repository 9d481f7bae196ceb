import { describe, expect, it } from 'vitest';
import { computeInvoiceTotals, computeLine, EARLY_PAYMENT_DISCOUNT_BP, type InvoiceLineInput, vatOn } from './invoice-totals.ts';

const line = (overrides: Partial<InvoiceLineInput>): InvoiceLineInput => ({ label: 'x', quantity: 1, unitPrice: { cents: 100 }, vatRateBp: 2000, ...overrides });

/** A deterministic pseudo-random generator, so the property tests are reproducible. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('computeLine', () => {
  it('prorates a POI raise by actual days (issue 5: 3 POI at 29 €/month from 10 March → 61.74 €)', () => {
    const result = computeLine({ label: 'SoView — 3 POI supplémentaires du 10 au 31 mars', quantity: 3, unitPrice: { cents: 2900 }, prorata: { numerator: 22, denominator: 31 }, vatRateBp: 2000 });
    expect(result).toEqual({
      label: 'SoView — 3 POI supplémentaires du 10 au 31 mars',
      quantity: '3',
      unitPriceMillicents: 2_900_000,
      prorata: { numerator: 22, denominator: 31 },
      vatRateBp: 2000,
      amountHtCents: 6174,
    });
  });

  it('adds up millicents before rounding once per line', () => {
    // 10 000 SMS at 4.5 c€ make 450.00 €; rounding each SMS first would make 500.00 €.
    expect(computeLine(line({ quantity: 10_000, unitPrice: { millicents: 4500 } })).amountHtCents).toBe(45_000);
    expect(computeLine(line({ quantity: 3, unitPrice: { millicents: 4500 } })).amountHtCents).toBe(14); // 13.5 c → 14 c
    expect(computeLine(line({ quantity: 1, unitPrice: { millicents: 4499 } })).amountHtCents).toBe(4);
    expect(computeLine(line({ quantity: 1, unitPrice: { millicents: 80 } })).amountHtCents).toBe(0);
  });

  it('takes decimal quantities with up to 3 decimals, exactly', () => {
    expect(computeLine(line({ quantity: '1.5', unitPrice: { cents: 1234 } }))).toMatchObject({ quantity: '1.5', amountHtCents: 1851 });
    expect(computeLine(line({ quantity: '0.125', unitPrice: { cents: 100 } }))).toMatchObject({ quantity: '0.125', amountHtCents: 13 }); // 12.5 c → 13 c
    expect(computeLine(line({ quantity: '2.50', unitPrice: { cents: 3 } }))).toMatchObject({ quantity: '2.5', amountHtCents: 8 }); // 7.5 c → 8 c
    expect(computeLine(line({ quantity: '7', unitPrice: { cents: 3 } }))).toMatchObject({ quantity: '7', amountHtCents: 21 });
    expect(computeLine(line({ quantity: '0.1', unitPrice: { cents: 3 } }))).toMatchObject({ quantity: '0.1', amountHtCents: 0 });
  });

  it('combines a decimal quantity, a millicent price and a prorata with one rounding', () => {
    // 1.5 × 4.5 c€ × 10/30 = 2.25 c → 2 c; rounding at each step would give 3 c.
    expect(computeLine(line({ quantity: '1.5', unitPrice: { millicents: 4500 }, prorata: { numerator: 10, denominator: 30 } })).amountHtCents).toBe(2);
  });

  it('makes negative lines for credit notes, rounded symmetrically', () => {
    expect(computeLine(line({ quantity: -3, unitPrice: { cents: 2900 }, prorata: { numerator: 22, denominator: 31 } })).amountHtCents).toBe(-6174);
    expect(computeLine(line({ quantity: '-0.125', unitPrice: { cents: 100 } }))).toMatchObject({ quantity: '-0.125', amountHtCents: -13 });
    expect(computeLine(line({ quantity: 3, unitPrice: { millicents: -4500 } })).amountHtCents).toBe(-14);
  });

  it('refuses inputs that would need a guess', () => {
    expect(() => computeLine(line({ quantity: 1.5 }))).toThrow(/string/);
    expect(() => computeLine(line({ quantity: '1.2345' }))).toThrow(RangeError);
    expect(() => computeLine(line({ quantity: '1,5' }))).toThrow(RangeError);
    expect(() => computeLine(line({ quantity: '' }))).toThrow(RangeError);
    expect(() => computeLine(line({ unitPrice: { cents: 1.5 } }))).toThrow(RangeError);
    expect(() => computeLine(line({ unitPrice: { millicents: 0.5 } }))).toThrow(RangeError);
    expect(() => computeLine(line({ prorata: { numerator: 32, denominator: 31 } }))).toThrow(RangeError);
    expect(() => computeLine(line({ prorata: { numerator: 1, denominator: 0 } }))).toThrow(RangeError);
    expect(() => computeLine(line({ prorata: { numerator: -1, denominator: 31 } }))).toThrow(RangeError);
    expect(() => computeLine(line({ prorata: { numerator: 1.5, denominator: 31 } }))).toThrow(RangeError);
    expect(() => computeLine(line({ vatRateBp: -1 }))).toThrow(RangeError);
    expect(() => computeLine(line({ vatRateBp: 10_001 }))).toThrow(RangeError);
    expect(() => computeLine(line({ vatRateBp: 19.6 }))).toThrow(RangeError);
  });
});

describe('computeInvoiceTotals', () => {
  it('computes VAT once per rate on the total HT of that rate, not line by line', () => {
    const totals = computeInvoiceTotals([line({ unitPrice: { cents: 101 } }), line({ unitPrice: { cents: 101 } }), line({ unitPrice: { cents: 101 } })]);
    // Line by line: 3 × round(20.2 c) = 60 c. On the total: round(303 × 20 %) = round(60.6) = 61 c.
    expect(totals.vatBreakdown).toEqual([{ rateBp: 2000, baseHtCents: 303, vatCents: 61 }]);
    expect(totals).toMatchObject({ totalHtCents: 303, totalVatCents: 61, totalTtcCents: 364 });
  });

  it('gives one VAT entry per rate, highest first', () => {
    const totals = computeInvoiceTotals([
      line({ label: 'A', unitPrice: { cents: 10_000 }, vatRateBp: 850 }),
      line({ label: 'B', unitPrice: { cents: 12_345 }, vatRateBp: 2000 }),
      line({ label: 'C', unitPrice: { cents: 5000 }, vatRateBp: 0 }),
      line({ label: 'D', unitPrice: { cents: 1 }, vatRateBp: 2000 }),
    ]);
    expect(totals.vatBreakdown).toEqual([
      { rateBp: 2000, baseHtCents: 12_346, vatCents: 2469 }, // 2 469.2
      { rateBp: 850, baseHtCents: 10_000, vatCents: 850 },
      { rateBp: 0, baseHtCents: 5000, vatCents: 0 },
    ]);
    expect(totals).toMatchObject({ totalHtCents: 27_346, totalVatCents: 3319, totalTtcCents: 30_665 });
    expect(totals.lines.map((l) => l.label)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('computes the 1 % early-payment discount on HT with the VAT base reduced accordingly (R-PAYMENT)', () => {
    const totals = computeInvoiceTotals([line({ unitPrice: { cents: 100_000 } })]);
    expect(totals).toMatchObject({ totalHtCents: 100_000, totalVatCents: 20_000, totalTtcCents: 120_000 });
    expect(totals.earlyPaymentDiscount).toEqual({
      rateBp: EARLY_PAYMENT_DISCOUNT_BP,
      perRate: [{ rateBp: 2000, discountHtCents: 1000, reducedBaseHtCents: 99_000, reducedVatCents: 19_800, discountVatCents: 200 }],
      discountHtCents: 1000,
      discountVatCents: 200,
      discountTtcCents: 1200,
      amountToPayCents: 118_800,
    });
  });

  it('rounds the discount and the reduced VAT once each', () => {
    // HT 123.45 €, VAT 24.69 €. Discount 1.2345 € → 1.23 €; reduced base 122.22 €, its VAT 24.444 € → 24.44 €.
    const { earlyPaymentDiscount, totalTtcCents } = computeInvoiceTotals([line({ unitPrice: { cents: 12_345 } })]);
    expect(totalTtcCents).toBe(14_814);
    expect(earlyPaymentDiscount).toMatchObject({ discountHtCents: 123, discountVatCents: 25, discountTtcCents: 148, amountToPayCents: 14_666 });
    expect(earlyPaymentDiscount.perRate[0]).toMatchObject({ reducedBaseHtCents: 12_222, reducedVatCents: 2444 });
  });

  it('discounts each rate separately, and a reverse-charge invoice by its HT only', () => {
    const mixed = computeInvoiceTotals([line({ unitPrice: { cents: 10_050 }, vatRateBp: 2000 }), line({ unitPrice: { cents: 10_050 }, vatRateBp: 850 })]);
    expect(mixed.earlyPaymentDiscount.perRate).toEqual([
      { rateBp: 2000, discountHtCents: 101, reducedBaseHtCents: 9949, reducedVatCents: 1990, discountVatCents: 20 },
      { rateBp: 850, discountHtCents: 101, reducedBaseHtCents: 9949, reducedVatCents: 846, discountVatCents: 8 },
    ]);
    expect(mixed.earlyPaymentDiscount).toMatchObject({ discountHtCents: 202, discountVatCents: 28, amountToPayCents: 9949 + 1990 + 9949 + 846 });

    const reverseCharge = computeInvoiceTotals([line({ quantity: 12, unitPrice: { cents: 2900 }, vatRateBp: 0 })]);
    expect(reverseCharge).toMatchObject({ totalHtCents: 34_800, totalVatCents: 0, totalTtcCents: 34_800 });
    expect(reverseCharge.earlyPaymentDiscount).toMatchObject({ discountHtCents: 348, discountVatCents: 0, amountToPayCents: 34_452 });
  });

  it('gives an empty invoice all zeros', () => {
    expect(computeInvoiceTotals([])).toEqual({
      lines: [],
      vatBreakdown: [],
      totalHtCents: 0,
      totalVatCents: 0,
      totalTtcCents: 0,
      earlyPaymentDiscount: { rateBp: 100, perRate: [], discountHtCents: 0, discountVatCents: 0, discountTtcCents: 0, amountToPayCents: 0 },
    });
  });

  it('takes another discount rate, and refuses a nonsensical one', () => {
    expect(computeInvoiceTotals([line({ unitPrice: { cents: 10_000 } })], 0).earlyPaymentDiscount).toMatchObject({ discountHtCents: 0, amountToPayCents: 12_000 });
    expect(() => computeInvoiceTotals([], -1)).toThrow(RangeError);
    expect(() => computeInvoiceTotals([], 0.5)).toThrow(RangeError);
  });

  it('makes a credit note that negates every line have exactly the negated totals', () => {
    const random = generator(42);
    for (let round = 0; round < 200; round++) {
      const lines: InvoiceLineInput[] = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) => {
        const denominator = 28 + Math.floor(random() * 4);
        return {
          label: `line ${i}`,
          quantity: random() < 0.5 ? 1 + Math.floor(random() * 50) : `${Math.floor(random() * 20)}.${String(Math.floor(random() * 1000)).padStart(3, '0')}`,
          unitPrice: random() < 0.5 ? { cents: Math.floor(random() * 100_000) } : { millicents: Math.floor(random() * 100_000) },
          prorata: random() < 0.3 ? { numerator: Math.floor(random() * (denominator + 1)), denominator } : null,
          vatRateBp: [2000, 850, 0][Math.floor(random() * 3)]!,
        };
      });
      const invoice = computeInvoiceTotals(lines);
      const creditNote = computeInvoiceTotals(
        lines.map((l) => ({ ...l, quantity: typeof l.quantity === 'number' ? -l.quantity : `-${l.quantity}` })),
      );
      // (0 − x rather than −x: the module never returns −0, and toBe tells 0 and −0 apart.)
      expect(creditNote.totalHtCents).toBe(0 - invoice.totalHtCents);
      expect(creditNote.totalVatCents).toBe(0 - invoice.totalVatCents);
      expect(creditNote.totalTtcCents).toBe(0 - invoice.totalTtcCents);
      expect(creditNote.vatBreakdown.map((e) => [e.rateBp, 0 - e.baseHtCents, 0 - e.vatCents])).toEqual(invoice.vatBreakdown.map((e) => [e.rateBp, e.baseHtCents, e.vatCents]));
      expect(creditNote.earlyPaymentDiscount.amountToPayCents).toBe(0 - invoice.earlyPaymentDiscount.amountToPayCents);
      expect(creditNote.lines.map((l) => 0 - l.amountHtCents)).toEqual(invoice.lines.map((l) => l.amountHtCents));
    }
  });

  it('keeps its totals consistent whatever the lines', () => {
    const random = generator(7);
    for (let round = 0; round < 200; round++) {
      const lines = Array.from({ length: 1 + Math.floor(random() * 8) }, () =>
        line({ quantity: Math.floor(random() * 1000), unitPrice: { millicents: Math.floor(random() * 50_000) }, vatRateBp: [2000, 850, 550, 0][Math.floor(random() * 4)]! }),
      );
      const totals = computeInvoiceTotals(lines);
      expect(totals.totalHtCents).toBe(totals.lines.reduce((sum, l) => sum + l.amountHtCents, 0));
      expect(totals.totalTtcCents).toBe(totals.totalHtCents + totals.totalVatCents);
      for (const entry of totals.vatBreakdown) expect(entry.vatCents).toBe(vatOn(entry.baseHtCents, entry.rateBp));
      const discount = totals.earlyPaymentDiscount;
      expect(discount.amountToPayCents).toBe(discount.perRate.reduce((sum, e) => sum + e.reducedBaseHtCents + e.reducedVatCents, 0));
      // The discount HT is 1 % of the HT to within half a cent per rate.
      expect(Math.abs(discount.discountHtCents * 100 - totals.totalHtCents)).toBeLessThanOrEqual(50 * totals.vatBreakdown.length);
    }
  });
});

describe('vatOn', () => {
  it('rounds the VAT of a base half-up once', () => {
    expect(vatOn(12_345, 2000)).toBe(2469);
    expect(vatOn(2, 2500)).toBe(1); // 0.5 c → 1 c
    expect(vatOn(-2, 2500)).toBe(-1);
    expect(vatOn(1, 2000)).toBe(0);
    expect(vatOn(100, 850)).toBe(9); // 8.5 c → 9 c
  });
});
