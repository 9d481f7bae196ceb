import { describe, expect, it } from 'vitest';
import {
  MANDATE_EXPIRY_MONTHS,
  SEPA_IBAN_LENGTHS,
  checkSepaIdentifier,
  earliestCollectionDate,
  easterSunday,
  firstCollectableDate,
  ibanFromBban,
  icsFromParts,
  isPreNotificationInTime,
  isSepaText,
  isTargetBusinessDay,
  isValidBic,
  isValidIban,
  isValidRib,
  latestNotificationDate,
  mandateExpiresOn,
  mod97,
  nextTargetBusinessDay,
  normaliseIban,
  printIban,
  sameCreditor,
  sequenceTypeFor,
  toSepaText,
  validateBic,
  validateIban,
  validateIcs,
  validateRum,
} from './sepa-ids.ts';

/** The example IBAN of each SEPA country as published in the SWIFT IBAN registry. */
const REGISTRY_EXAMPLES: Record<string, string> = {
  AD: 'AD1200012030200359100100',
  AL: 'AL47212110090000000235698741',
  AT: 'AT611904300234573201',
  BE: 'BE68539007547034',
  BG: 'BG80BNBG96611020345678',
  CH: 'CH9300762011623852957',
  CY: 'CY17002001280000001200527600',
  CZ: 'CZ6508000000192000145399',
  DE: 'DE89370400440532013000',
  DK: 'DK5000400440116243',
  EE: 'EE382200221020145685',
  ES: 'ES9121000418450200051332',
  FI: 'FI2112345600000785',
  FR: 'FR1420041010050500013M02606',
  GB: 'GB29NWBK60161331926819',
  GI: 'GI75NWBK000000007099453',
  GR: 'GR1601101250000000012300695',
  HR: 'HR1210010051863000160',
  HU: 'HU42117730161111101800000000',
  IE: 'IE29AIBK93115212345678',
  IS: 'IS140159260076545510730339',
  IT: 'IT60X0542811101000000123456',
  LI: 'LI21088100002324013AA',
  LT: 'LT121000011101001000',
  LU: 'LU280019400644750000',
  LV: 'LV80BANK0000435195001',
  MC: 'MC5811222000010123456789030',
  MD: 'MD24AG000225100013104168',
  ME: 'ME25505000012345678951',
  MK: 'MK07250120000058984',
  MT: 'MT84MALT011000012345MTLCAST001S',
  NL: 'NL91ABNA0417164300',
  NO: 'NO9386011117947',
  PL: 'PL61109010140000071219812874',
  PT: 'PT50000201231234567890154',
  RO: 'RO49AAAA1B31007593840000',
  RS: 'RS35260005601001611379',
  SE: 'SE4550000000058398257466',
  SI: 'SI56263300012039086',
  SK: 'SK3112000000198742637541',
  SM: 'SM86U0322509800000000270100',
  VA: 'VA59001123000012345678',
};

