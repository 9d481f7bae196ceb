import { describe, expect, it } from 'vitest';
import { API_KEY_SCOPES, roleCan, scopesCan, scopesGranting, TENANT_ROLES } from '../identity/rules.ts';

/**
 * Who may read and change contacts (issue 4, R-IAM / R-APIKEY): every tenant role reads them
 * (the people who read marketing data); owners, admins and marketers change them. API keys:
 * `contacts:read` reads, `contacts:write` reads and writes.
 */
describe('contacts permissions', () => {
  it('lets every tenant role read contacts and only owner, admin and marketer change them', () => {
    expect(TENANT_ROLES.filter((role) => roleCan(role, 'contacts:read'))).toEqual(['owner', 'admin', 'marketer', 'agent', 'viewer']);
    expect(TENANT_ROLES.filter((role) => roleCan(role, 'contacts:write'))).toEqual(['owner', 'admin', 'marketer']);
  });

  it('gives API keys the contacts scopes, write implying read', () => {
    expect(API_KEY_SCOPES).toContain('contacts:read');
    expect(API_KEY_SCOPES).toContain('contacts:write');
    expect(scopesCan(['contacts:read'], 'contacts:read')).toBe(true);
    expect(scopesCan(['contacts:read'], 'contacts:write')).toBe(false);
    expect(scopesCan(['contacts:write'], 'contacts:read')).toBe(true);
    expect(scopesCan(['messages:read', 'admin'], 'contacts:read')).toBe(false);
    expect(scopesGranting('contacts:write')).toEqual(['contacts:write']);
  });

  it('leaves SOFY operators out of tenant contacts (they go through the audited operator path)', () => {
    for (const role of ['sofy_admin', 'sofy_support', 'sofy_billing', 'sofy_security']) expect(roleCan(role, 'contacts:read')).toBe(false);
  });
});
