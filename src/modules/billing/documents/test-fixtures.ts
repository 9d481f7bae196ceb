/**
 * Example documents for the tests: a French client at 20 %, a German client under reverse charge,
 * a Swiss client, a credit note and a 60-line invoice. Figures are computed the way the billing
 * rules do (half-up per line, VAT per rate on that rate's total HT, R-VAT), so that every example
 * is a consistent document. Test support only.
 */
import { lineAmountCents, vatOf } from './format.ts';
import { SOFY_SELLER } from './seller.ts';
import type { InvoiceDocument, InvoiceLine, VatBreakdown, VatCategory } from './types.ts';

type LineInput = Omit<InvoiceLine, 'totalCents' | 'vatCategory' | 'vatRateBp'>;

const LATE_RATE = "7,86 % l'an (3 fois le taux d'intérêt légal du 1er semestre 2026)";

/** Lines, VAT breakdown and totals from priced lines, all at one category and rate. */
export function computed(lines: LineInput[], category: VatCategory, rateBp: number, paidCents = 0) {
  const priced: InvoiceLine[] = lines.map((line) => ({
    ...line,
    totalCents: lineAmountCents(line.quantity, line.unitPriceHt),
    vatCategory: category,
    vatRateBp: rateBp,
  }));
  const base = priced.reduce((sum, line) => sum + line.totalCents, 0);
  const vat = vatOf(base, rateBp);
  const vatBreakdown: VatBreakdown[] = [{ category, rateBp, baseCents: base, vatCents: vat }];
  return {
    lines: priced,
    vatBreakdown,
    totals: { htCents: base, vatCents: vat, ttcCents: base + vat, paidCents, dueCents: base + vat - paidCents },
  };
}

function discountOf(htCents: number, rateBp: number) {
  return { rateBp: 100, days: 8, deadline: '2026-04-09', amountHtCents: vatOf(htCents, 100), vatCents: vatOf(vatOf(htCents, 100), rateBp) };
}

const FRENCH_LINES: LineInput[] = [
  { label: 'SoView — licence mensuelle par point de vente', quantity: '12', unitCode: 'C62', unitPriceHt: '29.00' },
  { label: 'SoView — 3 points de vente ajoutés le 10/03 (prorata 22/31 jours)', quantity: '3', unitPriceHt: '20.58065', period: { from: '2026-03-10', to: '2026-03-31' } },
  { label: 'SMS marketing France', description: 'Route Marketing, 1 segment', quantity: '1250', unitPriceHt: '0.04500' },
  { label: 'Redevances tierces refacturées à l\'euro près & frais "opérateur"', quantity: '1', unitPriceHt: '12.30' },
];

export function frenchInvoice(): InvoiceDocument {
  const figures = computed(FRENCH_LINES, 'S', 2000);
  return {
    kind: 'invoice',
    number: 'F-2026-000042',
    issueDate: '2026-04-01',
    servicePeriod: { from: '2026-03-01', to: '2026-03-31' },
    seller: SOFY_SELLER,
    buyer: {
      legalName: 'Boulangeries Dupont & Fils SARL',
      siren: '552100554',
      address: { lines: ['12 rue de la Paix', 'Bâtiment B'], postcode: '69002', city: 'Lyon', country: 'FR' },
      vatNumber: 'FR96552100554',
      email: 'compta@dupont.example',
    },
    ...figures,
    paymentTerms: {
      dueDate: '2026-05-01',
      netDays: 30,
      earlyPaymentDiscount: discountOf(figures.totals.htCents, 2000),
      latePenaltyRate: LATE_RATE,
      recoveryIndemnityCents: 4000,
    },
    paymentMeans: { kind: 'sepa_direct_debit', mandateReference: 'SOFY-RUM-000123', creditorId: SOFY_SELLER.sepaCreditorId, debtorIban: 'FR76 3000 4000 0312 3456 7890 143' },
  };
}

