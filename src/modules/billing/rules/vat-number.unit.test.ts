import { describe, expect, it } from 'vitest';
import {
  countryOfVatPrefix,
  EU_MEMBER_STATES,
  formatVatNumber,
  frenchVatKey,
  frenchVatNumberFromSiren,
  isEuMemberState,
  isValidSiren,
  luhnValid,
  normaliseVatNumber,
  validateVatNumber,
  vatPrefixOf,
} from './vat-number.ts';

/**
 * Valid numbers for every member state. "published": the examples the reference validators and
 * tax administrations document (VIES test numbers, python-stdnum's documented examples, the
 * Belastingdienst's btw-id example). "computed": built here from the published algorithm (check
 * digits worked out independently of this module, then confirmed by an independent validator).
 */
const VALID: Record<string, { published: string[]; computed: string[] }> = {
  AT: { published: ['ATU13585627'], computed: [] },
  BE: { published: ['BE0403019261'], computed: ['BE0456789133'] },
  BG: { published: ['BG175074752'], computed: [] },
  CY: { published: ['CY10259033P'], computed: [] },
  CZ: { published: ['CZ25123891', 'CZ7103192745'], computed: [] },
  DE: { published: ['DE136695976'], computed: ['DE812345673'] },
  DK: { published: ['DK13585628'], computed: [] },
  EE: { published: ['EE100931558', 'EE100594102'], computed: [] },
  GR: { published: ['EL094259216'], computed: [] },
  ES: { published: ['ESB64717838', 'ESB58378431', 'ES54362315K', 'ESX5253868R', 'ESJ99216582'], computed: ['ESA28123453', 'ESQ2812345C', 'ES12345678Z'] },
  FI: { published: ['FI20774740'], computed: [] },
  FR: { published: ['FR40303265045', 'FR23334175221', 'FRK7399859412', 'FR4Z123456782'], computed: ['FR68919288548'] },
  HR: { published: ['HR33392005961'], computed: ['HR12345678903'] },
  HU: { published: ['HU12892312'], computed: [] },
  IE: { published: ['IE6433435F', 'IE8D79739I'], computed: ['IE3628739L', 'IE3628739UA'] },
  IT: { published: ['IT00743110157'], computed: ['IT01234560017'] },
  LT: { published: ['LT119511515', 'LT100001919017', 'LT100004801610'], computed: ['LT667869814'] },
  LU: { published: ['LU15027442'], computed: [] },
  LV: { published: ['LV40003521600', 'LV16117519997'], computed: [] },
  MT: { published: ['MT11679112'], computed: [] },
  NL: { published: ['NL004495445B01', 'NL000099998B57'], computed: ['NL812345678B01'] },
  PL: { published: ['PL8567346215'], computed: ['PL5250000009'] },
  PT: { published: ['PT501964843'], computed: [] },
  RO: { published: ['RO18547290'], computed: [] },
  SE: { published: ['SE123456789701'], computed: [] },
  SI: { published: ['SI50223054'], computed: [] },
  SK: { published: ['SK2022749619'], computed: [] },
};

/** Replaces the character at `index` by the next one in its class (digit +1, letter +1). */
function mutate(value: string, index: number): string {
  const char = value[index]!;
  const next = /[0-9]/.test(char) ? String((Number(char) + 1) % 10) : String.fromCharCode(((char.charCodeAt(0) - 65 + 1) % 26) + 65);
  return value.slice(0, index) + next + value.slice(index + 1);
}

/** A Spanish company's check digit d and the letter "JABCDEFGHI"[d] are the same check. */
function sameCifCheck(a: string, b: string): boolean {
  const letters = 'JABCDEFGHI';
  return (/[0-9]/.test(a) && letters[Number(a)] === b) || (/[0-9]/.test(b) && letters[Number(b)] === a);
}

describe('the EU member states', () => {
  it('are the 27, with Greece under the prefix EL', () => {
    expect(Object.keys(EU_MEMBER_STATES)).toHaveLength(27);
    expect(Object.keys(VALID).sort()).toEqual(Object.keys(EU_MEMBER_STATES).sort());
    expect(vatPrefixOf('GR')).toBe('EL');
    expect(vatPrefixOf('de')).toBe('DE');
    expect(vatPrefixOf('CH')).toBeNull();
    expect(vatPrefixOf('GB')).toBeNull();
    expect(countryOfVatPrefix('EL')).toBe('GR');
    expect(countryOfVatPrefix('GR')).toBe('GR');
    expect(countryOfVatPrefix('XI')).toBeNull();
    expect(isEuMemberState('FR')).toBe(true);
    expect(isEuMemberState('MC')).toBe(false);
    expect(isEuMemberState('EL')).toBe(false); // EL is a VAT prefix, not an ISO country
  });
});

