import { describe, expect, it } from 'vitest';
import { compileMapping, headerKey, mappingProblems, rowToContactInput, suggestMapping } from './mapping.ts';

describe('suggestMapping', () => {
  it('recognises French and English headers, accents and case aside', () => {
    const columns = ['Téléphone portable', 'Courriel', 'Prénom', 'NOM', 'Langue', 'Étiquettes', 'Magasin', 'N° client', 'Mobile', 'Autre'];
    expect(suggestMapping(columns, { hasHeader: true })).toEqual({
      'Téléphone portable': 'phone',
      Courriel: 'email',
      Prénom: 'firstName',
      NOM: 'lastName',
      Langue: 'language',
      Étiquettes: 'tag',
      Magasin: 'pointOfSale',
      'N° client': 'externalId',
      Mobile: 'ignore', // phone is taken already
      Autre: 'ignore',
    });
    expect(suggestMapping(['Phone', 'E-mail', 'First name', 'Last name', 'Store', 'Customer ID'], { hasHeader: true })).toEqual({
      Phone: 'phone',
      'E-mail': 'email',
      'First name': 'firstName',
      'Last name': 'lastName',
      Store: 'pointOfSale',
      'Customer ID': 'externalId',
    });
  });
  it('suggests the tenant’s attributes by key or label, several tag columns, and reads cells of a headerless file', () => {
    expect(suggestMapping(['Tags', 'Groupe', 'Date de naissance'], { hasHeader: true, attributes: [{ key: 'naissance', label: 'Date de naissance' }] })).toEqual({ Tags: 'tag', Groupe: 'tag', 'Date de naissance': 'attribute:naissance' });
    expect(suggestMapping(['Colonne 1', 'Colonne 2', 'Colonne 3'], { hasHeader: false, sample: [['Jean', '06 12 34 56 78', 'j@x.fr'], ['Paul', '+33698765432', 'p@x.fr']] })).toEqual({ 'Colonne 1': 'ignore', 'Colonne 2': 'phone', 'Colonne 3': 'email' });
  });
  it('headerKey strips accents and punctuation', () => {
    expect(headerKey(' Numéro de Téléphone ')).toBe('numerodetelephone');
  });
});

describe('mappingProblems', () => {
  const columns = ['tel', 'mail', 'ville'];
  it('accepts a mapping with phone or email', () => {
    expect(mappingProblems({ tel: 'phone', mail: 'ignore', ville: 'attribute:ville' }, columns, new Set(['ville']))).toEqual([]);
  });
  it('names each problem with its column', () => {
    expect(mappingProblems({ tel: 'firstName', mail: 'firstName', ville: 'attribute:ville', autre: 'email', x: 'nope' } as never, [...columns, 'x'], new Set())).toEqual([
      { column: 'mail', message: '"firstName" is already fed by column "tel"' },
      { column: 'ville', message: 'no attribute "ville" is defined: create it first (contact attributes)' },
      { column: 'autre', message: 'the file has no column "autre"' },
      { column: 'x', message: expect.stringContaining('"nope" is not a contact field') },
      { column: null, message: 'map a column to phone or email: a contact needs one of them' },
    ]);
  });
});

describe('rowToContactInput', () => {
  const mapping = compileMapping({ tel: 'phone', nom: 'lastName', t1: 'tag', t2: 'tag', pts: 'attribute:points', x: 'ignore' }, ['tel', 'nom', 't1', 't2', 'pts', 'x']);
  it('maps cells; several tags per cell; empty cells give nothing', () => {
    expect(rowToContactInput(['0612', 'Dupont', 'vip, newsletter', 'noël', '12', 'zzz'], mapping)).toEqual({ phone: '0612', lastName: 'Dupont', tags: ['vip', ' newsletter', 'noël'], attributes: { points: '12' } });
    expect(rowToContactInput(['0612', ' ', '', '', '', ''], mapping)).toEqual({ phone: '0612' });
  });
});
