// The /v1/campaigns client of the console (SoReach, issue 4): types and calls.
import { download, request } from '../../api';

export type CampaignChannel = 'sms' | 'rcs' | 'email';
export type CampaignStatus = 'draft' | 'pending_approval' | 'scheduled' | 'running' | 'testing' | 'paused' | 'completed' | 'cancelled';
export const CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['draft', 'pending_approval', 'scheduled', 'running', 'testing', 'paused', 'completed', 'cancelled'];
export type VariantKey = 'A' | 'B' | 'C' | 'D';
export const VARIANT_KEYS: readonly VariantKey[] = ['A', 'B', 'C', 'D'];
export type WinnerMetric = 'click_rate' | 'delivery_rate';

export interface Variant {
  key: VariantKey;
  split: number;
  text?: string;
  subject?: string;
  html?: string;
}

export interface CampaignContent {
  sender?: string | null;
  variants: Variant[];
  smsFallback?: boolean;
}

export interface Money {
  millicents: number;
  cents: number;
}

export interface Estimate {
  audience: number;
  recipients: number;
  excluded: { noAddress: number; noConsent: number; suppressed: number };
  cost: Money & { currency: 'EUR' };
  variants: Array<{ key: string; segments: number | null; encoding: string | null; characters: number | null; cost: Money }>;
  refused: Array<{ reason: string; count: number }>;
  at: string;
}

export interface Campaign {
  id: string;
  name: string;
  channel: CampaignChannel;
  status: CampaignStatus;
  content: CampaignContent;
  links: string[];
  audience: { include: string[]; exclude: string[] };
  ab: { winner: { metric: WinnerMetric; afterHours: number } | null } | null;
  throttlePerMinute: number | null;
  scheduledAt: string | null;
  phase: string | null;
  winnerVariant: string | null;
  winnerAt: string | null;
  estimate: Estimate | null;
  rejectionReason: string | null;
  createdBy: string | null;
  submittedBy: string | null;
  submittedAt: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  startedAt: string | null;
  pausedAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  lastSendAt: string | null;
  createdAt: string;
  updatedAt: string;
  counters?: { recipients: number; sent: number; delivered: number; failed: number };
}

export interface CampaignInput {
  name: string;
  channel: CampaignChannel;
  content: CampaignContent;
  audience: { include: string[]; exclude: string[] };
  ab: { winner: { metric: WinnerMetric; afterHours: number } | null } | null;
  throttlePerMinute: number | null;
  scheduledAt: string | null;
}

export interface VariantPreview {
  key: string;
  to: string;
  text: string | null;
  subject: string | null;
  html: string | null;
  encoding: string | null;
  characters: number | null;
  segments: number | null;
  price: Money | null;
  warnings: string[];
  refusal: { code: string; detail: string } | null;
}

export interface ReportCounts {
  targeted: number;
  skipped: number;
  messages: number;
  pending: number;
  sent: number;
  delivered: number;
  failed: number;
  suppressed: number;
  clicks: number;
  uniqueClicks: number;
  opens: number;
  uniqueOpens: number;
  optOuts: number;
  /** Replies attributed to the campaign (same channel, within 7 days of its message), and the contacts who replied. */
  replies: number;
  uniqueReplies: number;
  cost: Money;
  deliveryRate: number;
  clickRate: number;
}

export interface Report {
  campaign: Campaign;
  totals: ReportCounts;
  variants: Array<ReportCounts & { variant: string }>;
  failures: Array<{ reason: string; attribution: string | null; count: number }>;
  skipped: Array<{ reason: string; count: number }>;
  links: Array<{ index: number; url: string; clicks: number; uniqueClicks: number }>;
  series: { bucket: 'hour' | 'day'; points: Array<{ at: string; sent: number; delivered: number; failed: number; clicks: number }> };
  winner: { variant: string | null; at: string | null; rule: { metric: WinnerMetric; afterHours: number } | null };
}

export const campaignsApi = {
  list: (query: { cursor?: string | null; status?: string; from?: string; until?: string; limit?: number }) =>
    request<{ data: Campaign[]; nextCursor: string | null }>('GET', '/v1/campaigns', {
      query: { limit: query.limit ?? 50, cursor: query.cursor ?? undefined, status: query.status || undefined, from: query.from, until: query.until },
    }),
  get: (id: string) => request<Campaign>('GET', `/v1/campaigns/${encodeURIComponent(id)}`),
  create: (body: CampaignInput) => request<Campaign>('POST', '/v1/campaigns', { body }),
  update: (id: string, body: Partial<CampaignInput>) => request<Campaign>('PATCH', `/v1/campaigns/${encodeURIComponent(id)}`, { body }),
  remove: (id: string) => request<void>('DELETE', `/v1/campaigns/${encodeURIComponent(id)}`),
  action: (id: string, action: 'submit' | 'approve' | 'pause' | 'resume' | 'cancel') => request<Campaign>('POST', `/v1/campaigns/${encodeURIComponent(id)}/${action}`),
  reject: (id: string, reason: string) => request<Campaign>('POST', `/v1/campaigns/${encodeURIComponent(id)}/reject`, { body: { reason } }),
  estimate: (body: { channel: CampaignChannel; content: CampaignContent; audience: { include: string[]; exclude: string[] }; ab: CampaignInput['ab'] }, signal?: AbortSignal) =>
    request<Estimate>('POST', '/v1/campaigns/estimate', { body, ...(signal ? { signal } : {}) }),
  preview: (body: { channel: CampaignChannel; content: CampaignContent; contactId?: string }, signal?: AbortSignal) =>
    request<{ variants: VariantPreview[]; contact: { id: string; name: string; address: string | null } | null }>('POST', '/v1/campaigns/preview', { body, ...(signal ? { signal } : {}) }),
  testSend: (id: string, to: string[]) => request<{ accepted: number; rejected: number; results: Array<{ index: number; error?: { detail: string } }> }>('POST', `/v1/campaigns/${encodeURIComponent(id)}/test`, { body: { to } }),
  report: (id: string) => request<Report>('GET', `/v1/campaigns/${encodeURIComponent(id)}/report`),
  exportCsv: (id: string) => download(`/v1/campaigns/${encodeURIComponent(id)}/report.csv`, `campaign-${id}.csv`),
};
