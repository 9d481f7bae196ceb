import { describe, expect, it } from 'vitest';
import { decideVat, MENTION_OUTSIDE_EU, MENTION_REVERSE_CHARGE, type VatNumberEvidence, vatTerritory } from './vat.ts';
import { EU_MEMBER_STATES, validateVatNumber } from './vat-number.ts';

/** Evidence as the billing service builds it: our check, then VIES's answer. */
function evidence(number: string, vies: VatNumberEvidence['vies']): VatNumberEvidence {
  const check = validateVatNumber(number);
  return { number: check.normalised ?? number, checksumValid: check.valid, vies };
}

describe('decideVat (R-VAT)', () => {
  it('charges 20 % to a French client, with no mention', () => {
    expect(decideVat({ country: 'FR' })).toEqual({
      regime: 'france',
      rateBp: 2000,
      mention: null,
      explanation: 'Client in France: French VAT at the standard rate, 20 %.',
    });
    // A French VAT number changes nothing: the service is supplied in France.
    expect(decideVat({ country: 'fr', vatNumber: evidence('FR40303265045', 'valid') })).toMatchObject({ regime: 'france', rateBp: 2000, mention: null });
  });

  it('treats Monaco as France', () => {
    expect(decideVat({ country: 'MC' })).toMatchObject({ regime: 'france', rateBp: 2000, mention: null });
    expect(decideVat({ country: 'FR', postcode: '98000' })).toMatchObject({ regime: 'france', rateBp: 2000 });
    expect(decideVat({ country: 'MC' }).explanation).toContain('Monaco');
  });

  it('reverse-charges a German business whose VAT number is well-formed and confirmed by VIES (issue 5)', () => {
    const decision = decideVat({ country: 'DE', vatNumber: evidence('DE 136 695 976', 'valid') });
    expect(decision).toMatchObject({ regime: 'eu_reverse_charge', rateBp: 0, mention: 'Autoliquidation — article 196 de la directive 2006/112/CE' });
    expect(decision.mention).toBe(MENTION_REVERSE_CHARGE);
    expect(decision.explanation).toContain('DE136695976');
  });

  it('charges French VAT to a German client without a valid VAT number (issue 5)', () => {
    const cases: [VatNumberEvidence | null | undefined, string][] = [
      [undefined, 'without a VAT number'],
      [null, 'without a VAT number'],
      [{ number: '  ', checksumValid: false, vies: 'not_checked' }, 'without a VAT number'],
      [evidence('DE136695975', 'not_checked'), 'malformed'],
      [evidence('DE136695975', 'valid'), 'malformed'], // a well-formed number is required even if VIES says yes
      [evidence('DE136695976', 'invalid'), 'not registered'],
      [evidence('DE136695976', 'unavailable'), 'VIES unavailable'],
      [evidence('DE136695976', 'not_checked'), 'not been checked'],
      [evidence('ATU13585627', 'valid'), 'not a number of DE'],
    ];
    for (const [vatNumber, why] of cases) {
      const decision = decideVat({ country: 'DE', vatNumber });
      expect(decision, JSON.stringify(vatNumber)).toMatchObject({ regime: 'eu_without_valid_vat_number', rateBp: 2000, mention: null });
      expect(decision.explanation).toContain(why);
    }
  });

  it('does not charge VAT to a Swiss client, with the article 259-1 mention (issue 5)', () => {
    const decision = decideVat({ country: 'CH', vatNumber: { number: 'CHE123456788', checksumValid: false, vies: 'not_checked' } });
    expect(decision).toMatchObject({ regime: 'outside_eu', rateBp: 0, mention: 'TVA non applicable — article 259-1 du CGI' });
    expect(decision.mention).toBe(MENTION_OUTSIDE_EU);
    expect(decision.explanation).toContain('CH');
  });

  it('treats the UK (Northern Ireland included, for services), the US and Åland as outside the EU', () => {
    for (const country of ['GB', 'US', 'NO', 'AX', 'MA']) expect(decideVat({ country })).toMatchObject({ regime: 'outside_eu', rateBp: 0, mention: MENTION_OUTSIDE_EU });
  });

  it('reverse-charges a business of every other member state, Greece with its EL number', () => {
    const valid: Record<string, string> = {
      AT: 'ATU13585627',
      BE: 'BE0403019261',
      BG: 'BG175074752',
      CY: 'CY10259033P',
      CZ: 'CZ25123891',
      DE: 'DE136695976',
      DK: 'DK13585628',
      EE: 'EE100931558',
      ES: 'ESB64717838',
      FI: 'FI20774740',
      GR: 'EL094259216',
      HR: 'HR33392005961',
      HU: 'HU12892312',
      IE: 'IE6433435F',
      IT: 'IT00743110157',
      LT: 'LT119511515',
      LU: 'LU15027442',
      LV: 'LV40003521600',
      MT: 'MT11679112',
      NL: 'NL004495445B01',
      PL: 'PL8567346215',
      PT: 'PT501964843',
      RO: 'RO18547290',
      SE: 'SE123456789701',
      SI: 'SI50223054',
      SK: 'SK2022749619',
    };
    expect(Object.keys(valid).sort()).toEqual(Object.keys(EU_MEMBER_STATES).filter((c) => c !== 'FR'));
    for (const [country, number] of Object.entries(valid)) {
      expect(decideVat({ country, vatNumber: evidence(number, 'valid') }), country).toMatchObject({ regime: 'eu_reverse_charge', rateBp: 0, mention: MENTION_REVERSE_CHARGE });
      expect(decideVat({ country, vatNumber: evidence(number, 'invalid') }), country).toMatchObject({ regime: 'eu_without_valid_vat_number', rateBp: 2000 });
    }
  });

  it('taxes Guadeloupe, Martinique and La Réunion at their 8.5 %, and not Guyane or Mayotte', () => {
    for (const country of ['GP', 'MQ', 'RE']) expect(decideVat({ country })).toMatchObject({ regime: 'france_overseas_taxed', rateBp: 850, mention: null });
    for (const country of ['GF', 'YT']) expect(decideVat({ country })).toMatchObject({ regime: 'france_overseas_exempt', rateBp: 0, mention: 'TVA non applicable — article 294-1 du CGI' });
    // A French address with an overseas postcode is read as that territory.
    expect(decideVat({ country: 'FR', postcode: '97400' })).toMatchObject({ regime: 'france_overseas_taxed', rateBp: 850 });
    expect(decideVat({ country: 'FR', postcode: '97300' })).toMatchObject({ regime: 'france_overseas_exempt', rateBp: 0 });
  });

  it('treats the overseas collectivities as outside the EU VAT area', () => {
    for (const country of ['PM', 'BL', 'MF', 'WF', 'PF', 'NC', 'TF']) expect(decideVat({ country }), country).toMatchObject({ regime: 'outside_eu', rateBp: 0 });
    expect(decideVat({ country: 'FR', postcode: '98800' })).toMatchObject({ regime: 'outside_eu' });
    expect(decideVat({ country: 'FR', postcode: '97133' })).toMatchObject({ regime: 'outside_eu' }); // Saint-Barthélemy
    expect(decideVat({ country: 'FR', postcode: '97150' })).toMatchObject({ regime: 'outside_eu' }); // Saint-Martin
    expect(decideVat({ country: 'FR', postcode: '97110' })).toMatchObject({ regime: 'france_overseas_taxed' }); // Guadeloupe
  });
});

describe('vatTerritory', () => {
  it('reads the territory from the country, and from the postcode of a French address', () => {
    expect(vatTerritory('fr')).toBe('FR');
    expect(vatTerritory('FR', '75002')).toBe('FR');
    expect(vatTerritory('FR', '20000')).toBe('FR'); // Corsica is French VAT territory
    expect(vatTerritory('FR', '97 200')).toBe('MQ');
    expect(vatTerritory('FR', '97600')).toBe('YT');
    expect(vatTerritory('FR', '98000')).toBe('MC');
    expect(vatTerritory('DE', '97400')).toBe('DE'); // a postcode only matters in France
    expect(vatTerritory('FR', null)).toBe('FR');
  });

  it('refuses what is not a country code', () => {
    expect(() => vatTerritory('FRA')).toThrow(RangeError);
    expect(() => vatTerritory('')).toThrow(RangeError);
    expect(() => decideVat({ country: 'France' })).toThrow(RangeError);
  });
});
