import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.ts';
import { type Pain008Collection, type Pain008Input, buildPain008, escapeXml, formatAmount, validatePain008Input } from './pain008.ts';

const XSD_DIR = new URL('./fixtures/xsd/', import.meta.url);
const xsd = (name: string) => readFileSync(new URL(name, XSD_DIR), 'utf8');

/** Validates with libxml2 (compiled to WASM) against an XSD fixture; answers the error messages. */
async function schemaErrors(xml: string, schemaFile: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'batch.xml', contents: xml }],
    schema: [{ fileName: 'schema.xsd', contents: xsd(schemaFile) }],
  });
  return result.valid ? [] : result.errors.map((error) => error.message);
}

const CREDITOR = { name: 'SOFY SAS', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP882', ics: 'FR72ZZZ123456' };

function collection(overrides: Partial<Pain008Collection> = {}): Pain008Collection {
  return {
    invoiceNumber: 'FA-2026-000123',
    amountCents: 34_800,
    collectionDate: '2026-03-16',
    preNotifiedOn: '2026-03-01',
    mandate: { rum: 'SOFY-C000123-M1', kind: 'recurrent', signedOn: '2025-11-20', lastCollectionOn: '2026-02-16' },
    debtor: { name: 'Boulangerie Dupont', iban: 'FR1420041010050500013M02606' },
    ...overrides,
  };
}

function input(collections: Pain008Collection[], overrides: Partial<Pain008Input> = {}): Pain008Input {
  return {
    messageId: 'SOFY-DD-20260301-1',
    createdAt: new Date('2026-03-01T08:30:00Z'),
    initiatingPartyName: 'SOFY SAS',
    creditor: CREDITOR,
    collections,
    ...overrides,
  };
}

/** A batch that exercises every branch of the output: four sequence types, two dates, BIC or not, a Swiss debtor. */
const RICH: Pain008Collection[] = [
  collection({
    invoiceNumber: 'FA-2026-000201',
    amountCents: 6_174,
    mandate: { rum: 'SOFY-C000201-M1', kind: 'recurrent', signedOn: '2026-02-10', lastCollectionOn: null },
    debtor: { name: "Pâtisserie L'Épi d'Or & Fils", iban: 'FR1420041010050500013M02606', bic: 'PSSTFRPPPAR' },
  }),
  collection({ invoiceNumber: 'FA-2026-000202', amountCents: 102_286 }),
  collection({
    invoiceNumber: 'FA-2026-000203',
    amountCents: 1,
    collectionDate: '2026-03-20',
    preNotifiedOn: '2026-03-06',
    mandate: { rum: 'SOFY-C000203-M2', kind: 'recurrent', signedOn: '2024-06-01', lastCollectionOn: '2026-02-20' },
    final: true,
    debtor: { name: 'Müller GmbH', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
  }),
  collection({
    invoiceNumber: 'FA-2026-000204',
    amountCents: 120_000,
    collectionDate: '2026-03-20',
    preNotifiedOn: '2026-03-06',
    mandate: { rum: 'SOFY-C000204-OOFF', kind: 'one_off', signedOn: '2026-03-02', lastCollectionOn: null },
    debtor: {
      name: 'Zürcher Bäckerei AG',
      iban: 'CH9300762011623852957',
      bic: 'UBSWCHZH80A',
      address: { country: 'CH', streetLine: 'Bahnhofstrasse 1', postCode: '8001', town: 'Zürich' },
    },
  }),
];

describe('pain.008 output against the official XSDs (R-PAYMENT)', () => {
  it('pain.008.001.02 is valid for the ISO 20022 schema and the EPC-restricted (DK) schema', async () => {
    const file = buildPain008(input(RICH, { batchBooking: true }));
    expect(file.xml).toContain('xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"');
    expect(await schemaErrors(file.xml, 'pain.008.001.02.xsd')).toEqual([]);
    expect(await schemaErrors(file.xml, 'pain.008.001.02.dk-epc.xsd')).toEqual([]);
  });

  it('pain.008.001.08 is valid for its ISO 20022 schema, with BICFI and a hybrid address', async () => {
    const file = buildPain008(input(RICH, { version: 'pain.008.001.08' }));
    expect(file.xml).toContain('xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"');
    expect(file.xml).toContain('<BICFI>COBADEFFXXX</BICFI>');
    expect(file.xml).not.toContain('<BIC>');
    expect(file.xml).toMatch(/<PstCd>8001<\/PstCd>\s*<TwnNm>Zurich<\/TwnNm>\s*<Ctry>CH<\/Ctry>/);
    expect(await schemaErrors(file.xml, 'pain.008.001.08.xsd')).toEqual([]);
  });

  it('the schema check itself rejects a broken file (the oracle is live)', async () => {
    const xml = buildPain008(input(RICH)).xml;
    expect(await schemaErrors(xml.replace('<SeqTp>FRST</SeqTp>', '<SeqTp>FIRST</SeqTp>'), 'pain.008.001.02.xsd')).not.toEqual([]);
    expect(await schemaErrors(xml.replace('<ReqdColltnDt>2026-03-16', '<ReqdColltnDt>16/03/2026'), 'pain.008.001.02.xsd')).not.toEqual([]);
    // The EPC profile refuses what ISO alone allows: no mandate id, 3 decimals, a currency other than EUR.
    const noMandateId = xml.replace(/<MndtId>[^<]*<\/MndtId>/, '');
    expect(await schemaErrors(noMandateId, 'pain.008.001.02.xsd')).toEqual([]);
    expect(await schemaErrors(noMandateId, 'pain.008.001.02.dk-epc.xsd')).not.toEqual([]);
    const thousandths = xml.replace('<InstdAmt Ccy="EUR">61.74<', '<InstdAmt Ccy="EUR">61.745<');
    expect(await schemaErrors(thousandths, 'pain.008.001.02.xsd')).toEqual([]);
    expect(await schemaErrors(thousandths, 'pain.008.001.02.dk-epc.xsd')).not.toEqual([]);
    const dollars = xml.replace('<InstdAmt Ccy="EUR">61.74', '<InstdAmt Ccy="USD">61.74');
    expect(await schemaErrors(dollars, 'pain.008.001.02.xsd')).toEqual([]);
    expect(await schemaErrors(dollars, 'pain.008.001.02.dk-epc.xsd')).not.toEqual([]);
  });
});

describe('group header, blocks and control sums', () => {
  const file = buildPain008(input(RICH));
  const tagValues = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!);

  it('counts and sums in integer cents, header and blocks agreeing', () => {
    expect(file.numberOfTransactions).toBe(4);
    expect(file.controlSumCents).toBe(6_174 + 102_286 + 1 + 120_000);
    const [headerCount, ...blockCounts] = tagValues(file.xml, 'NbOfTxs');
    const [headerSum, ...blockSums] = tagValues(file.xml, 'CtrlSum');
    expect(headerCount).toBe('4');
    expect(headerSum).toBe('2284.61');
    expect(blockCounts.map(Number).reduce((a, b) => a + b, 0)).toBe(4);
    expect(blockSums).toEqual(['61.74', '1022.86', '0.01', '1200.00']);
    expect(tagValues(file.xml, 'InstdAmt')).toEqual(['61.74', '1022.86', '0.01', '1200.00']);
  });

  it('has one block per collection date and sequence type, dates ascending, FRST before RCUR', () => {
    expect(file.paymentInformations.map((block) => [block.collectionDate, block.sequenceType, block.endToEndIds])).toEqual([
      ['2026-03-16', 'FRST', ['FA-2026-000201']],
      ['2026-03-16', 'RCUR', ['FA-2026-000202']],
      ['2026-03-20', 'FNAL', ['FA-2026-000203']],
      ['2026-03-20', 'OOFF', ['FA-2026-000204']],
    ]);
    expect(tagValues(file.xml, 'SeqTp')).toEqual(['FRST', 'RCUR', 'FNAL', 'OOFF']);
    expect(tagValues(file.xml, 'ReqdColltnDt')).toEqual(['2026-03-16', '2026-03-16', '2026-03-20', '2026-03-20']);
    const ids = tagValues(file.xml, 'PmtInfId');
    expect(new Set(ids).size).toBe(4);
    expect(ids[0]).toBe('SOFY-DD-20260301-1-1');
  });

  it('keeps collections of one date and sequence in one block, in input order', () => {
    const many = buildPain008(
      input([
        collection({ invoiceNumber: 'FA-2026-000010', amountCents: 10 }),
        collection({ invoiceNumber: 'FA-2026-000011', amountCents: 20, collectionDate: '2026-03-17', preNotifiedOn: '2026-03-02' }),
        collection({ invoiceNumber: 'FA-2026-000012', amountCents: 30 }),
      ]),
    );
    expect(many.paymentInformations.map((block) => [block.endToEndIds, block.controlSumCents])).toEqual([
      [['FA-2026-000010', 'FA-2026-000012'], 40],
      [['FA-2026-000011'], 20],
    ]);
  });

  it('writes every mandatory element of a SEPA Core collection', () => {
    const xml = file.xml;
    for (const fragment of [
      '<MsgId>SOFY-DD-20260301-1</MsgId>',
      '<CreDtTm>2026-03-01T08:30:00Z</CreDtTm>',
      '<InitgPty>',
      '<PmtMtd>DD</PmtMtd>',
      '<Cd>SEPA</Cd>',
      '<Cd>CORE</Cd>',
      '<ChrgBr>SLEV</ChrgBr>',
      '<Id>FR72ZZZ123456</Id>',
      '<Prtry>SEPA</Prtry>',
      '<IBAN>FR7630006000011234567890189</IBAN>',
      '<BIC>AGRIFRPP882</BIC>',
      '<EndToEndId>FA-2026-000202</EndToEndId>',
      '<MndtId>SOFY-C000123-M1</MndtId>',
      '<DtOfSgntr>2025-11-20</DtOfSgntr>',
      '<Ustrd>Facture FA-2026-000202</Ustrd>',
    ]) {
      expect(xml).toContain(fragment);
    }
    // No BIC for the second debtor: NOTPROVIDED, as the EPC rules say.
    expect(xml).toMatch(/<EndToEndId>FA-2026-000202<\/EndToEndId>[\s\S]*?<Othr>\s*<Id>NOTPROVIDED<\/Id>/);
  });
});

describe('FRST / RCUR selection from the mandate history', () => {
  it('sends FRST for a mandate never collected and RCUR for one already used', () => {
    const file = buildPain008(
      input([
        collection({
          invoiceNumber: 'FA-2026-000301',
          mandate: { rum: 'M-NEW', kind: 'recurrent', signedOn: '2026-02-01', lastCollectionOn: null },
        }),
        collection({
          invoiceNumber: 'FA-2026-000302',
          mandate: { rum: 'M-OLD', kind: 'recurrent', signedOn: '2025-02-01', lastCollectionOn: '2026-02-16' },
        }),
      ]),
    );
    expect(file.paymentInformations.map((block) => [block.sequenceType, block.endToEndIds[0]])).toEqual([
      ['FRST', 'FA-2026-000301'],
      ['RCUR', 'FA-2026-000302'],
    ]);
  });

  it('refuses a mandate unused for 36 months', () => {
    const errors = validatePain008Input(
      input([collection({ mandate: { rum: 'M-LAPSED', kind: 'recurrent', signedOn: '2022-01-10', lastCollectionOn: '2023-03-16' } })]),
    );
    expect(errors).toEqual([{ path: '/collections/0/mandate', message: expect.stringContaining('lapsed on 2026-03-16') }]);
  });
});

describe('refusals list every bad item', () => {
  it('reports each invalid field with its JSON pointer, and builds nothing', () => {
    const bad = input(
      [
        collection({ invoiceNumber: 'FA-2026-000401', amountCents: 0, debtor: { name: 'Dupont', iban: 'FR1420041010050500013M02607' } }),
        collection({ invoiceNumber: 'FA-2026-000401', amountCents: 12.5 }),
        collection({ invoiceNumber: 'FA_2026_000403', preNotifiedOn: '2026-03-03' }),
        collection({
          invoiceNumber: 'FA-2026-000404',
          mandate: { rum: 'R'.repeat(36), kind: 'recurrent', signedOn: '2025-01-01', lastCollectionOn: null },
          debtor: { name: '株式会社', iban: 'GB29NWBK60161331926819' },
        }),
        collection({ invoiceNumber: 'FA-2026-000405', collectionDate: '2026-02-27', preNotifiedOn: '2026-02-01' }),
        collection({ invoiceNumber: 'FA-2026-000406', debtor: { name: 'Dupont', iban: 'DE89370400440532013000', bic: 'BNPAFRPP' } }),
        collection({ invoiceNumber: 'FA-2026-000407', collectionDate: '2026-03-01', preNotifiedOn: '2026-02-01' }),
      ],
      { creditor: { ...CREDITOR, ics: 'FR73ZZZ123456', bic: 'DEUTDEFF' }, messageId: 'SOFY//BAD' },
    );
    const errors = validatePain008Input(bad);
    expect(errors.map((error) => error.path)).toEqual([
      '/messageId',
      '/creditor/bic',
      '/creditor/ics',
      '/collections/0/amountCents',
      '/collections/0/debtor/iban',
      '/collections/1/invoiceNumber',
      '/collections/1/amountCents',
      '/collections/2/invoiceNumber',
      '/collections/2/preNotifiedOn',
      '/collections/3/mandate/rum',
      '/collections/3/debtor/name',
      '/collections/3/debtor/bic',
      '/collections/3/debtor/address',
      '/collections/4/collectionDate',
      '/collections/5/mandate/rum',
      '/collections/5/debtor/bic',
      '/collections/6/collectionDate',
    ]);
    expect(errors.find((error) => error.path === '/collections/5/mandate/rum')?.message).toContain('another account');
    expect(errors.find((error) => error.path === '/collections/2/preNotifiedOn')?.message).toContain('latest: 2026-03-02');
    expect(errors.find((error) => error.path === '/collections/1/invoiceNumber')?.message).toContain('already collected');

    let thrown: unknown;
    try {
      buildPain008(bad);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ code: 'validation_failed', status: 400, errors });
  });

  it('refuses an empty batch and an unknown version', () => {
    expect(validatePain008Input(input([])).map((error) => error.path)).toEqual(['/collections']);
    expect(
      validatePain008Input(input([collection()], { version: 'pain.008.001.99' as never })).map((error) => error.path),
    ).toEqual(['/version']);
  });
});

