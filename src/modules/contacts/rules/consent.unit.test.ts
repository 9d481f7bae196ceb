import { describe, expect, it } from 'vitest';
import { channelAddressKind, consentAllowsCampaign, consentBlocksMarketing, consentTransition, hasConsentEvidence } from './consent.ts';

describe('consentTransition (R-CONSENT)', () => {
  const proof = { text: 'J’accepte de recevoir les offres par SMS', ip: '203.0.113.9' };

  it('grants from unknown with proof', () => {
    expect(consentTransition('unknown', { status: 'granted', source: 'form', proof })).toEqual({ kind: 'change' });
  });

  it('refuses a grant without evidence', () => {
    for (const bad of [undefined, {}, { text: '   ' }, { userAgent: 'Mozilla/5.0' }]) {
      const result = consentTransition('unknown', { status: 'granted', source: 'api', proof: bad });
      expect(result).toMatchObject({ kind: 'refused', code: 'consent_proof_required' });
    }
  });

  it('accepts each kind of evidence', () => {
    for (const key of ['text', 'ip', 'operator', 'importId', 'reference']) {
      expect(consentTransition('unknown', { status: 'granted', source: 'in_store', proof: { [key]: 'x' } }).kind).toBe('change');
    }
  });

  it('never lets an import re-subscribe someone who refused or withdrew', () => {
    for (const current of ['withdrawn', 'refused'] as const) {
      expect(consentTransition(current, { status: 'granted', source: 'import', proof: { importId: 'i1' } })).toMatchObject({ kind: 'refused', code: 'consent_reactivation_not_allowed' });
    }
  });

  it('lets the person re-subscribe through an individual action with proof', () => {
    for (const source of ['form', 'in_store', 'console', 'api'] as const) {
      expect(consentTransition('withdrawn', { status: 'granted', source, proof }).kind).toBe('change');
    }
  });

  it('lets an import record a refusal or withdrawal, and a grant over unknown', () => {
    expect(consentTransition('granted', { status: 'withdrawn', source: 'import' }).kind).toBe('change');
    expect(consentTransition('unknown', { status: 'refused', source: 'import' }).kind).toBe('change');
    expect(consentTransition('unknown', { status: 'granted', source: 'import', proof: { importId: 'i1' } }).kind).toBe('change');
  });

  it('reports the same status as unchanged (no duplicate history on a resumed import)', () => {
    expect(consentTransition('granted', { status: 'granted', source: 'import', proof: { importId: 'i1' } })).toEqual({ kind: 'unchanged' });
    expect(consentTransition('withdrawn', { status: 'withdrawn', source: 'opt_out' })).toEqual({ kind: 'unchanged' });
  });

  it('withdraws without proof (R-OPTOUT takes effect at once)', () => {
    expect(consentTransition('granted', { status: 'withdrawn', source: 'opt_out' })).toEqual({ kind: 'change' });
    expect(consentTransition('unknown', { status: 'withdrawn', source: 'opt_out' })).toEqual({ kind: 'change' });
  });

  it('only withdraws through the opt_out source', () => {
    expect(consentTransition('withdrawn', { status: 'granted', source: 'opt_out', proof })).toMatchObject({ kind: 'refused', code: 'invalid_consent_change' });
    expect(consentTransition('unknown', { status: 'refused', source: 'opt_out' })).toMatchObject({ kind: 'refused', code: 'invalid_consent_change' });
  });

  it('refuses an unknown source', () => {
    expect(consentTransition('unknown', { status: 'refused', source: 'carrier_pigeon' as never })).toMatchObject({ kind: 'refused', code: 'invalid_consent_change' });
  });
});

describe('consent and marketing', () => {
  it('blocks marketing on refused and withdrawn only', () => {
    expect(consentBlocksMarketing('refused')).toBe(true);
    expect(consentBlocksMarketing('withdrawn')).toBe(true);
    expect(consentBlocksMarketing('granted')).toBe(false);
    expect(consentBlocksMarketing('unknown')).toBe(false);
  });

  it('lets campaigns reach granted only', () => {
    expect(['unknown', 'granted', 'refused', 'withdrawn'].filter(consentAllowsCampaign)).toEqual(['granted']);
  });

  it('maps channels to the address they reach', () => {
    expect(channelAddressKind('email')).toBe('email');
    expect(channelAddressKind('sms')).toBe('phone');
    expect(channelAddressKind('whatsapp')).toBe('phone');
    expect(channelAddressKind('rcs')).toBe('phone');
  });

  it('detects evidence', () => {
    expect(hasConsentEvidence({ operator: 'alice@example.com' })).toBe(true);
    expect(hasConsentEvidence({ reference: 42 as never })).toBe(false);
  });
});
