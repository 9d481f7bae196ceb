/**
 * The French invoice or credit note as an A4 PDF/A-3B, with its Factur-X XML embedded
 * (issue 5, "Output"; L441-9 Code de commerce for the content). Drawn with PDFKit, whose PDF/A
 * mode brings the sRGB output intent, the pdfaid XMP identification, the document ID and the
 * /AF array; the fonts are DejaVu Sans from an npm package, embedded (subset), never a system
 * font. What remains short of a validated PDF/A-3 is listed in README.md.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { buildFacturXXml } from './facturx.ts';
import { dateFr, decimalFr, eurosFr, ibanGroups, rateFr, sirenFr, unitPriceFr } from './format.ts';
import { CREDIT_NOTE_SETTLEMENT, discountText, indemnityText, paymentDueText, paymentMeansDetails, paymentMeansLabel, penaltyText, sellerLegalStatus } from './mentions.ts';
import type { InvoiceDocument, InvoiceLine, PostalAddress } from './types.ts';
import { assertDocumentConsistent } from './validate.ts';

export interface RenderOptions {
  /** Embed the EN 16931 CII XML as `factur-x.xml` and declare it in the XMP (Factur-X). */
  facturX: boolean;
  /** The PDF's creation date (Info, XMP, attachment dates); now by default. */
  createdAt?: Date;
}

/** Factur-X 1.0 attachment name and XMP extension (the namespace ends with `#` by the standard). */
export const FACTURX_FILENAME = 'factur-x.xml';
const FACTURX_NS = 'urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#';

type Pdf = InstanceType<typeof PDFDocument>;

const require = createRequire(import.meta.url);
const FONT_FILES = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
};
let fontCache: { regular: Buffer; bold: Buffer } | undefined;
function fonts() {
  fontCache ??= { regular: readFileSync(FONT_FILES.regular), bold: readFileSync(FONT_FILES.bold) };
  return fontCache;
}

// A4 in points, with room at the bottom for the legal footer and the page number.
const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { left: 42, right: 42, top: 40, bottom: 64 };
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const BOTTOM = PAGE.height - MARGIN.bottom;
const INK = '#1f2933';
const MUTED = '#5f6b7a';
const ACCENT = '#0f3d73';
const RULE = '#c9d1db';
const SHADE = '#eef2f6';

const COLUMNS = [
  { key: 'label', title: 'Désignation', width: 247, align: 'left' },
  { key: 'quantity', title: 'Qté', width: 58, align: 'right' },
  { key: 'unitPrice', title: 'P.U. HT', width: 74, align: 'right' },
  { key: 'vat', title: 'TVA', width: 44, align: 'right' },
  { key: 'total', title: 'Total HT', width: CONTENT_WIDTH - 247 - 58 - 74 - 44, align: 'right' },
] as const;
const CELL_PAD = 4;

