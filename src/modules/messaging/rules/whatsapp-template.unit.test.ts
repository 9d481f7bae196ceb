import { describe, expect, it } from 'vitest';
import {
  checkTemplateDefinition,
  checkVariables,
  rejectionReasonOf,
  type TemplateDefinitionInput,
  templateEventEffect,
  templateStatusFromMeta,
  templateVariables,
} from './whatsapp-template.ts';

const body = (text: string, examples?: string[]) => ({ type: 'BODY' as const, text, ...(examples ? { example: { body_text: [examples] } } : {}) });
const def = (over: Partial<TemplateDefinitionInput> = {}): TemplateDefinitionInput => ({
  name: 'rappel_rdv',
  language: 'fr',
  category: 'UTILITY',
  components: [body('Bonjour {{1}}, votre rendez-vous est le {{2}}.', ['Léa', 'mardi'])],
  ...over,
});

describe('template variables', () => {
  it('lists placeholders in order, spaces inside braces allowed', () => {
    expect(templateVariables('a {{1}} b {{ 2 }} c {{1}}')).toEqual(['1', '2', '1']);
    expect(templateVariables('no variables')).toEqual([]);
  });

  it('wants {{1}}…{{n}} without a gap, repeats allowed', () => {
    expect(checkVariables('Bonjour {{1}} et {{2}} puis {{1}}.', { edges: true })).toEqual({ count: 2 });
    expect(checkVariables('Bonjour {{2}} !', { edges: true })).toMatchObject({ problem: expect.stringContaining('without a gap') });
    expect(checkVariables('Bonjour {{1}} {{3}} !', { edges: true })).toMatchObject({ problem: expect.stringContaining('{{1}}, {{3}}') });
    expect(checkVariables('Bonjour {{prenom}} !', { edges: true })).toMatchObject({ problem: expect.stringContaining('numbered') });
    expect(checkVariables('Bonjour {{0}} !', { edges: true })).toMatchObject({ problem: expect.stringContaining('numbered') });
  });

  it('refuses a variable at the start or the end of the body (Meta does)', () => {
    expect(checkVariables('{{1}}, votre commande est prête.', { edges: true })).toMatchObject({ problem: expect.stringContaining('start or end') });
    expect(checkVariables('Votre code est {{1}}.', { edges: true })).toEqual({ count: 1 });
    expect(checkVariables('Votre code est {{1}}', { edges: true })).toMatchObject({ problem: expect.stringContaining('start or end') });
    expect(checkVariables('Votre code {{1}} expire bientôt.', { edges: true })).toEqual({ count: 1 });
    // Headers may be just a variable.
    expect(checkVariables('{{1}}', { edges: false, max: 1 })).toEqual({ count: 1 });
    expect(checkVariables('{{1}} {{2}}', { edges: false, max: 1 })).toMatchObject({ problem: 'at most 1 variable here' });
  });
});

