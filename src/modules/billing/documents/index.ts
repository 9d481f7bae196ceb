/**
 * Invoice documents (issue 5, "Output"): an invoice or credit note as French PDF/A-3 with its
 * Factur-X EN 16931 XML. Pure functions from an `InvoiceDocument` to bytes: no database, no HTTP.
 */
export { buildFacturXXml } from './facturx.ts';
export { type RenderOptions, renderInvoicePdf } from './invoice-pdf.ts';
export { SOFY_SELLER } from './seller.ts';
export type * from './types.ts';
