/**
 * Test support: an independent check of EN 16931 business rules on a CII XML, reading the XML
 * back rather than trusting the builder. No registry package ships the EN 16931 schematron in a
 * form a pure-JS toolchain runs (it needs an XSLT 2 processor and the compiled rules), so the
 * rules our invoices can break are written out here: the calculation rules (BR-CO-10…17), the VAT
 * breakdown per category (BR-S/AE/G/Z/E-08…10), the mandatory business terms, BR-CO-25, BR-LIN-04
 * and the payment means (BR-61). It covers what SOFY emits, not the full standard.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity]!;
  });
}

/** A strict reader for the XML subset a CII invoice uses (no DTD, CDATA or processing beyond the prolog). */
export function parseXml(xml: string): XmlElement {
  const token = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let consumed = 0;
  for (let match = token.exec(xml); match; match = token.exec(xml)) {
    if (match.index !== consumed) throw new SyntaxError(`unexpected markup at ${consumed}`);
    consumed = token.lastIndex;
    const [, close, open, rawAttrs, selfClosing, text] = match;
    const top = stack[stack.length - 1]!;
    if (close) {
      if (top.name !== close) throw new SyntaxError(`</${close}> closes <${top.name}>`);
      stack.pop();
    } else if (open) {
      const attrs: Record<string, string> = {};
      for (const attr of (rawAttrs ?? '').matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[attr[1]!] = decode(attr[2] ?? attr[3] ?? '');
      const element: XmlElement = { name: open, attrs, children: [], text: '' };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    } else if (text !== undefined) {
      if (stack.length === 1 && text.trim()) throw new SyntaxError('text outside the root element');
      top.text += decode(text);
    }
  }
  if (consumed !== xml.length || stack.length !== 1) throw new SyntaxError('unterminated XML');
  if (root.children.length !== 1) throw new SyntaxError('an XML document has one root element');
  return root.children[0]!;
}

/** Child elements along a path of names, e.g. `ram:SellerTradeParty/ram:Name`. */
export function all(node: XmlElement | undefined, path: string): XmlElement[] {
  let current = node ? [node] : [];
  for (const step of path.split('/')) current = current.flatMap((element) => element.children.filter((child) => child.name === step));
  return current;
}

export function one(node: XmlElement | undefined, path: string): XmlElement | undefined {
  return all(node, path)[0];
}

export function textAt(node: XmlElement | undefined, path: string): string | undefined {
  const found = one(node, path);
  return found ? found.text.trim() : undefined;
}

// ---- decimal arithmetic on strings (no floats) ------------------------------------------------

const AMOUNT = /^-?\d+(\.\d{1,2})?$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function scaled(value: string, scale: number): bigint {
  const negative = value.startsWith('-');
  const [integer, fraction = ''] = value.replace('-', '').split('.');
  if (fraction.length > scale) throw new RangeError(`${value} has more than ${scale} decimals`);
  const result = BigInt(`${integer}${fraction.padEnd(scale, '0')}`);
  return negative ? -result : result;
}

function halfUp(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const rounded = (2n * n + denominator) / (2n * denominator);
  return negative ? -rounded : rounded;
}

function decimals(value: string): number {
  return value.includes('.') ? value.split('.')[1]!.length : 0;
}

/** value × other, half-up to the cent, both given as decimal strings. */
function productCents(value: string, other: string): bigint {
  const scale = decimals(value) + decimals(other);
  return halfUp(scaled(value, decimals(value)) * scaled(other, decimals(other)) * 100n, 10n ** BigInt(scale));
}

// ---- the rules ------------------------------------------------------------------------------

const HEADER = 'rsm:SupplyChainTradeTransaction';
const SETTLEMENT = `${HEADER}/ram:ApplicableHeaderTradeSettlement`;
const AGREEMENT = `${HEADER}/ram:ApplicableHeaderTradeAgreement`;
const SUMMATION = `${SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation`;

export function en16931Violations(xml: string): string[] {
  const problems: string[] = [];
  const root = parseXml(xml);
  const fail = (rule: string, message: string) => problems.push(`${rule}: ${message}`);
  const require = (rule: string, path: string, label: string) => {
    if (!textAt(root, path)) fail(rule, `${label} missing`);
    return textAt(root, path);
  };
  const amount = (rule: string, path: string, label: string, required = true): bigint | undefined => {
    const value = textAt(root, path);
    if (value === undefined) {
      if (required) fail(rule, `${label} missing`);
      return undefined;
    }
    if (!AMOUNT.test(value)) {
      fail('BR-DEC', `${label} ${value} is not an amount with at most 2 decimals`);
      return undefined;
    }
    return scaled(value, 2);
  };

  if (root.name !== 'rsm:CrossIndustryInvoice') fail('CII', `root is ${root.name}`);
  if (textAt(root, 'rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID') !== 'urn:cen.eu:en16931:2017') {
    fail('BR-01', 'specification identifier (BT-24) is not urn:cen.eu:en16931:2017');
  }
  require('BR-02', 'rsm:ExchangedDocument/ram:ID', 'invoice number (BT-1)');
  const issueDate = require('BR-03', 'rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString', 'issue date (BT-2)');
  if (issueDate && !/^\d{8}$/.test(issueDate)) fail('BR-03', `issue date ${issueDate} is not CCYYMMDD`);
  const typeCode = require('BR-04', 'rsm:ExchangedDocument/ram:TypeCode', 'type code (BT-3)');
  if (typeCode && !['380', '381', '384', '389', '751'].includes(typeCode)) fail('BR-04', `type code ${typeCode}`);
  if (textAt(root, `${SETTLEMENT}/ram:InvoiceCurrencyCode`) !== 'EUR') fail('BR-05', 'currency (BT-5) is not EUR');
  require('BR-06', `${AGREEMENT}/ram:SellerTradeParty/ram:Name`, 'seller name (BT-27)');
  require('BR-07', `${AGREEMENT}/ram:BuyerTradeParty/ram:Name`, 'buyer name (BT-44)');
  require('BR-09', `${AGREEMENT}/ram:SellerTradeParty/ram:PostalTradeAddress/ram:CountryID`, 'seller country (BT-40)');
  require('BR-11', `${AGREEMENT}/ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID`, 'buyer country (BT-55)');
  if (one(root, `${HEADER}/ram:ApplicableHeaderTradeDelivery`) === undefined) fail('CII', 'ApplicableHeaderTradeDelivery missing');

  const sellerVat = all(root, `${AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID`).find((id) => id.attrs['schemeID'] === 'VA')?.text;
  const buyerVat = all(root, `${AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID`).find((id) => id.attrs['schemeID'] === 'VA')?.text;
  const buyerLegalId = textAt(root, `${AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID`);
  const sellerLegalId = textAt(root, `${AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID`);
  if (!sellerVat && !sellerLegalId) fail('BR-CO-26', 'seller has neither a VAT identifier nor a legal registration id');
  for (const vat of [sellerVat, buyerVat]) if (vat && !/^[A-Z]{2}/.test(vat)) fail('BR-CO-09', `VAT identifier ${vat} does not start with a country code`);

  // Lines (BG-25).
  const lines = all(root, `${HEADER}/ram:IncludedSupplyChainTradeLineItem`);
  if (lines.length === 0) fail('BR-16', 'no invoice line');
  let lineSum = 0n;
  const lineBases = new Map<string, bigint>();
  lines.forEach((line, index) => {
    const at = `line ${index + 1}`;
    if (!textAt(line, 'ram:AssociatedDocumentLineDocument/ram:LineID')) fail('BR-21', `${at}: identifier (BT-126) missing`);
    const quantity = one(line, 'ram:SpecifiedLineTradeDelivery/ram:BilledQuantity');
    if (!quantity || !DECIMAL.test(quantity.text)) fail('BR-22', `${at}: invoiced quantity (BT-129) missing`);
    if (!quantity?.attrs['unitCode']) fail('BR-23', `${at}: unit of measure (BT-130) missing`);
    const total = textAt(line, 'ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount');
    if (!total || !AMOUNT.test(total)) {
      fail('BR-24', `${at}: net amount (BT-131) missing or not an amount`);
      return;
    }
    if (!textAt(line, 'ram:SpecifiedTradeProduct/ram:Name')) fail('BR-25', `${at}: item name (BT-153) missing`);
    const price = textAt(line, 'ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount');
    if (!price || !DECIMAL.test(price)) fail('BR-26', `${at}: net price (BT-146) missing`);
    else if (price.startsWith('-')) fail('BR-27', `${at}: net price is negative`);
    const category = textAt(line, 'ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode');
    const rate = textAt(line, 'ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent');
    if (!category) fail('BR-CO-04', `${at}: VAT category (BT-151) missing`);
    if (category && category !== 'S' && rate !== undefined && scaled(rate, 4) !== 0n) fail(`BR-${category}-05`, `${at}: rate ${rate} for category ${category}`);
    if (category === 'S' && (rate === undefined || scaled(rate, 4) <= 0n)) fail('BR-S-05', `${at}: standard rate missing or zero`);
    const cents = scaled(total, 2);
    if (price && quantity && DECIMAL.test(price) && DECIMAL.test(quantity.text) && productCents(quantity.text, price) !== cents) {
      fail('BR-LIN-04', `${at}: ${quantity.text} × ${price} ≠ ${total}`);
    }
    lineSum += cents;
    const key = `${category}/${rate === undefined ? '' : scaled(rate, 4)}`;
    lineBases.set(key, (lineBases.get(key) ?? 0n) + cents);
  });

  // VAT breakdown (BG-23).
  const breakdown = all(root, `${SETTLEMENT}/ram:ApplicableTradeTax`);
  if (breakdown.length === 0) fail('BR-CO-18', 'no VAT breakdown');
  let vatSum = 0n;
  const breakdownKeys = new Set<string>();
  for (const row of breakdown) {
    const category = textAt(row, 'ram:CategoryCode') ?? '?';
    const rate = textAt(row, 'ram:RateApplicablePercent');
    const base = textAt(row, 'ram:BasisAmount');
    const vat = textAt(row, 'ram:CalculatedAmount');
    const reason = textAt(row, 'ram:ExemptionReason') || textAt(row, 'ram:ExemptionReasonCode');
    if (textAt(row, 'ram:TypeCode') !== 'VAT') fail('CII', `breakdown ${category}: tax type is not VAT`);
    if (!base || !AMOUNT.test(base) || !vat || !AMOUNT.test(vat) || rate === undefined) {
      fail('BR-45/46/48', `breakdown ${category}: base, amount or rate missing`);
      continue;
    }
    const key = `${category}/${scaled(rate, 4)}`;
    breakdownKeys.add(key);
    const baseCents = scaled(base, 2);
    const vatCents = scaled(vat, 2);
    vatSum += vatCents;
    if ((lineBases.get(key) ?? 0n) !== baseCents) fail(`BR-${category}-08`, `base ${base} ≠ sum of the lines at ${category} ${rate} %`);
    const expected = halfUp(baseCents * scaled(rate, 4), 1_000_000n);
    if (expected !== vatCents) fail('BR-CO-17', `VAT ${vat} ≠ ${base} × ${rate} %`);
    if (category !== 'S' && vatCents !== 0n) fail(`BR-${category}-09`, `VAT amount ${vat} is not 0`);
    if (['AE', 'G', 'E', 'O', 'K'].includes(category) && !reason) fail(`BR-${category}-10`, 'exemption reason (BT-120/121) missing');
    if (['S', 'Z'].includes(category) && reason) fail(`BR-${category}-10`, 'an exemption reason on a taxed category');
    if (['S', 'AE', 'G', 'Z', 'E'].includes(category) && !sellerVat) fail(`BR-${category}-02`, 'seller VAT identifier (BT-31) missing');
    if (category === 'AE' && !buyerVat && !buyerLegalId) fail('BR-AE-02', 'buyer VAT identifier (BT-48) or legal id (BT-47) missing');
  }
  for (const key of lineBases.keys()) if (!breakdownKeys.has(key)) fail('BR-CO-18', `no VAT breakdown for the lines at ${key}`);

  // Totals (BG-22).
  const lineTotal = amount('BR-12', `${SUMMATION}/ram:LineTotalAmount`, 'sum of line net amounts (BT-106)');
  const allowances = amount('BR-CO-11', `${SUMMATION}/ram:AllowanceTotalAmount`, 'allowances (BT-107)', false) ?? 0n;
  const charges = amount('BR-CO-12', `${SUMMATION}/ram:ChargeTotalAmount`, 'charges (BT-108)', false) ?? 0n;
  const taxBasis = amount('BR-13', `${SUMMATION}/ram:TaxBasisTotalAmount`, 'total without VAT (BT-109)');
  const taxTotalNode = all(root, `${SUMMATION}/ram:TaxTotalAmount`).find((node) => node.attrs['currencyID'] === 'EUR');
  if (one(root, `${SUMMATION}/ram:TaxTotalAmount`) && !taxTotalNode) fail('CII', 'TaxTotalAmount (BT-110) without currencyID EUR');
  const taxTotal = taxTotalNode && AMOUNT.test(taxTotalNode.text) ? scaled(taxTotalNode.text, 2) : 0n;
  const grand = amount('BR-14', `${SUMMATION}/ram:GrandTotalAmount`, 'total with VAT (BT-112)');
  const prepaid = amount('BR-CO-16', `${SUMMATION}/ram:TotalPrepaidAmount`, 'paid amount (BT-113)', false) ?? 0n;
  const rounding = amount('BR-CO-16', `${SUMMATION}/ram:RoundingAmount`, 'rounding (BT-114)', false) ?? 0n;
  const due = amount('BR-15', `${SUMMATION}/ram:DuePayableAmount`, 'amount due (BT-115)');
  if (lineTotal !== undefined && lineTotal !== lineSum) fail('BR-CO-10', `BT-106 ${lineTotal} ≠ sum of lines ${lineSum} (cents)`);
  if (lineTotal !== undefined && taxBasis !== undefined && taxBasis !== lineTotal - allowances + charges) fail('BR-CO-13', 'BT-109 ≠ BT-106 − BT-107 + BT-108');
  if (taxTotal !== vatSum) fail('BR-CO-14', `BT-110 ${taxTotal} ≠ sum of BT-117 ${vatSum} (cents)`);
  if (grand !== undefined && taxBasis !== undefined && grand !== taxBasis + taxTotal) fail('BR-CO-15', 'BT-112 ≠ BT-109 + BT-110');
  if (due !== undefined && grand !== undefined && due !== grand - prepaid + rounding) fail('BR-CO-16', 'BT-115 ≠ BT-112 − BT-113 + BT-114');

  // Payment (BG-16, BT-9, BT-20).
  const terms = one(root, `${SETTLEMENT}/ram:SpecifiedTradePaymentTerms`);
  if (due !== undefined && due > 0n && !textAt(terms, 'ram:DueDateDateTime/udt:DateTimeString') && !textAt(terms, 'ram:Description')) {
    fail('BR-CO-25', 'a positive amount due needs a due date (BT-9) or payment terms (BT-20)');
  }
  for (const means of all(root, `${SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans`)) {
    const code = textAt(means, 'ram:TypeCode');
    if (!code) fail('BR-49', 'payment means type (BT-81) missing');
    if ((code === '30' || code === '58') && !textAt(means, 'ram:PayeePartyCreditorFinancialAccount/ram:IBANID')) fail('BR-61', 'transfer without payee account (BT-84)');
    if (code === '59') {
      if (!textAt(terms, 'ram:DirectDebitMandateID')) fail('BG-19', 'direct debit without mandate reference (BT-89)');
      if (!textAt(root, `${SETTLEMENT}/ram:CreditorReferenceID`)) fail('BG-19', 'direct debit without creditor identifier (BT-90)');
    }
  }

  // Periods (BR-29, BR-CO-19) and the corrected invoice of a credit note (BG-3).
  const start = textAt(root, `${SETTLEMENT}/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString`);
  const end = textAt(root, `${SETTLEMENT}/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString`);
  if (one(root, `${SETTLEMENT}/ram:BillingSpecifiedPeriod`) && !start && !end) fail('BR-CO-19', 'empty invoicing period');
  if (start && end && end < start) fail('BR-29', 'the invoicing period ends before it starts');
  if (typeCode === '381' && !textAt(root, `${SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID`)) {
    // Not an EN 16931 rule but French law (CGI 242 nonies A): a credit note names the invoice it corrects.
    fail('BG-3', 'a credit note references the invoice it corrects (BT-25)');
  }
  return problems;
}
