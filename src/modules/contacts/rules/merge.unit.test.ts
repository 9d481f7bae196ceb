import { describe, expect, it } from 'vitest';
import { applyPatch, type ContactFields, mergeContact, newContactFields } from './merge.ts';

const existing: ContactFields = {
  phone: '+33612345678',
  email: 'marie@example.fr',
  firstName: 'Marie',
  lastName: 'Dupont',
  language: 'fr',
  attributes: { points: 10, tier: 'Silver' },
  tags: ['vip'],
  pointOfSale: 'LYON-01',
  externalId: null,
};

describe('mergeContact', () => {
  it('skip leaves the contact as it is', () => {
    expect(mergeContact(existing, { phone: '+33612345678', firstName: 'Autre' }, 'skip')).toEqual({ action: 'skip' });
  });

  it('update takes the incoming values, keeps ours where it has none, merges attributes and adds tags', () => {
    const outcome = mergeContact(existing, { phone: '+33612345678', firstName: 'Marie-Anne', lastName: null, attributes: { points: 20, city: 'Lyon', tier: null }, tags: ['newsletter', 'vip'] }, 'update');
    expect(outcome).toEqual({
      action: 'update',
      fields: { ...existing, firstName: 'Marie-Anne', attributes: { points: 20, tier: 'Silver', city: 'Lyon' }, tags: ['vip', 'newsletter'] },
      changed: ['firstName', 'attributes', 'tags'],
    });
  });

  it('update with nothing new changes nothing', () => {
    expect(mergeContact(existing, { phone: '+33612345678', firstName: 'Marie', tags: ['vip'] }, 'update')).toEqual({ action: 'update', fields: existing, changed: [] });
  });

  it('overwrite replaces the contact with the incoming row', () => {
    const outcome = mergeContact(existing, { phone: '+33612345678', firstName: 'M.', attributes: { points: 1 } }, 'overwrite');
    expect(outcome).toEqual({
      action: 'update',
      fields: { phone: '+33612345678', email: null, firstName: 'M.', lastName: null, language: null, attributes: { points: 1 }, tags: [], pointOfSale: null, externalId: null },
      changed: ['email', 'firstName', 'lastName', 'language', 'pointOfSale', 'attributes', 'tags'],
    });
  });

  it('overwrite that would leave neither phone nor email is invalid', () => {
    expect(mergeContact({ ...existing, externalId: 'CRM-1' }, { externalId: 'CRM-1', firstName: 'X' }, 'overwrite')).toMatchObject({ action: 'invalid', code: 'contact_identity_required' });
  });
});

describe('applyPatch', () => {
  it('replaces given members, clears nulls, removes null attributes and replaces tags', () => {
    const outcome = applyPatch(existing, { lastName: null, attributes: { tier: null, city: 'Lyon' }, tags: ['client'] });
    expect(outcome).toEqual({
      action: 'update',
      fields: { ...existing, lastName: null, attributes: { points: 10, city: 'Lyon' }, tags: ['client'] },
      changed: ['lastName', 'attributes', 'tags'],
    });
  });

  it('refuses to remove both phone and email', () => {
    expect(applyPatch(existing, { phone: null, email: null })).toMatchObject({ action: 'invalid' });
    expect(applyPatch(existing, { phone: null })).toMatchObject({ action: 'update', changed: ['phone'] });
  });
});

describe('newContactFields', () => {
  it('fills what the input lacks with null and drops null attributes', () => {
    expect(newContactFields({ email: 'a@b.fr', attributes: { x: null, y: 1 } })).toEqual({
      phone: null, email: 'a@b.fr', firstName: null, lastName: null, language: null, attributes: { y: 1 }, tags: [], pointOfSale: null, externalId: null,
    });
  });
});
