import { describe, expect, it } from 'vitest';
import { shapeOfCsv, shapeOfRows } from './preview.ts';

describe('shapeOfCsv', () => {
  it('detects everything and gives at most 20 rows', () => {
    const lines = ['Téléphone,Email', ...Array.from({ length: 30 }, (_, i) => `06000000${String(i).padStart(2, '0')},u${i}@x.fr`)];
    const shape = shapeOfCsv(Buffer.from(lines.join('\n')), true);
    expect(shape).toMatchObject({ encoding: 'utf-8', delimiter: ',', hasHeader: true, columns: ['Téléphone', 'Email'] });
    expect(shape.preview).toHaveLength(20);
    expect(shape.preview[19]).toEqual(['0600000019', 'u19@x.fr']);
  });
  it('follows the choices given', () => {
    expect(shapeOfCsv(Buffer.from('a;b\nc;d\n'), true, { delimiter: ',', hasHeader: false })).toMatchObject({ columns: ['Colonne 1'], preview: [['a;b'], ['c;d']] });
  });
});

describe('shapeOfRows', () => {
  it('drops trailing empty columns and pads short rows', () => {
    expect(shapeOfRows([['Email', 'Nom', ''], ['a@b.fr'], ['c@d.fr', 'Durand', '']])).toEqual({ hasHeader: true, columns: ['Email', 'Nom'], preview: [['a@b.fr', ''], ['c@d.fr', 'Durand']] });
  });
});