describe('normaliseVatNumber', () => {
  it('upper-cases and strips separators', () => {
    expect(normaliseVatNumber('fr 12 345 678 901')).toBe('FR12345678901');
    expect(normaliseVatNumber(' de-136.695.976 ')).toBe('DE136695976');
    expect(normaliseVatNumber('FR\u00a040\u202f303\u2009265/045')).toBe('FR40303265045');
    expect(normaliseVatNumber('nl 0044.95.445.b.01')).toBe('NL004495445B01');
  });

  it('writes Greek numbers with EL whichever prefix was typed', () => {
    expect(normaliseVatNumber('GR 094259216')).toBe('EL094259216');
    expect(normaliseVatNumber('el094259216')).toBe('EL094259216');
    expect(normaliseVatNumber('094259216', 'GR')).toBe('EL094259216');
  });

  it('prefixes a bare number with the country it was given for', () => {
    expect(normaliseVatNumber('136695976', 'DE')).toBe('DE136695976');
    expect(normaliseVatNumber('U13585627', 'at')).toBe('ATU13585627');
    expect(normaliseVatNumber('X5253868R', 'ES')).toBe('ESX5253868R');
    expect(normaliseVatNumber('K7399859412', 'FR')).toBe('FRK7399859412');
    expect(normaliseVatNumber('136695976')).toBeNull();
    expect(normaliseVatNumber('136695976', 'CH')).toBeNull();
    expect(normaliseVatNumber('  ')).toBeNull();
  });

  it('brings old Belgian and Greek lengths to today’s', () => {
    expect(normaliseVatNumber('BE 403.019.261')).toBe('BE0403019261');
    expect(normaliseVatNumber('EL 94259216')).toBe('EL094259216');
  });

  it('keeps a foreign prefix for the check to refuse', () => {
    expect(normaliseVatNumber('GB 980780684')).toBe('GB980780684');
    expect(normaliseVatNumber('CHE-123.456.788', 'CH')).toBe('CHE123456788');
  });
});

