import { describe, expect, it } from 'vitest';
import { columnNames, decodeRecord, detectDelimiter, detectEncoding, detectFormat, detectHeader } from './detect.ts';

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('detectFormat', () => {
  it('tells XLSX (ZIP) from CSV text, and names what it refuses', () => {
    expect(detectFormat(bytes([0x50, 0x4b, 0x03, 0x04], 'rest'))).toEqual({ format: 'xlsx' });
    expect(detectFormat(bytes('phone;email\n'))).toEqual({ format: 'csv' });
    expect(detectFormat(bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1]))).toEqual({ problem: 'xls_not_supported' });
    expect(detectFormat(bytes([0xff, 0xfe, 0x70, 0x00]))).toEqual({ problem: 'utf16_not_supported' });
    expect(detectFormat(bytes('%PDF', [0, 1, 2]))).toEqual({ problem: 'not_a_text_file' });
    expect(detectFormat(new Uint8Array())).toEqual({ problem: 'empty_file' });
  });
});

describe('detectEncoding', () => {
  it('UTF-8 with or without BOM, Windows-1252 when most accented lines are not UTF-8', () => {
    expect(detectEncoding(bytes([0xef, 0xbb, 0xbf], 'prénom\n'))).toEqual({ encoding: 'utf-8', bom: true });
    expect(detectEncoding(bytes('prénom;ville\nÉlodie;Orléans\n'))).toEqual({ encoding: 'utf-8', bom: false });
    expect(detectEncoding(bytes('pr', [0xe9], 'nom\n', 'Zo', [0xe9], '\n'))).toEqual({ encoding: 'windows-1252', bom: false });
  });
  it('stays UTF-8 when one line among valid UTF-8 ones is not (that line is repaired)', () => {
    expect(detectEncoding(bytes('prénom\nÉlodie\nZoé\nH', [0xe9], 'l', [0xe8], 'ne\n')).encoding).toBe('utf-8');
  });
  it('ignores a multi-byte character cut at the end of the sample', () => {
    const sample = bytes('prénom\nÉlodie\n', [0xc3]);
    expect(detectEncoding(sample).encoding).toBe('utf-8');
  });
});

describe('decodeRecord', () => {
  it('decodes Windows-1252 with its own table for 0x80–0x9F (€, ’, œ), not Latin-1', () => {
    expect(decodeRecord(bytes([0x80, 0x20, 0x92, 0x9c]), 'windows-1252')).toEqual({ text: '€ ’œ', repaired: false });
    expect(decodeRecord(bytes('Hélène'), 'utf-8')).toEqual({ text: 'Hélène', repaired: false });
    expect(decodeRecord(bytes('H', [0xe9], 'l', [0xe8], 'ne'), 'utf-8')).toEqual({ text: 'Hélène', repaired: true });
  });
});

describe('detectDelimiter', () => {
  it('picks the delimiter that gives every line the header’s column count', () => {
    expect(detectDelimiter(['phone;email;name', '0612;a@b.fr;Dupont, Jean', '0613;c@d.fr;Martin'])).toBe(';');
    expect(detectDelimiter(['phone,email', '0612,a@b.fr'])).toBe(',');
    expect(detectDelimiter(['phone\temail', '0612\ta@b.fr'])).toBe('\t');
    expect(detectDelimiter(['phone|email', '0612|a@b.fr'])).toBe('|');
    expect(detectDelimiter(['"Dupont, Jean";0612', '"Martin, Paul";0613'])).toBe(';');
    expect(detectDelimiter(['email', 'a@b.fr'])).toBe(';');
  });
});

describe('detectHeader and columnNames', () => {
  it('a first row with an address or a number is data', () => {
    expect(detectHeader(['Téléphone', 'Email'], [['0612345678', 'a@b.fr']])).toBe(true);
    expect(detectHeader(['0612345678', 'a@b.fr'], [])).toBe(false);
    expect(detectHeader(['Dupont', '42'], [['Martin', '7']])).toBe(false);
  });
  it('names columns uniquely, never empty', () => {
    expect(columnNames(['Email', '', 'email', 'Nom'], 5)).toEqual(['Email', 'Colonne 2', 'email (2)', 'Nom', 'Colonne 5']);
    expect(columnNames(null, 2)).toEqual(['Colonne 1', 'Colonne 2']);
  });
});
