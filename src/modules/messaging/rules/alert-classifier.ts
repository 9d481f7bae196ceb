/**
 * R-ALERT (§14.2): the Alert route (OTP, transactional notifications, security alerts) must not
 * carry marketing. This classifier refuses promotional text there and says which rules fired and
 * on which words, so that a client can fix the text or move it to the Marketing route.
 *
 * How it decides:
 * - The text is folded (lower case, accents removed, œ → oe, typographic apostrophes, dashes,
 *   minus signs and no-break spaces made plain), so "RÉDUCTION", "reduction" and "Réduction"
 *   are one word, and patterns match on word boundaries (Unicode letters and digits).
 * - Identifiers are blanked before matching, so that a word inside a reference does not count:
 *   tokens mixing letters and digits ("PROMO-2024-118", "SALE5521", "6A1234"), except a
 *   quantity with its unit ("3e", "48h", "1er"), and the token after a reference marker
 *   ("n° PROMO", "#SALE", "réf. SOLDES").
 * - Each rule has a weight: 3 for a rule that is marketing by itself (a discount, a promo code,
 *   a sale, a bundle offer, a contest), 2 for a rule that transactional texts also use now and
 *   then ("gratuit", "offert", "profitez", an urgency phrase, a price claim, new products).
 * - The score is the sum of the weights of the rules that fired (each rule once, however many
 *   of its phrases matched). Promotional from PROMOTIONAL_THRESHOLD = 3: one strong rule, or two
 *   weak ones. So "Livraison gratuite de votre commande n°45821" (free_offer alone, 2) passes,
 *   while "Livraison gratuite ce week-end seulement" (free_offer + marketing_urgency, 4) does not.
 */

export interface AlertClassification {
  promotional: boolean;
  /** The rules that fired, in the order of ALERT_CONTENT_RULES, with the phrases of the text that matched. */
  rules: Array<{ rule: string; matched: string[] }>;
  /** Sum of the weights of the rules that fired. */
  score: number;
}

export interface AlertContentRule {
  /** Stable id, shown to the client and kept with a refusal. */
  rule: string;
  weight: 2 | 3;
  patterns: readonly RegExp[];
}

export const PROMOTIONAL_THRESHOLD = 3;

const STRONG = 3;
const WEAK = 2;

/** A number, with French or English decimals: 20, 9,99, 9.99. */
const NUMBER = String.raw`\d+(?:[.,]\d+)?`;
const PERCENT = String.raw`${NUMBER}\s?%`;
const EUROS = String.raw`(?:${NUMBER}\s?(?:€|eur|euros?)|€\s?${NUMBER})`;
const MONEY = String.raw`(?:${NUMBER}\s?(?:€|euros?|\$|£)|[$€£]\s?${NUMBER})`;

