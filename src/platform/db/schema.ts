import type { ColumnType, Generated } from 'kysely';

/**
 * Row types of the tables, as Kysely sees them. A module adds its tables here with its
 * migration, so every query is checked against the real schema at compile time.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type TenantStatus = 'active' | 'suspended_nonpayment' | 'suspended_fraud' | 'terminated';

export interface TenantsTable {
  id: Generated<string>;
  name: string;
  status: ColumnType<TenantStatus, TenantStatus | undefined, TenantStatus>;
  status_reason: string | null;
  status_changed_at: Timestamp | null;
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  is_demo: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface UsersTable {
  id: Generated<string>;
  tenant_id: string | null;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  must_change_password: ColumnType<boolean, boolean | undefined, boolean>;
  mfa_secret: string | null;
  mfa_pending_secret: string | null;
  mfa_enabled_at: Timestamp | null;
  mfa_last_step: ColumnType<number | null, number | null | undefined, number | null>;
  recovery_codes: ColumnType<string[], string[] | undefined, string[]>;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: Timestamp | null;
  disabled_at: Timestamp | null;
  last_login_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type SessionStage = 'mfa_verify' | 'password_change' | 'mfa_enrol' | 'active';

export interface SessionsTable {
  id: Generated<string>;
  token_hash: Buffer;
  user_id: string;
  tenant_id: string | null;
  stage: SessionStage;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: CreatedAt;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface ApiKeysTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  prefix: string;
  secret_hash: Buffer;
  scopes: string[];
  allowed_ips: ColumnType<string[], string[] | undefined, string[]>;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  last_used_at: Timestamp | null;
  last_used_ip: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface AuditLogTable {
  id: Generated<number>;
  chain: string;
  seq: number;
  tenant_id: string | null;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  request_id: string | null;
  summary: Record<string, unknown>;
  prev_hash: Buffer | null;
  hash: Buffer;
}

export interface DB {
  tenants: TenantsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
}
