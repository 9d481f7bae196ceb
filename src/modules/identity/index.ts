/** The identity module's public face: other modules import from here only. */
export { ApiKeysService, createApiKeyInTx, notifyAuthChange, revokeApiKeyInTx, type NewApiKey } from './api-keys-service.ts';
export { AUTH_CHANGES_CHANNEL, AuthService } from './auth-service.ts';
export { authorize, can, tenantOf } from './authorize.ts';
export { auditAdminKeyRead } from './audit-reads.ts';
export { identityRoutes } from './routes.ts';
export { ipAllowed, OPERATOR_ROLES, TENANT_ROLES, type OperatorRole, type TenantRole, roleCan } from './rules.ts';
export { createUserInTx, diff, UsersService, type NewUser } from './users-service.ts';
export { currentTotp } from './secrets.ts';
export { UserView as UserViewSchema, ApiKeyView as ApiKeyViewSchema } from './schemas.ts';
export { userView, apiKeyView, type UserView, type ApiKeyView } from './views.ts';
export { listUsers, listApiKeys } from './repo.ts';
