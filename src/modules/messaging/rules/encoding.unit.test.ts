import { describe, expect, it } from 'vitest';
import {
  analyseSms,
  GSM_TRANSLITERATIONS,
  gsmSeptetCost,
  isGsmText,
  nonGsmCharactersOf,
  toGsmSeptets,
  transliterate,
} from './encoding.ts';

/** GSM 03.38 basic table as published, code 0x00 to 0x7F, with the escape (0x1B) left out. */
const BASIC_TABLE_ROWS: Array<[number, string]> = [
  [0x00, '@£$¥èéùìòÇ\nØø\rÅå'],
  [0x10, 'Δ_ΦΓΛΩΠΨΣΘΞ'],
  [0x1c, 'ÆæßÉ !"#¤%&\'()*+,-./'],
  [0x30, '0123456789:;<=>?'],
  [0x40, '¡ABCDEFGHIJKLMNO'],
  [0x50, 'PQRSTUVWXYZÄÖÑÜ§'],
  [0x60, '¿abcdefghijklmno'],
  [0x70, 'pqrstuvwxyzäöñüà'],
];
const EXTENSION_TABLE: Array<[string, number]> = [
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
];

describe('GSM 03.38 alphabet', () => {
  it('maps every character of the basic table to its own code, 1 septet each', () => {
    for (const [firstCode, row] of BASIC_TABLE_ROWS) {
      [...row].forEach((character, offset) => {
        expect(gsmSeptetCost(character), character).toBe(1);
        expect([...toGsmSeptets(character)], character).toEqual([firstCode + offset]);
      });
    }
    const all = BASIC_TABLE_ROWS.map(([, row]) => row).join('');
    expect([...all]).toHaveLength(127);
    expect([...toGsmSeptets(all)]).toEqual([...Array(128).keys()].filter((code) => code !== 0x1b));
  });

  it.each(EXTENSION_TABLE)('sends the extension character %j as the escape 0x1B then 0x%s, 2 septets', (character, code) => {
    expect(gsmSeptetCost(character)).toBe(2);
    expect([...toGsmSeptets(character)]).toEqual([0x1b, code]);
  });

  it.each([
    ['ç', 'lower-case c cedilla: only the capital Ç is in the table'],
    ['ê', 'e circumflex'],
    ['â', 'a circumflex'],
    ['œ', 'oe ligature'],
    ['’', 'typographic apostrophe'],
    ['«', 'French quotation mark'],
    ['\u00A0', 'no-break space'],
    ['\t', 'tab'],
    ['`', 'grave accent'],
    ['\u001b', 'a raw escape is no character'],
    ['😀', 'emoji'],
    ['я', 'Cyrillic'],
    ['α', 'Greek lower case'],
  ])('does not have %j (%s)', (character) => {
    expect(gsmSeptetCost(character)).toBeNull();
    expect(isGsmText(`abc${character}`)).toBe(false);
  });

  it('packs a French text with escapes for the SMPP short_message, and refuses one outside the alphabet', () => {
    expect([...toGsmSeptets('Prix: 5€ [OK]')]).toEqual([
      0x50, 0x72, 0x69, 0x78, 0x3a, 0x20, 0x35, 0x1b, 0x65, 0x20, 0x1b, 0x3c, 0x4f, 0x4b, 0x1b, 0x3e,
    ]);
    expect([...toGsmSeptets('Été à Nöl\r\n')]).toEqual([0x1f, 0x74, 0x05, 0x20, 0x7f, 0x20, 0x4e, 0x7c, 0x6c, 0x0d, 0x0a]);
    expect(toGsmSeptets('')).toHaveLength(0);
    expect(() => toGsmSeptets('Garçon')).toThrow(/"ç" \(U\+00E7\) is not in the GSM 03.38 alphabet/);
    expect(() => toGsmSeptets('Bonne fête 🎉')).toThrow(RangeError);
  });
});

const gsm = (length: number, character = 'a') => character.repeat(length);

