import { describe, expect, it } from 'vitest';
import type { AttributeDefinition } from './attributes.ts';
import { normaliseContactInput, normaliseEmail, normaliseLanguage, normaliseTags } from './contact-input.ts';

const definitions = new Map<string, AttributeDefinition>([
  ['points', { key: 'points', label: 'Points', type: 'number', choices: null }],
  ['tier', { key: 'tier', label: 'Niveau', type: 'choice', choices: ['Silver', 'Gold'] }],
]);
const create = { mode: 'create' as const, definitions };

describe('normaliseContactInput', () => {
  it('cleans every field of a contact', () => {
    const result = normaliseContactInput(
      {
        phone: '06 12 34 56 78',
        email: '  Marie.Dupont@Example.FR ',
        firstName: '  Marie   Anne ',
        lastName: 'Dupont ',
        language: 'fr-FR',
        attributes: { points: '1 200', tier: 'gold' },
        tags: [' VIP ', 'vip', 'Lyon  Centre'],
        pointOfSale: ' LYON-01 ',
        externalId: ' CRM-42 ',
      },
      create,
    );
    expect(result).toEqual({
      ok: true,
      warnings: [],
      contact: {
        phone: '+33612345678',
        email: 'marie.dupont@example.fr',
        firstName: 'Marie Anne',
        lastName: 'Dupont',
        language: 'fr',
        attributes: { points: 1200, tier: 'Gold' },
        tags: ['vip', 'lyon centre'],
        pointOfSale: 'LYON-01',
        externalId: 'CRM-42',
      },
    });
  });

  it('reads overseas and international numbers in E.164', () => {
    const phone = (input: string) => {
      const r = normaliseContactInput({ phone: input }, create);
      return r.ok ? r.contact.phone : r.problems[0]?.code;
    };
    expect(phone('0692 12 34 56')).toBe('+262692123456');
    expect(phone('+32 470 12 34 56')).toBe('+32470123456');
    expect(phone('0033 6 12 34 56 78')).toBe('+33612345678');
    expect(phone('12')).toBe('invalid_phone_number');
  });

  it('keeps a plausible but unallocated number with a warning', () => {
    const unallocated = normaliseContactInput({ phone: '07 00 00 00 00' }, create);
    expect(unallocated).toEqual({ ok: true, contact: { phone: '+33700000000' }, warnings: [expect.stringContaining('not in an allocated range')] });
  });

  it('reports each problem with a code and a path under the prefix', () => {
    const result = normaliseContactInput({ phone: 'abc', email: 'not-an-email', language: 'français', attributes: { points: 'x', colour: 'red' }, firstName: 'x'.repeat(101) }, { ...create, pathPrefix: '/items/2' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.code, p.path])).toEqual([
      ['invalid_phone_number', '/items/2/phone'],
      ['invalid_email_address', '/items/2/email'],
      ['validation_failed', '/items/2/firstName'],
      ['validation_failed', '/items/2/language'],
      ['invalid_attribute', '/items/2/attributes/points'],
      ['invalid_attribute', '/items/2/attributes/colour'],
    ]);
  });

  it('needs a phone or an email to create', () => {
    const result = normaliseContactInput({ firstName: 'Paul' }, create);
    expect(result).toEqual({ ok: false, problems: [{ code: 'contact_identity_required', path: '', message: 'a contact needs a phone number or an email address' }] });
    expect(normaliseContactInput({ email: '' , phone: '  ' }, create).ok).toBe(false);
  });

  it('in a patch, keeps absent members absent and empty ones as null (clear)', () => {
    const result = normaliseContactInput({ firstName: '', email: null, attributes: { tier: null } }, { mode: 'patch', definitions });
    expect(result).toEqual({ ok: true, warnings: [], contact: { firstName: null, email: null, attributes: { tier: null } } });
    expect(normaliseContactInput({ phone: null, email: null }, { mode: 'patch', definitions })).toMatchObject({ ok: false, problems: [{ code: 'contact_identity_required' }] });
  });

  it('takes per-channel consents with the default source', () => {
    const result = normaliseContactInput({ email: 'a@b.fr', consents: { email: { status: 'granted', proof: { text: 'Oui' } }, sms: { status: 'refused', source: 'in_store' } } }, { ...create, defaultConsentSource: 'api' });
    expect(result.ok && result.contact.consents).toEqual({ email: { status: 'granted', source: 'api', proof: { text: 'Oui' } }, sms: { status: 'refused', source: 'in_store', proof: {} } });
  });

  it('refuses bad consent channels, statuses and sources (opt_out is the platform’s)', () => {
    const result = normaliseContactInput({ email: 'a@b.fr', consents: { fax: { status: 'granted' }, sms: { status: 'unknown' }, email: { status: 'withdrawn', source: 'opt_out' } } }, create);
    expect(result.ok ? [] : result.problems.map((p) => p.path)).toEqual(['/consents/fax', '/consents/sms/status', '/consents/email/source']);
  });
});

describe('field normalisers', () => {
  it('validates and lower-cases emails', () => {
    expect(normaliseEmail(' Jean@Exemple.COM')).toBe('jean@exemple.com');
    expect(normaliseEmail('prenom.nom+promo@sous.domaine.fr')).toBe('prenom.nom+promo@sous.domaine.fr');
    for (const bad of ['jean', 'jean@', '@exemple.fr', 'jean@exemple', 'je an@exemple.fr', 'jean..x@exemple.fr', '.jean@exemple.fr', 'jean@-exemple.fr', `${'a'.repeat(65)}@exemple.fr`]) {
      expect(normaliseEmail(bad), bad).toBeNull();
    }
  });

  it('normalises tags and bounds them', () => {
    expect(normaliseTags(['A', ' a ', '', 'B  c'])).toEqual({ tags: ['a', 'b c'], problems: [] });
    expect(normaliseTags(['x'.repeat(51)]).problems).toHaveLength(1);
    expect(normaliseTags(Array.from({ length: 101 }, (_, i) => `t${i}`)).problems).toEqual(['at most 100 tags']);
  });

  it('reads language codes', () => {
    expect(normaliseLanguage('EN')).toBe('en');
    expect(normaliseLanguage('fr_CA')).toBe('fr');
    expect(normaliseLanguage('fra')).toBeNull();
  });
});