describe('validateVatNumber', () => {
  for (const [country, { published, computed }] of Object.entries(VALID)) {
    it(`accepts valid ${country} numbers (published and computed)`, () => {
      for (const number of [...published, ...computed]) {
        expect(validateVatNumber(number), number).toEqual({ valid: true, country, normalised: number, reason: 'ok' });
      }
    });

    it(`refuses every other check character on the ${country} numbers`, () => {
      for (const number of [...published, ...computed]) {
        // The check character of each form: last, except the Irish 2013 form (8th) and Swedish and Dutch suffixes.
        // (the 2020 Dutch form is checked by mod 97 over all 12 characters: its last digit).
        const at =
          country === 'IE' && number.length === 11 ? 9 : country === 'SE' ? number.length - 3 : country === 'NL' && number !== 'NL000099998B57' ? 10 : number.length - 1;
        const original = number[at]!;
        const alphabet = /[0-9]/.test(original) ? '0123456789' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
        for (const replacement of alphabet) {
          if (replacement === original) continue;
          const mutated = number.slice(0, at) + replacement + number.slice(at + 1);
          const result = validateVatNumber(mutated);
          // Spanish legal persons may write their check as a digit or as the matching letter.
          const alternative = country === 'ES' && /^ES[A-HJNPQRSUVW]/.test(number) && sameCifCheck(original, replacement);
          // A 10-digit Bulgarian number is valid under any of three schemes (EGN, PNF, other).
          if (alternative || (country === 'BG' && number.length === 12)) continue;
          expect(result.valid, mutated).toBe(false);
        }
      }
    });
  }

  it('catches any single changed digit where the algorithm guarantees it (mod 11 with no collapse, mod 97, ISO 7064, Luhn)', () => {
    const guaranteed = ['DE136695976', 'HR33392005961', 'BE0403019261', 'IT00743110157', 'FR40303265045', 'PL8567346215', 'DK13585628', 'FI20774740', 'SE123456789701', 'MT11679112', 'HU12892312', 'EE100931558'];
    for (const number of guaranteed) {
      for (let i = 2; i < number.length; i++) {
        if (!/[0-9]/.test(number[i]!)) continue;
        if (number.startsWith('SE') && i >= number.length - 2) continue; // the "01" suffix is a component
        const mutated = mutate(number, i);
        expect(validateVatNumber(mutated).valid, mutated).toBe(false);
      }
    }
  });

  it('catches swapped adjacent digits on weighted schemes', () => {
    expect(validateVatNumber('DE163695976').valid).toBe(false);
    expect(validateVatNumber('FR40033265045').valid).toBe(false);
    expect(validateVatNumber('PL5867346215').valid).toBe(false);
    expect(validateVatNumber('NL040495445B01').valid).toBe(false);
  });

  it('accepts numbers typed the way people type them', () => {
    expect(validateVatNumber('fr 40 303 265 045')).toMatchObject({ valid: true, normalised: 'FR40303265045' });
    expect(validateVatNumber('GR094259216')).toMatchObject({ valid: true, country: 'GR', normalised: 'EL094259216' });
    expect(validateVatNumber('136695976', 'DE')).toMatchObject({ valid: true, country: 'DE' });
    expect(validateVatNumber('BE 403.019.261')).toMatchObject({ valid: true, normalised: 'BE0403019261' });
    expect(validateVatNumber('IE 6433435 f')).toMatchObject({ valid: true });
  });

  it('says why a number is refused', () => {
    expect(validateVatNumber('')).toMatchObject({ valid: false, reason: 'empty' });
    expect(validateVatNumber('136695976')).toMatchObject({ valid: false, reason: 'no_country' });
    expect(validateVatNumber('GB980780684')).toMatchObject({ valid: false, reason: 'not_eu', country: null });
    expect(validateVatNumber('CHE123456788')).toMatchObject({ valid: false, reason: 'not_eu' });
    expect(validateVatNumber('XI980780684')).toMatchObject({ valid: false, reason: 'not_eu' });
    expect(validateVatNumber('DE13669597')).toMatchObject({ valid: false, reason: 'bad_length', country: 'DE' });
    expect(validateVatNumber('DE13669597A')).toMatchObject({ valid: false, reason: 'bad_format' });
    expect(validateVatNumber('DE036695976')).toMatchObject({ valid: false, reason: 'bad_component' });
    expect(validateVatNumber('DE136695975')).toMatchObject({ valid: false, reason: 'bad_checksum' });
    expect(validateVatNumber('ATX13585627')).toMatchObject({ valid: false, reason: 'bad_format' });
    expect(validateVatNumber('ATU1358562')).toMatchObject({ valid: false, reason: 'bad_length' });
    expect(validateVatNumber('BE2403019261')).toMatchObject({ valid: false, reason: 'bad_component' });
    expect(validateVatNumber('CY12000000A')).toMatchObject({ valid: false, reason: 'bad_component' });
    expect(validateVatNumber('IT00743119157')).toMatchObject({ valid: false, reason: 'bad_component' }); // office 915 does not exist
    expect(validateVatNumber('IT00000000000')).toMatchObject({ valid: false, reason: 'bad_component' });
    expect(validateVatNumber('LT119511525')).toMatchObject({ valid: false, reason: 'bad_component' }); // 8th digit must be 1
    expect(validateVatNumber('NL004495445B00')).toMatchObject({ valid: false, reason: 'bad_component' });
    expect(validateVatNumber('NL004495445X01')).toMatchObject({ valid: false, reason: 'bad_format' });
    expect(validateVatNumber('NL004495445B1')).toMatchObject({ valid: false, reason: 'bad_length' });
    expect(validateVatNumber('SE123456789702')).toMatchObject({ valid: false, reason: 'bad_component' });
    expect(validateVatNumber('SK2012749619')).toMatchObject({ valid: false, reason: 'bad_component' }); // third digit 1
    expect(validateVatNumber('RO0185472')).toMatchObject({ valid: false, reason: 'bad_component' });
    expect(validateVatNumber('RO12345678901')).toMatchObject({ valid: false, reason: 'bad_length' });
    expect(validateVatNumber('ESI1234567A')).toMatchObject({ valid: false, reason: 'bad_format' });
    expect(validateVatNumber('ES1234567')).toMatchObject({ valid: false, reason: 'bad_length' });
    expect(validateVatNumber('FRIO334175221')).toMatchObject({ valid: false, reason: 'bad_format' }); // keys never use I or O
    expect(validateVatNumber('FR8432314039')).toMatchObject({ valid: false, reason: 'bad_length' });
    expect(validateVatNumber('IE8?79739J')).toMatchObject({ valid: false, reason: 'bad_format' });
    expect(validateVatNumber('IE1234567')).toMatchObject({ valid: false, reason: 'bad_length' });
    expect(validateVatNumber('MT01679112')).toMatchObject({ valid: false, reason: 'bad_component' });
    expect(validateVatNumber('SI05022305')).toMatchObject({ valid: false, reason: 'bad_component' });
    expect(validateVatNumber('CZ95123891')).toMatchObject({ valid: false, reason: 'bad_component' });
  });

  it('checks the French key on both the SIREN and the key', () => {
    expect(validateVatNumber('FR84323140391')).toMatchObject({ valid: false, reason: 'bad_checksum' });
    // Right key for the number, but a SIREN failing its Luhn check.
    const badSiren = '123456788';
    expect(luhnValid(badSiren)).toBe(false);
    expect(validateVatNumber(`FR${frenchVatKey(badSiren)}${badSiren}`)).toMatchObject({ valid: false, reason: 'bad_checksum' });
    // Monaco's companies have FR numbers with 000 in place of a SIREN: only the key is checked.
    const monaco = '000123456';
    expect(validateVatNumber(`FR${frenchVatKey(monaco)}${monaco}`)).toMatchObject({ valid: true, reason: 'ok' });
  });

  it('handles the Dutch sole-trader btw-id of 2020 (mod 97) beside the RSIN eleven test', () => {
    expect(validateVatNumber('NL000099998B57')).toMatchObject({ valid: true });
    expect(validateVatNumber('NL000099998B58')).toMatchObject({ valid: false, reason: 'bad_checksum' });
    expect(validateVatNumber('NL000099988B57')).toMatchObject({ valid: false, reason: 'bad_checksum' });
  });

  it('handles Irish numbers of all three forms', () => {
    expect(validateVatNumber('IE6433435F').valid).toBe(true); // 7 digits + letter
    expect(validateVatNumber('IE8D79739I').valid).toBe(true); // old: digit, letter, 5 digits, letter
    expect(validateVatNumber('IE3628739UA').valid).toBe(true); // 2013: 7 digits + 2 letters
    expect(validateVatNumber('IE3628739UB').valid).toBe(false); // the second letter counts in the check
    expect(validateVatNumber('IE3628739UJ')).toMatchObject({ valid: false, reason: 'bad_format' }); // only A–I or W
  });

  it('checks Spanish personal numbers with the DNI letter, including NIE and K/L/M', () => {
    expect(validateVatNumber('ES12345678Z').valid).toBe(true);
    expect(validateVatNumber('ES12345678A').valid).toBe(false);
    expect(validateVatNumber('ESX5253868R').valid).toBe(true);
    expect(validateVatNumber('ESY5253868R').valid).toBe(false); // Y counts as 1, X as 0
    expect(validateVatNumber('ESK1234567L').valid).toBe(true); // 1234567 mod 23 = 19 → L
    expect(validateVatNumber('ES123456789')).toMatchObject({ valid: false, reason: 'bad_format' });
  });

  it('checks a Spanish company either by digit or by letter', () => {
    expect(validateVatNumber('ESA28123453').valid).toBe(true);
    expect(validateVatNumber('ESA2812345C').valid).toBe(true);
    expect(validateVatNumber('ESA2812345D').valid).toBe(false);
  });

  it('checks Czech birth numbers and accepts, on format alone, the forms without a check digit', () => {
    expect(validateVatNumber('CZ7103192745')).toMatchObject({ valid: true, reason: 'ok' });
    expect(validateVatNumber('CZ7103192746')).toMatchObject({ valid: false, reason: 'bad_checksum' });
    expect(validateVatNumber('CZ7153192740')).toMatchObject({ valid: true, reason: 'ok' }); // a woman: month + 50 (53 → March)
    expect(validateVatNumber('CZ7173192745')).toMatchObject({ valid: false, reason: 'bad_checksum' }); // month 73 → March, but the check fails
    expect(validateVatNumber('CZ1103492745')).toMatchObject({ valid: false, reason: 'bad_component' }); // month 49
    expect(validateVatNumber('CZ640903926')).toMatchObject({ valid: true, reason: 'ok_format_only' });
    expect(validateVatNumber('CZ491231123')).toMatchObject({ valid: true, reason: 'ok_format_only' }); // pre-1954 9-digit RČ
    expect(validateVatNumber('CZ591231123')).toMatchObject({ valid: false, reason: 'bad_length' }); // 9 digits after 1953
  });

  it('checks Latvian personal codes, and takes the post-2017 codes on format alone', () => {
    expect(validateVatNumber('LV16117519997')).toMatchObject({ valid: true, reason: 'ok' });
    expect(validateVatNumber('LV16117519998')).toMatchObject({ valid: false, reason: 'bad_checksum' });
    expect(validateVatNumber('LV16137519997')).toMatchObject({ valid: false, reason: 'bad_component' }); // month 13
    expect(validateVatNumber('LV32123456789')).toMatchObject({ valid: true, reason: 'ok_format_only' });
    expect(validateVatNumber('LV40003521601')).toMatchObject({ valid: false, reason: 'bad_checksum' });
  });

  it('checks Bulgarian persons (EGN with its birth date) and foreigners (PNF)', () => {
    expect(validateVatNumber('BG7523169263').valid).toBe(true); // EGN, born 16 March 2075 (month + 40)
    expect(validateVatNumber('BG8032056031').valid).toBe(true);
    expect(validateVatNumber('BG7111042925').valid).toBe(true); // PNF
    expect(validateVatNumber('BG175074751')).toMatchObject({ valid: false, reason: 'bad_checksum' });
  });

  it('takes the Lithuanian second weighting when the first gives 10', () => {
    // 6678698 1: weights 1…8 give 10 mod 11, weights 3…9,1 give 4.
    expect(validateVatNumber('LT667869814').valid).toBe(true);
    expect(validateVatNumber('LT667869810').valid).toBe(false);
  });

  it('refuses the Slovenian numbers whose check would be 11 (never issued)', () => {
    // 1000000x: weights 8 → sum 8, 11 − 8 = 3.
    expect(validateVatNumber('SI10000003').valid).toBe(true);
    // 1100000x: sum 8 + 7 = 15 → 11 − 4 = 7.
    expect(validateVatNumber('SI11000007').valid).toBe(true);
    // 2000003x: 16 + 3×2 = 22 → remainder 0 → 11: no digit fits.
    for (const digit of '0123456789') expect(validateVatNumber(`SI2000003${digit}`).valid).toBe(false);
  });
});

