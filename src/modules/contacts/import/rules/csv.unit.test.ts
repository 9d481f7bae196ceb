import { describe, expect, it } from 'vitest';
import { type CsvItem, CsvReader, type CsvReaderOptions, parseFields } from './csv.ts';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** Reads `bytes` pushed in pieces of `piece` bytes (1 = the worst case for chunk boundaries). */
function readAll(bytes: Uint8Array, options: Partial<CsvReaderOptions> = {}, piece = bytes.length || 1): CsvItem[] {
  const reader = new CsvReader({ delimiter: ';', encoding: 'utf-8', ...options });
  const items: CsvItem[] = [];
  for (let i = 0; i < bytes.length; i += piece) items.push(...reader.push(bytes.subarray(i, i + piece)));
  items.push(...reader.end());
  return items;
}

const rows = (items: CsvItem[]) => items.map((item) => (item.kind === 'record' ? item.fields : item.reason));

describe('parseFields', () => {
  it('splits plain, quoted, doubled-quote and empty fields', () => {
    expect(parseFields('a;"b;c";"say ""hi""";;', ';')).toEqual({ fields: ['a', 'b;c', 'say "hi"', '', ''], open: false, loose: false });
  });
  it('reports an unclosed quote and text after a closing quote', () => {
    expect(parseFields('a;"b', ';').open).toBe(true);
    expect(parseFields('"Dupont"x;y', ';')).toEqual({ fields: ['Dupontx', 'y'], open: false, loose: true });
  });
  it('keeps a quote inside an unquoted field as text', () => {
    expect(parseFields('l\'a"b;c', ';').fields).toEqual(['l\'a"b', 'c']);
  });
});

describe('CsvReader', () => {
  const file = 'phone;name\r\n0612345678;"Dupont; Jean"\n\n0698765432;Martin\n';

  it('reads records with their line numbers and next offsets, whatever the chunk boundaries', () => {
    const whole = readAll(utf8(file));
    expect(rows(whole)).toEqual([['phone', 'name'], ['0612345678', 'Dupont; Jean'], ['0698765432', 'Martin']]);
    expect(whole.map((item) => item.line)).toEqual([1, 2, 4]);
    expect(whole.at(-1)?.end).toBe(utf8(file).length);
    for (const piece of [1, 2, 3, 7]) expect(readAll(utf8(file), {}, piece)).toEqual(whole);
  });

  it('skips a UTF-8 BOM and reads a last line without a line end', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('prénom;tel\nÉlodie;06')]);
    const items = readAll(bytes, {}, 1);
    expect(rows(items)).toEqual([['prénom', 'tel'], ['Élodie', '06']]);
    expect(items[1]?.end).toBe(bytes.length);
  });

  it('resumes at a checkpoint offset with no duplicate and no gap', () => {
    const bytes = utf8(file);
    const all = readAll(bytes);
    const second = all[1]!;
    const resumed = readAll(bytes.subarray(second.end), { offset: second.end, line: second.nextLine });
    expect(resumed).toEqual(all.slice(2));
  });

  it('accepts a quoted field over two lines when the record is plausible', () => {
    const items = readAll(utf8('name;address;phone\nDupont;"12 rue X\nParis";0612345678\nMartin;Lyon;0698765432\n'), { columns: 3 });
    expect(rows(items)).toEqual([['name', 'address', 'phone'], ['Dupont', '12 rue X\nParis', '0612345678'], ['Martin', 'Lyon', '0698765432']]);
    expect(items.map((item) => item.line)).toEqual([1, 2, 4]);
  });

  it('reports a broken quote on its line and resyncs on the next line (nothing swallowed)', () => {
    const text = 'phone;name;city\n0612345678;"Dupont;Paris\n0698765432;Martin;Lyon\n0611111111;Durand;"Nice"\n0622222222;Petit;Metz\n';
    for (const piece of [1, 5, 1000]) {
      const items = readAll(utf8(text), { columns: 3 }, piece);
      expect(rows(items)).toEqual([['phone', 'name', 'city'], 'unclosed_quote', ['0698765432', 'Martin', 'Lyon'], ['0611111111', 'Durand', 'Nice'], ['0622222222', 'Petit', 'Metz']]);
      expect(items[1]).toMatchObject({ kind: 'broken', line: 2, raw: '0612345678;"Dupont;Paris' });
    }
  });

  it('does not join a following line that looks like a row even when the quote closes', () => {
    const items = readAll(utf8('a;b;c\n1;2;"x\n4;5;6"\n7;8;9\n'), { columns: 3 });
    expect(rows(items)).toEqual([['a', 'b', 'c'], 'unclosed_quote', ['4', '5', '6"'], ['7', '8', '9']]);
  });

  it('gives up on a quote still open after the line limit', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `06000000${String(i).padStart(2, '0')};n${i}`);
    const items = readAll(utf8(`phone;name\n"0611;x\n${lines.join('\n')}\n`), { columns: 2, maxRecordLines: 5 });
    expect(items.filter((item) => item.kind === 'broken')).toHaveLength(1);
    expect(items.filter((item) => item.kind === 'record')).toHaveLength(31);
  });

  it('repairs a Windows-1252 line inside a UTF-8 file and decodes a Windows-1252 file', () => {
    const mixed = Buffer.concat([utf8('nom;tel\nÉlodie;1\n'), Buffer.from([0x48, 0xe9, 0x6c, 0xe8, 0x6e, 0x65, 0x3b, 0x32, 0x0a])]);
    const items = readAll(mixed);
    expect(rows(items)).toEqual([['nom', 'tel'], ['Élodie', '1'], ['Hélène', '2']]);
    expect(items[2]).toMatchObject({ repaired: ['encoding'] });
    // 0x80 is € and 0x92 ’ in Windows-1252 (TextDecoder's latin1 would give C1 controls).
    const cp1252 = Buffer.from([0x61, 0x80, 0x3b, 0x92, 0x0a]);
    expect(rows(readAll(cp1252, { encoding: 'windows-1252' }))).toEqual([['a€', '’']]);
  });

  it('re-splits a line written with another delimiter when it then has the header’s columns', () => {
    const items = readAll(utf8('phone;name\n0612345678,Dupont\n0698765432;Martin\nonly\n'), { columns: 2, alternatives: [','] });
    expect(rows(items)).toEqual([['phone', 'name'], ['0612345678', 'Dupont'], ['0698765432', 'Martin'], ['only']]);
    expect(items[1]).toMatchObject({ repaired: ['delimiter'] });
  });

  it('skips blank lines and lines of delimiters only', () => {
    expect(rows(readAll(utf8('a;b\n;;\n  \n1;2\n')))).toEqual([['a', 'b'], ['1', '2']]);
  });
});