/** Whole words only: not preceded nor followed by a letter or digit. */
function phrase(pattern: string): RegExp {
  return new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${pattern})(?![\p{L}\p{N}])`, 'gu');
}

export const ALERT_CONTENT_RULES: readonly AlertContentRule[] = [
  {
    rule: 'discount',
    weight: STRONG,
    patterns: [
      phrase(String.raw`-\s?${NUMBER}\s?(?:%|€|euros?)`), // "-20 %", "-10 €"
      phrase(String.raw`${PERCENT}\s?(?:de\s)?(?:reduction|remise|rabais|off|discount|offerts?|de moins|moins cher)`),
      phrase(String.raw`${EUROS}\s?(?:de\s)?(?:reduction|remise|rabais|off|discount|offerts?|de moins)`),
      phrase(String.raw`(?:reduction|remise|rabais|discount)s?\s(?:immediate\s)?(?:de\s)?(?:jusqu'\s?a\s)?-?${NUMBER}\s?(?:%|€|euros?)`),
      phrase(String.raw`(?:reduction|remise)s?\s(?:immediate|exceptionnelle|sur)s?`),
      phrase(String.raw`jusqu'\s?a\s-?${NUMBER}\s?(?:%|€|euros?)`),
      phrase(String.raw`up to\s-?${PERCENT}`),
      phrase(String.raw`save\s(?:up to\s)?(?:${MONEY}|${PERCENT})`),
      phrase('reductions|rabais|discounts?|demarque|moitie prix|half price|prix barres?'),
    ],
  },
  {
    rule: 'promo_code',
    weight: STRONG,
    patterns: [
      phrase(String.raw`codes?\s(?:promo(?:tionnels?)?|de reduction|reduction|remise|avantage|privilege)`),
      phrase(String.raw`(?:promo|discount|coupon|voucher)\scodes?`),
      phrase(String.raw`coupons?|vouchers?|bons?\sde\sreduction|bons?\sd'\s?achat`),
    ],
  },
  {
    rule: 'sale',
    weight: STRONG,
    patterns: [
      // "promo" of "code promo" / "promo code" is the promo_code rule's phrase, not a second one.
      phrase(String.raw`soldes|(?<!codes?\s)promos?(?!\scodes?)|promotions?|promotionnel(?:le)?s?`),
      phrase(String.raw`ventes?\s(?:privees?|flash)|black friday|cyber monday|french days|destockage|liquidation totale`),
      phrase(String.raw`bons?\splans?|petits\sprix|prix\s(?:chocs?|casses?|mini|fous|sacrifies|imbattables|degriffes)`),
      phrase(String.raw`(?:flash|big|mega|huge|summer|winter|spring|holiday|clearance|end of season|private)\ssale|on sale|sale\s(?:ends|now on|starts)`),
      phrase('clearance|deals|deal of the (?:day|week)'),
    ],
  },
  {
    rule: 'bundle_offer',
    weight: STRONG,
    patterns: [
      // "2 pizzas achetées = la 3e offerte", "1 acheté, 1 offert"
      phrase(
        String.raw`achete(?:e)?s?\s?(?:=|,|\+)\s?(?:(?:le|la|un|une)\s)?(?:\d+(?:e|eme)?\s)?(?:\p{L}+\s)?(?:offerte?s?|gratuite?s?)`,
      ),
      phrase(String.raw`\d+\s?\+\s?\d+\s(?:offerte?s?|gratuite?s?|free)`),
      phrase(String.raw`\d+\spour\s(?:le prix de\s)?\d+|\d+\sfor\s(?:the price of\s)?\d+`),
      phrase(String.raw`buy one,?\sget one|bogo|buy\s\d+,?\sget\s\d+`),
    ],
  },
  {
    rule: 'contest',
    weight: STRONG,
    patterns: [
      // Not "concours" alone: "résultats du concours d'entrée" is an exam, not a game.
      phrase(String.raw`jeux?[-\s]concours|grand\sconcours|tirage au sort|giveaway|sweepstakes?`),
      phrase(String.raw`tentez\s(?:votre chance|de gagner)|a gagner|gagnez\s(?:un|une|des|le|la|les|\d+)`),
      phrase(String.raw`win\s(?:a|an|one|\d)|chance to win`),
    ],
  },
  {
    rule: 'free_offer',
    weight: WEAK,
    patterns: [phrase('gratuite?s?|gratuitement|offerte?s?|cadeaux?|sans frais|free|complimentary|gifts?')],
  },
  {
    rule: 'exclusive_offer',
    weight: WEAK,
    patterns: [
      phrase(String.raw`offres?\s(?:exclusives?|speciales?|privileges?|de bienvenue|du moment|de la semaine|flash)`),
      phrase(String.raw`exclusivites?|avant[-\s]premiere|(?:exclusive|special)\s(?:offers?|deals?)|members only`),
      phrase(String.raw`reservee?s?\sa\snos\s(?:clients|membres|abonnes)`),
    ],
  },
  {
    rule: 'call_to_buy',
    weight: WEAK,
    patterns: [
      phrase(String.raw`profitez(?:-en)?|profiter|j'\s?en profite|achetez|craquez|faites-vous plaisir|foncez|beneficiez`),
      phrase(String.raw`commandez\s(?:vite|des maintenant|des aujourd'\s?hui|en ligne)|decouvrez(?:-la|-les|-le)?|parrainez`),
      phrase(String.raw`(?:buy|shop|order)\snow|shop\s(?:the|our)|grab yours|treat yourself`),
    ],
  },
  {
    rule: 'marketing_urgency',
    weight: WEAK,
    patterns: [
      phrase(String.raw`derniers?\sjours?|derniere\schance|last\schance|limited\stime|offre\slimitee|duree\slimitee|temps\slimite`),
      phrase(String.raw`stocks?\slimites?|quantites?\slimitees?|dans la limite des stocks|while\s(?:stocks|supplies)\slast`),
      phrase(String.raw`(?:aujourd'\s?hui|ce\sweek-?\s?end|ce\ssoir|cette\ssemaine)\s(?:seulement|uniquement)`),
      phrase(String.raw`(?:today|this\sweekend|tonight)\sonly|ends\s(?:tonight|today|soon|midnight)`),
      phrase(String.raw`ne\s(?:tardez|manquez|ratez)\s(?:pas|plus)|don'\s?t\smiss|depechez-vous|hurry|plus que\s\d+\sjours?`),
      phrase(String.raw`vite\s?!`),
    ],
  },
  {
    rule: 'price_claim',
    weight: WEAK,
    patterns: [
      phrase(String.raw`(?:a partir de|des|seulement|a seulement|pour seulement)\s${EUROS}`),
      phrase(String.raw`(?:only|just|from just|starting at)\s${MONEY}`),
      phrase(String.raw`meilleurs?\sprix|prix\s(?:bas|doux)`),
    ],
  },
  {
    rule: 'new_products',
    weight: WEAK,
    patterns: [
      phrase(String.raw`nouvelles?\scollections?|nouveautes?|(?:nouvel\s)?arrivages?`),
      phrase(String.raw`new\s(?:collection|arrivals?|season)|just\s(?:arrived|landed|dropped)`),
    ],
  },
];

