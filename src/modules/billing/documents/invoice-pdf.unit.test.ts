import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString } from 'pdf-lib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { buildFacturXXml } from './facturx.ts';
import { FACTURX_FILENAME, renderInvoicePdf } from './invoice-pdf.ts';
import { creditNote, frenchInvoice, germanReverseChargeInvoice, sixtyLineInvoice, swissInvoice } from './test-fixtures.ts';
import type { InvoiceDocument } from './types.ts';

const CREATED_AT = new Date('2026-04-01T08:00:00Z');

function render(doc: InvoiceDocument, facturX = true) {
  return renderInvoicePdf(doc, { facturX, createdAt: CREATED_AT });
}

function streamBytes(stream: PDFRawStream): Uint8Array {
  return stream.dict.has(PDFName.of('Filter')) ? decodePDFRawStream(stream).decode() : stream.getContents();
}

function rawStream(value: unknown): PDFRawStream {
  if (!(value instanceof PDFRawStream)) throw new TypeError(`expected a stream, got ${String(value)}`);
  return value;
}

function pdfText(value: unknown): string | undefined {
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
}

/** What a PDF/A-3 / Factur-X reader looks for, read back with pdf-lib. */
async function structure(bytes: Uint8Array) {
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
  const catalog = pdf.catalog;
  const metadata = rawStream(catalog.lookup(PDFName.of('Metadata')));
  const af = catalog.lookupMaybe(PDFName.of('AF'), PDFArray);
  const fileSpecs = af ? af.asArray().map((_, index) => af.lookup(index, PDFDict)) : [];
  const names = catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  const outputIntent = catalog.lookup(PDFName.of('OutputIntents'), PDFArray).lookup(0, PDFDict);
  const fonts: PDFDict[] = [];
  const descriptors: PDFDict[] = [];
  for (const [, object] of pdf.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict)) continue;
    const type = object.get(PDFName.of('Type'));
    if (type === PDFName.of('Font')) fonts.push(object);
    if (type === PDFName.of('FontDescriptor')) descriptors.push(object);
  }
  return {
    pdf,
    pageCount: pdf.getPageCount(),
    header: new TextDecoder('latin1').decode(bytes.subarray(0, 16)),
    xmp: new TextDecoder().decode(streamBytes(metadata)),
    metadataFiltered: metadata.dict.has(PDFName.of('Filter')),
    fileSpecs,
    embeddedNames: names?.lookupMaybe(PDFName.of('Names'), PDFArray),
    outputIntent,
    profile: rawStream(outputIntent.lookup(PDFName.of('DestOutputProfile'))),
    fonts,
    descriptors,
    trailerId: pdf.context.trailerInfo.ID,
    encrypted: pdf.context.trailerInfo.Encrypt !== undefined,
  };
}

/** The text a reader extracts, page by page, whitespace (non-breaking included) collapsed. */
async function pageTexts(bytes: Uint8Array): Promise<string[]> {
  const pdf = await getDocument({ data: bytes.slice(), disableFontFace: true, useSystemFonts: false, isEvalSupported: false }).promise;
  try {
    const pages: string[] = [];
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const content = await (await pdf.getPage(number)).getTextContent();
      const text = content.items.map((item) => ('str' in item ? `${item.str}${item.hasEOL ? '\n' : ' '}` : '')).join('');
      pages.push(text.replace(/[\s\u00a0\u202f]+/g, ' ').trim());
    }
    return pages;
  } finally {
    await pdf.destroy();
  }
}