describe('analyseSms — GSM-7', () => {
  it('fits 160 basic characters in one SMS', () => {
    expect(analyseSms(gsm(160))).toEqual({
      encoding: 'GSM-7',
      characters: 160,
      units: 160,
      segments: 1,
      perSegment: 160,
      remainingInSegment: 0,
      parts: [gsm(160)],
      nonGsmCharacters: [],
    });
  });

  it('concatenates 161 characters into parts of 153', () => {
    const analysis = analyseSms(gsm(161));
    expect(analysis).toMatchObject({ encoding: 'GSM-7', characters: 161, units: 161, segments: 2, perSegment: 153, remainingInSegment: 145 });
    expect(analysis.parts).toEqual([gsm(153), gsm(8)]);
  });

  it.each([
    [1, 1, 160, 159],
    [159, 1, 160, 1],
    [306, 2, 153, 0],
    [307, 3, 153, 152],
    [459, 3, 153, 0],
    [460, 4, 153, 152],
  ])('%i characters take %i part(s) of %i, %i left', (length, segments, perSegment, remaining) => {
    const analysis = analyseSms(gsm(length));
    expect(analysis.segments).toBe(segments);
    expect(analysis.perSegment).toBe(perSegment);
    expect(analysis.remainingInSegment).toBe(remaining);
    expect(analysis.parts.join('')).toBe(gsm(length));
  });

  it('counts extension characters twice: 80 euro signs fill one SMS, 81 do not', () => {
    expect(analyseSms(gsm(80, '€'))).toMatchObject({ characters: 80, units: 160, segments: 1, remainingInSegment: 0 });
    const over = analyseSms(gsm(81, '€'));
    expect(over).toMatchObject({ characters: 81, units: 162, segments: 2, perSegment: 153 });
    // 153 is odd: 76 escape sequences (152 septets) fit, the 77th cannot straddle the boundary.
    expect(over.parts).toEqual([gsm(76, '€'), gsm(5, '€')]);
    expect(over.remainingInSegment).toBe(153 - 10);
  });

  it('moves a "€" at position 153 whole to the second part', () => {
    const text = `${gsm(152)}€${gsm(10, 'b')}`;
    const analysis = analyseSms(text);
    expect(analysis.units).toBe(164);
    expect(analysis.parts).toEqual([gsm(152), `€${gsm(10, 'b')}`]);
    expect(analysis.segments).toBe(2);
    expect(analysis.remainingInSegment).toBe(153 - 12);
  });

  it('keeps a "€" at position 152 in the first part (septets 152 and 153)', () => {
    const analysis = analyseSms(`${gsm(151)}€${gsm(10, 'b')}`);
    expect(analysis.parts).toEqual([`${gsm(151)}€`, gsm(10, 'b')]);
  });

  it('needs a third part when escapes pushed past the boundary (a plain division says two)', () => {
    // 152 + 2 + 151 + 1 = 306 septets = 2 × 153, but the € cannot sit on septets 153–154.
    const text = `${gsm(152)}€${gsm(151, 'b')}c`;
    const analysis = analyseSms(text);
    expect(analysis.units).toBe(306);
    expect(analysis.segments).toBe(3);
    expect(analysis.parts.map((part) => part.length)).toEqual([152, 152, 1]);
  });

  it('counts line breaks as 1 septet and a form feed as 2', () => {
    expect(analyseSms('a\nb\r\nc')).toMatchObject({ encoding: 'GSM-7', units: 6 });
    expect(analyseSms('a\fb')).toMatchObject({ encoding: 'GSM-7', units: 4 });
  });

  it('has no part for an empty text', () => {
    expect(analyseSms('')).toEqual({
      encoding: 'GSM-7',
      characters: 0,
      units: 0,
      segments: 0,
      perSegment: 160,
      remainingInSegment: 160,
      parts: [],
      nonGsmCharacters: [],
    });
  });
});

describe('analyseSms — UCS-2', () => {
  it('fits 70 UCS-2 units in one SMS and concatenates 71 into parts of 67', () => {
    expect(analyseSms(gsm(70, 'ê'))).toMatchObject({ encoding: 'UCS-2', units: 70, segments: 1, perSegment: 70, remainingInSegment: 0 });
    const over = analyseSms(gsm(71, 'ê'));
    expect(over).toMatchObject({ encoding: 'UCS-2', units: 71, segments: 2, perSegment: 67, remainingInSegment: 63 });
    expect(over.parts).toEqual([gsm(67, 'ê'), gsm(4, 'ê')]);
  });

  it('switches the whole text for one character and names it', () => {
    const text = `${gsm(69)}ç`;
    expect(analyseSms(text)).toMatchObject({ encoding: 'UCS-2', characters: 70, units: 70, segments: 1, nonGsmCharacters: ['ç'] });
    expect(analyseSms(`${gsm(70)}ç`)).toMatchObject({ units: 71, segments: 2 });
  });

  it('counts an emoji as 1 character but 2 units', () => {
    expect(analyseSms('Merci 😀')).toMatchObject({ encoding: 'UCS-2', characters: 7, units: 8, nonGsmCharacters: ['😀'] });
  });

  it('moves an emoji that would straddle a part boundary whole to the next part', () => {
    const text = `${gsm(66, 'ê')}😀${gsm(10)}`;
    const analysis = analyseSms(text);
    expect(analysis.units).toBe(78);
    expect(analysis.parts).toEqual([gsm(66, 'ê'), `😀${gsm(10)}`]);
    // A lone surrogate would make encodeURIComponent throw.
    for (const part of analysis.parts) expect(() => encodeURIComponent(part)).not.toThrow();
    expect(analysis.remainingInSegment).toBe(67 - 12);
  });

  it('keeps an emoji that ends exactly on the boundary in the first part', () => {
    const analysis = analyseSms(`${gsm(65, 'ê')}😀${gsm(10)}`);
    expect(analysis.parts).toEqual([`${gsm(65, 'ê')}😀`, gsm(10)]);
  });

  it('lists each non-GSM character once, in order of first appearance', () => {
    expect(nonGsmCharactersOf('Fête, fête, forêt 🎉 ç 🎉')).toEqual(['ê', '🎉', 'ç']);
    expect(analyseSms('Fête 🎉 forêt').nonGsmCharacters).toEqual(['ê', '🎉']);
  });
});

