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

export interface MessagesTable {
  id: string;
  created_at: Date;
  tenant_id: string;
  channel: string;
  route: string | null;
  status: string;
  sender: string | null;
  recipient: string;
  country: string | null;
  content: Record<string, unknown>;
  encoding: string | null;
  segments: number | null;
  characters: number | null;
  price_millicents: number | null;
  send_at: Date;
  expires_at: Date | null;
  fallback: string | null;
  fell_back: boolean;
  provider_id: string | null;
  connector: string | null;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  attribution: string | null;
  metadata: Record<string, unknown> | null;
  api_key_id: string | null;
  campaign_id: string | null;
  warnings: string[];
  submitted_at: Date | null;
  done_at: Date | null;
  updated_at: Date;
}

export interface MessageEventsTable {
  tenant_id: string;
  message_id: string;
  at: Date;
  status: string;
  detail: Record<string, unknown>;
}

export interface SuppressionsTable {
  tenant_id: string;
  address: string;
  source: string;
  channel: string | null;
  detail: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: ColumnType<unknown, string, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface SendersTable {
  tenant_id: string;
  sender: string;
  kind: string;
  status: ColumnType<string, string | undefined, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface InboundMessagesTable {
  id: string;
  tenant_id: string;
  channel: string;
  sender: string;
  recipient: string;
  text: string;
  provider_id: string | null;
  received_at: Date;
  opt_out: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface ConversationWindowsTable {
  tenant_id: string;
  channel: string;
  contact: string;
  last_inbound_at: Date;
}

export interface WhatsAppTemplatesTable {
  tenant_id: string;
  name: string;
  language: string;
  category: ColumnType<string, string | undefined, string>;
  status: ColumnType<string, string | undefined, string>;
  components: ColumnType<unknown[], string | undefined, string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  // 0009: the template registry
  business_account_id: ColumnType<string | null, string | null | undefined, string | null>;
  provider_id: ColumnType<string | null, string | null | undefined, string | null>;
  rejection_reason: ColumnType<string | null, string | null | undefined, string | null>;
  status_detail: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: CreatedAt;
  created_by: ColumnType<string | null, string | null | undefined, string | null>;
  updated_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TenantPricesTable {
  tenant_id: string;
  channel: string;
  route: ColumnType<string, string | undefined, string>;
  country: ColumnType<string, string | undefined, string>;
  unit_millicents: number;
  effective_from: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface UsageRecordsTable {
  id: Generated<number>;
  tenant_id: string;
  message_id: string;
  at: Date;
  channel: string;
  route: string | null;
  country: string | null;
  segments: number;
  price_millicents: number;
  api_key_id: string | null;
  campaign_id: string | null;
}

export interface WebhookEndpointsTable {
  id: Generated<string>;
  tenant_id: string;
  url: string;
  secret: string;
  events: string[];
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  description: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface WebhookDeliveriesTable {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_type: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  status: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  lease_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_status_code: number | null;
  last_error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  delivered_at: Date | null;
}

export interface DB {
  tenants: TenantsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  messages: MessagesTable;
  message_events: MessageEventsTable;
  suppressions: SuppressionsTable;
  idempotency_keys: IdempotencyKeysTable;
  senders: SendersTable;
  inbound_messages: InboundMessagesTable;
  conversation_windows: ConversationWindowsTable;
  whatsapp_templates: WhatsAppTemplatesTable;
  tenant_prices: TenantPricesTable;
  usage_records: UsageRecordsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
