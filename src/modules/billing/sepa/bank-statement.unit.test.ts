import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type OpenInvoice,
  StatementFormatError,
  decodeStatement,
  decodeWindows1252,
  extractInvoiceNumbers,
  labelNamesClient,
  matchPayments,
  parseBankStatement,
  parseStatementAmount,
  parseStatementDate,
  partitionNewLines,
} from './bank-statement.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/statements/${name}`, import.meta.url));

describe('decoding (UTF-8 with or without BOM, Windows-1252)', () => {
  it('recognises each encoding and decodes accents and the euro sign', () => {
    const text = 'Crédit;Solde 12 €';
    const utf8 = new TextEncoder().encode(text);
    expect(decodeStatement(utf8)).toEqual({ text, encoding: 'utf-8' });
    expect(decodeStatement(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]))).toEqual({ text, encoding: 'utf-8-bom' });
    // Windows-1252: é = 0xE9, € = 0x80 (ISO-8859-1 would give a C1 control instead of €).
    const cp1252 = new Uint8Array([...Buffer.from('Cr'), 0xe9, ...Buffer.from('dit;Solde 12 '), 0x80]);
    expect(decodeStatement(cp1252)).toEqual({ text, encoding: 'windows-1252' });
    // The typographic quote and œ of a Word-pasted label (0x92, 0x9C) survive too.
    expect(decodeWindows1252(new Uint8Array([0x4c, 0x92, 0x9c, 0x69, 0x6c]))).toBe('L\u2019\u0153il');
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
    expect(decodeStatement(utf16)).toEqual({ text, encoding: 'utf-16le' });
  });
});

describe('values as French banks write them', () => {
  it.each([
    ['1 200,00', 120_000],
    ['1\u00a0200,00', 120_000],
    ['1\u202f200,00 €', 120_000],
    ['1.200,00', 120_000],
    ['1,200.00', 120_000],
    ['1200.5', 120_050],
    ['1200', 120_000],
    ['1.200', 120_000],
    ['0,01', 1],
    ['-59,99', -5_999],
    ['59,99-', -5_999],
    ['(59,99)', -5_999],
    ['+1 022,86 EUR', 102_286],
    ['−8,00', -800],
  ])('reads %j as %i cents', (text, cents) => {
    expect(parseStatementAmount(text)).toBe(cents);
  });

  it.each(['', 'abc', '12,3,4', '1,2345', '12..50', '1 20,00', '€'])('refuses %j', (text) => {
    expect(parseStatementAmount(text)).toBeNull();
  });

  it('reads French and ISO dates, with or without a time', () => {
    expect(parseStatementDate('02/03/2026')).toBe('2026-03-02');
    expect(parseStatementDate('2/3/2026')).toBe('2026-03-02');
    expect(parseStatementDate('02-03-2026')).toBe('2026-03-02');
    expect(parseStatementDate('02.03.26')).toBe('2026-03-02');
    expect(parseStatementDate('2026-03-02')).toBe('2026-03-02');
    expect(parseStatementDate('2026-03-02 09:14:11')).toBe('2026-03-02');
    expect(parseStatementDate('2026-03-02T09:14:11Z')).toBe('2026-03-02');
    expect(parseStatementDate('31/02/2026')).toBeNull();
    expect(parseStatementDate('03/2026')).toBeNull();
    expect(parseStatementDate('hier')).toBeNull();
  });
});

describe('Crédit Agricole-like export (Windows-1252, ";", preamble, Débit/Crédit, multi-line labels)', () => {
  const statement = parseBankStatement(fixture('credit-agricole-2026-03.csv'));

  it('finds the encoding, the separator and the header below the preamble', () => {
    expect(statement.encoding).toBe('windows-1252');
    expect(statement.separator).toBe(';');
    expect(statement.headerLine).toBe(8);
    expect(statement.header.slice(0, 4)).toEqual(['Date', 'Libellé', 'Débit euros', 'Crédit euros']);
    expect(statement.columns).toMatchObject({ date: 0, label: [1], debit: 2, credit: 3, amount: null });
  });

  it('returns the credits with the file line where each starts, and skips the debits', () => {
    expect(statement.lines.map((line) => [line.line, line.date, line.amountCents])).toEqual([
      [9, '2026-03-02', 120_000],
      [13, '2026-03-05', 50_000],
      [15, '2026-03-09', 34_800],
      [17, '2026-03-10', 150_000],
      [20, '2026-03-13', 9_900],
    ]);
    expect(statement.lines[1]!.label).toBe('VIR SEPA RECU /DE GARAGE MÜLLER & FILS /MOTIF FACTURE FA 2026 124 ACOMPTE');
    expect(statement.skipped).toEqual([
      { line: 11, reason: 'debit' },
      { line: 19, reason: 'debit' },
    ]);
    expect(statement.errors).toEqual([]);
  });
});