const countryNames = new Intl.DisplayNames(['fr'], { type: 'region' });
function countryFr(code: string): string {
  try {
    return countryNames.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

function addressLines(address: PostalAddress): string[] {
  return [...address.lines.filter((line) => line.trim()), `${address.postcode} ${address.city}`.trim(), countryFr(address.country)];
}

/** PDFKit copies the Info strings into the XMP unescaped, and PDF/A wants both identical: no markup characters. */
function xmpSafe(value: string): string {
  return value.replace(/&/g, 'et').replace(/[<>"]/g, ' ');
}

function escapeXmp(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function facturXXmp(): string {
  const property = (name: string, description: string) => `
              <rdf:li rdf:parseType="Resource">
                <pdfaProperty:name>${name}</pdfaProperty:name>
                <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                <pdfaProperty:category>external</pdfaProperty:category>
                <pdfaProperty:description>${escapeXmp(description)}</pdfaProperty:description>
              </rdf:li>`;
  // PDF/A requires every non-predefined XMP property to be described by an extension schema.
  return `
        <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
          <pdfaExtension:schemas>
            <rdf:Bag>
              <rdf:li rdf:parseType="Resource">
                <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
                <pdfaSchema:namespaceURI>${FACTURX_NS}</pdfaSchema:namespaceURI>
                <pdfaSchema:prefix>fx</pdfaSchema:prefix>
                <pdfaSchema:property>
                  <rdf:Seq>${property('DocumentFileName', 'name of the embedded XML invoice file')}${property('DocumentType', 'INVOICE')}${property(
                    'Version',
                    'The actual version of the Factur-X XML schema',
                  )}${property('ConformanceLevel', 'The conformance level of the embedded Factur-X data')}
                  </rdf:Seq>
                </pdfaSchema:property>
              </rdf:li>
            </rdf:Bag>
          </pdfaExtension:schemas>
        </rdf:Description>
        <rdf:Description rdf:about="" xmlns:fx="${FACTURX_NS}">
          <fx:DocumentType>INVOICE</fx:DocumentType>
          <fx:DocumentFileName>${FACTURX_FILENAME}</fx:DocumentFileName>
          <fx:Version>1.0</fx:Version>
          <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>
        </rdf:Description>`;
}

// ---- drawing --------------------------------------------------------------------------------

class Layout {
  y = MARGIN.top;

  constructor(
    readonly pdf: Pdf,
    readonly doc: InvoiceDocument,
  ) {}

  get title(): string {
    return this.doc.kind === 'credit_note' ? 'AVOIR' : 'FACTURE';
  }

  font(weight: 'regular' | 'bold', size: number, color = INK): this {
    this.pdf.font(weight).fontSize(size).fillColor(color);
    return this;
  }

  /** Writes at (x, y) without letting PDFKit paginate on its own: pages break only here. */
  write(text: string, x: number, y: number, options: PDFKit.Mixins.TextOptions = {}): number {
    this.pdf.text(text, x, y, { lineBreak: true, ...options });
    return this.pdf.heightOfString(text, options);
  }

  height(text: string, width: number): number {
    return this.pdf.heightOfString(text, { width });
  }

  ensure(space: number, onNewPage?: () => void): void {
    if (this.y + space <= BOTTOM) return;
    this.pdf.addPage();
    this.continuationHeader();
    onNewPage?.();
  }

  continuationHeader(): void {
    this.font('bold', 9, ACCENT).write(this.doc.seller.tradeName, MARGIN.left, MARGIN.top, { width: CONTENT_WIDTH / 2 });
    this.font('regular', 9, MUTED).write(`${this.doc.kind === 'credit_note' ? 'Avoir' : 'Facture'} n° ${this.doc.number} (suite)`, MARGIN.left + CONTENT_WIDTH / 2, MARGIN.top, {
      width: CONTENT_WIDTH / 2,
      align: 'right',
    });
    this.y = MARGIN.top + 24;
  }

  header(): void {
    const { doc } = this;
    const seller = doc.seller;
    const half = CONTENT_WIDTH / 2;
    const right = MARGIN.left + half + 20;
    const rightWidth = half - 20;

    // Seller block (L441-9: name, legal form, capital, RCS, VAT number, address).
    let y = MARGIN.top;
    y += this.font('bold', 20, ACCENT).write(seller.tradeName, MARGIN.left, y, { width: half });
    y += 2;
    y += this.font('bold', 9).write(seller.legalName, MARGIN.left, y, { width: half });
    this.font('regular', 8.5);
    for (const line of addressLines(seller.address)) y += this.write(line, MARGIN.left, y, { width: half });
    y += 3;
    this.font('regular', 8, MUTED);
    y += this.write(sellerLegalStatus(seller), MARGIN.left, y, { width: half });
    y += this.write(`SIREN ${sirenFr(seller.siren)} — N° TVA ${seller.vatNumber}`, MARGIN.left, y, { width: half });
    if (seller.email) y += this.write(seller.email, MARGIN.left, y, { width: half });

    // Title, number and dates.
    let ry = MARGIN.top;
    ry += this.font('bold', 20, ACCENT).write(this.title, right, ry, { width: rightWidth, align: 'right' });
    ry += 4;
    const facts: Array<[string, string]> = [
      [doc.kind === 'credit_note' ? "N° d'avoir" : 'N° de facture', doc.number],
      ["Date d'émission", dateFr(doc.issueDate)],
      ['Période de service', `du ${dateFr(doc.servicePeriod.from)} au ${dateFr(doc.servicePeriod.to)}`],
    ];
    if (doc.paymentTerms) facts.push(["Date d'échéance", dateFr(doc.paymentTerms.dueDate)]);
    if (doc.precedingInvoice) facts.push(["Facture d'origine", `${doc.precedingInvoice.number} du ${dateFr(doc.precedingInvoice.issueDate)}`]);
    const labelWidth = 80;
    for (const [label, value] of facts) {
      this.font('regular', 8, MUTED).write(`${label} :`, right, ry, { width: labelWidth });
      ry += this.font('bold', 8).write(value, right + labelWidth, ry, { width: rightWidth - labelWidth, align: 'right' }) + 1.5;
    }

    // Client block, boxed, under the facts (the window of a DL envelope).
    ry = Math.max(ry + 14, 150);
    const buyer = doc.buyer;
    const clientLines = addressLines(buyer.address);
    const ids: string[] = [];
    if (buyer.siren) ids.push(`SIREN ${sirenFr(buyer.siren)}`);
    if (buyer.vatNumber) ids.push(`N° TVA ${buyer.vatNumber}`);
    this.font('regular', 9);
    const boxHeight =
      12 + this.height(buyer.legalName, rightWidth - 16) + clientLines.reduce((sum, line) => sum + this.height(line, rightWidth - 16), 0) + ids.length * 11 + 16;
    this.pdf.save().roundedRect(right - 8, ry - 6, rightWidth + 8, boxHeight, 3).lineWidth(0.6).strokeColor(RULE).stroke().restore();
    let cy = ry;
    cy += this.font('regular', 7.5, MUTED).write('CLIENT', right, cy, { width: rightWidth - 8 }) + 2;
    cy += this.font('bold', 9.5).write(buyer.legalName, right, cy, { width: rightWidth - 8 });
    this.font('regular', 9);
    for (const line of clientLines) cy += this.write(line, right, cy, { width: rightWidth - 8 });
    this.font('regular', 8, MUTED);
    cy += 3;
    for (const id of ids) cy += this.write(id, right, cy, { width: rightWidth - 8 });

    this.y = Math.max(y, ry - 6 + boxHeight) + 22;
  }

  tableHeader(): void {
    const height = 16;
    this.pdf.save().rect(MARGIN.left, this.y, CONTENT_WIDTH, height).fill(SHADE).restore();
    let x = MARGIN.left;
    this.font('bold', 8);
    for (const column of COLUMNS) {
      this.write(column.title, x + CELL_PAD, this.y + 4.5, { width: column.width - 2 * CELL_PAD, align: column.align, lineBreak: false });
      x += column.width;
    }
    this.y += height + 2;
  }

  lineCells(line: InvoiceLine) {
    const detail = [line.description, line.period ? `du ${dateFr(line.period.from)} au ${dateFr(line.period.to)}` : undefined].filter(Boolean).join(' — ');
    return {
      label: line.label,
      detail,
      quantity: decimalFr(line.quantity),
      unitPrice: unitPriceFr(line.unitPriceHt),
      vat: line.vatCategory === 'S' ? rateFr(line.vatRateBp) : `0 % ${line.vatCategory}`,
      total: eurosFr(line.totalCents),
    };
  }

  lines(): void {
    this.tableHeader();
    const labelWidth = COLUMNS[0].width - 2 * CELL_PAD;
    for (const line of this.doc.lines) {
      const cells = this.lineCells(line);
      this.font('regular', 8.5);
      let rowHeight = this.height(cells.label, labelWidth);
      this.font('regular', 7.5);
      if (cells.detail) rowHeight += this.height(cells.detail, labelWidth) + 1;
      rowHeight += 2 * CELL_PAD;
      this.ensure(rowHeight, () => this.tableHeader());

      const top = this.y + CELL_PAD;
      let x = MARGIN.left;
      const ly = top + this.font('regular', 8.5).write(cells.label, x + CELL_PAD, top, { width: labelWidth });
      if (cells.detail) this.font('regular', 7.5, MUTED).write(cells.detail, x + CELL_PAD, ly + 1, { width: labelWidth });
      this.font('regular', 8.5);
      x += COLUMNS[0].width;
      for (const column of COLUMNS.slice(1)) {
        const value = cells[column.key as 'quantity' | 'unitPrice' | 'vat' | 'total'];
        this.write(value, x + CELL_PAD, top, { width: column.width - 2 * CELL_PAD, align: 'right', lineBreak: false });
        x += column.width;
      }
      this.y += rowHeight;
      this.pdf
        .save()
        .moveTo(MARGIN.left, this.y)
        .lineTo(MARGIN.left + CONTENT_WIDTH, this.y)
        .lineWidth(0.4)
        .strokeColor(RULE)
        .stroke()
        .restore();
    }
    this.y += 10;
  }

  totals(): void {
    const { doc } = this;
    const t = doc.totals;
    const width = 250;
    const x = MARGIN.left + CONTENT_WIDTH - width;
    const rowHeight = 13;
    const credit = doc.kind === 'credit_note';
    const rows: Array<{ label: string; value: string; strong?: boolean }> = [];
    for (const row of doc.vatBreakdown) {
      const rate = row.category === 'S' ? rateFr(row.rateBp) : `0 % (${row.category})`;
      rows.push({ label: `Base HT TVA ${rate}`, value: eurosFr(row.baseCents) });
      rows.push({ label: `Montant TVA ${rate}`, value: eurosFr(row.vatCents) });
    }
    rows.push({ label: 'Total HT', value: eurosFr(t.htCents), strong: true });
    rows.push({ label: 'Total TVA', value: eurosFr(t.vatCents) });
    rows.push({ label: credit ? "Total TTC de l'avoir" : 'Total TTC', value: eurosFr(t.ttcCents), strong: true });
    if (t.paidCents !== 0) rows.push({ label: 'Déjà réglé', value: eurosFr(-t.paidCents) });
    const dueLabel = credit ? 'Montant à créditer' : 'Net à payer';

    this.ensure(rows.length * rowHeight + 26);
    for (const row of rows) {
      this.font(row.strong ? 'bold' : 'regular', 8.5, row.strong ? INK : MUTED).write(row.label, x, this.y, { width: width - 100 });
      this.font(row.strong ? 'bold' : 'regular', 8.5).write(row.value, x + width - 100, this.y, { width: 100, align: 'right' });
      this.y += rowHeight;
    }
    this.y += 2;
    this.pdf.save().rect(x - 6, this.y - 3, width + 6, 20).fill(SHADE).restore();
    this.font('bold', 10, ACCENT).write(dueLabel, x, this.y + 2, { width: width - 110 });
    this.font('bold', 10, ACCENT).write(eurosFr(t.dueCents), x + width - 110, this.y + 2, { width: 110, align: 'right' });
    this.y += 32;
  }

  /** A heading and its paragraphs, kept together on one page. */
  section(heading: string, paragraphs: Array<{ text: string; strong?: boolean }>): void {
    if (paragraphs.length === 0) return;
    this.font('regular', 8.5);
    const needed = 16 + paragraphs.reduce((sum, p) => sum + this.height(p.text, CONTENT_WIDTH) + 3, 0);
    this.ensure(Math.min(needed, BOTTOM - MARGIN.top - 40));
    this.font('bold', 9, ACCENT).write(heading, MARGIN.left, this.y, { width: CONTENT_WIDTH });
    this.y += 14;
    for (const paragraph of paragraphs) {
      this.font(paragraph.strong ? 'bold' : 'regular', 8.5);
      const height = this.height(paragraph.text, CONTENT_WIDTH);
      this.ensure(height);
      this.font(paragraph.strong ? 'bold' : 'regular', 8.5).write(paragraph.text, MARGIN.left, this.y, { width: CONTENT_WIDTH });
      this.y += height + 3;
    }
    this.y += 8;
  }

  mentions(): void {
    const { doc } = this;
    const vat: Array<{ text: string; strong?: boolean }> = [];
    if (doc.vatMention) vat.push({ text: doc.vatMention, strong: true });
    this.section('Mentions TVA', vat);

    const payment: Array<{ text: string; strong?: boolean }> = [];
    if (doc.paymentTerms) payment.push({ text: paymentDueText(doc.paymentTerms), strong: true });
    else payment.push({ text: CREDIT_NOTE_SETTLEMENT, strong: true });
    payment.push({ text: `Mode de règlement : ${paymentMeansLabel(doc.paymentMeans)}` });
    for (const detail of paymentMeansDetails(doc)) payment.push({ text: detail });
    if (doc.paymentTerms) {
      payment.push({ text: discountText(doc.paymentTerms) });
      payment.push({ text: penaltyText(doc.paymentTerms) });
      payment.push({ text: indemnityText(doc.paymentTerms) });
    }
    this.section(doc.kind === 'credit_note' ? 'Règlement' : 'Conditions de paiement', payment);

    this.section(
      'Informations',
      (doc.notes ?? []).filter((note) => note.trim()).map((note) => ({ text: note.trim() })),
    );
  }

  /** Legal identity on every page, and "Page i / n" once there is more than one page. */
  footers(): void {
    const range = this.pdf.bufferedPageRange();
    const seller = this.doc.seller;
    const legal = [
      `${seller.legalName} (${seller.tradeName}) — ${sellerLegalStatus(seller)} — TVA ${seller.vatNumber}`,
      `${addressLines(seller.address).join(', ')} — IBAN ${ibanGroups(seller.iban)} — BIC ${seller.bic}`,
    ].join('\n');
    for (let index = 0; index < range.count; index += 1) {
      this.pdf.switchToPage(range.start + index);
      // Drawing inside the bottom margin would make PDFKit open a page: lift the margin meanwhile.
      const margins = this.pdf.page.margins;
      this.pdf.page.margins = { ...margins, bottom: 0 };
      const top = PAGE.height - MARGIN.bottom + 18;
      this.pdf
        .save()
        .moveTo(MARGIN.left, top - 6)
        .lineTo(MARGIN.left + CONTENT_WIDTH, top - 6)
        .lineWidth(0.4)
        .strokeColor(RULE)
        .stroke()
        .restore();
      this.font('regular', 6.5, MUTED).write(legal, MARGIN.left, top, { width: CONTENT_WIDTH - 60 });
      if (range.count > 1) {
        this.font('regular', 7.5, MUTED).write(`Page ${index + 1} / ${range.count}`, MARGIN.left + CONTENT_WIDTH - 60, top, { width: 60, align: 'right' });
      }
      this.pdf.page.margins = margins;
    }
  }
}

/**
 * Renders the document. With `facturX`, the CII XML (see buildFacturXXml) is embedded as
 * `factur-x.xml` with AFRelationship /Data — the relationship the Factur-X specification
 * recommends for France — and the XMP declares the Factur-X EN 16931 conformance.
 */
export async function renderInvoicePdf(doc: InvoiceDocument, options: RenderOptions): Promise<Uint8Array> {
  const xml = options.facturX ? buildFacturXXml(doc) : undefined;
  if (!xml) assertDocumentConsistent(doc);
  const createdAt = options.createdAt ?? new Date();
  const { regular, bold } = fonts();
  const title = xmpSafe(`${doc.kind === 'credit_note' ? 'Avoir' : 'Facture'} ${doc.number}`);

  const pdf = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    lang: 'fr-FR',
    displayTitle: true,
    font: FONT_FILES.regular, // never the standard Helvetica, which PDF/A forbids unembedded
    info: {
      Title: title,
      Author: xmpSafe(`${doc.seller.legalName} (${doc.seller.tradeName})`),
      Subject: xmpSafe(`${title} — ${doc.buyer.legalName}`),
      Creator: 'SOFY billing',
      CreationDate: createdAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    pdf.on('error', reject);
  });
  pdf.registerFont('regular', regular);
  pdf.registerFont('bold', bold);

  const layout = new Layout(pdf, doc);
  layout.header();
  layout.lines();
  layout.totals();
  layout.mentions();
  layout.footers();

  if (xml) {
    pdf.file(Buffer.from(xml, 'utf8'), {
      name: FACTURX_FILENAME,
      type: 'text/xml',
      description: `Factur-X (EN 16931) — ${title}`,
      relationship: 'Data',
      creationDate: createdAt,
      modifiedDate: createdAt,
    } as PDFKit.Mixins.PDFAttachmentOptions);
    pdf.appendXML(facturXXmp());
  }
  pdf.end();
  return done;
}
