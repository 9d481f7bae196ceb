/**
 * Factur-X / ZUGFeRD XML: UN/CEFACT Cross Industry Invoice (CII D16B structure, as restricted by
 * the Factur-X 1.07 EN16931 schema) at the EN 16931 profile. The element order follows the schema
 * sequences; BT-… numbers refer to EN 16931-1. The XML carries the same facts as the PDF, and the
 * same French notes (issue 5, "Output").
 */
import { bpToPercent, centsToDecimal, compactDate, normalizeDecimal } from './format.ts';
import { CREDIT_NOTE_SETTLEMENT, DEFAULT_EXEMPTIONS, discountText, indemnityText, paymentDueText, penaltyText, sellerLegalStatus } from './mentions.ts';
import type { BuyerIdentity, InvoiceDocument, IsoDate, PostalAddress, SellerIdentity, VatBreakdown } from './types.ts';
import { assertDocumentConsistent } from './validate.ts';

/** BT-24: the EN 16931 core specification, which Factur-X calls the "EN 16931" profile. */
export const EN16931_GUIDELINE = 'urn:cen.eu:en16931:2017';

const NAMESPACES = {
  'xmlns:rsm': 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  'xmlns:qdt': 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  'xmlns:ram': 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  'xmlns:udt': 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
};

// ---- a minimal, escaping XML writer ---------------------------------------------------------

interface XmlNode {
  name: string;
  attrs?: Record<string, string>;
  text?: string;
  children?: Array<XmlNode | undefined | false>;
}

/**
 * Valid surrogate pairs are kept; C0 controls other than tab/LF/CR, lone surrogates and U+FFFE/F
 * cannot appear in XML 1.0 even escaped, so they are dropped (a pasted label must not make the
 * whole invoice unreadable).
 */
const PAIR_OR_NOT_XML = /[\ud800-\udbff][\udc00-\udfff]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/g;