describe('checkTemplateDefinition', () => {
  it('accepts a complete template', () => {
    expect(
      checkTemplateDefinition(
        def({
          category: 'MARKETING',
          components: [
            { type: 'HEADER', format: 'TEXT', text: 'Offre pour {{1}}', example: { header_text: ['Léa'] } },
            body('Bonjour {{1}}, -20 % sur {{2}} ce week-end.', ['Léa', 'les chaussures']),
            { type: 'FOOTER', text: 'STOP au 36111' },
            {
              type: 'BUTTONS',
              buttons: [
                { type: 'QUICK_REPLY', text: 'Ça m’intéresse' },
                { type: 'URL', text: 'Voir l’offre', url: 'https://example.fr/promo' },
                { type: 'PHONE_NUMBER', text: 'Appeler', phone_number: '+33123456789' },
              ],
            },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('checks the name, the language and the category with a pointer to each', () => {
    expect(checkTemplateDefinition(def({ name: 'Rappel RDV', language: 'french', category: 'PROMO' }))).toEqual([
      { path: '/name', message: expect.stringContaining('lowercase') },
      { path: '/language', message: expect.stringContaining('en_US') },
      { path: '/category', message: 'one of MARKETING, UTILITY, AUTHENTICATION' },
    ]);
    expect(checkTemplateDefinition(def({ name: 'a'.repeat(512) }))).toEqual([]);
    expect(checkTemplateDefinition(def({ name: 'a'.repeat(513) }))[0]?.path).toBe('/name');
    expect(checkTemplateDefinition(def({ language: 'en_US' }))).toEqual([]);
  });

  it('needs exactly one body, components in Meta’s order', () => {
    expect(checkTemplateDefinition(def({ components: [{ type: 'FOOTER', text: 'x' }] }))).toEqual([{ path: '/components', message: 'a template needs a BODY component' }]);
    expect(checkTemplateDefinition(def({ components: [body('Un texte.'), body('Un autre.')] }))).toEqual([{ path: '/components/1/type', message: 'only one BODY component' }]);
    expect(checkTemplateDefinition(def({ components: [body('Un texte.'), { type: 'HEADER', text: 'Titre' }] }))).toEqual([
      { path: '/components/1/type', message: expect.stringContaining('HEADER, BODY, FOOTER, BUTTONS') },
    ]);
  });

  it('wants one example per body variable, and none without variables', () => {
    expect(checkTemplateDefinition(def({ components: [body('Bonjour {{1}}, à {{2}} !')] }))).toEqual([
      { path: '/components/0/example/body_text/0', message: 'give 2 example values, one per variable' },
    ]);
    expect(checkTemplateDefinition(def({ components: [body('Bonjour {{1}}, à bientôt.', ['Léa', 'trop'])] }))[0]?.message).toBe('give 1 example value, one per variable');
    expect(checkTemplateDefinition(def({ components: [body('Bonjour {{1}}, à bientôt.', [' '])] }))).toEqual([{ path: '/components/0/example/body_text/0/0', message: 'an example cannot be empty' }]);
    expect(checkTemplateDefinition(def({ components: [body('Bonjour, à bientôt.', ['Léa'])] }))[0]).toEqual({ path: '/components/0/example/body_text/0', message: 'no variables here: remove the examples' });
  });

  it('applies Meta’s lengths to body, header, footer and buttons', () => {
    expect(checkTemplateDefinition(def({ components: [body('x'.repeat(1024))] }))).toEqual([]);
    expect(checkTemplateDefinition(def({ components: [body('x'.repeat(1025))] }))).toEqual([{ path: '/components/0/text', message: 'at most 1024 characters' }]);
    expect(checkTemplateDefinition(def({ components: [{ type: 'HEADER', text: 'x'.repeat(61) }, body('Texte.')] }))[0]?.path).toBe('/components/0/text');
    expect(checkTemplateDefinition(def({ components: [body('Texte.'), { type: 'FOOTER', text: 'Réponse {{1}}' }] }))).toEqual([{ path: '/components/1/text', message: 'a footer cannot have variables' }]);
    const tooMany = Array.from({ length: 11 }, (_, i) => ({ type: 'QUICK_REPLY' as const, text: `Choix ${i}` }));
    expect(checkTemplateDefinition(def({ components: [body('Texte.'), { type: 'BUTTONS', buttons: tooMany }] }))).toEqual([{ path: '/components/1/buttons', message: 'at most 10 buttons' }]);
    expect(
      checkTemplateDefinition(
        def({
          components: [
            body('Texte.'),
            {
              type: 'BUTTONS',
              buttons: [
                { type: 'QUICK_REPLY', text: 'Un libellé beaucoup trop long pour un bouton' },
                { type: 'URL', text: 'Site', url: 'example.fr' },
                { type: 'PHONE_NUMBER', text: 'Appeler', phone_number: '0123456789' },
              ],
            },
          ],
        }),
      ).map((p) => p.path),
    ).toEqual(['/components/1/buttons/0/text', '/components/1/buttons/1/url', '/components/1/buttons/2/phone_number']);
  });
});

describe('templateEventEffect', () => {
  it('maps Meta’s events to the five statuses the send path knows', () => {
    expect(templateEventEffect('APPROVED')).toEqual({ kind: 'status', status: 'APPROVED' });
    expect(templateEventEffect('REINSTATED')).toEqual({ kind: 'status', status: 'APPROVED' });
    expect(templateEventEffect('UNARCHIVED')).toEqual({ kind: 'status', status: 'APPROVED' });
    expect(templateEventEffect('REJECTED')).toEqual({ kind: 'status', status: 'REJECTED' });
    expect(templateEventEffect('PAUSED')).toEqual({ kind: 'status', status: 'PAUSED' });
    expect(templateEventEffect('DISABLED')).toEqual({ kind: 'status', status: 'DISABLED' });
    expect(templateEventEffect('ARCHIVED')).toEqual({ kind: 'status', status: 'DISABLED' });
    expect(templateEventEffect('IN_APPEAL')).toEqual({ kind: 'status', status: 'PENDING' });
    expect(templateEventEffect('pending')).toEqual({ kind: 'status', status: 'PENDING' });
    expect(templateEventEffect('PENDING_DELETION')).toEqual({ kind: 'removed' });
    expect(templateEventEffect('DELETED')).toEqual({ kind: 'removed' });
    expect(templateEventEffect('FLAGGED')).toEqual({ kind: 'ignored' });
    expect(templateEventEffect('LOCKED')).toEqual({ kind: 'ignored' });
    expect(templateEventEffect('SOMETHING_NEW')).toEqual({ kind: 'ignored' });
    expect(templateStatusFromMeta('APPROVED')).toBe('APPROVED');
    expect(templateStatusFromMeta('DELETED')).toBe('removed');
    expect(templateStatusFromMeta('LIMIT_EXCEEDED')).toBeUndefined();
  });

  it('keeps a rejection reason only for rejected templates', () => {
    expect(rejectionReasonOf('REJECTED', 'INVALID_FORMAT')).toBe('INVALID_FORMAT');
    expect(rejectionReasonOf('REJECTED', 'NONE')).toBe('UNKNOWN');
    expect(rejectionReasonOf('REJECTED', null)).toBe('UNKNOWN');
    expect(rejectionReasonOf('APPROVED', 'INVALID_FORMAT')).toBeNull();
  });
});
