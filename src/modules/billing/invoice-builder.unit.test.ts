import { describe, expect, it } from 'vitest';
import { percentToBp } from './contracts.ts';
import { latePenaltyRateText, millicentsToEuros } from './invoice-builder.ts';
import { DEFAULT_LEGAL_RATES } from './rules.ts';

describe('invoice document helpers', () => {
  it('writes millicent prices as exact euros, 2 to 5 decimals (the SMS at 4.5 c€ is 0.045 €)', () => {
    expect(millicentsToEuros(2_900_000)).toBe('29.00');
    expect(millicentsToEuros(4500)).toBe('0.045');
    expect(millicentsToEuros(1)).toBe('0.00001');
    expect(millicentsToEuros(-123_450)).toBe('-1.2345');
  });

  it('prints the R-LATE rate of the issue date: 3 × 2.62 % in the first half of 2026', () => {
    expect(latePenaltyRateText('2026-03-10', DEFAULT_LEGAL_RATES)).toBe("7,86\u00a0% l'an (3 fois le taux d'intérêt légal du 1er semestre 2026, 2,62\u00a0%)");
    expect(latePenaltyRateText('2025-09-01', DEFAULT_LEGAL_RATES)).toContain('2nd semestre 2025');
  });

  it('reads a numeric(6,2) percentage as basis points without floating point', () => {
    expect(percentToBp('2.62')).toBe(262);
    expect(percentToBp('3.7')).toBe(370);
    expect(percentToBp('12')).toBe(1200);
  });
});