function escapeXml(value: string): string {
  return value
    .replace(PAIR_OR_NOT_XML, (match) => (match.length === 2 ? match : ''))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function serialize(node: XmlNode, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const attrs = Object.entries(node.attrs ?? {})
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  const children = (node.children ?? []).filter((child): child is XmlNode => Boolean(child));
  if (node.text !== undefined) {
    out.push(`${pad}<${node.name}${attrs}>${escapeXml(node.text)}</${node.name}>`);
  } else if (children.length === 0) {
    out.push(`${pad}<${node.name}${attrs}/>`);
  } else {
    out.push(`${pad}<${node.name}${attrs}>`);
    for (const child of children) serialize(child, depth + 1, out);
    out.push(`${pad}</${node.name}>`);
  }
}

const el = (name: string, ...children: Array<XmlNode | undefined | false>): XmlNode => ({ name, children });
const text = (name: string, value: string, attrs?: Record<string, string>): XmlNode => (attrs ? { name, text: value, attrs } : { name, text: value });
const optText = (name: string, value: string | undefined, attrs?: Record<string, string>): XmlNode | undefined =>
  value !== undefined && value.trim() !== '' ? text(name, value.trim(), attrs) : undefined;
/** udt:DateTimeType, format 102 = CCYYMMDD. */
const dateTime = (name: string, date: IsoDate): XmlNode => el(name, text('udt:DateTimeString', compactDate(date), { format: '102' }));
const amount = (name: string, cents: number, attrs?: Record<string, string>) => text(name, centsToDecimal(cents), attrs);

// ---- the invoice ----------------------------------------------------------------------------

function address(addr: PostalAddress): XmlNode {
  const [one, two, three] = addr.lines.map((line) => line.trim()).filter(Boolean);
  return el(
    'ram:PostalTradeAddress',
    optText('ram:PostcodeCode', addr.postcode),
    optText('ram:LineOne', one),
    optText('ram:LineTwo', two),
    optText('ram:LineThree', three),
    optText('ram:CityName', addr.city),
    text('ram:CountryID', addr.country.toUpperCase()),
  );
}

function sellerParty(seller: SellerIdentity): XmlNode {
  return el(
    'ram:SellerTradeParty',
    text('ram:Name', seller.legalName), // BT-27
    text('ram:Description', sellerLegalStatus(seller)), // BT-33: capital and RCS (L441-9)
    el(
      'ram:SpecifiedLegalOrganization',
      text('ram:ID', seller.siren, { schemeID: '0002' }), // BT-30: SIREN (ICD 0002)
      optText('ram:TradingBusinessName', seller.tradeName), // BT-28
    ),
    address(seller.address), // BG-5
    seller.email ? el('ram:URIUniversalCommunication', text('ram:URIID', seller.email, { schemeID: 'EM' })) : undefined, // BT-34
    el('ram:SpecifiedTaxRegistration', text('ram:ID', seller.vatNumber, { schemeID: 'VA' })), // BT-31
  );
}

function buyerParty(buyer: BuyerIdentity): XmlNode {
  return el(
    'ram:BuyerTradeParty',
    text('ram:Name', buyer.legalName), // BT-44
    buyer.siren ? el('ram:SpecifiedLegalOrganization', text('ram:ID', buyer.siren, { schemeID: '0002' })) : undefined, // BT-47
    address(buyer.address), // BG-8
    buyer.email ? el('ram:URIUniversalCommunication', text('ram:URIID', buyer.email, { schemeID: 'EM' })) : undefined, // BT-49
    buyer.vatNumber ? el('ram:SpecifiedTaxRegistration', text('ram:ID', buyer.vatNumber.replace(/\s+/g, ''), { schemeID: 'VA' })) : undefined, // BT-48
  );
}

function headerTax(row: VatBreakdown): XmlNode {
  const fallback = DEFAULT_EXEMPTIONS[row.category];
  const exempt = row.category === 'AE' || row.category === 'G' || row.category === 'E';
  return el(
    'ram:ApplicableTradeTax',
    amount('ram:CalculatedAmount', row.vatCents), // BT-117
    text('ram:TypeCode', 'VAT'),
    exempt ? optText('ram:ExemptionReason', row.exemptionReason ?? fallback?.text) : undefined, // BT-120
    amount('ram:BasisAmount', row.baseCents), // BT-116
    text('ram:CategoryCode', row.category), // BT-118
    exempt ? optText('ram:ExemptionReasonCode', row.exemptionReasonCode ?? fallback?.code) : undefined, // BT-121
    text('ram:RateApplicablePercent', bpToPercent(row.rateBp)), // BT-119
  );
}

function notes(doc: InvoiceDocument): XmlNode[] {
  const note = (content: string, subject?: string) =>
    el('ram:IncludedNote', text('ram:Content', content), subject ? text('ram:SubjectCode', subject) : undefined);
  const result: XmlNode[] = [];
  // BT-21 subject codes (UNTDID 4451) as the French e-invoicing rules use them for the L441-9
  // mentions: AAB discount conditions, PMD late penalties, PMT fixed recovery indemnity.
  if (doc.paymentTerms) {
    result.push(note(discountText(doc.paymentTerms), 'AAB'));
    result.push(note(penaltyText(doc.paymentTerms), 'PMD'));
    result.push(note(indemnityText(doc.paymentTerms), 'PMT'));
  }
  for (const content of doc.notes ?? []) if (content.trim()) result.push(note(content.trim()));
  return result;
}

function paymentMeans(doc: InvoiceDocument): XmlNode {
  const means = doc.paymentMeans;
  if (means.kind === 'sepa_direct_debit') {
    return el(
      'ram:SpecifiedTradeSettlementPaymentMeans',
      text('ram:TypeCode', '59'), // BT-81: SEPA direct debit (UNTDID 4461)
      text('ram:Information', 'Prélèvement SEPA'), // BT-82
      means.debtorIban ? el('ram:PayerPartyDebtorFinancialAccount', text('ram:IBANID', means.debtorIban.replace(/\s+/g, ''))) : undefined, // BT-91
    );
  }
  return el(
    'ram:SpecifiedTradeSettlementPaymentMeans',
    text('ram:TypeCode', means.kind === 'sepa_credit_transfer' ? '58' : '30'), // BT-81
    text('ram:Information', means.kind === 'sepa_credit_transfer' ? 'Virement SEPA' : 'Virement bancaire'),
    el(
      'ram:PayeePartyCreditorFinancialAccount',
      text('ram:IBANID', means.iban.replace(/\s+/g, '')), // BT-84
      text('ram:AccountName', doc.seller.legalName), // BT-85
    ),
    el('ram:PayeeSpecifiedCreditorFinancialInstitution', text('ram:BICID', means.bic.replace(/\s+/g, ''))), // BT-86
  );
}

function paymentTerms(doc: InvoiceDocument): XmlNode {
  const terms = doc.paymentTerms;
  const description = terms ? `${paymentDueText(terms)} ${discountText(terms)}` : CREDIT_NOTE_SETTLEMENT;
  return el(
    'ram:SpecifiedTradePaymentTerms',
    text('ram:Description', description), // BT-20 (BR-CO-25)
    terms ? dateTime('ram:DueDateDateTime', terms.dueDate) : undefined, // BT-9
    doc.paymentMeans.kind === 'sepa_direct_debit' ? text('ram:DirectDebitMandateID', doc.paymentMeans.mandateReference) : undefined, // BT-89
  );
}

function line(doc: InvoiceDocument, index: number): XmlNode {
  const item = doc.lines[index]!;
  return el(
    'ram:IncludedSupplyChainTradeLineItem',
    el('ram:AssociatedDocumentLineDocument', text('ram:LineID', String(index + 1))), // BT-126
    el('ram:SpecifiedTradeProduct', text('ram:Name', item.label), optText('ram:Description', item.description)), // BT-153, BT-154
    el('ram:SpecifiedLineTradeAgreement', el('ram:NetPriceProductTradePrice', text('ram:ChargeAmount', normalizeDecimal(item.unitPriceHt, 2)))), // BT-146
    el('ram:SpecifiedLineTradeDelivery', text('ram:BilledQuantity', normalizeDecimal(item.quantity), { unitCode: item.unitCode ?? 'C62' })), // BT-129/130
    el(
      'ram:SpecifiedLineTradeSettlement',
      el(
        'ram:ApplicableTradeTax',
        text('ram:TypeCode', 'VAT'),
        text('ram:CategoryCode', item.vatCategory), // BT-151
        text('ram:RateApplicablePercent', bpToPercent(item.vatRateBp)), // BT-152
      ),
      item.period ? el('ram:BillingSpecifiedPeriod', dateTime('ram:StartDateTime', item.period.from), dateTime('ram:EndDateTime', item.period.to)) : undefined, // BT-134/135
      el('ram:SpecifiedTradeSettlementLineMonetarySummation', amount('ram:LineTotalAmount', item.totalCents)), // BT-131
    ),
  );
}

/**
 * The CII XML of an invoice (type 380) or credit note (381). Throws a RangeError listing the
 * inconsistencies when the document's figures do not add up (see validate.ts).
 */
export function buildFacturXXml(doc: InvoiceDocument): string {
  assertDocumentConsistent(doc);
  const t = doc.totals;
  const means = doc.paymentMeans;
  const root: XmlNode = {
    name: 'rsm:CrossIndustryInvoice',
    attrs: NAMESPACES,
    children: [
      el('rsm:ExchangedDocumentContext', el('ram:GuidelineSpecifiedDocumentContextParameter', text('ram:ID', EN16931_GUIDELINE))), // BT-24
      el(
        'rsm:ExchangedDocument',
        text('ram:ID', doc.number), // BT-1
        text('ram:TypeCode', doc.kind === 'credit_note' ? '381' : '380'), // BT-3 (UNTDID 1001)
        dateTime('ram:IssueDateTime', doc.issueDate), // BT-2
        ...notes(doc), // BG-1
      ),
      el(
        'rsm:SupplyChainTradeTransaction',
        ...doc.lines.map((_, index) => line(doc, index)),
        el('ram:ApplicableHeaderTradeAgreement', sellerParty(doc.seller), buyerParty(doc.buyer)),
        el('ram:ApplicableHeaderTradeDelivery'),
        el(
          'ram:ApplicableHeaderTradeSettlement',
          means.kind === 'sepa_direct_debit' ? text('ram:CreditorReferenceID', means.creditorId) : undefined, // BT-90
          means.kind === 'sepa_direct_debit' ? undefined : optText('ram:PaymentReference', means.reference), // BT-83
          text('ram:InvoiceCurrencyCode', 'EUR'), // BT-5
          paymentMeans(doc), // BG-16
          ...doc.vatBreakdown.map(headerTax), // BG-23
          el('ram:BillingSpecifiedPeriod', dateTime('ram:StartDateTime', doc.servicePeriod.from), dateTime('ram:EndDateTime', doc.servicePeriod.to)), // BG-14
          paymentTerms(doc),
          el(
            'ram:SpecifiedTradeSettlementHeaderMonetarySummation', // BG-22
            amount('ram:LineTotalAmount', t.htCents), // BT-106: no document-level allowance or charge
            amount('ram:TaxBasisTotalAmount', t.htCents), // BT-109
            amount('ram:TaxTotalAmount', t.vatCents, { currencyID: 'EUR' }), // BT-110
            amount('ram:GrandTotalAmount', t.ttcCents), // BT-112
            amount('ram:TotalPrepaidAmount', t.paidCents), // BT-113
            amount('ram:DuePayableAmount', t.dueCents), // BT-115
          ),
          doc.precedingInvoice
            ? el(
                'ram:InvoiceReferencedDocument', // BG-3
                text('ram:IssuerAssignedID', doc.precedingInvoice.number), // BT-25
                el('ram:FormattedIssueDateTime', text('qdt:DateTimeString', compactDate(doc.precedingInvoice.issueDate), { format: '102' })), // BT-26
              )
            : undefined,
        ),
      ),
    ],
  };
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  serialize(root, 0, out);
  return `${out.join('\n')}\n`;
}
