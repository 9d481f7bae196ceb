import type { Actor, RequestContext } from '../audit/audit.ts';
import type { TenantStatus } from '../db/schema.ts';

/** The tenant a principal acts in, as authentication found it. */
export interface TenantRef {
  id: string;
  name: string;
  status: TenantStatus;
  statusReason: string | null;
}

export interface SessionPrincipal {
  kind: 'user' | 'operator';
  userId: string;
  email: string;
  name: string;
  role: string;
  /** null for SOFY operators. */
  tenant: TenantRef | null;
  sessionId: string;
  stage: 'mfa_verify' | 'password_change' | 'mfa_enrol' | 'active';
  csrfToken: string;
  mfaEnabled: boolean;
  locale: 'fr' | 'en';
}

export interface ApiKeyPrincipal {
  kind: 'api_key';
  keyId: string;
  name: string;
  prefix: string;
  scopes: readonly string[];
  tenant: TenantRef;
}

export type Principal = SessionPrincipal | ApiKeyPrincipal;

export function actorOf(principal: Principal | undefined): Actor {
  if (!principal) return { type: 'anonymous', id: null, label: 'anonymous' };
  if (principal.kind === 'api_key') return { type: 'api_key', id: principal.keyId, label: `${principal.prefix} (${principal.name})` };
  return { type: principal.kind, id: principal.userId, label: principal.email };
}

/** What services receive from a route: who acts, from where. */
export interface ServiceContext extends RequestContext {
  principal: Principal;
}