/** R-ALERT: is this text promotional, and by which rules and words? */
export function classifyAlertContent(text: string): AlertClassification {
  const folded = foldForMatching(text);
  const searchable = blankIdentifiers(folded.text);
  const rules: AlertClassification['rules'] = [];
  let score = 0;
  for (const { rule, weight, patterns } of ALERT_CONTENT_RULES) {
    const spans = outermostSpans(patterns.flatMap((pattern) => [...searchable.matchAll(pattern)].map((match) => spanOf(match))));
    if (spans.length === 0) continue;
    const matched = new Set(spans.map(([start, end]) => text.slice(folded.originStart[start], folded.originEnd[end - 1])));
    rules.push({ rule, matched: [...matched] });
    score += weight;
  }
  return { promotional: score >= PROMOTIONAL_THRESHOLD, rules, score };
}

type Span = [start: number, end: number];

function spanOf(match: RegExpMatchArray): Span {
  const start = match.index ?? 0;
  return [start, start + match[0].length];
}

/** In text order, without the spans that lie inside another ("-50 %" inside "jusqu'à -50 %"): one phrase, quoted once. */
function outermostSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const kept: Span[] = [];
  for (const span of sorted) {
    const last = kept.at(-1);
    if (last && span[0] >= last[0] && span[1] <= last[1]) continue;
    kept.push(span);
  }
  return kept;
}

interface FoldedText {
  text: string;
  /** For each code unit of `text`: where its source character starts and ends in the original. */
  originStart: number[];
  originEnd: number[];
}

/** Characters folded to something other than their accent-less lower case. */
const SPECIAL_FOLDS: Readonly<Record<string, string>> = {
  œ: 'oe',
  Œ: 'oe',
  æ: 'ae',
  Æ: 'ae',
  '\u2019': "'",
  '\u2018': "'",
  '\u02BC': "'",
  '\u00A0': ' ',
  '\u202F': ' ',
  '\u2009': ' ',
  '\u2212': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2010': '-',
  '\u2011': '-',
};

const foldCache = new Map<string, string>();

/** One character folded: ASCII by arithmetic (the common case), the rest computed once and cached. */
function foldCharacter(character: string): string {
  const code = character.charCodeAt(0);
  if (code < 0x80 && character.length === 1) return code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : character;
  let folded = foldCache.get(character);
  if (folded === undefined) {
    folded = SPECIAL_FOLDS[character] ?? character.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    if (foldCache.size < 10_000) foldCache.set(character, folded);
  }
  return folded;
}

/** Folds character by character, remembering where each folded unit came from, to quote the original words. */
function foldForMatching(text: string): FoldedText {
  let folded = '';
  const originStart: number[] = [];
  const originEnd: number[] = [];
  let index = 0;
  for (const character of text) {
    const replacement = foldCharacter(character);
    for (let unit = 0; unit < replacement.length; unit++) {
      originStart.push(index);
      originEnd.push(index + character.length);
    }
    folded += replacement;
    index += character.length;
  }
  return { text: folded, originStart, originEnd };
}

const TOKEN = String.raw`[\p{L}\p{N}]+(?:[-_/.][\p{L}\p{N}]+)*`;
const ANY_TOKEN = new RegExp(`(?<![\\p{L}\\p{N}])${TOKEN}`, 'gu');
const TOKEN_AFTER_REFERENCE_MARKER = new RegExp(
  String.raw`(?<=(?<![\p{L}\p{N}])(?:n[°º]|no\.|#|ref\.?|reference|numero)\s?:?\s?)${TOKEN}`,
  'gu',
);
/** "3e", "48h", "1er", "10eur": a quantity and its unit, not an identifier. */
const QUANTITY_WITH_UNIT = /^\d+(?:[.,]\d+)?\p{L}{1,5}$/u;

/** Replaces identifiers with spaces of the same length (positions stay aligned with the original). */
function blankIdentifiers(folded: string): string {
  const blank = (token: string) => ' '.repeat(token.length);
  return folded
    .replace(ANY_TOKEN, (token) => (isIdentifier(token) ? blank(token) : token))
    .replace(TOKEN_AFTER_REFERENCE_MARKER, blank);
}

function isIdentifier(token: string): boolean {
  return /\p{L}/u.test(token) && /\p{N}/u.test(token) && !QUANTITY_WITH_UNIT.test(token);
}