describe('IBAN (R-PAYMENT, ISO 13616)', () => {
  it('has a registry example for every SEPA country, each of the declared length and valid', () => {
    expect(Object.keys(REGISTRY_EXAMPLES).sort()).toEqual(Object.keys(SEPA_IBAN_LENGTHS).sort());
    for (const [country, iban] of Object.entries(REGISTRY_EXAMPLES)) {
      expect(iban.length, country).toBe(SEPA_IBAN_LENGTHS[country]);
      expect(validateIban(iban), iban).toMatchObject({ ok: true, iban, country });
    }
  });

  it('reads the printed form and answers both forms', () => {
    const result = validateIban('IBAN FR14 2004 1010 0505 0001 3M02 606');
    expect(result).toEqual({
      ok: true,
      iban: 'FR1420041010050500013M02606',
      printed: 'FR14 2004 1010 0505 0001 3M02 606',
      country: 'FR',
    });
    expect(validateIban('de89 3704 0044 0532 0130 00')).toMatchObject({ ok: true, iban: 'DE89370400440532013000' });
    expect(normaliseIban('\u00a0DE89\u202f3704 0044 0532 0130 00 ')).toBe('DE89370400440532013000');
    expect(printIban('DE89370400440532013000')).toBe('DE89 3704 0044 0532 0130 00');
  });

  it('detects every single-character substitution and every adjacent transposition of the FR and DE examples', () => {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (const iban of [REGISTRY_EXAMPLES.FR!, REGISTRY_EXAMPLES.DE!]) {
      for (let i = 2; i < iban.length; i += 1) {
        for (const replacement of alphabet) {
          if (replacement === iban[i]) continue;
          // digits stay digits in the check positions, so the mutation stays well-formed
          if (i < 4 && !/\d/.test(replacement)) continue;
          const mutated = iban.slice(0, i) + replacement + iban.slice(i + 1);
          expect(isValidIban(mutated), mutated).toBe(false);
        }
        if (i + 1 < iban.length && iban[i] !== iban[i + 1] && i >= 4) {
          const swapped = iban.slice(0, i) + iban[i + 1] + iban[i] + iban.slice(i + 2);
          expect(isValidIban(swapped), swapped).toBe(false);
        }
      }
    }
  });

  it('names the reason of a refusal', () => {
    expect(validateIban('')).toMatchObject({ ok: false, error: 'empty' });
    expect(validateIban('FR14-2004-1010')).toMatchObject({ ok: false, error: 'bad_characters' });
    expect(validateIban('1420041010050500013M02606')).toMatchObject({ ok: false, error: 'bad_format' });
    expect(validateIban('US64SVBKUS6S3300958879')).toMatchObject({ ok: false, error: 'country_not_sepa' });
    expect(validateIban('FR1420041010050500013M0260')).toMatchObject({ ok: false, error: 'bad_length' });
    // a letter O typed for a zero: the German BBAN is 18 digits
    expect(validateIban('DE89370400440532O13000')).toMatchObject({ ok: false, error: 'bad_format' });
    expect(validateIban('FR1520041010050500013M02606')).toMatchObject({ ok: false, error: 'bad_checksum' });
    expect(validateIban('DE88370400440532013000')).toMatchObject({ ok: false, error: 'bad_checksum' });
  });

  it('checks the French RIB key that the IBAN check alone would miss', () => {
    expect(isValidRib('20041010050500013M02606')).toBe(true);
    expect(isValidRib('20041010050500013M02607')).toBe(false);
    // A BBAN with a wrong RIB key wrapped in correct IBAN check digits still fails.
    const forged = ibanFromBban('FR', '20041010050500013M02607');
    expect(mod97(forged.slice(4) + forged.slice(0, 4))).toBe(1);
    expect(validateIban(forged)).toMatchObject({ ok: false, error: 'bad_national_check' });
    expect(ibanFromBban('FR', '20041 01005 0500013M026 06')).toBe(REGISTRY_EXAMPLES.FR);
  });
});

describe('BIC (R-PAYMENT, ISO 9362)', () => {
  it('accepts 8 and 11 characters', () => {
    expect(validateBic('BNPAFRPP')).toEqual({ ok: true, bic: 'BNPAFRPP', country: 'FR', bic8: 'BNPAFRPP' });
    expect(validateBic('agri frpp 882')).toMatchObject({ ok: true, bic: 'AGRIFRPP882', bic8: 'AGRIFRPP' });
    expect(isValidBic('DEUTDEFF500')).toBe(true);
    expect(isValidBic('QNTOFRP1XXX')).toBe(true);
  });

  it('refuses other lengths, digits in the bank or country code and the letter O as 8th character', () => {
    for (const bad of ['', 'BNPAFRP', 'BNPAFRPPX', 'BNPAFRPP88', 'BNPAFRPP8822', 'BNP1FRPP', 'BNPAF1PP', 'BNPAFRPO', 'BNPAFR1P']) {
      expect(isValidBic(bad), bad).toBe(false);
    }
  });

  it('optionally checks the bank country against the IBAN country, territories included', () => {
    expect(validateBic('BNPAFRPP', { ibanCountry: 'FR' }).ok).toBe(true);
    expect(validateBic('DEUTDEFF', { ibanCountry: 'FR' })).toMatchObject({ ok: false, error: 'country_mismatch' });
    expect(validateBic('BNPAGPGP', { ibanCountry: 'FR' }).ok).toBe(true); // Guadeloupe uses FR IBANs
    expect(validateBic('RBOSJESH', { ibanCountry: 'GB' }).ok).toBe(true); // Jersey uses GB IBANs
    expect(validateBic('BNPAGPGP', { ibanCountry: 'DE' }).ok).toBe(false);
  });
});

