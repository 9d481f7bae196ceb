// The /v1/contacts client of the console (SoReach, issue 4): types and calls, beside the pages
// that use them.
import { download, request } from '../../api';

export type ConsentChannel = 'sms' | 'email' | 'whatsapp' | 'rcs';
export type ConsentStatus = 'unknown' | 'granted' | 'refused' | 'withdrawn';
export type ConsentSource = 'form' | 'import' | 'api' | 'in_store' | 'console' | 'opt_out';
export const CONSENT_CHANNELS: readonly ConsentChannel[] = ['sms', 'email', 'whatsapp', 'rcs'];
export const CONSENT_STATUSES: readonly ConsentStatus[] = ['unknown', 'granted', 'refused', 'withdrawn'];
/** The sources a person may name in the console (`opt_out` and `import` are recorded by the platform). */
export const CONSOLE_SOURCES: readonly ConsentSource[] = ['console', 'in_store', 'form', 'api'];

export interface Contact {
  id: string;
  phone: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  language: string | null;
  attributes: Record<string, string | number | boolean>;
  tags: string[];
  pointOfSale: string | null;
  externalId: string | null;
  consent: Record<ConsentChannel, ConsentStatus>;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string | null;
}

export interface ConsentRecord {
  channel: ConsentChannel;
  status: ConsentStatus;
  source: ConsentSource | null;
  at: string | null;
  proof: Record<string, unknown>;
}

export interface ContactDetail extends Contact {
  consents: ConsentRecord[];
  suppressed: { phone: boolean; email: boolean };
  warnings?: string[];
  changed?: boolean;
}

export interface ConsentEvent {
  channel: ConsentChannel;
  status: ConsentStatus;
  source: ConsentSource;
  at: string;
  proof: Record<string, unknown>;
  actor: string | null;
}

export interface TimelineItem {
  type: 'message' | 'activity' | 'consent';
  at: string;
  channel: string | null;
  kind: string;
  messageId: string | null;
  campaignId: string | null;
  detail: Record<string, unknown>;
}

export interface ContactSummary {
  total: number;
  consentGranted: Record<ConsentChannel, number>;
  tags: { tag: string; count: number }[];
  pointsOfSale: { code: string; count: number }[];
}

export interface AttributeDefinition {
  key: string;
  label: string;
  type: 'text' | 'number' | 'date' | 'boolean' | 'choice';
  choices: string[] | null;
}

export interface ContactFilters {
  q?: string;
  tag?: string;
  consent?: string;
  pointOfSale?: string;
}

export interface ContactInput {
  phone?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  language?: string | null;
  pointOfSale?: string | null;
  externalId?: string | null;
  tags?: string[];
  attributes?: Record<string, string | number | boolean | null>;
  consents?: Partial<Record<ConsentChannel, { status: 'granted'; source: ConsentSource; proof: Record<string, string> }>>;
}

const id = encodeURIComponent;

export const contactsApi = {
  list: (params: ContactFilters & { cursor?: string | null; limit?: number; count?: boolean }, signal?: AbortSignal) =>
    request<{ data: Contact[]; nextCursor: string | null; total?: number }>('GET', '/v1/contacts', {
      query: {
        limit: params.limit ?? 50,
        cursor: params.cursor ?? undefined,
        q: params.q,
        tag: params.tag,
        consent: params.consent,
        pointOfSale: params.pointOfSale,
        count: params.count ? 'true' : undefined,
      },
      signal,
    }),
  summary: () => request<ContactSummary>('GET', '/v1/contacts/summary'),
  get: (contactId: string) => request<ContactDetail>('GET', `/v1/contacts/${id(contactId)}`),
  create: (input: ContactInput) => request<ContactDetail>('POST', '/v1/contacts', { body: input }),
  update: (contactId: string, input: ContactInput) => request<ContactDetail>('PATCH', `/v1/contacts/${id(contactId)}`, { body: input }),
  erase: (contactId: string) => request<void>('DELETE', `/v1/contacts/${id(contactId)}`),
  setConsent: (contactId: string, channel: ConsentChannel, input: { status: Exclude<ConsentStatus, 'unknown'>; source: ConsentSource; proof?: Record<string, string> }) =>
    request<ContactDetail>('PUT', `/v1/contacts/${id(contactId)}/consents/${channel}`, { body: input }),
  history: (contactId: string) => request<{ data: ConsentEvent[] }>('GET', `/v1/contacts/${id(contactId)}/consents`),
  timeline: (contactId: string, cursor: string | null) =>
    request<{ data: TimelineItem[]; nextCursor: string | null }>('GET', `/v1/contacts/${id(contactId)}/timeline`, { query: { limit: 20, cursor: cursor ?? undefined } }),
  attributes: () => request<{ data: AttributeDefinition[] }>('GET', '/v1/contact-attributes'),
  export: (format: 'csv' | 'json') => download(`/v1/contacts/export?format=${format}`, `contacts.${format}`),
};
