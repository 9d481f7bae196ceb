// The /v1/segments client of the console (SoReach, issue 4): the rule tree's types and the calls.
import { request } from '../../api';

export type Operator =
  | 'eq'
  | 'ne'
  | 'contains'
  | 'not_contains'
  | 'starts_with'
  | 'in'
  | 'not_in'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'between'
  | 'on'
  | 'before'
  | 'after'
  | 'within_last_days'
  | 'within_next_days'
  | 'more_than_days_ago'
  | 'is_true'
  | 'is_false'
  | 'is_set'
  | 'is_not_set';
export type AttributeType = 'text' | 'number' | 'date' | 'boolean' | 'choice';
export type Channel = 'sms' | 'email' | 'whatsapp' | 'rcs';
export type ConsentStatus = 'granted' | 'refused' | 'withdrawn' | 'unknown';
export type ActivityKind = 'received' | 'clicked' | 'opened' | 'replied' | 'opted_out';
export type TagOperator = 'has' | 'has_not' | 'has_any' | 'has_all' | 'has_none';
export type ContactField = 'language' | 'point_of_sale' | 'phone' | 'email' | 'created_at' | 'updated_at' | 'last_activity_at';

export type Condition =
  | { type: 'field'; field: ContactField; op: Operator; value?: string; to?: string; values?: string[]; days?: number }
  | { type: 'tag'; op: TagOperator; tags: string[] }
  | { type: 'attribute'; key: string; op: Operator; value?: string | number | boolean; to?: string | number; values?: string[]; days?: number }
  | { type: 'consent'; channel: Channel; op: 'is' | 'is_not'; status: ConsentStatus }
  | { type: 'activity'; kind: ActivityKind; op?: 'performed' | 'not_performed'; campaignId?: string; channel?: Channel; withinDays?: number; minCount?: number }
  | { type: 'segment'; op: 'in' | 'not_in'; segmentId: string };
export type Group = { all: Rule[] } | { any: Rule[] };
export type Rule = Group | Condition;
export type Definition = Group;

export interface Segment {
  id: string;
  name: string;
  description: string | null;
  kind: 'dynamic' | 'static';
  definition: Definition | null;
  count: number | null;
  countedAt: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SegmentContact {
  id: string;
  phone: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  language: string | null;
  pointOfSale: string | null;
  tags: string[];
  consent: Record<Channel, string>;
  createdAt: string;
  lastActivityAt: string | null;
}

export interface CountResult {
  count: number;
  approximate: boolean;
  tookMs: number;
  sample?: SegmentContact[];
}

export interface Catalogue {
  limits: { maxDepth: number; maxConditions: number };
  fields: { field: ContactField; operators: Operator[] }[];
  attributes: { key: string; label: string; type: AttributeType; choices: string[] | null; operators: Operator[] }[];
  tagOperators: TagOperator[];
  channels: Channel[];
  consentStatuses: ConsentStatus[];
  activityKinds: ActivityKind[];
  segments: { id: string; name: string; kind: 'dynamic' | 'static' }[];
  suggestions: { tags: string[]; pointsOfSale: string[]; languages: string[] };
}

export interface MembersResult {
  added?: number;
  removed?: number;
  members: number;
  unknownContactIds: string[];
}

export type MemberSelection = { contactIds: string[] } | { definition: Definition } | { segmentId: string };

const id = encodeURIComponent;

export const segmentsApi = {
  catalogue: () => request<Catalogue>('GET', '/v1/segments/catalogue'),
  list: (params: { cursor?: string | null; kind?: 'dynamic' | 'static' | ''; q?: string; limit?: number }) =>
    request<{ data: Segment[]; nextCursor: string | null }>('GET', '/v1/segments', {
      query: { limit: params.limit ?? 50, cursor: params.cursor ?? undefined, kind: params.kind || undefined, q: params.q || undefined },
    }),
  get: (segmentId: string) => request<Segment>('GET', `/v1/segments/${id(segmentId)}`),
  create: (input: { name: string; description?: string | null; kind: 'dynamic' | 'static'; definition?: Definition }) => request<Segment>('POST', '/v1/segments', { body: input }),
  update: (segmentId: string, input: { name?: string; description?: string | null; definition?: Definition }) => request<Segment>('PATCH', `/v1/segments/${id(segmentId)}`, { body: input }),
  remove: (segmentId: string) => request<void>('DELETE', `/v1/segments/${id(segmentId)}`),
  countDefinition: (definition: Definition, options: { sample?: number; segmentId?: string; signal?: AbortSignal } = {}) =>
    request<CountResult>('POST', '/v1/segments/count', {
      body: { definition, ...(options.sample ? { sample: options.sample } : {}), ...(options.segmentId ? { segmentId: options.segmentId } : {}) },
      signal: options.signal,
    }),
  count: (segmentId: string) => request<CountResult>('GET', `/v1/segments/${id(segmentId)}/count`),
  contacts: (segmentId: string, cursor: string | null, limit = 50) =>
    request<{ data: SegmentContact[]; nextCursor: string | null }>('GET', `/v1/segments/${id(segmentId)}/contacts`, { query: { limit, cursor: cursor ?? undefined } }),
  addMembers: (segmentId: string, selection: MemberSelection) => request<MembersResult>('POST', `/v1/segments/${id(segmentId)}/members`, { body: selection }),
  removeMembers: (segmentId: string, selection: MemberSelection) => request<MembersResult>('POST', `/v1/segments/${id(segmentId)}/members/remove`, { body: selection }),
};