describe('SEPA creditor identifier (R-PAYMENT)', () => {
  it('validates the published German example and a French ICS', () => {
    expect(validateIcs('DE98ZZZ09999999999')).toEqual({
      ok: true,
      ics: 'DE98ZZZ09999999999',
      country: 'DE',
      businessCode: 'ZZZ',
      nationalId: '09999999999',
    });
    expect(icsFromParts('FR', '123456')).toBe('FR72ZZZ123456');
    expect(validateIcs('fr72 zzz 123456')).toMatchObject({ ok: true, ics: 'FR72ZZZ123456' });
  });

  it('leaves the business code out of the check', () => {
    expect(validateIcs('FR72ABC123456').ok).toBe(true);
    expect(sameCreditor('FR72ZZZ123456', 'FR72ABC123456')).toBe(true);
    expect(sameCreditor('FR72ZZZ123456', icsFromParts('FR', '123457'))).toBe(false);
  });

  it('catches every substitution of the check digits and of the national identifier', () => {
    const ics = 'FR72ZZZ123456';
    for (const i of [2, 3, 7, 8, 9, 10, 11, 12]) {
      for (const digit of '0123456789') {
        if (digit === ics[i]) continue;
        const mutated = ics.slice(0, i) + digit + ics.slice(i + 1);
        expect(validateIcs(mutated).ok, mutated).toBe(false);
      }
    }
  });

  it('names the reason of a refusal', () => {
    expect(validateIcs('')).toMatchObject({ error: 'empty' });
    expect(validateIcs('FRZZZ123456')).toMatchObject({ error: 'bad_format' });
    expect(validateIcs('US72ZZZ123456')).toMatchObject({ error: 'country_not_sepa' });
    expect(validateIcs(icsFromParts('FR', '1234567'))).toMatchObject({ error: 'bad_length' });
    expect(validateIcs('FR73ZZZ123456')).toMatchObject({ error: 'bad_checksum' });
  });
});

describe('SEPA character set and identifiers', () => {
  it('transliterates names to the Latin set and cuts them', () => {
    expect(toSepaText('Société Générale & Fils')).toBe('Societe Generale + Fils');
    expect(toSepaText('Œuvre « Straße » Ørsted — Łódź')).toBe("OEuvre ' Strasse ' Orsted - Lodz");
    expect(toSepaText('Café 株式会社 @Paris #1')).toBe('Cafe Paris 1');
    expect(toSepaText('A'.repeat(80), 70)).toHaveLength(70);
    expect(toSepaText(`${'B'.repeat(69)} C`, 70)).toBe('B'.repeat(69));
    expect(isSepaText(toSepaText('Ü ñ ç ø å æ ß " ; ! _ € [x] {y} a\\b|c'))).toBe(true);
  });

  it('applies the EPC identifier rules', () => {
    expect(checkSepaIdentifier('FA-2026-000123')).toBeNull();
    expect(checkSepaIdentifier('')).toBe('empty');
    expect(checkSepaIdentifier('X'.repeat(36))).toBe('too_long');
    expect(checkSepaIdentifier('FA_2026')).toBe('bad_characters');
    expect(checkSepaIdentifier('/FA1')).toBe('bad_slashes');
    expect(checkSepaIdentifier('FA1/')).toBe('bad_slashes');
    expect(checkSepaIdentifier('FA//1')).toBe('bad_slashes');
  });
});

describe('mandate reference (RUM, R-PAYMENT)', () => {
  it('accepts up to 35 SEPA characters', () => {
    expect(validateRum('SOFY-C000123-M1')).toEqual({ ok: true, rum: 'SOFY-C000123-M1' });
    expect(validateRum('R'.repeat(35)).ok).toBe(true);
  });

  it('refuses long, exotic, badly slashed or padded references', () => {
    expect(validateRum('R'.repeat(36))).toMatchObject({ ok: false, error: 'too_long' });
    expect(validateRum('SOFY_1')).toMatchObject({ ok: false, error: 'bad_characters' });
    expect(validateRum('RUM-é')).toMatchObject({ ok: false, error: 'bad_characters' });
    expect(validateRum('/SOFY1')).toMatchObject({ ok: false, error: 'bad_slashes' });
    expect(validateRum(' SOFY1')).toMatchObject({ ok: false, error: 'leading_or_trailing_space' });
  });

  it('is unique per creditor, whatever the case', () => {
    const existing = ['SOFY-C1-M1', 'SOFY-C2-M1'];
    expect(validateRum('SOFY-C3-M1', existing).ok).toBe(true);
    expect(validateRum('sofy-c2-m1', existing)).toMatchObject({ ok: false, error: 'not_unique' });
  });
});