describe('BNP-like export (UTF-8 with BOM, ";", one signed column)', () => {
  const statement = parseBankStatement(fixture('bnp-2026-03.csv'));

  it('joins the short and long labels and keeps the signed credits', () => {
    expect(statement.encoding).toBe('utf-8-bom');
    expect(statement.header[0]).toBe('Date operation');
    expect(statement.columns).toMatchObject({ date: 0, label: [1, 3], amount: 4 });
    expect(statement.lines.map((line) => [line.line, line.amountCents])).toEqual([
      [3, 61_080],
      [5, 102_286],
      [6, 102_286],
      [7, 100_000],
    ]);
    expect(statement.lines[0]!.label).toBe('VIR SEPA RECU DE: OPTIQUE LUMIÈRE SARL MOTIF: FA-2026-000140');
    expect(statement.skipped).toEqual([{ line: 4, reason: 'debit' }]);
  });

  it('tells two identical transfers of one day apart', () => {
    const [, first, second] = statement.lines;
    expect(first!.label).toBe(second!.label);
    expect(first!.fingerprint).not.toBe(second!.fingerprint);
  });
});

describe('Qonto-like export (UTF-8, ",", ISO date-times, decimal point, status)', () => {
  const statement = parseBankStatement(fixture('qonto-2026-03.csv'));

  it('uses the settlement date, counterparty and reference, and skips declined operations', () => {
    expect(statement.separator).toBe(',');
    expect(statement.columns).toMatchObject({ date: 1, amount: 3, currency: 4, counterparty: 5, reference: 7, status: 0 });
    expect(statement.lines.map((line) => [line.line, line.date, line.amountCents, line.counterparty, line.reference])).toEqual([
      [2, '2026-03-02', 6_174, 'FLEURS DE SAISON', 'FA-2026-000150'],
      [5, '2026-03-05', 104_400, 'SALON COIFFURE ELLE', 'Facture fa2026151'],
      [6, '2026-03-06', 25_000, 'PRESSING DE LA PAIX', 'virement'],
    ]);
    expect(statement.skipped).toEqual([
      { line: 3, reason: 'debit' },
      { line: 4, reason: 'not_settled' },
    ]);
  });
});

describe('malformed lines', () => {
  it('reports each bad line with its number and reason, and keeps the good ones', () => {
    const statement = parseBankStatement(fixture('malformed.csv'));
    expect(statement.lines.map((line) => line.line)).toEqual([2]);
    expect(statement.errors.map((error) => [error.line, error.reason])).toEqual([
      [4, 'bad_date'],
      [5, 'bad_amount'],
      [6, 'missing_amount'],
      [7, 'bad_amount'],
      [8, 'bad_date'],
      [9, 'missing_amount'],
    ]);
    expect(statement.errors[1]!.message).toBe('not an amount: "12,3,4"');
    expect(statement.errors[1]!.raw).toBe('02/03/2026;VIR RECU CLIENT C;12,3,4');
    expect(statement.skipped).toEqual([
      { line: 10, reason: 'zero' },
      { line: 11, reason: 'summary' },
    ]);
  });

  it('reports a line with both a debit and a credit, and a foreign currency', () => {
    const statement = parseBankStatement(
      'Date;Libellé;Débit;Crédit;Devise\n01/03/2026;A;10,00;20,00;EUR\n02/03/2026;B;;20,00;USD\n03/03/2026;C;;;EUR\n',
    );
    expect(statement.errors.map((error) => [error.line, error.reason])).toEqual([
      [2, 'debit_and_credit'],
      [3, 'not_euro'],
      [4, 'missing_amount'],
    ]);
  });

  it('refuses a file without a recognisable header, unless told its columns', () => {
    const headerless = '02/03/2026;VIR FA-2026-000123;120,00\n03/03/2026;VIR X;-5,00\n';
    expect(() => parseBankStatement(headerless)).toThrow(StatementFormatError);
    const statement = parseBankStatement(headerless, {
      separator: ';',
      columns: { date: 0, label: [1], amount: 2, debit: null, credit: null, reference: null, counterparty: null, currency: null, status: null },
    });
    expect(statement.lines.map((line) => [line.line, line.amountCents])).toEqual([[1, 12_000]]);
  });

  it('reads "," files whose decimal commas are quoted, and tab-separated files', () => {
    const comma = parseBankStatement('Date,Libellé,Montant\n02/03/2026,"VIR, RECU","1 012,50"\n');
    expect(comma.lines.map((line) => [line.label, line.amountCents])).toEqual([['VIR, RECU', 101_250]]);
    const tabs = parseBankStatement('Date\tLibelle\tMontant\n02/03/2026\tVIR RECU\t12,50\n');
    expect(tabs.separator).toBe('\t');
    expect(tabs.lines[0]!.amountCents).toBe(1_250);
  });
});

