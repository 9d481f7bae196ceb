/**
 * The French legal wording, written once and used by both the PDF and the Factur-X notes so that
 * the two representations of one invoice never say different things.
 */
import { dateFr, eurosFr, ibanGroups, rateFr, sirenFr } from './format.ts';
import type { InvoiceDocument, PaymentMeans, PaymentTerms, SellerIdentity, VatCategory } from './types.ts';

/** R-VAT: the mention an invoice without French VAT must carry, and its EN 16931 VATEX code. */
export const DEFAULT_EXEMPTIONS: Partial<Record<VatCategory, { text: string; code: string }>> = {
  AE: { text: 'Autoliquidation — article 196 de la directive 2006/112/CE', code: 'VATEX-EU-AE' },
  G: { text: 'TVA non applicable — article 259-1 du CGI', code: 'VATEX-EU-G' },
};

/** Share capital without cents when whole: "150 000 €". */
function capitalFr(cents: number): string {
  const text = eurosFr(cents);
  return cents % 100 === 0 ? text.replace(/,00(?=\u00a0€$)/, '') : text;
}

/** "SAS au capital de 150 000 € — RCS Paris 919 288 548" (BT-33, L441-9 / R123-237 C. com.). */
export function sellerLegalStatus(seller: SellerIdentity): string {
  return `${seller.legalForm} au capital de ${capitalFr(seller.shareCapitalCents)} — RCS ${seller.rcsCity} ${sirenFr(seller.siren)}`;
}

export function paymentDueText(terms: PaymentTerms): string {
  return `Paiement à ${terms.netDays} jours nets : échéance le ${dateFr(terms.dueDate)}.`;
}

/** L441-9 requires the discount conditions, or the statement that there is none (R-PAYMENT). */
export function discountText(terms: PaymentTerms): string {
  const discount = terms.earlyPaymentDiscount;
  if (!discount) return "Pas d'escompte pour paiement anticipé.";
  const deduction = discount.amountHtCents + discount.vatCents;
  const vat = discount.vatCents > 0 ? ` (soit ${eurosFr(deduction)} TTC à déduire ; la TVA déductible est réduite à due concurrence)` : '';
  return (
    `Escompte de ${rateFr(discount.rateBp)} sur le montant HT pour paiement sous ${discount.days} jours calendaires, ` +
    `au plus tard le ${dateFr(discount.deadline)} : ${eurosFr(discount.amountHtCents)} HT${vat}.`
  );
}

/** R-LATE, L441-10 I Code de commerce. */
export function penaltyText(terms: PaymentTerms): string {
  return `Pénalités de retard : ${terms.latePenaltyRate}, exigibles de plein droit dès le lendemain de la date d'échéance (art. L441-10 du Code de commerce).`;
}

/** R-LATE, L441-10 II and D441-5 Code de commerce. */
export function indemnityText(terms: PaymentTerms): string {
  return (
    `Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : ${eurosFr(terms.recoveryIndemnityCents)} ` +
    '(art. L441-10 et D441-5 du Code de commerce).'
  );
}

/** A credit note with nothing to collect still states how its amount is settled (BR-CO-25). */
export const CREDIT_NOTE_SETTLEMENT = 'Montant porté au crédit du client.';

export function paymentMeansLabel(means: PaymentMeans): string {
  switch (means.kind) {
    case 'sepa_direct_debit':
      return 'Prélèvement SEPA';
    case 'sepa_credit_transfer':
      return 'Virement SEPA';
    case 'credit_transfer':
      return 'Virement bancaire';
  }
}

/** What the client must know to pay: mandate and creditor id, or account and reference. */
export function paymentMeansDetails(doc: InvoiceDocument): string[] {
  const means = doc.paymentMeans;
  if (means.kind === 'sepa_direct_debit') {
    const lines = [`Référence unique de mandat (RUM) : ${means.mandateReference}`, `Identifiant créancier SEPA (ICS) : ${means.creditorId}`];
    if (means.debtorIban) lines.push(`Compte débité : ${ibanGroups(means.debtorIban)}`);
    return lines;
  }
  return [`IBAN : ${ibanGroups(means.iban)} — BIC : ${means.bic}`, `Référence à rappeler : ${means.reference}`];
}