describe('formatVatNumber', () => {
  it('prints each number as its administration does', () => {
    expect(formatVatNumber('FR40303265045')).toBe('FR 40 303 265 045');
    expect(formatVatNumber('BE0403019261')).toBe('BE 0403.019.261');
    expect(formatVatNumber('DK13585628')).toBe('DK 13 58 56 28');
    expect(formatVatNumber('PT501964843')).toBe('PT 501 964 843');
    expect(formatVatNumber('ATU13585627')).toBe('AT U13585627');
    expect(formatVatNumber('EL094259216')).toBe('EL 094259216');
    expect(formatVatNumber('NL004495445B01')).toBe('NL 004495445B01');
    expect(formatVatNumber('GB980780684')).toBe('GB980780684');
  });

  it('formats every member state’s valid number and reads it back', () => {
    for (const { published } of Object.values(VALID)) {
      for (const number of published) expect(validateVatNumber(formatVatNumber(number))).toMatchObject({ valid: true, normalised: number });
    }
  });
});

describe('SIREN and the French VAT number', () => {
  it('checks a SIREN with Luhn', () => {
    expect(isValidSiren('919288548')).toBe(true); // SOFY, RCS Paris 919 288 548
    expect(isValidSiren('919 288 548')).toBe(true);
    expect(isValidSiren('919288549')).toBe(false);
    expect(isValidSiren('91928854')).toBe(false);
    expect(isValidSiren('732829320')).toBe(true);
    expect(isValidSiren('abcdefghi')).toBe(false);
    for (let i = 0; i < 9; i++) expect(isValidSiren(mutate('919288548', i))).toBe(false);
  });

  it('computes the key as (12 + 3 × (SIREN mod 97)) mod 97', () => {
    const siren = 919_288_548;
    expect(frenchVatKey('919288548')).toBe(String((12 + 3 * (siren % 97)) % 97).padStart(2, '0'));
    expect(frenchVatKey('919288548')).toBe('68');
    expect(frenchVatKey('303265045')).toBe('40');
    expect(frenchVatKey('000000097')).toBe('12');
    expect(frenchVatKey('000000030')).toBe('05'); // a key below 10 keeps two digits
    expect(() => frenchVatKey('12345')).toThrow(RangeError);
  });

  it('builds the VAT number from a SIREN and refuses an invalid SIREN', () => {
    expect(frenchVatNumberFromSiren('919288548')).toBe('FR68919288548');
    expect(frenchVatNumberFromSiren('303 265 045')).toBe('FR40303265045');
    expect(validateVatNumber(frenchVatNumberFromSiren('732829320')).valid).toBe(true);
    expect(() => frenchVatNumberFromSiren('919288549')).toThrow(RangeError);
  });
});