describe('text and escaping', () => {
  it('transliterates names to the SEPA set, cuts them to 70 and escapes apostrophes', () => {
    const longName = `Société Coopérative des Boulangers-Pâtissiers Réunis de l'Île-de-France et d'Ailleurs`;
    const file = buildPain008(input([collection({ debtor: { name: longName, iban: 'FR1420041010050500013M02606' } })]));
    const name = /<Dbtr>\s*<Nm>([^<]*)<\/Nm>/.exec(file.xml)![1]!;
    const decoded = name.replace(/&apos;/g, "'");
    expect(decoded).toHaveLength(70);
    expect(decoded).toBe("Societe Cooperative des Boulangers-Patissiers Reunis de l'Ile-de-Franc");
    expect(file.xml).not.toMatch(/&(?!apos;|amp;|lt;|gt;|quot;)/);
  });

  it('escapes the five XML specials and refuses control characters', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
    expect(() => escapeXml('bell\u0007')).toThrow(RangeError);
  });

  it('formats cents exactly', () => {
    expect(formatAmount(1)).toBe('0.01');
    expect(formatAmount(100)).toBe('1.00');
    expect(formatAmount(6_174)).toBe('61.74');
    expect(formatAmount(99_999_999_999)).toBe('999999999.99');
    expect(() => formatAmount(12.5)).toThrow(RangeError);
  });

  it('sums many small amounts without drift', () => {
    const collections = Array.from({ length: 30 }, (_, i) =>
      collection({ invoiceNumber: `FA-2026-${String(500 + i).padStart(6, '0')}`, amountCents: 10 + (i % 3) * 10 }),
    );
    const file = buildPain008(input(collections));
    expect(file.controlSumCents).toBe(600);
    expect(file.xml).toContain('<CtrlSum>6.00</CtrlSum>');
  });
});