describe('renderInvoicePdf: PDF/A-3B with Factur-X', () => {
  it('embeds factur-x.xml byte for byte, as text/xml with AFRelationship /Data, listed in /AF and in the EmbeddedFiles names', async () => {
    const doc = frenchInvoice();
    const s = await structure(await render(doc));
    expect(s.fileSpecs).toHaveLength(1);
    const spec = s.fileSpecs[0]!;
    expect(spec.get(PDFName.of('AFRelationship'))).toBe(PDFName.of('Data'));
    expect(pdfText(spec.get(PDFName.of('F')))).toBe(FACTURX_FILENAME);
    expect(pdfText(spec.get(PDFName.of('UF')))).toBe(FACTURX_FILENAME);
    const file = rawStream(spec.lookup(PDFName.of('EF'), PDFDict).lookup(PDFName.of('F')));
    expect(file.dict.get(PDFName.of('Subtype'))).toBe(PDFName.of('text/xml'));
    expect(file.dict.lookup(PDFName.of('Params'), PDFDict).has(PDFName.of('ModDate'))).toBe(true);
    expect(new TextDecoder().decode(streamBytes(file))).toBe(buildFacturXXml(doc));
    expect(pdfText(s.embeddedNames?.get(0))).toBe(FACTURX_FILENAME);
  });

  it('declares PDF/A-3B and Factur-X EN 16931 in an unfiltered XMP packet with the extension schema', async () => {
    const s = await structure(await render(frenchInvoice()));
    expect(s.metadataFiltered).toBe(false);
    expect(s.xmp).toMatch(/^<\?xpacket begin="\ufeff"/);
    expect(s.xmp).toMatch(/<pdfaid:part>3<\/pdfaid:part>\s*<pdfaid:conformance>B<\/pdfaid:conformance>/);
    expect(s.xmp).toContain('<fx:DocumentType>INVOICE</fx:DocumentType>');
    expect(s.xmp).toContain('<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>');
    expect(s.xmp).toContain('<fx:Version>1.0</fx:Version>');
    expect(s.xmp).toContain('<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>');
    expect(s.xmp).toContain('<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>');
    for (const property of ['DocumentFileName', 'DocumentType', 'Version', 'ConformanceLevel']) {
      expect(s.xmp).toContain(`<pdfaProperty:name>${property}</pdfaProperty:name>`);
    }
    // The Info dictionary and the XMP agree (PDF/A 6.6.2.3): title, author, creation date.
    expect(s.xmp).toContain('<rdf:li xml:lang="x-default">Facture F-2026-000042</rdf:li>');
    expect(s.pdf.getTitle()).toBe('Facture F-2026-000042');
    expect(s.xmp).toContain('<xmp:CreateDate>2026-04-01T08:00:00Z</xmp:CreateDate>');
    expect(s.pdf.getCreationDate()?.toISOString()).toBe('2026-04-01T08:00:00.000Z');
    expect(s.xmp).toContain('<rdf:li>OPTIMA FRANCE (SOFY)</rdf:li>');
    expect(s.pdf.getAuthor()).toBe('OPTIMA FRANCE (SOFY)');
  });

  it('has the sRGB output intent, a document ID, no encryption, PDF 1.7 with a binary header line', async () => {
    const s = await structure(await render(frenchInvoice()));
    expect(s.header.startsWith('%PDF-1.7\n%')).toBe(true);
    expect(s.outputIntent.get(PDFName.of('S'))).toBe(PDFName.of('GTS_PDFA1'));
    expect(pdfText(s.outputIntent.get(PDFName.of('OutputConditionIdentifier')))).toBe('sRGB IEC61966-2.1');
    expect(s.profile.dict.get(PDFName.of('N'))?.toString()).toBe('3');
    const icc = streamBytes(s.profile);
    expect(new TextDecoder('latin1').decode(icc.subarray(36, 40))).toBe('acsp'); // the ICC signature
    expect(new TextDecoder('latin1').decode(icc.subarray(16, 20))).toBe('RGB ');
    expect(s.trailerId).toBeInstanceOf(PDFArray);
    expect((s.trailerId as PDFArray).size()).toBe(2);
    expect(s.encrypted).toBe(false);
  });

  it('embeds every font it uses (subset TrueType, CIDToGIDMap, ToUnicode): no standard 14 font', async () => {
    for (const doc of [frenchInvoice(), creditNote()]) {
      const s = await structure(await render(doc));
      expect(s.fonts.length).toBeGreaterThan(0);
      for (const font of s.fonts) {
        const subtype = font.get(PDFName.of('Subtype'));
        expect([PDFName.of('Type0'), PDFName.of('CIDFontType2')]).toContain(subtype);
        if (subtype === PDFName.of('Type0')) expect(font.has(PDFName.of('ToUnicode'))).toBe(true);
        if (subtype === PDFName.of('CIDFontType2')) expect(font.get(PDFName.of('CIDToGIDMap'))).toBe(PDFName.of('Identity'));
      }
      expect(s.descriptors.length).toBeGreaterThan(0);
      for (const descriptor of s.descriptors) {
        expect(descriptor.has(PDFName.of('FontFile2'))).toBe(true);
        expect(descriptor.get(PDFName.of('FontName'))?.toString()).toMatch(/^\/[A-Z]{6}\+DejaVuSans/);
      }
    }
  });

  it('without facturX: still PDF/A-3B, but nothing attached and no Factur-X metadata', async () => {
    const s = await structure(await render(frenchInvoice(), false));
    expect(s.fileSpecs).toHaveLength(0);
    expect(s.xmp).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(s.xmp).not.toContain('fx:');
  });

  it('is reproducible: the same document and creation date give the same bytes (an issued invoice is immutable)', async () => {
    const first = await render(frenchInvoice());
    const second = await render(frenchInvoice());
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    const later = await renderInvoicePdf(frenchInvoice(), { facturX: true, createdAt: new Date('2026-04-02T08:00:00Z') });
    expect(Buffer.from(later).equals(Buffer.from(first))).toBe(false);
  });

  it('refuses an inconsistent document even without Factur-X', async () => {
    const doc = frenchInvoice();
    doc.totals = { ...doc.totals, dueCents: 1 };
    await expect(render(doc, false)).rejects.toThrow(/BR-CO-16/);
  });
});

