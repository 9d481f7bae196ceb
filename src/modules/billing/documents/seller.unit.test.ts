import { describe, expect, it } from 'vitest';
import { sellerLegalStatus } from './mentions.ts';
import { SOFY_SELLER } from './seller.ts';

describe('SOFY_SELLER', () => {
  it('is OPTIMA FRANCE, SAS au capital de 150 000 €, RCS Paris 919 288 548, as the contract says', () => {
    expect(SOFY_SELLER).toMatchObject({ legalName: 'OPTIMA FRANCE', tradeName: 'SOFY', legalForm: 'SAS', shareCapitalCents: 15_000_000, siren: '919288548', rcsCity: 'Paris' });
    expect(sellerLegalStatus(SOFY_SELLER)).toBe('SAS au capital de 150\u00a0000\u00a0€ — RCS Paris 919 288 548');
  });

  it('has the French VAT number whose key follows from the SIREN: (12 + 3 × (SIREN mod 97)) mod 97', () => {
    const key = (12 + 3 * (Number(SOFY_SELLER.siren) % 97)) % 97;
    expect(SOFY_SELLER.vatNumber).toBe(`FR${String(key).padStart(2, '0')}${SOFY_SELLER.siren}`);
  });

  it('has an IBAN with a valid ISO 13616 check (mod 97 = 1) and a creditor id in the French ICS shape', () => {
    const iban = SOFY_SELLER.iban;
    const digits = `${iban.slice(4)}${iban.slice(0, 4)}`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
    expect(BigInt(digits) % 97n).toBe(1n);
    expect(SOFY_SELLER.sepaCreditorId).toMatch(/^FR\d{2}ZZZ[0-9A-Z]{6}$/);
  });

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(SOFY_SELLER)).toBe(true);
    expect(Object.isFrozen(SOFY_SELLER.address)).toBe(true);
  });
});
