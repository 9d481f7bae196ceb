import { describe, expect, it } from 'vitest';
import { compileMapping } from './mapping.ts';
import { evaluateRow, partitionByKeys, type RowContext } from './rows.ts';

const columns = ['Téléphone', 'Email', 'Prénom', 'Points'];
const context: RowContext = {
  columns,
  mapping: compileMapping({ Téléphone: 'phone', Email: 'email', Prénom: 'firstName', Points: 'attribute:points' }, columns),
  definitions: new Map([['points', { key: 'points', label: 'Points', type: 'number', choices: null }]]),
};

describe('evaluateRow', () => {
  it('normalises a good row (contacts rules) and keeps the remarks of a repaired line', () => {
    const outcome = evaluateRow({ line: 3, cells: ['06 12 34 56 78', 'Jean@Example.com', ' Jean ', '12,5'], raw: 'x', repaired: ['encoding'] }, context);
    expect(outcome).toMatchObject({ ok: true, contact: { phone: '+33612345678', email: 'jean@example.com', firstName: 'Jean', attributes: { points: 12.5 } } });
    expect(outcome.ok && outcome.remarks.map((r) => r.reason)).toEqual(['encoding_repaired']);
  });
  it('reports each problem with its line, reason and the column it came from', () => {
    expect(evaluateRow({ line: 7, cells: ['12', 'nope', 'A', 'beaucoup'], raw: '12;nope;A;beaucoup' }, context)).toEqual({
      ok: false,
      issues: [
        { line: 7, reason: 'invalid_phone_number', severity: 'error', field: 'Téléphone', message: expect.any(String), raw: '12;nope;A;beaucoup' },
        { line: 7, reason: 'invalid_email_address', severity: 'error', field: 'Email', message: expect.any(String), raw: '12;nope;A;beaucoup' },
        { line: 7, reason: 'invalid_attribute', severity: 'error', field: 'Points', message: 'must be a number', raw: '12;nope;A;beaucoup' },
      ],
    });
    expect(evaluateRow({ line: 8, cells: ['', '', 'A', ''], raw: ';;A;' }, context)).toMatchObject({ ok: false, issues: [{ reason: 'contact_identity_required' }] });
  });
  it('pads a short row, refuses a row of one cell or with extra non-empty cells', () => {
    expect(evaluateRow({ line: 2, cells: ['0612345678', 'a@b.fr'], raw: '' }, context).ok).toBe(true);
    expect(evaluateRow({ line: 2, cells: ['0612345678', 'a@b.fr', 'A', '1', ''], raw: '' }, context).ok).toBe(true);
    expect(evaluateRow({ line: 2, cells: ['0612345678,a@b.fr'], raw: '' }, context)).toMatchObject({ ok: false, issues: [{ reason: 'column_count' }] });
    expect(evaluateRow({ line: 2, cells: ['0612345678', 'a@b.fr', 'A', '1', 'extra'], raw: '' }, context)).toMatchObject({ ok: false, issues: [{ reason: 'column_count' }] });
  });
});

describe('partitionByKeys', () => {
  it('rows repeating an earlier key of the batch wait for the upsert, in order', () => {
    expect(
      partitionByKeys([{ phone: '+1' }, { phone: '+2', email: 'a' }, { email: 'a' }, { phone: '+1', email: 'b' }, { externalId: 'x' }, { email: 'b' }, { phone: '+3' }]),
    ).toEqual({ fresh: [0, 1, 4, 6], repeated: [2, 3, 5] });
  });
});
