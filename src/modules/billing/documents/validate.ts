/**
 * Refuses to print a document whose figures contradict each other. An issued invoice is legal
 * evidence (L441-9) and its Factur-X twin must satisfy EN 16931: the billing rules compute the
 * amounts, this check only makes sure that what they hand over adds up, so that a bug upstream
 * fails loudly here instead of producing an invoice that a buyer's platform rejects.
 */
import { isDecimal, isIsoDate, lineAmountCents, vatOf } from './format.ts';
import type { InvoiceDocument, VatCategory } from './types.ts';

const CATEGORIES: readonly VatCategory[] = ['S', 'AE', 'G', 'Z', 'E'];
const UNIT_PRICE = /^\d+(?:\.\d{1,5})?$/;

export function documentViolations(doc: InvoiceDocument): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  const isCents = (value: number) => Number.isSafeInteger(value);

  check(doc.number.trim() !== '', 'the number is empty (BT-1)');
  check(isIsoDate(doc.issueDate), `issue date ${doc.issueDate} is not a date (BT-2)`);
  check(isIsoDate(doc.servicePeriod.from) && isIsoDate(doc.servicePeriod.to), 'the service period is not two dates (BT-73/74)');
  check(doc.servicePeriod.from <= doc.servicePeriod.to, 'the service period ends before it starts (BR-29)');
  if (doc.kind === 'credit_note') {
    check(doc.precedingInvoice !== undefined, 'a credit note names the invoice it corrects (BT-25)');
  } else {
    check(doc.paymentTerms !== undefined, 'an invoice states its payment terms and due date (L441-9, BR-CO-25)');
  }
  if (doc.precedingInvoice) check(isIsoDate(doc.precedingInvoice.issueDate), 'the corrected invoice date is not a date (BT-26)');
  if (doc.paymentTerms) {
    const terms = doc.paymentTerms;
    check(isIsoDate(terms.dueDate) && terms.dueDate >= doc.issueDate, 'the due date is not a date on or after the issue date (BT-9)');
    check(isCents(terms.recoveryIndemnityCents) && terms.recoveryIndemnityCents > 0, 'the recovery indemnity is missing (L441-10)');
    check(terms.latePenaltyRate.trim() !== '', 'the late penalty rate is missing (L441-10)');
    const discount = terms.earlyPaymentDiscount;
    if (discount) {
      check(isIsoDate(discount.deadline), 'the discount deadline is not a date');
      check(isCents(discount.amountHtCents) && isCents(discount.vatCents), 'the discount is not integer cents');
    }
  }
  if (doc.paymentMeans.kind === 'sepa_direct_debit') {
    check(doc.paymentMeans.mandateReference.trim() !== '', 'a direct debit names its mandate (RUM, BT-89)');
    check(doc.paymentMeans.creditorId.trim() !== '', 'a direct debit names the creditor id (ICS, BT-90)');
  } else {
    check(doc.paymentMeans.iban.trim() !== '', 'a transfer names the account to pay into (BT-84, BR-61)');
  }

  check(doc.lines.length > 0, 'a document has at least one line (BG-25)');
  const bases = new Map<string, number>();
  doc.lines.forEach((line, index) => {
    const at = `line ${index + 1}`;
    check(line.label.trim() !== '', `${at}: the label is empty (BT-153)`);
    check(CATEGORIES.includes(line.vatCategory), `${at}: unknown VAT category ${line.vatCategory}`);
    check(Number.isInteger(line.vatRateBp) && line.vatRateBp >= 0, `${at}: the VAT rate is not whole basis points`);
    check(line.vatCategory === 'S' ? line.vatRateBp > 0 : line.vatRateBp === 0, `${at}: category ${line.vatCategory} at ${line.vatRateBp} bp (BR-S-05, BR-AE-05…)`);
    check(isCents(line.totalCents), `${at}: the total is not integer cents`);
    const numbers = isDecimal(line.quantity) && UNIT_PRICE.test(line.unitPriceHt);
    check(numbers, `${at}: quantity ${line.quantity} or unit price ${line.unitPriceHt} is not a decimal (price ≥ 0, ≤ 5 decimals, BR-27)`);
    if (numbers && isCents(line.totalCents)) {
      const expected = lineAmountCents(line.quantity, line.unitPriceHt);
      check(expected === line.totalCents, `${at}: ${line.quantity} × ${line.unitPriceHt} = ${expected} cents, not ${line.totalCents} (BR-LIN-04)`);
    }
    if (line.period) check(line.period.from <= line.period.to && isIsoDate(line.period.from) && isIsoDate(line.period.to), `${at}: bad period (BR-30)`);
    const key = `${line.vatCategory}/${line.vatRateBp}`;
    bases.set(key, (bases.get(key) ?? 0) + line.totalCents);
  });

  const seen = new Set<string>();
  for (const row of doc.vatBreakdown) {
    const key = `${row.category}/${row.rateBp}`;
    check(!seen.has(key), `VAT breakdown ${key} appears twice`);
    seen.add(key);
    check(bases.has(key), `VAT breakdown ${key} has no line (BR-CO-18)`);
    check(bases.get(key) === row.baseCents, `VAT breakdown ${key}: base ${row.baseCents} ≠ sum of its lines ${bases.get(key)} (BR-S-08, BR-AE-08…)`);
    check(row.vatCents === vatOf(row.baseCents, row.rateBp), `VAT breakdown ${key}: VAT ${row.vatCents} ≠ base × rate ${vatOf(row.baseCents, row.rateBp)} (BR-CO-17)`);
    if (row.category === 'E') check((row.exemptionReason ?? '').trim() !== '', 'an exempt (E) breakdown states its exemption reason (BR-E-10)');
  }
  for (const key of bases.keys()) check(seen.has(key), `lines at ${key} have no VAT breakdown (BR-CO-18)`);

  const t = doc.totals;
  const lineSum = doc.lines.reduce((sum, line) => sum + line.totalCents, 0);
  const vatSum = doc.vatBreakdown.reduce((sum, row) => sum + row.vatCents, 0);
  check([t.htCents, t.vatCents, t.ttcCents, t.paidCents, t.dueCents].every(isCents), 'totals are not integer cents');
  check(t.htCents === lineSum, `total HT ${t.htCents} ≠ sum of lines ${lineSum} (BR-CO-10, BR-CO-13)`);
  check(t.vatCents === vatSum, `total VAT ${t.vatCents} ≠ sum of the breakdown ${vatSum} (BR-CO-14)`);
  check(t.ttcCents === t.htCents + t.vatCents, `total TTC ${t.ttcCents} ≠ HT + VAT (BR-CO-15)`);
  check(t.dueCents === t.ttcCents - t.paidCents, `amount due ${t.dueCents} ≠ TTC − paid (BR-CO-16)`);
  return problems;
}

export function assertDocumentConsistent(doc: InvoiceDocument): void {
  const problems = documentViolations(doc);
  if (problems.length > 0) throw new RangeError(`invoice document ${doc.number} is inconsistent:\n- ${problems.join('\n- ')}`);
}
