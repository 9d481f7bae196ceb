/**
 * R-VAT (§9.2): which VAT an invoice from SOFY (a French SAS, seller established in metropolitan
 * France) charges a client, for the B2B services of the contract (SaaS, messaging). The place of
 * supply of a B2B service is where the client is established (art. 44 of Directive 2006/112/CE,
 * art. 259-1 of the CGI), hence:
 *
 * - France, and Monaco (part of the French VAT territory by the Franco-Monegasque convention of
 *   18 May 1963) → French VAT at the standard rate, 20 %.
 * - Another EU member state, client holding a VALID VAT number of that state → no French VAT, the
 *   client self-assesses (reverse charge), with the mention required by art. 242 nonies A of annex
 *   II to the CGI: "Autoliquidation — article 196 de la directive 2006/112/CE".
 * - Another EU member state without a valid number → French VAT, 20 %, as for a non-taxable
 *   person: without proof that the client is a taxable person, the reverse charge is not open.
 * - Outside the EU (CH, GB, US, …) → no VAT, "TVA non applicable — article 259-1 du CGI".
 *
 * "Valid" means BOTH that the number passes the format and check digits of its country
 * (vat-number.ts) AND that VIES answered it is registered. A VIES outage is not a yes: the
 * invoice charges 20 % and says why (the explanation), and a credit note corrects it once VIES
 * confirms. The VIES answer is kept by the caller as proof (issue 5).
 *
 * French overseas territories — a choice made here, from the DGFiP's doctrine (BOI-TVA-GEO-20-40
 * and the impots.gouv.fr page "TVA sur prestations de services métropole/DOM"): for services,
 * Guadeloupe, Martinique and La Réunion are NOT third territories; a B2B service supplied to a
 * client established there is taxed where the client is, at the local rates of art. 296 CGI
 * (standard 8.5 %), charged by the supplier (no reverse charge between metropole and DOM).
 * Guyane and Mayotte: VAT does not apply (art. 294-1 CGI). The overseas collectivities
 * (Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna, French Polynesia,
 * New Caledonia, TAAF) are outside the EU VAT area: treated as outside the EU. Åland (AX) is
 * outside the EU VAT area too; the Canary Islands, Ceuta, Melilla and the other excluded
 * territories have no country code of their own, so an operator must record such a client with
 * a non-EU code for the rule to see it.
 */
import { countryOfVatPrefix, type EuCountry, isEuMemberState } from './vat-number.ts';

export const FRENCH_STANDARD_RATE_BP = 2000;
/** Art. 296 CGI, taux normal in Guadeloupe, Martinique and La Réunion. */
export const FRENCH_DOM_STANDARD_RATE_BP = 850;

export const MENTION_REVERSE_CHARGE = 'Autoliquidation — article 196 de la directive 2006/112/CE';
export const MENTION_OUTSIDE_EU = 'TVA non applicable — article 259-1 du CGI';
export const MENTION_DOM_NO_VAT = 'TVA non applicable — article 294-1 du CGI';

export type VatRegime =
  /** Metropolitan France (Corsica included) and Monaco: 20 %. */
  | 'france'
  /** Guadeloupe, Martinique, La Réunion: the local standard rate, 8.5 %. */
  | 'france_overseas_taxed'
  /** Guyane, Mayotte: no VAT. */
  | 'france_overseas_exempt'
  | 'eu_reverse_charge'
  | 'eu_without_valid_vat_number'
  | 'outside_eu';

export type ViesAnswer = 'valid' | 'invalid' | 'unavailable' | 'not_checked';

export interface VatNumberEvidence {
  /** Normalised number, "DE812345673". */
  number: string;
  /** Result of `validateVatNumber(...).valid`: format and check digits. */
  checksumValid: boolean;
  /** What VIES said, the last time it was asked. */
  vies: ViesAnswer;
}

export interface VatClient {
  /** ISO 3166-1 alpha-2 of the country where the client is established (its billing address). */
  country: string;
  /**
   * Postcode of the billing address: a French address written with country FR but a 97x/98x
   * postcode is overseas (971 Guadeloupe … 988 New Caledonia) or Monaco (980).
   */
  postcode?: string | null;
  vatNumber?: VatNumberEvidence | null;
}

export interface VatDecision {
  regime: VatRegime;
  rateBp: number;
  /** The mention the invoice must carry, or null when VAT is charged. */
  mention: string | null;
  /** Why, in plain words, for operators and the client (the regime code is the stable key). */
  explanation: string;
}

