import { describe, expect, it } from 'vitest';
import { batchConsentOf, importConsentConfig, newContactConsents } from './consent.ts';

describe('importConsentConfig (R-CONSENT)', () => {
  it('refuses an import that does not say how consent was collected', () => {
    for (const input of [undefined, null, {}, { channels: ['sms'] }, { channels: ['sms'], source: ' ' }]) {
      expect(importConsentConfig(input)).toMatchObject({ ok: false, code: 'consent_source_required', path: '/consent/source' });
    }
    expect(importConsentConfig({ channels: ['sms'], source: 'opt_out' })).toMatchObject({ ok: false, code: 'consent_source_required' });
  });
  it('needs channels, a known status, and proof for a grant', () => {
    expect(importConsentConfig({ source: 'form' })).toMatchObject({ ok: false, path: '/consent/channels' });
    expect(importConsentConfig({ source: 'form', channels: ['fax'] })).toMatchObject({ ok: false, path: '/consent/channels' });
    expect(importConsentConfig({ source: 'form', channels: ['sms'], status: 'maybe' })).toMatchObject({ ok: false, path: '/consent/status' });
    expect(importConsentConfig({ source: 'form', channels: ['sms'] })).toMatchObject({ ok: false, path: '/consent/proof' });
    expect(importConsentConfig({ source: 'form', channels: ['sms'], status: 'withdrawn' })).toMatchObject({ ok: true });
  });
  it('keeps the declared source and proof, and records source `import` on contacts', () => {
    const result = importConsentConfig({ source: 'in_store', channels: ['sms', 'sms', 'email'], proof: { text: ' Bulletin signé ' } });
    expect(result).toEqual({ ok: true, consent: { channels: ['sms', 'email'], status: 'granted', source: 'in_store', proof: { text: 'Bulletin signé' } } });
    if (!result.ok) return;
    expect(batchConsentOf(result.consent, { importId: 'i1', operator: 'a@b.fr', filename: 'f.csv' })).toEqual({
      channels: ['sms', 'email'],
      status: 'granted',
      source: 'import',
      proof: { text: 'Bulletin signé', importId: 'i1', collectedVia: 'in_store', operator: 'a@b.fr', filename: 'f.csv' },
    });
  });
  it('new contacts start with the import’s change where the contacts rules allow it', () => {
    expect(newContactConsents({ channels: ['sms', 'email'], status: 'granted', source: 'import', proof: { importId: 'i1' } })).toEqual({ changes: [{ channel: 'sms', status: 'granted' }, { channel: 'email', status: 'granted' }], refused: [] });
    expect(newContactConsents({ channels: ['sms'], status: 'granted', source: 'import', proof: {} }).refused).toHaveLength(1);
  });
});
