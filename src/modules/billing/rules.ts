/**
 * The billing module's contract rules (R-ORDER, R-POI, R-ONBOARD, R-TERM, R-PRICE, R-VAT,
 * R-PASSTHRU, R-PAYMENT, R-LATE, R-DUNNING, R-AF2M, R-CAP) as pure functions: no I/O, today is
 * always a parameter. One file per rule in rules/, each with its unit tests beside it; the services
 * call them and never re-implement them.
 */
export * from './rules/calendar.ts';
export * from './rules/contract-term.ts';
export * from './rules/dates.ts';
export * from './rules/dunning.ts';
export * from './rules/invoice-numbering.ts';
export * from './rules/invoice-totals.ts';
export * from './rules/late-penalties.ts';
export * from './rules/liability-cap.ts';
export * from './rules/money.ts';
export * from './rules/payment-terms.ts';
export * from './rules/poi-licence.ts';
export * from './rules/proration.ts';
export * from './rules/rebilled-fees.ts';
export * from './rules/sepa-ids.ts';
export * from './rules/syntec.ts';
export * from './rules/vat-number.ts';
export * from './rules/vat.ts';