const OVERSEAS_TAXED = new Set(['GP', 'MQ', 'RE']);
const OVERSEAS_EXEMPT = new Set(['GF', 'YT']);

/** French overseas postcodes (971…988) and Monaco (980xx) → the territory's own ISO code. */
const FRENCH_POSTCODE_TERRITORIES: Record<string, string> = {
  '971': 'GP',
  '972': 'MQ',
  '973': 'GF',
  '974': 'RE',
  '975': 'PM',
  '976': 'YT',
  '980': 'MC',
  '984': 'TF',
  '986': 'WF',
  '987': 'PF',
  '988': 'NC',
};

/**
 * The territory a client's address is in, for VAT: its country code, except a French address
 * whose postcode is overseas or Monaco's. 97133 and 97150 are the postcodes of Saint-Barthélemy
 * and Saint-Martin inside the 971 range.
 */
export function vatTerritory(country: string, postcode?: string | null): string {
  const iso = country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(iso)) throw new RangeError(`not an ISO 3166-1 alpha-2 country code: ${country}`);
  if (iso !== 'FR' || !postcode) return iso;
  const code = postcode.replace(/\s/g, '');
  if (code === '97133') return 'BL';
  if (code === '97150') return 'MF';
  return FRENCH_POSTCODE_TERRITORIES[code.slice(0, 3)] ?? 'FR';
}

/** R-VAT: the VAT treatment of an invoice to `client`. */
export function decideVat(client: VatClient): VatDecision {
  const territory = vatTerritory(client.country, client.postcode);
  if (territory === 'FR' || territory === 'MC') {
    return {
      regime: 'france',
      rateBp: FRENCH_STANDARD_RATE_BP,
      mention: null,
      explanation:
        territory === 'MC'
          ? 'Client in Monaco, which belongs to the French VAT territory: French VAT at 20 %.'
          : 'Client in France: French VAT at the standard rate, 20 %.',
    };
  }
  if (OVERSEAS_TAXED.has(territory)) {
    return {
      regime: 'france_overseas_taxed',
      rateBp: FRENCH_DOM_STANDARD_RATE_BP,
      mention: null,
      explanation: `Client established in ${territory}: the service is taxed there, at the overseas standard rate of 8.5 % (art. 296 CGI).`,
    };
  }
  if (OVERSEAS_EXEMPT.has(territory)) {
    return {
      regime: 'france_overseas_exempt',
      rateBp: 0,
      mention: MENTION_DOM_NO_VAT,
      explanation: `Client established in ${territory}, where VAT does not apply (art. 294-1 CGI).`,
    };
  }
  if (!isEuMemberState(territory)) {
    return {
      regime: 'outside_eu',
      rateBp: 0,
      mention: MENTION_OUTSIDE_EU,
      explanation: `Client established outside the EU (${territory}): the service is supplied where the client is established, no French VAT; the client accounts for any local tax.`,
    };
  }
  const problem = vatNumberProblem(territory, client.vatNumber ?? null);
  if (problem) {
    return {
      regime: 'eu_without_valid_vat_number',
      rateBp: FRENCH_STANDARD_RATE_BP,
      mention: null,
      explanation: `EU client (${territory}) ${problem}: French VAT at 20 % until a valid intra-community VAT number is confirmed.`,
    };
  }
  return {
    regime: 'eu_reverse_charge',
    rateBp: 0,
    mention: MENTION_REVERSE_CHARGE,
    explanation: `EU business client (${territory}) with a VAT number confirmed by VIES (${client.vatNumber!.number}): no French VAT, reverse charge by the client.`,
  };
}

/** Why the client's VAT number does not open the reverse charge, or null when it does. */
function vatNumberProblem(country: EuCountry, evidence: VatNumberEvidence | null): string | null {
  if (!evidence || evidence.number.trim() === '') return 'without a VAT number';
  if (!evidence.checksumValid) return `whose VAT number ${evidence.number} is malformed (format or check digits)`;
  // A client established in Germany proves its status with a German number; a number of another
  // state (a branch's, a French registration) does not make the service supplied in Germany.
  if (countryOfVatPrefix(evidence.number.slice(0, 2)) !== country) return `whose VAT number ${evidence.number} is not a number of ${country}`;
  switch (evidence.vies) {
    case 'valid':
      return null;
    case 'invalid':
      return `whose VAT number ${evidence.number} is not registered according to VIES`;
    case 'unavailable':
      return `whose VAT number ${evidence.number} could not be confirmed (VIES unavailable)`;
    case 'not_checked':
      return `whose VAT number ${evidence.number} has not been checked with VIES yet`;
  }
}
