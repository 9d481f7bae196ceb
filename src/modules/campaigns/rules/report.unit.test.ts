import { describe, expect, it } from 'vitest';
import { costOf, csvLine, outcomeOf, percent, seriesBucket } from './report.ts';

describe('report counting', () => {
  it('groups message statuses', () => {
    expect(['queued', 'scheduled', 'sending'].map(outcomeOf)).toEqual(['pending', 'pending', 'pending']);
    expect(['submitted', 'delivered', 'read', 'suppressed'].map(outcomeOf)).toEqual(['sent', 'delivered', 'delivered', 'suppressed']);
    expect(['failed', 'undelivered', 'expired'].map(outcomeOf)).toEqual(['failed', 'failed', 'failed']);
  });

  it('gives rates with one decimal and 0 for nothing sent', () => {
    expect(percent(1, 3)).toBe(33.3);
    expect(percent(2, 3)).toBe(66.7);
    expect(percent(5, 0)).toBe(0);
  });

  it('adds millicents and rounds once (10,000 SMS at 4.5 c€ cost 450 €, not 500 €)', () => {
    expect(costOf(10_000 * 4_500)).toEqual({ millicents: 45_000_000, cents: 45_000 });
    expect(costOf(4_500).cents).toBe(5);
    expect(costOf(4_499).cents).toBe(4);
  });

  it('writes RFC 4180 lines and defuses spreadsheet formulas, phone numbers kept', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', null, 3])).toBe('a,"b,c","say ""hi""",,3\r\n');
    expect(csvLine(['=HYPERLINK("x")', '+33612345678', '-12', '@x'])).toBe(`"'=HYPERLINK(""x"")",+33612345678,-12,'@x\r\n`);
  });

  it('draws hours for short campaigns and days for long ones', () => {
    expect(seriesBucket(new Date('2026-01-01'), new Date('2026-01-02'))).toBe('hour');
    expect(seriesBucket(new Date('2026-01-01'), new Date('2026-01-10'))).toBe('day');
  });
});
