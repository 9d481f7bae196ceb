import { AppError } from '../../platform/errors.ts';
import type { Principal } from '../../platform/http/principal.ts';
import { roleCan, scopesCan, scopesGranting, type Permission } from './rules.ts';

/**
 * The permission check every service makes before it acts (R-IAM, R-APIKEY). A user acts through
 * its role, an API key through its scopes; an operator only through the operator path.
 */
export function authorize(principal: Principal, permission: Permission): void {
  if (principal.kind === 'api_key') {
    if (!scopesCan(principal.scopes, permission)) {
      const needed = scopesGranting(permission);
      throw new AppError('insufficient_scope', `This API key lacks the scope for this action${needed.length ? ` (needs ${needed.join(' or ')})` : ''}`, {
        extensions: { requiredScopes: needed },
      });
    }
    return;
  }
  if (!roleCan(principal.role, permission)) {
    throw new AppError('forbidden', `Your role (${principal.role}) does not allow this action`, { extensions: { permission } });
  }
}

/** The tenant a principal works in; operators must go through the operator path instead. */
export function tenantOf(principal: Principal): string {
  if (!principal.tenant) throw new AppError('forbidden', 'SOFY operators reach tenant data through the operator console (audited)');
  return principal.tenant.id;
}

export function can(principal: Principal, permission: Permission): boolean {
  return principal.kind === 'api_key' ? scopesCan(principal.scopes, permission) : roleCan(principal.role, permission);
}
