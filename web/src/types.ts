// Shapes of the console ↔ API contract (docs/api-console-contract.md).

export type Locale = 'fr' | 'en';

export type SessionStage = 'mfa_verify' | 'password_change' | 'mfa_enrol' | 'active';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: string;
  tenantId: string | null;
  tenantName: string | null;
  locale: Locale;
  mfaEnabled: boolean;
  operator: boolean;
}

export interface Session {
  authenticated: boolean;
  stage?: SessionStage;
  csrfToken?: string;
  user?: SessionUser;
}

export interface MfaEnrolment {
  secret: string;
  otpauthUrl: string;
  qrCodeDataUrl: string;
}

export interface MfaEnrolConfirmation {
  recoveryCodes: string[];
  session: Session;
}

export const USER_ROLES = ['owner', 'admin', 'marketer', 'agent', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export type UserStatus = 'active' | 'disabled' | 'locked' | 'invited';

export interface User {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  mfaEnabled: boolean;
  status: UserStatus;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export const API_SCOPES = [
  'messages:marketing',
  'messages:alert',
  'messages:read',
  'contacts:read',
  'contacts:write',
  'campaigns:write',
  'admin',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  allowedIps: string[] | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  createdAt: string;
  createdBy: string | null;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  secret: string;
}

export type ActorType = 'user' | 'operator' | 'api_key' | 'system';

export interface AuditEntry {
  id: string;
  seq: number | string;
  at: string;
  actor: { type: ActorType; id: string | null; label: string | null };
  action: string;
  target: { type: string; id: string | null } | null;
  ip: string | null;
  summary: unknown;
  hash: string;
}

export type TenantStatus = 'active' | 'suspended_nonpayment' | 'suspended_fraud' | 'terminated';

export interface TenantSettings {
  locale: Locale;
  timezone: string;
  defaultSender: string | null;
  stopMention: string | null;
  mfaRequiredForAll: boolean;
}

export interface Tenant {
  id: string;
  name: string;
  status: TenantStatus;
  statusReason: string | null;
  settings: TenantSettings;
  createdAt: string;
}

export interface OperatorTenant extends Tenant {
  userCount: number;
}

export interface RoleDefinition {
  role: string;
  permissions: string[];
}

export interface RolesCatalogue {
  roles: RoleDefinition[];
  operatorRoles: RoleDefinition[];
  scopes: string[];
}

export interface Me {
  principal: {
    type: 'user' | 'operator' | 'api_key';
    id: string;
    label: string;
    role?: string;
    scopes?: string[];
  };
  tenant: Tenant | null;
  permissions: string[];
}

export interface CreatedTenant {
  tenant: Tenant;
  admin: { email: string; oneTimePassword: string };
  /** The contract only says `apiKey`: either the secret itself or `{apiKey, secret}`. */
  apiKey: unknown;
}

export interface OpenedTenant {
  tenant: Tenant;
  users: User[];
  apiKeys: ApiKey[];
  audit: AuditEntry[];
}

export type SuspensionKind = 'nonpayment' | 'fraud';
