import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfToken, firstSignIn, inviteUser, LAPTOP, newPage, screenshots, startConsoleUnderTest } from '../support/browser.ts';
import { apiKeyIn, type SofyProcess } from '../support/sofy-process.ts';

/**
 * SoReach › Champs personnalisés in a real browser against a real `sofy start` (issue 4): an
 * admin defines a choice field and a number field through the page (key proposed from the label,
 * a bad key and a taken key refused with a field error), fills both on a new contact through the
 * contact form and the API returns typed values; a choice still held cannot be removed; deleting
 * a field says how many contacts lose their value. A viewer (contacts:read only) sees the fields
 * but no way to change them.
 */
let server: SofyProcess;
let browser: Browser;
let stopAll: (() => Promise<void>) | undefined;
const shot = screenshots('contact-fields-');
let apiKey: string;
let adminPassword: string;

beforeAll(async () => {
  ({ server, browser, stop: stopAll } = await startConsoleUnderTest('contact-attributes'));
  const output = server.output();
  adminPassword = /one-time password:\s+(\S{16})/.exec(output)?.[1] as string;
  apiKey = apiKeyIn(output) as string;
});

afterAll(() => stopAll?.());

async function apiGet<T>(path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

const row = (page: Page, key: string) => page.locator(`[data-testid="contact-field-row"][data-key="${key}"]`);

describe('custom fields console', () => {
  let adminPage: Page;
  let adminContext: BrowserContext;

  it('defines a choice and a number field, fills them on a contact (typed in the API), refuses bad keys and removing a held choice, deletes with its impact', async () => {
    ({ context: adminContext, page: adminPage } = await newPage(browser, { viewport: LAPTOP }));
    const page = adminPage;
    await firstSignIn(page, { url: server.url, email: 'admin@demo.sofy.test', oneTimePassword: adminPassword, newPassword: 'Champs de lavande 2026', mfa: 'if-asked' });

    // From the SoReach menu to the empty page, which says what the fields are for.
    await page.getByTestId('nav-soreach').click();
    await page.getByTestId('nav-soreach-contact-fields').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/soreach/contact-fields');
    const empty = page.getByTestId('contact-fields-empty');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('{{attributes.code}}');
    await shot(page, 'empty');

    // A choice field: the key is proposed from the label; a hand-typed bad key is refused at once.
    await page.getByTestId('contact-fields-empty-create').click();
    const form = page.getByTestId('contact-field-form');
    await page.getByTestId('contact-field-label-input').fill('Niveau fidélité');
    expect(await page.getByTestId('contact-field-key-input').inputValue()).toBe('niveau_fidelite');
    expect(await page.getByTestId('contact-field-merge-preview').textContent()).toContain('{{attributes.niveau_fidelite}}');
    await page.getByTestId('contact-field-key-input').fill('Niveau fidélité');
    await form.getByText('Le code commence par une lettre minuscule').waitFor();
    expect(await page.getByTestId('contact-field-key-input').getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('contact-field-submit').click();
    // Still open, nothing created.
    expect(await form.isVisible()).toBe(true);
    expect((await apiGet<{ data: unknown[] }>('/v1/contact-attributes')).data).toHaveLength(0);

    await page.getByTestId('contact-field-key-input').fill('tier');
    expect(await page.getByTestId('contact-field-key-input').getAttribute('aria-invalid')).toBeNull();
    await page.getByTestId('contact-field-type-input').selectOption('choice');
    await page.getByTestId('contact-field-submit').click();
    await form.getByText('Indiquez au moins un choix.').waitFor();
    await page.getByTestId('contact-field-choices-input').fill('Argent\nOr\n\nPlatine\n');
    await shot(page, 'create');
    await page.getByTestId('contact-field-submit').click();
    await row(page, 'tier').waitFor();
    expect(await row(page, 'tier').getAttribute('data-type')).toBe('choice');
    expect(await row(page, 'tier').getByTestId('contact-field-label').textContent()).toBe('Niveau fidélité');
    expect(await row(page, 'tier').locator('.chip').allTextContents()).toEqual(['Argent', 'Or', 'Platine']);

    // A number field, with the proposed key kept.
    await page.getByTestId('contact-field-create').click();
    await page.getByTestId('contact-field-label-input').fill('Panier moyen (€)');
    expect(await page.getByTestId('contact-field-key-input').inputValue()).toBe('panier_moyen');
    await page.getByTestId('contact-field-type-input').selectOption('number');
    await page.getByTestId('contact-field-submit').click();
    await row(page, 'panier_moyen').waitFor();
    expect(await row(page, 'panier_moyen').getByTestId('contact-field-type').textContent()).toBe('Nombre');
    await expect.poll(() => page.getByTestId('contact-field-row').count()).toBe(2);

    // A key already taken: the API's 409 shows under the key, in French.
    await page.getByTestId('contact-field-create').click();
    await page.getByTestId('contact-field-label-input').fill('Tier');
    expect(await page.getByTestId('contact-field-key-input').inputValue()).toBe('tier');
    await page.getByTestId('contact-field-submit').click();
    await expect.poll(() => page.getByTestId('contact-field-error').getAttribute('data-code')).toBe('attribute_exists');
    expect(await form.locator('.field-error').first().textContent()).toBe('Un champ avec ce code existe déjà : choisissez-en un autre.');
    await page.getByTestId('contact-field-cancel').click();
    await expect.poll(() => form.count()).toBe(0);

    const defined = await apiGet<{ data: { key: string; label: string; type: string; choices: string[] | null }[] }>('/v1/contact-attributes');
    expect(defined.data.map((a) => [a.key, a.type, a.choices])).toEqual([
      ['panier_moyen', 'number', null],
      ['tier', 'choice', ['Argent', 'Or', 'Platine']],
    ]);
    await shot(page, 'list');

    // A contact with both, through the contact form: the API stores a number and the choice.
    await page.getByTestId('nav-soreach-contacts').click();
    await page.getByTestId('contacts-empty-create').click();
    await page.getByTestId('contact-phone').fill('06 11 22 33 44');
    await page.getByTestId('contact-first-name').fill('Irène');
    await page.getByTestId('contact-attribute-tier').selectOption('Or');
    await page.getByTestId('contact-attribute-panier_moyen').fill('12,5');
    await page.getByTestId('contact-form-submit').click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/soreach\/contacts\/[0-9a-f-]{36}$/);
    const contactId = new URL(page.url()).pathname.split('/').pop() as string;
    const contact = await apiGet<{ attributes: Record<string, unknown> }>(`/v1/contacts/${contactId}`);
    expect(contact.attributes).toEqual({ tier: 'Or', panier_moyen: 12.5 });
    expect(typeof contact.attributes.panier_moyen).toBe('number');

    // Editing: the key and type are fixed; a choice a contact holds cannot go, a new one can come.
    await page.getByTestId('nav-soreach-contact-fields').click();
    await row(page, 'tier').getByTestId('contact-field-edit').click();
    expect(await page.getByTestId('contact-field-key-input').count()).toBe(0);
    await page.getByTestId('contact-field-choices-input').fill('Argent\nPlatine');
    await page.getByTestId('contact-field-submit').click();
    await expect.poll(() => page.getByTestId('contact-field-error').getAttribute('data-code')).toBe('invalid_attribute');
    expect(await page.getByTestId('contact-field-error').textContent()).toBe(
      '1 contact(s) ont encore un choix que vous retirez (Or). Changez d’abord leur valeur, puis retirez le choix.',
    );
    await page.getByTestId('contact-field-label-input').fill('Niveau de fidélité');
    await page.getByTestId('contact-field-choices-input').fill('Argent\nOr\nPlatine\nDiamant');
    await page.getByTestId('contact-field-submit').click();
    await expect.poll(() => row(page, 'tier').locator('.chip').allTextContents()).toEqual(['Argent', 'Or', 'Platine', 'Diamant']);
    expect(await row(page, 'tier').getByTestId('contact-field-label').textContent()).toBe('Niveau de fidélité');

    // Deleting warns of a segment whose rules name the field (cancelled here)…
    const segment = await fetch(`${server.url}/v1/segments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Clients Or', kind: 'dynamic', definition: { all: [{ type: 'attribute', key: 'tier', op: 'in', values: ['Or'] }] } }),
    });
    expect(segment.status).toBe(201);
    await row(page, 'tier').getByTestId('contact-field-delete').click();
    await expect.poll(() => page.getByTestId('contact-field-delete-segments').textContent()).toContain('Clients Or');
    await page.getByTestId('confirm-cancel').click();
    await expect.poll(() => page.getByTestId('confirm-dialog').count()).toBe(0);
    expect(await row(page, 'tier').count()).toBe(1);

    // …and says how many contacts lose their value, then takes the field and the values away.
    await row(page, 'panier_moyen').getByTestId('contact-field-delete').click();
    await expect.poll(() => page.getByTestId('contact-field-delete-count').getAttribute('data-count')).toBe('1');
    await expect.poll(() => page.getByTestId('contact-field-delete-impact').getAttribute('data-segments')).toBe('0');
    expect(await page.getByTestId('contact-field-delete-count').textContent()).toContain('1 contact(s)');
    await shot(page, 'delete');
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => row(page, 'panier_moyen').count()).toBe(0);
    expect(await page.getByTestId('contact-field-row').count()).toBe(1);
    const after = await apiGet<{ attributes: Record<string, unknown> }>(`/v1/contacts/${contactId}`);
    expect(after.attributes).toEqual({ tier: 'Or' });
  }, 150_000);

  it('shows the fields to a viewer without any way to change them', async () => {
    // The admin invites a viewer (contacts:read only) from its session.
    const viewerPassword = await inviteUser(adminPage, server.url, { email: 'lecture@demo.sofy.test', name: 'Léa Lecture', role: 'viewer' });
    await adminContext.close();

    const viewer = await newPage(browser, { viewport: LAPTOP });
    const page = viewer.page;
    await firstSignIn(page, { url: server.url, email: 'lecture@demo.sofy.test', oneTimePassword: viewerPassword, newPassword: 'Champs de lavande 2026', mfa: 'if-asked' });
    await page.getByTestId('nav-soreach').click();
    await page.getByTestId('nav-soreach-contact-fields').click();
    await row(page, 'tier').waitFor();
    // Once the role's permissions are known (until then everything is offered, the API decides).
    await expect.poll(() => page.getByTestId('contact-fields').getAttribute('data-can-write')).toBe('false');
    expect(await page.getByTestId('contact-field-create').count()).toBe(0);
    expect(await page.getByTestId('contact-field-edit').count()).toBe(0);
    expect(await page.getByTestId('contact-field-delete').count()).toBe(0);
    expect(await row(page, 'tier').locator('.chip').count()).toBe(4);
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Custom fields');
    expect(await row(page, 'tier').getByTestId('contact-field-type').textContent()).toBe('List of choices');
    // The API refuses a viewer too.
    const refused = await page.request.post(`${server.url}/v1/contact-attributes`, {
      data: { key: 'ville', label: 'Ville', type: 'text' },
      headers: { 'x-csrf-token': await csrfToken(page, server.url) },
    });
    expect(refused.status()).toBe(403);
    await viewer.context.close();
  }, 120_000);
});