export function germanReverseChargeInvoice(): InvoiceDocument {
  const figures = computed(
    [
      { label: 'SoConnect — licence mensuelle par point de vente', quantity: '5', unitPriceHt: '39.00' },
      { label: 'Messages WhatsApp (Marketing, Allemagne)', quantity: '320', unitPriceHt: '0.11500' },
    ],
    'AE',
    0,
  );
  return {
    kind: 'invoice',
    number: 'F-2026-000043',
    issueDate: '2026-04-01',
    servicePeriod: { from: '2026-03-01', to: '2026-03-31' },
    seller: SOFY_SELLER,
    buyer: {
      legalName: 'Bäckerei Müller GmbH',
      address: { lines: ['Hauptstraße 5'], postcode: '10115', city: 'Berlin', country: 'DE' },
      vatNumber: 'DE136695976',
    },
    ...figures,
    vatMention: 'Autoliquidation — article 196 de la directive 2006/112/CE',
    paymentTerms: {
      dueDate: '2026-05-01',
      netDays: 30,
      earlyPaymentDiscount: discountOf(figures.totals.htCents, 0),
      latePenaltyRate: LATE_RATE,
      recoveryIndemnityCents: 4000,
    },
    paymentMeans: { kind: 'sepa_credit_transfer', iban: SOFY_SELLER.iban, bic: SOFY_SELLER.bic, reference: 'F-2026-000043' },
  };
}

export function swissInvoice(): InvoiceDocument {
  const figures = computed([{ label: 'SoReach — frais de plateforme', quantity: '1', unitPriceHt: '450.00' }], 'G', 0, 10_000);
  return {
    kind: 'invoice',
    number: 'F-2026-000044',
    issueDate: '2026-04-01',
    servicePeriod: { from: '2026-03-01', to: '2026-03-31' },
    seller: SOFY_SELLER,
    buyer: {
      legalName: 'Fromagerie Gruyère SA',
      address: { lines: ['Rue du Lac 1'], postcode: '1201', city: 'Genève', country: 'CH' },
      vatNumber: 'CHE-123.456.788 TVA',
    },
    ...figures,
    vatMention: 'TVA non applicable — article 259-1 du CGI',
    paymentTerms: { dueDate: '2026-05-01', netDays: 30, latePenaltyRate: LATE_RATE, recoveryIndemnityCents: 4000 },
    paymentMeans: { kind: 'credit_transfer', iban: SOFY_SELLER.iban, bic: SOFY_SELLER.bic, reference: 'F-2026-000044' },
    notes: ['Service suspendu pour impayé du 12/03/2026 au 18/03/2026 : les redevances d\'abonnement restent dues (CGVU art. 7.2).'],
  };
}

export function creditNote(): InvoiceDocument {
  const figures = computed([{ label: 'Avoir — SMS facturés en double le 14/03/2026', quantity: '200', unitPriceHt: '0.04500' }], 'S', 2000);
  return {
    kind: 'credit_note',
    number: 'A-2026-000007',
    issueDate: '2026-04-03',
    servicePeriod: { from: '2026-03-01', to: '2026-03-31' },
    seller: SOFY_SELLER,
    buyer: frenchInvoice().buyer,
    precedingInvoice: { number: 'F-2026-000042', issueDate: '2026-04-01' },
    ...figures,
    paymentMeans: { kind: 'sepa_credit_transfer', iban: SOFY_SELLER.iban, bic: SOFY_SELLER.bic, reference: 'A-2026-000007' },
  };
}

export function sixtyLineInvoice(): InvoiceDocument {
  const lines: LineInput[] = Array.from({ length: 60 }, (_, index) => ({
    label: `SoView — point de vente n° ${index + 1} (${['Lyon', 'Marseille', 'Lille', 'Nantes'][index % 4]}), licence de mars 2026`,
    quantity: '1',
    unitPriceHt: (29 + (index % 3)).toFixed(2),
  }));
  const figures = computed(lines, 'S', 2000);
  return { ...frenchInvoice(), number: 'F-2026-000045', ...figures, paymentTerms: { ...frenchInvoice().paymentTerms!, earlyPaymentDiscount: discountOf(figures.totals.htCents, 2000) } };
}

export const ALL_EXAMPLES = { frenchInvoice, germanReverseChargeInvoice, swissInvoice, creditNote, sixtyLineInvoice };