describe('analyseSms — French marketing texts', () => {
  it('keeps a text with é è à ù in GSM-7', () => {
    const text = "Soldes d'été chez Lumière Paris : -30% sur tout le magasin jusqu'à dimanche. Où ? 12 rue de la Paix. STOP SMS au 36111";
    const analysis = analyseSms(text);
    expect(analysis).toMatchObject({ encoding: 'GSM-7', nonGsmCharacters: [], segments: 1 });
    expect(analysis.units).toBe([...text].length);
  });

  it('counts the euro sign twice in a price', () => {
    const analysis = analyseSms('Menu du jour à 12,50€ chez Bistrot Léon. STOP SMS au 36111');
    expect(analysis.encoding).toBe('GSM-7');
    expect(analysis.units).toBe(analysis.characters + 1);
  });

  it('falls to UCS-2 for "Fête des mères" and "ça", doubling the parts', () => {
    const text =
      "Fête des mères : ça se prépare ! Offrez-lui un bouquet de saison dès 19,90€ dans votre boutique Fleurs & Co de Lyon. Réservez en ligne. STOP SMS au 36111";
    const analysis = analyseSms(text);
    expect(analysis.encoding).toBe('UCS-2');
    expect(analysis.nonGsmCharacters).toEqual(['ê', 'ç']);
    expect(analysis.segments).toBe(3);
    const gsmText = transliterate(text);
    expect(gsmText.text).toBe(
      "Fete des mères : ca se prépare ! Offrez-lui un bouquet de saison dès 19,90€ dans votre boutique Fleurs & Co de Lyon. Réservez en ligne. STOP SMS au 36111",
    );
    expect(analyseSms(gsmText.text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});

describe('transliterate', () => {
  it('rewrites French characters absent from GSM-7 and says which', () => {
    const result = transliterate('Très bientôt\u202F: -20\u00A0% sur l’été… «\u00A0Soldes\u00A0» à la Fnac – Noël & Pâques, cœur, maïs');
    expect(result.text).toBe('Très bientot : -20 % sur l\'été... " Soldes " à la Fnac - Noel & Paques, coeur, mais');
    expect(result.replaced).toEqual([
      { from: 'ô', to: 'o' },
      { from: '\u202F', to: ' ' },
      { from: '\u00A0', to: ' ' },
      { from: '’', to: "'" },
      { from: '…', to: '...' },
      { from: '«', to: '"' },
      { from: '»', to: '"' },
      { from: '–', to: '-' },
      { from: 'ë', to: 'e' },
      { from: 'â', to: 'a' },
      { from: 'œ', to: 'oe' },
      { from: 'ï', to: 'i' },
    ]);
    expect(isGsmText(result.text)).toBe(true);
  });

  it('writes ç as c (the alphabet has only the capital Ç) and keeps Ç', () => {
    expect(transliterate('Ça va, garçon ?')).toEqual({ text: 'Ça va, garcon ?', replaced: [{ from: 'ç', to: 'c' }] });
  });

  it('keeps the case of capitals: Ê È À Ô Û Î Œ', () => {
    expect(transliterate('ÊTRE À L’ÎLE ÔTÉE ŒUVRE ÛÈ').text).toBe("ETRE A L'ILE OTÉE OEUVRE UE");
  });

  it('leaves a GSM-7 text untouched, with its accents that GSM-7 has', () => {
    const text = 'Été à Paris : -20 % ! é è à ù ì ò É Ç Ä Ö Ü ä ö ü ñ ß, 5€ [promo]';
    expect(transliterate(text)).toEqual({ text, replaced: [] });
  });

  it('leaves a text untouched when something without an equivalent would keep it in UCS-2', () => {
    expect(transliterate('Bonne fête 🎉')).toEqual({ text: 'Bonne fête 🎉', replaced: [] });
    expect(transliterate('Fête – Привет')).toEqual({ text: 'Fête – Привет', replaced: [] });
  });

  it('maps every entry of its table to GSM-7 text', () => {
    for (const [from, to] of Object.entries(GSM_TRANSLITERATIONS)) {
      expect(isGsmText(from), from).toBe(false);
      expect(isGsmText(to), `${from} → ${to}`).toBe(true);
    }
  });

  it('turns the no-break spaces of French typography into plain spaces', () => {
    expect(transliterate('Prix\u00A0: 20\u202F% !\u2009Vite').text).toBe('Prix : 20 % ! Vite');
  });
});