describe('duplicate imports', () => {
  it('gives the same fingerprints when the same statement is imported twice, even re-encoded', () => {
    const first = parseBankStatement(fixture('credit-agricole-2026-03.csv'));
    const again = parseBankStatement(fixture('credit-agricole-2026-03.csv'));
    expect(again.lines.map((line) => line.fingerprint)).toEqual(first.lines.map((line) => line.fingerprint));
    const asUtf8 = new TextEncoder().encode(new TextDecoder('windows-1252').decode(fixture('credit-agricole-2026-03.csv')));
    expect(parseBankStatement(asUtf8).lines.map((line) => line.fingerprint)).toEqual(first.lines.map((line) => line.fingerprint));

    const known = new Set(first.lines.map((line) => line.fingerprint));
    expect(partitionNewLines(again.lines, known)).toEqual({ fresh: [], alreadyImported: again.lines });
  });

  it('imports only the new operations of an overlapping export', () => {
    const march = parseBankStatement('Date;Libellé;Montant\n01/03/2026;VIR A;10,00\n02/03/2026;VIR B;20,00\n');
    const overlapping = parseBankStatement('Date;Libellé;Montant\n02/03/2026;VIR B;20,00\n03/03/2026;VIR C;30,00\n');
    const { fresh, alreadyImported } = partitionNewLines(overlapping.lines, new Set(march.lines.map((line) => line.fingerprint)));
    expect(fresh.map((line) => line.label)).toEqual(['VIR C']);
    expect(alreadyImported.map((line) => line.label)).toEqual(['VIR B']);
  });

  it('changes the fingerprint when the date, amount or label differs', () => {
    const [a, b, c, d] = parseBankStatement(
      'Date;Libellé;Montant\n01/03/2026;VIR A;10,00\n02/03/2026;VIR A;10,00\n01/03/2026;VIR A;10,01\n01/03/2026;VIR B;10,00\n',
    ).lines;
    expect(new Set([a!.fingerprint, b!.fingerprint, c!.fingerprint, d!.fingerprint]).size).toBe(4);
  });
});

describe('invoice numbers in labels', () => {
  it.each([
    ['VIR /MOTIF FA-2026-000123', ['FA-2026-000123']],
    ['FA 2026 000123', ['FA-2026-000123']],
    ['FA2026000123', ['FA-2026-000123']],
    ['fa-2026-123', ['FA-2026-000123']],
    ['FA/2026/000123', ['FA-2026-000123']],
    ['FA_2026_000123', ['FA-2026-000123']],
    ['MOTIF:FA 2026-000123.', ['FA-2026-000123']],
    ['FA2026000130 ET FA2026000131', ['FA-2026-000130', 'FA-2026-000131']],
    ['FA-2026-000123 FA 2026 123', ['FA-2026-000123']],
  ])('reads %j', (label, numbers) => {
    expect(extractInvoiceNumbers(label)).toEqual(numbers);
  });

  it.each(['FA-2026-0001234', 'XFA2026000123', 'FA-1999-000123', 'FACTURE MARS', 'SOFA 2026 12'])('finds none in %j', (label) => {
    expect(extractInvoiceNumbers(label)).toEqual([]);
  });

  it('recognises a client named in a label, legal forms, accents and truncation aside', () => {
    expect(labelNamesClient('VIR SEPA RECU /DE PHARMACIE DE LA GARE', 'Pharmacie de la Gare SELARL')).toBe(true);
    expect(labelNamesClient('VIR DE: GARAGE MULLER ET FILS', 'Garage Müller & Fils')).toBe(true);
    expect(labelNamesClient('VIR /DE BOULANGERIE DUPON', 'Boulangerie Dupont')).toBe(true);
    expect(labelNamesClient('VIR BOULANGERIEDUPONT', 'Boulangerie Dupont')).toBe(true);
    expect(labelNamesClient('VIR /DE BOULANGERIE MARTIN', 'Boulangerie Dupont')).toBe(false);
    expect(labelNamesClient('VIR SAS', 'SAS')).toBe(false);
  });
});

