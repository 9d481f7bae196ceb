import type { SellerIdentity } from './types.ts';

/**
 * SOFY as the seller on every invoice (L441-9 Code de commerce, CGI 242 nonies A).
 *
 * From the contract (CGVU preamble): OPTIMA FRANCE, SAS au capital de 150 000 €, RCS Paris
 * 919 288 548, trading as SOFY. The VAT number follows from the SIREN: key = (12 + 3 × (SIREN mod 97))
 * mod 97 = 68.
 *
 * NOT in the contract, placeholders until operations confirm them (see README.md): the registered
 * office address, the IBAN/BIC (the textbook example IBAN, valid checksum, no real account) and
 * the SEPA creditor identifier (ICS, example national id, valid key).
 */
export const SOFY_SELLER: SellerIdentity = Object.freeze({
  legalName: 'OPTIMA FRANCE',
  tradeName: 'SOFY',
  legalForm: 'SAS',
  shareCapitalCents: 15_000_000,
  siren: '919288548',
  rcsCity: 'Paris',
  vatNumber: 'FR68919288548',
  address: Object.freeze({ lines: Object.freeze(['Siège social (adresse à confirmer)']) as string[], postcode: '75008', city: 'Paris', country: 'FR' }),
  iban: 'FR7630006000011234567890189',
  bic: 'AGRIFRPPXXX',
  sepaCreditorId: 'FR72ZZZ123456',
});