describe('renderInvoicePdf: the French invoice as a reader sees it (L441-9)', () => {
  it('a French client at 20 %: seller and client identities, number, dates, lines, totals, payment terms, penalties, €40, discount', async () => {
    const [page, ...more] = await pageTexts(await render(frenchInvoice()));
    expect(more).toHaveLength(0);
    for (const expected of [
      'FACTURE',
      'SOFY',
      'OPTIMA FRANCE',
      'SAS au capital de 150 000 € — RCS Paris 919 288 548',
      'N° TVA FR68919288548',
      'N° de facture : F-2026-000042',
      "Date d'émission : 01/04/2026",
      'Période de service : du 01/03/2026 au 31/03/2026',
      "Date d'échéance : 01/05/2026",
      'Boulangeries Dupont & Fils SARL',
      '69002 Lyon',
      'SIREN 552 100 554',
      'N° TVA FR96552100554',
      'SoView — licence mensuelle par point de vente 12 29,00 € 20 % 348,00 €',
      '3 20,58065 € 20 % 61,74 €',
      '1 250 0,045 € 20 % 56,25 €',
      'du 10/03/2026 au 31/03/2026',
      'Base HT TVA 20 % 478,29 €',
      'Montant TVA 20 % 95,66 €',
      'Total HT 478,29 €',
      'Total TTC 573,95 €',
      'Net à payer 573,95 €',
      'Paiement à 30 jours nets : échéance le 01/05/2026.',
      'Mode de règlement : Prélèvement SEPA',
      'Référence unique de mandat (RUM) : SOFY-RUM-000123',
      'Identifiant créancier SEPA (ICS) : FR72ZZZ123456',
      'Escompte de 1 % sur le montant HT pour paiement sous 8 jours calendaires, au plus tard le 09/04/2026 : 4,78 € HT (soit 5,74 € TTC à déduire',
      "Pénalités de retard : 7,86 % l'an (3 fois le taux d'intérêt légal du 1er semestre 2026)",
      'art. L441-10 du Code de commerce',
      'Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : 40,00 €',
      'D441-5',
    ]) {
      expect(page).toContain(expected);
    }
    expect(page).not.toMatch(/Page \d/); // one page: no page number
    expect(page).not.toContain('Autoliquidation');
  });

  it('a German client under reverse charge: 0 % AE and the article 196 mention, transfer details', async () => {
    const [page] = await pageTexts(await render(germanReverseChargeInvoice()));
    expect(page).toContain('Bäckerei Müller GmbH');
    expect(page).toContain('Allemagne');
    expect(page).toContain('N° TVA DE136695976');
    expect(page).toContain('Base HT TVA 0 % (AE) 231,80 €');
    expect(page).toContain('Autoliquidation — article 196 de la directive 2006/112/CE');
    expect(page).toContain('Mode de règlement : Virement SEPA');
    expect(page).toContain('IBAN : FR76 3000 6000 0112 3456 7890 189 — BIC : AGRIFRPPXXX');
    expect(page).toContain('Référence à rappeler : F-2026-000043');
    expect(page).toContain('au plus tard le 09/04/2026 : 2,32 € HT.'); // no VAT to reduce
  });

  it('a Swiss client: no VAT under article 259-1, the amount already paid, no discount, the suspension note', async () => {
    const [page] = await pageTexts(await render(swissInvoice()));
    expect(page).toContain('Suisse');
    expect(page).toContain('TVA non applicable — article 259-1 du CGI');
    expect(page).toContain('Déjà réglé -100,00 €');
    expect(page).toContain('Net à payer 350,00 €');
    expect(page).toContain("Pas d'escompte pour paiement anticipé.");
    expect(page).toContain('Service suspendu pour impayé du 12/03/2026 au 18/03/2026');
    expect(page).toContain('Mode de règlement : Virement bancaire');
  });

  it('a credit note: AVOIR, the corrected invoice, the amount to credit, no penalty clauses', async () => {
    const [page] = await pageTexts(await render(creditNote()));
    expect(page).toContain('AVOIR');
    expect(page).not.toContain('FACTURE');
    expect(page).toContain("N° d'avoir : A-2026-000007");
    expect(page).toContain("Facture d'origine : F-2026-000042 du 01/04/2026");
    expect(page).toContain("Total TTC de l'avoir 10,80 €");
    expect(page).toContain('Montant à créditer 10,80 €');
    expect(page).toContain('Règlement Montant porté au crédit du client.');
    expect(page).not.toContain('Pénalités de retard');
    expect(page).not.toContain('Indemnité forfaitaire');
  });

  it('60 lines: several pages, numbered, the table header repeated, every line and the legal footer on each page', async () => {
    const bytes = await render(sixtyLineInvoice());
    const pages = await pageTexts(bytes);
    expect(pages.length).toBeGreaterThan(1);
    expect((await structure(bytes)).pageCount).toBe(pages.length);
    pages.forEach((page, index) => {
      expect(page).toContain(`Page ${index + 1} / ${pages.length}`);
      expect(page).toContain('OPTIMA FRANCE (SOFY) — SAS au capital de 150 000 € — RCS Paris 919 288 548');
      if (index > 0) expect(page).toContain('Facture n° F-2026-000045 (suite)');
    });
    const all = pages.join(' ');
    for (let number = 1; number <= 60; number += 1) expect(all).toContain(`point de vente n° ${number} (`);
    expect(pages[1]).toContain('Désignation Qté P.U. HT TVA Total HT');
    expect(all).toContain('Total HT 1 800,00 €');
    expect(all).toContain('Net à payer 2 160,00 €');
    expect(all).toContain('Indemnité forfaitaire pour frais de recouvrement');
  });
});