describe('matching payments to invoices (R-PAYMENT)', () => {
  const invoice = (id: string, number: string, clientName: string, outstandingCents: number, extra: Partial<OpenInvoice> = {}) => ({
    id,
    number,
    clientName,
    outstandingCents,
    ...extra,
  });

  it('matches the Crédit Agricole statement: full, partial, by amount and name, split, over, discount', () => {
    const lines = parseBankStatement(fixture('credit-agricole-2026-03.csv')).lines;
    const report = matchPayments(lines, [
      invoice('i123', 'FA-2026-000123', 'Boulangerie Dupont SAS', 120_000),
      invoice('i124', 'FA-2026-000124', 'Garage Müller & Fils', 150_000),
      invoice('i127', 'FA-2026-000127', 'Pharmacie de la Gare', 34_800),
      invoice('i128', 'FA-2026-000128', 'Optique Lumière', 34_800),
      invoice('i130', 'FA-2026-000130', 'Café des Sports', 60_000),
      invoice('i131', 'FA-2026-000131', 'Café des Sports', 80_000),
      invoice('i135', 'FA-2026-000135', "Fleuriste l'Été", 10_000, {
        discountedOutstandingCents: 9_900,
        discountDeadline: '2026-03-14',
      }),
    ]);
    expect(report.unmatched).toEqual([]);
    expect(
      report.matched.map((match) => [
        match.line.line,
        match.method,
        match.allocations.map((a) => [a.invoiceNumber, a.amountCents, a.outcome, a.remainingCents, a.discountCents]),
        match.overpaymentCents,
      ]),
    ).toEqual([
      [9, 'invoice_number', [['FA-2026-000123', 120_000, 'full', 0, 0]], 0],
      [13, 'invoice_number', [['FA-2026-000124', 50_000, 'partial', 100_000, 0]], 0],
      [15, 'amount_and_name', [['FA-2026-000127', 34_800, 'full', 0, 0]], 0],
      [
        17,
        'invoice_number',
        [
          ['FA-2026-000130', 60_000, 'full', 0, 0],
          ['FA-2026-000131', 80_000, 'over', 0, 0],
        ],
        10_000,
      ],
      [20, 'invoice_number', [['FA-2026-000135', 9_900, 'full', 0, 100]], 0],
    ]);
    expect(report.invoices.find((settlement) => settlement.invoiceId === 'i124')).toEqual({
      invoiceId: 'i124',
      paidCents: 50_000,
      discountCents: 0,
      remainingCents: 100_000,
      status: 'partially_paid',
    });
    expect(report.invoices.find((settlement) => settlement.invoiceId === 'i128')?.status).toBe('open');
    expect(report.invoices.find((settlement) => settlement.invoiceId === 'i135')).toMatchObject({ status: 'paid', discountCents: 100 });
  });

  it('grants the early-payment discount only up to the deadline', () => {
    const late = parseBankStatement('Date;Libellé;Montant\n15/03/2026;VIR FA-2026-000135;99,00\n').lines;
    const report = matchPayments(late, [
      invoice('i135', 'FA-2026-000135', 'Fleuriste', 10_000, { discountedOutstandingCents: 9_900, discountDeadline: '2026-03-14' }),
    ]);
    expect(report.matched[0]!.allocations[0]).toMatchObject({ outcome: 'partial', remainingCents: 100, discountCents: 0 });
  });

  it('matches the BNP statement and leaves a second identical transfer for manual matching', () => {
    const lines = parseBankStatement(fixture('bnp-2026-03.csv')).lines;
    const report = matchPayments(lines, [
      invoice('i140', 'FA-2026-000140', 'Optique Lumière SARL', 61_080),
      invoice('i141', 'FA-2026-000141', 'Auto-école du Centre', 80_000),
      invoice('i142', 'FA-2026-000142', 'Institut Beauté Zen', 102_286),
    ]);
    expect(report.matched.map((match) => [match.line.line, match.method, match.allocations[0]!.outcome, match.overpaymentCents])).toEqual([
      [3, 'invoice_number', 'full', 0],
      [5, 'amount_and_name', 'full', 0],
      [7, 'invoice_number', 'over', 20_000],
    ]);
    expect(report.unmatched).toEqual([
      { line: lines[2], reason: 'no_invoice_reference', mentionedNumbers: [], candidateInvoiceIds: [] },
    ]);
  });

  it('matches the Qonto statement and reports an ambiguous payment with its candidates', () => {
    const lines = parseBankStatement(fixture('qonto-2026-03.csv')).lines;
    const report = matchPayments(lines, [
      invoice('i150', 'FA-2026-000150', 'Fleurs de Saison', 6_174),
      invoice('i151', 'FA-2026-000151', 'Salon Coiffure Elle', 104_400),
      invoice('i152', 'FA-2026-000152', 'Pressing de la Paix', 25_000),
      invoice('i153', 'FA-2026-000153', 'Pressing de la Paix', 25_000),
    ]);
    expect(report.matched.map((match) => [match.line.line, match.allocations[0]!.invoiceId, match.allocations[0]!.outcome])).toEqual([
      [2, 'i150', 'full'],
      [5, 'i151', 'full'],
    ]);
    expect(report.unmatched.map((entry) => [entry.line.line, entry.reason, entry.candidateInvoiceIds])).toEqual([
      [6, 'ambiguous', ['i152', 'i153']],
    ]);
  });

  it('does not match on amount alone, and suggests the invoices of that amount', () => {
    const lines = parseBankStatement('Date;Libellé;Montant\n02/03/2026;VIR SEPA RECU /DE M DURAND;348,00\n').lines;
    const report = matchPayments(lines, [invoice('i127', 'FA-2026-000127', 'Pharmacie de la Gare', 34_800)]);
    expect(report.matched).toEqual([]);
    expect(report.unmatched).toEqual([
      { line: lines[0], reason: 'no_invoice_reference', mentionedNumbers: [], candidateInvoiceIds: ['i127'] },
    ]);
  });

  it('flags a transfer naming an invoice that is no longer open', () => {
    const lines = parseBankStatement(
      'Date;Libellé;Montant\n02/03/2026;VIR FA-2026-000123;100,00\n03/03/2026;VIR FA-2026-000123;100,00\n04/03/2026;VIR FA-2026-000999;5,00\n',
    ).lines;
    const report = matchPayments(lines, [invoice('i123', 'FA-2026-000123', 'Boulangerie Dupont', 10_000)]);
    expect(report.matched.map((match) => match.line.line)).toEqual([2]);
    expect(report.unmatched.map((entry) => [entry.line.line, entry.reason, entry.mentionedNumbers])).toEqual([
      [3, 'invoice_not_open', ['FA-2026-000123']],
      [4, 'invoice_not_open', ['FA-2026-000999']],
    ]);
  });

  it('applies successive partial payments in date order, whatever the file order', () => {
    const lines = parseBankStatement(
      'Date;Libellé;Montant\n10/03/2026;VIR FA-2026-000124 SOLDE;1 000,00\n05/03/2026;VIR FA-2026-000124 ACOMPTE;500,00\n',
    ).lines;
    const report = matchPayments(lines, [invoice('i124', 'FA-2026-000124', 'Garage', 150_000)]);
    expect(report.matched.map((match) => [match.line.date, match.allocations[0]!.outcome, match.allocations[0]!.remainingCents])).toEqual([
      ['2026-03-05', 'partial', 100_000],
      ['2026-03-10', 'full', 0],
    ]);
    expect(report.invoices[0]).toMatchObject({ paidCents: 150_000, remainingCents: 0, status: 'paid' });
  });

  it('matches invoice numbers of another series by their compact form', () => {
    const lines = parseBankStatement('Date;Libellé;Montant\n02/03/2026;VIR REGLEMENT F 2025/0042;50,00\n').lines;
    const report = matchPayments(lines, [invoice('old', 'F2025/0042', 'Client', 5_000)]);
    expect(report.matched[0]).toMatchObject({ method: 'invoice_number', allocations: [{ invoiceId: 'old', outcome: 'full' }] });
  });
});