describe('sequence type and mandate expiry (R-PAYMENT)', () => {
  const fresh = { kind: 'recurrent' as const, signedOn: '2026-01-15', lastCollectionOn: null };

  it('is FRST on the first collection, RCUR afterwards, FNAL when told it is the last', () => {
    expect(sequenceTypeFor(fresh, '2026-02-05')).toEqual({ ok: true, sequenceType: 'FRST' });
    const used = { ...fresh, lastCollectionOn: '2026-02-05' };
    expect(sequenceTypeFor(used, '2026-03-05')).toEqual({ ok: true, sequenceType: 'RCUR' });
    expect(sequenceTypeFor(used, '2026-03-05', { final: true })).toEqual({ ok: true, sequenceType: 'FNAL' });
  });

  it('expires a mandate unused for 36 months, counted from the last collection or the signature', () => {
    expect(MANDATE_EXPIRY_MONTHS).toBe(36);
    const used = { ...fresh, lastCollectionOn: '2026-03-10' };
    expect(mandateExpiresOn(used)).toBe('2029-03-10');
    expect(sequenceTypeFor(used, '2029-03-09')).toMatchObject({ ok: true, sequenceType: 'RCUR' });
    expect(sequenceTypeFor(used, '2029-03-10')).toMatchObject({ ok: false, error: 'mandate_expired' });
    expect(mandateExpiresOn(fresh)).toBe('2029-01-15');
    expect(sequenceTypeFor(fresh, '2029-01-14')).toMatchObject({ ok: true, sequenceType: 'FRST' });
    expect(sequenceTypeFor(fresh, '2029-01-15')).toMatchObject({ ok: false, error: 'mandate_expired' });
  });

  it('serves a one-off mandate once, with OOFF', () => {
    const oneOff = { kind: 'one_off' as const, signedOn: '2026-01-15', lastCollectionOn: null };
    expect(sequenceTypeFor(oneOff, '2026-02-01')).toEqual({ ok: true, sequenceType: 'OOFF' });
    expect(sequenceTypeFor({ ...oneOff, lastCollectionOn: '2026-02-01' }, '2026-03-01')).toMatchObject({
      ok: false,
      error: 'one_off_already_used',
    });
  });

  it('refuses dates before the signature, after a revocation, or not after the last collection', () => {
    expect(sequenceTypeFor(fresh, '2026-01-14')).toMatchObject({ error: 'before_signature' });
    expect(sequenceTypeFor({ ...fresh, revokedOn: '2026-02-01' }, '2026-02-01')).toMatchObject({ error: 'mandate_revoked' });
    expect(sequenceTypeFor({ ...fresh, revokedOn: '2026-02-01' }, '2026-01-31')).toMatchObject({ ok: true });
    expect(sequenceTypeFor({ ...fresh, lastCollectionOn: '2026-03-05' }, '2026-03-05')).toMatchObject({
      error: 'not_after_last',
    });
  });
});

describe('pre-notification 14 calendar days ahead (R-PAYMENT)', () => {
  it('gives the earliest collection and the latest notification', () => {
    expect(earliestCollectionDate('2026-03-01')).toBe('2026-03-15');
    expect(latestNotificationDate('2026-03-15')).toBe('2026-03-01');
    expect(earliestCollectionDate('2026-12-25')).toBe('2027-01-08');
    expect(latestNotificationDate('2026-03-10')).toBe('2026-02-24');
  });

  it('accepts exactly 14 days and refuses 13', () => {
    expect(isPreNotificationInTime('2026-03-01', '2026-03-15')).toBe(true);
    expect(isPreNotificationInTime('2026-03-02', '2026-03-15')).toBe(false);
    expect(isPreNotificationInTime('2026-02-01', '2026-03-15')).toBe(true);
  });

  it('moves the first collectable date to a TARGET2 business day', () => {
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2027)).toBe('2027-03-28');
    expect(isTargetBusinessDay('2026-04-03')).toBe(false); // Good Friday
    expect(isTargetBusinessDay('2026-04-06')).toBe(false); // Easter Monday
    expect(isTargetBusinessDay('2026-05-08')).toBe(true); // French holiday, TARGET open
    expect(isTargetBusinessDay('2026-12-26')).toBe(false);
    expect(nextTargetBusinessDay('2026-04-03')).toBe('2026-04-07');
    // Notified on Friday 20 March 2026: 14 days later is Good Friday 3 April → Tuesday 7 April.
    expect(firstCollectableDate('2026-03-20')).toBe('2026-04-07');
    expect(firstCollectableDate('2026-03-02')).toBe('2026-03-16');
  });
});
