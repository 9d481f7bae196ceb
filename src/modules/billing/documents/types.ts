/**
 * What an issued invoice or credit note says, ready to be turned into bytes (PDF, Factur-X XML).
 * Every amount is already computed by the billing rules: this module formats, it never prices.
 * Amounts are integer cents (R-VAT, R-PAYMENT); unit prices and quantities are decimal strings so
 * that millicent prices (messaging) survive exactly. Dates are civil `YYYY-MM-DD` (Paris).
 */

/** `YYYY-MM-DD`. */
export type IsoDate = string;

export type DocumentKind = 'invoice' | 'credit_note';

/**
 * EN 16931 VAT category (UNCL 5305 subset SOFY uses): S standard rate (France, EU without a valid
 * VAT number), AE reverse charge (EU business with a valid VAT number), G outside the EU
 * (art. 259-1 CGI), Z zero rated, E exempt.
 */
export type VatCategory = 'S' | 'AE' | 'G' | 'Z' | 'E';

export interface PostalAddress {
  /** One to three street lines. */
  lines: string[];
  postcode: string;
  city: string;
  /** ISO 3166-1 alpha-2, upper case (`FR`, `DE`, `CH`). */
  country: string;
}

export interface SellerIdentity {
  /** Legal name (raison sociale). */
  legalName: string;
  /** Commercial name shown as the letterhead. */
  tradeName: string;
  /** Legal form, e.g. `SAS`. */
  legalForm: string;
  /** Share capital in cents (L441-9 / R123-237 Code de commerce). */
  shareCapitalCents: number;
  /** 9 digits, no spaces. */
  siren: string;
  /** Registry city for "RCS <city> <SIREN>". */
  rcsCity: string;
  /** Intra-community VAT number, e.g. `FR68919288548`. */
  vatNumber: string;
  address: PostalAddress;
  email?: string;
  /** The account clients pay by transfer into. */
  iban: string;
  bic: string;
  /** SEPA creditor identifier (ICS) used on direct debits. */
  sepaCreditorId: string;
}

export interface BuyerIdentity {
  legalName: string;
  /** French clients: 9 digits. Absent for foreign clients. */
  siren?: string;
  address: PostalAddress;
  /** Intra-community VAT number when known (required for reverse charge, BR-AE-02). */
  vatNumber?: string;
  email?: string;
}

export interface InvoiceLine {
  label: string;
  /** Optional second line (detail, prorata explanation). */
  description?: string;
  /**
   * Decimal string, e.g. `"3"`, `"1250"`, `"2.5"`; negative for a deduction line. Prorations are
   * expressed here (e.g. POI-months) or in the unit price, so that the line still satisfies
   * BR-LIN-04: `totalCents` = half-up(quantity × unit price) to the cent.
   */
  quantity: string;
  /** UN/ECE Recommendation 20 unit code; default `C62` (one). `MON` month, `DAY` day. */
  unitCode?: string;
  /** Net unit price HT in euros as a decimal string, up to 5 decimals (millicents): `"29.00"`, `"0.04500"`. */
  unitPriceHt: string;
  /** Line total HT in cents. */
  totalCents: number;
  vatCategory: VatCategory;
  /** VAT rate in basis points: 2000 = 20 %. 0 for every category but S. */
  vatRateBp: number;
  /** Service period of this line when it differs from the document's (prorations). */
  period?: { from: IsoDate; to: IsoDate };
}

/** One line of the VAT breakdown: the lines of one category and rate (BG-23). */
export interface VatBreakdown {
  category: VatCategory;
  rateBp: number;
  /** Sum of the line totals of this category and rate, in cents. */
  baseCents: number;
  /** VAT computed on `baseCents` (R-VAT: per rate on the total HT of that rate, half-up), in cents. */
  vatCents: number;
  /** Exemption text for AE/G/E; AE and G default to the legal mention (R-VAT). */
  exemptionReason?: string;
  /** VATEX code; AE and G default to `VATEX-EU-AE` / `VATEX-EU-G`. */
  exemptionReasonCode?: string;
}

export interface DocumentTotals {
  /** Total HT (BT-109 = BT-106: no document-level allowances or charges). */
  htCents: number;
  vatCents: number;
  ttcCents: number;
  /** Already paid (BT-113). */
  paidCents: number;
  /** Still due: ttc − paid (BT-115). */
  dueCents: number;
}

/** The 1 % discount for payment within 8 calendar days (R-PAYMENT), computed on HT. */
export interface EarlyPaymentDiscount {
  rateBp: number;
  days: number;
  /** Last day a payment earns the discount. */
  deadline: IsoDate;
  /** Discount on the amount HT, in cents. */
  amountHtCents: number;
  /** The VAT that the reduced base no longer bears, in cents (0 without VAT). */
  vatCents: number;
}

export interface PaymentTerms {
  /** Due date as a date (L441-9: net 30 from issue, R-PAYMENT). */
  dueDate: IsoDate;
  netDays: number;
  /** Absent: the document says that no discount is granted (L441-9 requires the statement). */
  earlyPaymentDiscount?: EarlyPaymentDiscount;
  /** Late penalty rate as it must be printed (R-LATE), e.g. "7,86 % l'an (3 fois le taux d'intérêt légal…)". */
  latePenaltyRate: string;
  /** Fixed recovery indemnity (L441-10, D441-5): 4000. */
  recoveryIndemnityCents: number;
}

export type PaymentMeans =
  | {
      kind: 'sepa_direct_debit';
      /** Mandate reference (RUM, BT-89). */
      mandateReference: string;
      /** SEPA creditor id (ICS, BT-90). */
      creditorId: string;
      /** Debited account (BT-91), masked or full, when known. */
      debtorIban?: string;
    }
  | {
      /** `sepa_credit_transfer` (code 58) inside SEPA, `credit_transfer` (code 30) otherwise. */
      kind: 'sepa_credit_transfer' | 'credit_transfer';
      iban: string;
      bic: string;
      /** Remittance reference the client must quote (BT-83). */
      reference: string;
    };

export interface InvoiceDocument {
  kind: DocumentKind;
  number: string;
  issueDate: IsoDate;
  servicePeriod: { from: IsoDate; to: IsoDate };
  seller: SellerIdentity;
  buyer: BuyerIdentity;
  /** The invoice a credit note corrects (BT-25/26); required for a credit note. */
  precedingInvoice?: { number: string; issueDate: IsoDate };
  lines: InvoiceLine[];
  vatBreakdown: VatBreakdown[];
  totals: DocumentTotals;
  /** Printed VAT mention, e.g. "Autoliquidation — article 196 de la directive 2006/112/CE" (R-VAT). */
  vatMention?: string;
  /** Required for an invoice; a credit note may omit it (nothing to collect). */
  paymentTerms?: PaymentTerms;
  paymentMeans: PaymentMeans;
  /** Free notes printed and carried in the XML, e.g. "Service suspendu pour impayé…" (R-DUNNING). */
  notes?: string[];
}
