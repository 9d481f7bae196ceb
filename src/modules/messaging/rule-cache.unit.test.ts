import { beforeEach, describe, expect, it } from 'vitest';
import { clearRuleCaches, isPromotional, normalisedPhone, smsCountsOf, textTemplate } from './rule-cache.ts';
import { analyseSms, classifyAlertContent, normalisePhoneNumber } from './rules.ts';

/**
 * The memoised rules must give exactly the answers of the rules themselves. Text verdicts are
 * shared by texts that differ only by their ASCII digits: these tests check that claim on texts
 * full of numbers (codes, amounts, percentages, quantities, references), transactional and
 * promotional, by changing every digit of each at random and comparing with the rules.
 */
const TEXTS = [
  'Votre code de vérification est 482913. Il expire dans 10 minutes.',
  'Your verification code is 482913. It expires in 10 minutes.',
  'Votre colis 6A1234 sera livré demain entre 8h et 12h.',
  'Votre colis est disponible en point relais jusqu’au 12/04. Code de retrait : 4821.',
  'Alerte : votre carte a été utilisée pour un achat de 120 € chez AMAZON.',
  'Payment of €49.90 received. Thank you.',
  'Votre commande n° PROMO-2024-118 a été expédiée.',
  'Your order #SALE-5521 has shipped.',
  'Commande SOLDES2026X4 prête au retrait.',
  'Livraison gratuite de votre commande n°45821 : elle arrivera jeudi.',
  'Votre vol AF1234 est retardé de 45 minutes. Nouvel embarquement : 18h20.',
  'Le service client est fermé le 1er mai.',
  'Contactez-nous au 0800 123 456 (appel gratuit).',
  'Your table for 2 is confirmed for 8pm tonight.',
  'Votre batterie est à 20%.',
  'SOLDES : jusqu’à -50 % sur toute la collection ! STOP SMS au 36111',
  'Profitez de -20% sur votre prochain achat avec le code PROMO20',
  'Code promo BIENVENUE : 10 € offerts dès 50 € d’achat',
  '2 pizzas achetées = la 3e offerte tous les mardis',
  'Réduction de 15 % sur votre vidange ce mois-ci',
  'French Days : jusqu’à 200 € de remise immédiate',
  'Arrivage : les fraises sont là, à partir de 2,99 € la barquette',
  '3 pour 2 sur tous les yaourts',
  'Paiement en 3x sans frais : profitez-en jusqu’à dimanche',
  'FLASH SALE: 40% off everything, today only!',
  'Buy now and save $20 on your next purchase',
  'Exclusive offer for our members: 2 for 1 on all tickets',
  'New arrivals from just £19.99 — treat yourself',
  'Buy 2, get 1 free this weekend only',
  'Plus que 3 jours pour en profiter !',
  'Parrainez un ami et gagnez 20 € !',
  'Win 1 of 10 trips to Paris',
  'Code {482913} ~ [ok] | €5 \\ ^ fin',
  'Code 482913 😀 valable 10 min',
  `Long ${'1234567890 '.repeat(30)}fin`,
];

/** A text with every ASCII digit replaced by a random one (a deterministic generator: reproducible). */
function redigit(text: string, seed: number): string {
  let state = seed;
  return text.replace(/[0-9]/g, () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return String(state % 10);
  });
}

const verdict = (text: string) => {
  const result = classifyAlertContent(text);
  return { promotional: result.promotional, score: result.score, rules: result.rules.map((rule) => rule.rule) };
};

beforeEach(() => clearRuleCaches());

describe('textTemplate', () => {
  it('makes every ASCII digit 0 and leaves the rest', () => {
    expect(textTemplate('Code 482913, 9,99 € — n°45 ²')).toBe('Code 000000, 0,00 € — n°00 ²');
    expect(textTemplate('Bonjour')).toBe('Bonjour');
  });
});

describe('R-ALERT verdicts are shared by texts that differ only by their digits', () => {
  it.each(TEXTS)('%j', (text) => {
    const expected = verdict(text);
    expect(verdict(textTemplate(text))).toEqual(expected);
    for (let seed = 1; seed <= 20; seed++) {
      const variant = redigit(text, seed);
      expect(verdict(variant), variant).toEqual(expected);
      expect(isPromotional(variant)).toBe(expected.promotional);
    }
  });

  it('answers from the cache for a text first seen with other digits, both ways', () => {
    expect(isPromotional('Votre code est 111111.')).toBe(false);
    expect(isPromotional('Votre code est 987654.')).toBe(false);
    expect(isPromotional('SOLDES : -10 % sur tout')).toBe(true);
    expect(isPromotional('SOLDES : -70 % sur tout')).toBe(true);
  });
});

describe('R-ENCODING counts are shared by texts that differ only by their digits', () => {
  it.each(TEXTS)('%j', (text) => {
    for (let seed = 0; seed <= 10; seed++) {
      const variant = seed === 0 ? text : redigit(text, seed);
      const { encoding, characters, segments, nonGsmCharacters } = analyseSms(variant);
      expect(smsCountsOf(variant), variant).toEqual({ encoding, characters, segments, nonGsmCharacters });
    }
  });

  it('counts extension characters twice and splits at the same place as analyseSms', () => {
    const text = `${'€'.repeat(80)}1`;
    expect(smsCountsOf(text)).toMatchObject({ encoding: 'GSM-7', characters: 81, segments: analyseSms(text).segments });
    expect(smsCountsOf(`${'€'.repeat(80)}2`).segments).toBe(analyseSms(text).segments);
  });
});

describe('normalisedPhone', () => {
  it.each(['06 12 34 56 78', '+33612345678', '0033 6 12 34 56 78', '0692 12 34 56', '+262 692 12 34 56', '+1 415 555 2671', '12', 'not a number', '+33 1 00 00 00 00'])('%j as normalisePhoneNumber', (input) => {
    const expected = normalisePhoneNumber(input);
    expect(normalisedPhone(input)).toEqual(expected);
    expect(normalisedPhone(input)).toEqual(expected);
  });
});
