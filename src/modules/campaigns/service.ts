import { type RawBuilder, sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { RequestContext } from '../../platform/audit/audit.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { uuidv7 } from '../../platform/ids.ts';
import { authorize, can, tenantOf } from '../identity/index.ts';
import type { MessagingService } from '../messaging/index.ts';
import { analyseSms } from '../messaging/rules.ts';
import type { SendMessageRequest } from '../messaging/schemas.ts';
import { settingsOf } from '../tenants/index.ts';
import { type CampaignReport, campaignReport, exportPage, variantResults } from './analytics.ts';
import { type Audience, audienceWhere } from './audience.ts';
import { campaignsTx } from './db.ts';
import { emailHtml, emailText, mergeOf } from './fanout.ts';
import { type CampaignRow, campaignCounters, cancelPending, dueWork, getCampaign, holdOutbox, listCampaigns, releaseOutbox } from './repo.ts';
import {
  type CampaignAction,
  type CampaignChannel,
  type CampaignContent,
  type CampaignStatus,
  type CompiledContent,
  compileContent,
  costOf,
  csvLine,
  escapeHtml,
  type MergeContact,
  type ParsedTemplate,
  pickWinner,
  renderTemplate,
  resumeTarget,
  transition,
  type WinnerRule,
} from './rules.ts';
import { type CampaignSendingSettings, campaignRequest, loadSendingContext, prepare } from './sending.ts';

export interface CampaignInput {
  name: string;
  channel: CampaignChannel;
  content: CampaignContent;
  audience?: Partial<Audience> | undefined;
  ab?: { winner: WinnerRule | null } | null | undefined;
  throttlePerMinute?: number | null | undefined;
  scheduledAt?: string | null | undefined;
}

export interface CampaignView {
  id: string;
  name: string;
  channel: CampaignChannel;
  status: CampaignStatus;
  content: CampaignContent;
  links: string[];
  audience: Audience;
  ab: { winner: WinnerRule | null } | null;
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
  counters?: { recipients: number; sent: number; delivered: number; failed: number } | undefined;
}

export interface Estimate {
  /** Contacts of the audience (segments minus exclusions). */
  audience: number;
  /** Who will receive it: an address, consent granted (R-CONSENT), not suppressed (R-OPTOUT). */
  recipients: number;
  excluded: { noAddress: number; noConsent: number; suppressed: number };
  /** Upper bound (each recipient priced with the dearest variant), HT. */
  cost: { millicents: number; cents: number; currency: 'EUR' };
  variants: Array<{ key: string; segments: number | null; encoding: string | null; characters: number | null; cost: { millicents: number; cents: number } }>;
  /** Recipients the send path would refuse (e.g. a number not allocated), by reason. */
  refused: Array<{ reason: string; count: number }>;
  at: string;
}

export interface PreviewInput {
  channel: CampaignChannel;
  content: CampaignContent;
  contactId?: string | undefined;
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
  price: { millicents: number; cents: number } | null;
  warnings: string[];
  refusal: { code: string; detail: string } | null;
}

/** A sample French mobile number to preview an SMS when the contact has none. */
const SAMPLE_PHONE = '+33612345678';

/**
 * Campaigns (issue 4, SoReach): prepared by a marketer, approved by an admin or owner when the
 * tenant requires it, fanned out by a job, tracked and reported. Every change is audited.
 */
export class CampaignsService {
  /** Called when a campaign becomes due now (wired to the job runner where one runs). */
  onDue: () => void = () => {};

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly settings: CampaignSendingSettings,
    private readonly messaging: Pick<MessagingService, 'sendBatch'>,
  ) {}

  // Reading -------------------------------------------------------------------------------------

  async list(ctx: ServiceContext, query: { limit: number; cursor?: string | undefined; status?: string | undefined; from?: string | undefined; until?: string | undefined }): Promise<{ data: CampaignView[]; nextCursor: string | null }> {
    const tenantId = this.#reader(ctx);
    const after = query.cursor ? decodeCursor<{ createdAt: string; id: string }>(query.cursor) : undefined;
    const { rows, counters } = await withTenant(this.db, tenantId, async (tx) => {
      const rows = await listCampaigns(tx, tenantId, {
        status: query.status,
        from: query.from ? new Date(query.from) : undefined,
        until: query.until ? new Date(query.until) : undefined,
        limit: query.limit + 1,
        after: after ? { createdAt: new Date(after.createdAt), id: after.id } : undefined,
      });
      const counters = await campaignCounters(tx, tenantId, rows.slice(0, query.limit).filter((r) => r.started_at).map((r) => r.id));
      return { rows, counters };
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      data: page.map((row) => ({ ...view(row), counters: counters.get(row.id) ?? { recipients: 0, sent: 0, delivered: 0, failed: 0 } })),
      nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id }) : null,
    };
  }

  async get(ctx: ServiceContext, id: string): Promise<CampaignView> {
    const tenantId = this.#reader(ctx);
    return view(await withTenant(this.db, tenantId, async (tx) => this.#load(tx, tenantId, id)));
  }

  // Writing -------------------------------------------------------------------------------------

  async create(ctx: ServiceContext, input: CampaignInput): Promise<CampaignView> {
    authorize(ctx.principal, 'campaigns:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    const checked = this.#check(input);
    return withTenant(this.db, tenantId, async (tx) => {
      const id = uuidv7(now);
      const row = await campaignsTx(tx)
        .insertInto('campaigns')
        .values({
          tenant_id: tenantId,
          id,
          name: input.name.trim(),
          channel: input.channel,
          status: 'draft',
          content: JSON.stringify(input.content),
          links: checked.links,
          audience: JSON.stringify(checked.audience),
          ab: input.ab ? JSON.stringify(input.ab) : null,
          throttle_per_minute: input.throttlePerMinute ?? null,
          scheduled_at: input.scheduledAt ? new Date(input.scheduledAt) : null,
          created_by: ctx.actor.label,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(tx, ctx, { tenantId, action: 'campaign.created', target: { type: 'campaign', id }, summary: { name: row.name, channel: row.channel }, at: now });
      return view(row);
    });
  }

  /** Edits a draft; a submitted or approved campaign goes back to draft (what is approved is what is sent). */
  async update(ctx: ServiceContext, id: string, input: Partial<CampaignInput>): Promise<CampaignView> {
    authorize(ctx.principal, 'campaigns:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      const current = await this.#load(tx, tenantId, id, true);
      this.#allowed(ctx, current, 'edit', false);
      const merged: CampaignInput = {
        name: input.name ?? current.name,
        channel: input.channel ?? (current.channel as CampaignChannel),
        content: input.content ?? (current.content as unknown as CampaignContent),
        audience: input.audience ?? (current.audience as unknown as Audience),
        ab: input.ab !== undefined ? input.ab : (current.ab as CampaignInput['ab']),
        throttlePerMinute: input.throttlePerMinute !== undefined ? input.throttlePerMinute : current.throttle_per_minute,
        scheduledAt: input.scheduledAt !== undefined ? input.scheduledAt : (current.scheduled_at?.toISOString() ?? null),
      };
      const checked = this.#check(merged);
      const row = await campaignsTx(tx)
        .updateTable('campaigns')
        .set({
          name: merged.name.trim(),
          channel: merged.channel,
          content: JSON.stringify(merged.content),
          links: checked.links,
          audience: JSON.stringify(checked.audience),
          ab: merged.ab ? JSON.stringify(merged.ab) : null,
          throttle_per_minute: merged.throttlePerMinute ?? null,
          scheduled_at: merged.scheduledAt ? new Date(merged.scheduledAt) : null,
          status: 'draft',
          approved_by: null,
          approved_at: null,
          updated_at: now,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(tx, ctx, { tenantId, action: 'campaign.updated', target: { type: 'campaign', id }, summary: { fields: Object.keys(input), from: current.status }, at: now });
      return view(row);
    });
  }

  async remove(ctx: ServiceContext, id: string): Promise<void> {
    authorize(ctx.principal, 'campaigns:write');
    const tenantId = tenantOf(ctx.principal);
    await withTenant(this.db, tenantId, async (tx) => {
      const current = await this.#load(tx, tenantId, id, true);
      this.#allowed(ctx, current, 'delete', false);
      await campaignsTx(tx).deleteFrom('campaigns').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
      await recordAudit(tx, ctx, { tenantId, action: 'campaign.deleted', target: { type: 'campaign', id }, summary: { name: current.name }, at: this.clock.now() });
    });
  }

  /**
   * Submits a draft: checked in full (content, audience, sender, at least one recipient), its
   * estimate stored; then scheduled, or waiting for approval when the tenant requires it and the
   * submitter cannot approve.
   */
  async submit(ctx: ServiceContext, id: string): Promise<CampaignView> {
    authorize(ctx.principal, 'campaigns:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    const row = await withTenant(this.db, tenantId, async (tx) => {
      const current = await this.#load(tx, tenantId, id, true);
      const approvalRequired = await this.#approvalRequired(tx, tenantId);
      const next = this.#allowed(ctx, current, 'submit', approvalRequired);
      const compiled = this.#check(this.#inputOf(current)).compiled;
      if (current.scheduled_at && current.scheduled_at.getTime() < now.getTime() - 60_000) {
        throw new AppError('validation_failed', 'The scheduled time is in the past', { errors: [{ path: '/scheduledAt', message: 'is in the past: choose a new time, or none to send as soon as approved' }] });
      }
      const estimate = await this.#estimate(tx, tenantId, current.channel as CampaignChannel, current.content as unknown as CampaignContent, compiled, current.audience as unknown as Audience, now);
      if (estimate.recipients === 0) {
        throw new AppError('campaign_audience_empty', 'Nobody in this audience can receive the campaign (consent granted, not opted out, with an address for the channel)', { extensions: { estimate } });
      }
      const sample = this.#samplePreview(compiled, current, await loadSendingContext(tx, tenantId, now, this.settings));
      if (sample) throw new AppError(sample.code as 'invalid_sender', `The send path refuses this campaign: ${sample.detail}`, { errors: [{ path: '/content', message: sample.detail }] });
      const updated = await campaignsTx(tx)
        .updateTable('campaigns')
        .set({
          status: next.to,
          estimate: JSON.stringify(estimate),
          submitted_by: ctx.actor.label,
          submitted_at: now,
          rejection_reason: null,
          ...(next.to === 'scheduled' ? { approved_by: next.approved ? ctx.actor.label : null, approved_at: next.approved ? now : null } : {}),
          updated_at: now,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(tx, ctx, { tenantId, action: 'campaign.submitted', target: { type: 'campaign', id }, summary: { status: next.to, recipients: estimate.recipients, costCents: estimate.cost.cents }, at: now });
      return updated;
    });
    this.#dueNow(row);
    return view(row);
  }

  async approve(ctx: ServiceContext, id: string): Promise<CampaignView> {
    authorize(ctx.principal, 'campaigns:approve');
    const row = await this.#act(ctx, id, 'approve', (now) => ({ approved_by: ctx.actor.label, approved_at: now }));
    this.#dueNow(row);
    return view(row);
  }

  async reject(ctx: ServiceContext, id: string, reason: string): Promise<CampaignView> {
    authorize(ctx.principal, 'campaigns:approve');
    return view(await this.#act(ctx, id, 'reject', () => ({ rejection_reason: reason }), { reason }));
  }

  /** Stops the fan-out and takes the campaign's waiting messages out of the outbox. */
  async pause(ctx: ServiceContext, id: string): Promise<CampaignView> {
    authorize(ctx.principal, 'campaigns:write');
    return view(
      await this.#act(ctx, id, 'pause', (now) => ({ paused_at: now }), {}, async (tx, tenantId) => {
        const held = await holdOutbox(tx, tenantId, id);
        return { held };
      }),
    );
  }

  async resume(ctx: ServiceContext, id: string): Promise<CampaignView> {
    authorize(ctx.principal, 'campaigns:write');
    const row = await this.#act(ctx, id, 'resume', () => ({ paused_at: null }), {}, async (tx, tenantId, current, now) => {
      const released = await releaseOutbox(tx, tenantId, id, current.paused_at ?? now, now);
      // The throttle's last slot moved with the pause.
      if (current.last_send_at && current.paused_at) {
        await campaignsTx(tx)
          .updateTable('campaigns')
          .set({ last_send_at: new Date(current.last_send_at.getTime() + Math.max(0, now.getTime() - current.paused_at.getTime())) })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .execute();
      }
      return { released };
    });
    this.#dueNow(row);
    return view(row);
  }

  async cancel(ctx: ServiceContext, id: string): Promise<CampaignView> {
    authorize(ctx.principal, 'campaigns:write');
    return view(
      await this.#act(ctx, id, 'cancel', (now) => ({ cancelled_at: now, fanout_owner: null, fanout_lease_until: null }), {}, async (tx, tenantId) => ({ cancelled: await cancelPending(tx, tenantId, id) })),
    );
  }

  async #act(
    ctx: ServiceContext,
    id: string,
    action: CampaignAction,
    fields: (now: Date) => Record<string, unknown>,
    summary: Record<string, unknown> = {},
    effect?: (tx: Tx, tenantId: string, current: CampaignRow, now: Date) => Promise<Record<string, unknown>>,
  ): Promise<CampaignRow> {
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      // FOR UPDATE waits for a fan-out batch in flight (it holds the row in share mode), so the
      // effect below sees every message that batch made.
      const current = await this.#load(tx, tenantId, id, true);
      const next = this.#allowed(ctx, current, action, await this.#approvalRequired(tx, tenantId));
      await campaignsTx(tx)
        .updateTable('campaigns')
        .set({ ...fields(now), status: next.to, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
      const effects = effect ? await effect(tx, tenantId, current, now) : {};
      await recordAudit(tx, ctx, { tenantId, action: `campaign.${PAST[action]}`, target: { type: 'campaign', id }, summary: { from: current.status, to: next.to, ...summary, ...effects }, at: now });
      return (await getCampaign(tx, tenantId, id)) as CampaignRow;
    });
  }

  // Estimate, preview, test send ---------------------------------------------------------------

  async estimate(ctx: ServiceContext, input: { channel: CampaignChannel; content: CampaignContent; audience?: Partial<Audience> | undefined; ab?: CampaignInput['ab'] }): Promise<Estimate> {
    const tenantId = this.#reader(ctx);
    const checked = this.#check({ name: 'estimate', ...input });
    const now = this.clock.now();
    return withTenant(this.db, tenantId, (tx) => this.#estimate(tx, tenantId, input.channel, input.content, checked.compiled, checked.audience, now));
  }

  async #estimate(tx: Tx, tenantId: string, channel: CampaignChannel, content: CampaignContent, compiled: CompiledContent, audience: Audience, now: Date): Promise<Estimate> {
    const where = await audienceWhere(tx, tenantId, audience, now);
    const { address, consent } = CHANNEL_SQL[channel];
    const { rows: breakdown } = await sql<{ audience: number; no_address: number; no_consent: number; suppressed: number }>`
      select count(*)::int as audience,
             count(*) filter (where ${address} is null)::int as no_address,
             count(*) filter (where ${address} is not null and ${consent} <> 'granted')::int as no_consent,
             count(*) filter (where ${address} is not null and ${consent} = 'granted'
                                and exists (select 1 from suppressions s where s.tenant_id = c.tenant_id and s.address = ${address}))::int as suppressed
        from contacts c
       where c.tenant_id = ${tenantId} and ${where}`.execute(tx);
    const counts = breakdown[0] ?? { audience: 0, no_address: 0, no_consent: 0, suppressed: 0 };
    const recipients = counts.audience - counts.no_address - counts.no_consent - counts.suppressed;
    const { context } = await loadSendingContext(tx, tenantId, now, this.settings);
    const classes = await this.#recipientClasses(tx, tenantId, channel, where);
    const variants = compiled.variants.map((variant) => ({ key: variant.key, segments: null as number | null, encoding: null as string | null, characters: null as number | null, millicents: 0 }));
    const refused = new Map<string, number>();
    let upper = 0;
    for (const cls of classes) {
      let dearest = 0;
      let refusal: string | null = null;
      compiled.variants.forEach((variant, index) => {
        const parts = sampleParts(channel, variant, {}, this.settings.publicUrl, compiled, this.settings.unsubscribeUrl(tenantId, cls.sample));
        const prepared = prepare(campaignRequest(channel, cls.sample, parts, { sender: content.sender, suggestions: variant.suggestions, smsFallback: content.smsFallback !== false, scheduledAt: null, metadata: {} }), context);
        if (!prepared.ok) {
          refusal = prepared.code;
          return;
        }
        const target = variants[index] as (typeof variants)[number];
        target.segments = prepared.message.segments;
        target.encoding = prepared.message.encoding;
        target.characters = prepared.message.characters;
        target.millicents += prepared.message.priceMillicents * cls.count;
        dearest = Math.max(dearest, prepared.message.priceMillicents);
      });
      if (refusal) refused.set(refusal, (refused.get(refusal) ?? 0) + cls.count);
      else upper += dearest * cls.count;
    }
    const cost = costOf(upper);
    return {
      audience: counts.audience,
      recipients,
      excluded: { noAddress: counts.no_address, noConsent: counts.no_consent, suppressed: counts.suppressed },
      cost: { ...cost, currency: 'EUR' },
      variants: variants.map(({ millicents, ...rest }) => ({ ...rest, cost: costOf(millicents) })),
      refused: [...refused].map(([reason, count]) => ({ reason, count })),
      at: now.toISOString(),
    };
  }

  /** Who the campaign reaches, by class of numbers (see `phoneClass`): the estimate prices one per class. */
  async #recipientClasses(tx: Tx, tenantId: string, channel: CampaignChannel, where: RawBuilder<boolean>): Promise<Array<{ sample: string; count: number }>> {
    const { address, consent } = CHANNEL_SQL[channel];
    // The same key as `phoneClass` (E.164 is ASCII: characters are code units).
    const groups = channel === 'email' ? sql`` : sql`group by left(${address}, 8) || ':' || length(${address})`;
    const { rows } = await sql<{ sample: string; count: number }>`
      select min(${address}) as sample, count(*)::int as count
        from contacts c
       where c.tenant_id = ${tenantId} and ${address} is not null and ${consent} = 'granted'
         and not exists (select 1 from suppressions s where s.tenant_id = c.tenant_id and s.address = ${address})
         and ${where}
       ${groups}`.execute(tx);
    return rows.filter((row) => row.count > 0);
  }

  /**
   * Each variant as one contact would get it, with the send path's verdict: the text with its
   * STOP mention (R-STOP), encoding, characters, segments (R-ENCODING) and price; for email the
   * subject and the HTML with its unsubscribe link. Without a contact, merge fields show their
   * fallbacks.
   */
  async preview(ctx: ServiceContext, input: PreviewInput): Promise<{ variants: VariantPreview[]; contact: { id: string; name: string; address: string | null } | null }> {
    const tenantId = this.#reader(ctx);
    const checked = this.#check({ name: 'preview', channel: input.channel, content: input.content });
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      const contact = input.contactId ? await this.#contact(tx, tenantId, input.contactId) : null;
      const { context } = await loadSendingContext(tx, tenantId, now, this.settings);
      const address = input.channel === 'email' ? (contact?.email ?? 'client@example.com') : (contact?.phone ?? SAMPLE_PHONE);
      const variants = checked.compiled.variants.map((variant): VariantPreview => {
        const parts = sampleParts(input.channel, variant, contact ? mergeOf(contact) : {}, this.settings.publicUrl, checked.compiled, this.settings.unsubscribeUrl(tenantId, address));
        const prepared = prepare(campaignRequest(input.channel, address, parts, { sender: input.content.sender, suggestions: variant.suggestions, smsFallback: input.content.smsFallback !== false, scheduledAt: null, metadata: {} }), context);
        if (!prepared.ok) {
          const counts = parts.text && input.channel !== 'email' ? analyseSms(parts.text) : null;
          return { key: variant.key, to: address, text: parts.text ?? null, subject: parts.subject ?? null, html: parts.html ?? null, encoding: counts?.encoding ?? null, characters: counts?.characters ?? null, segments: counts?.segments ?? null, price: null, warnings: [], refusal: { code: prepared.code, detail: prepared.detail } };
        }
        const m = prepared.message;
        const content = m.content as { text?: string; subject?: string; html?: string };
        return {
          key: variant.key,
          to: m.recipient,
          text: content.text ?? null,
          subject: content.subject ?? null,
          html: content.html ?? null,
          encoding: m.encoding,
          characters: m.characters,
          segments: m.segments,
          price: costOf(m.priceMillicents),
          warnings: m.warnings.filter((w) => !w.startsWith('held until')),
          refusal: null,
        };
      });
      return { variants, contact: contact ? { id: contact.id, name: [contact.first_name, contact.last_name].filter(Boolean).join(' '), address: input.channel === 'email' ? contact.email : contact.phone } : null };
    });
  }

  /**
   * Sends each variant to a few addresses (the marketer's own phone) through the messaging send
   * path, like any API send: R-STOP, R-QUIET, the suppression list and billing apply. Links point
   * to their targets (a test message has no recipient to track).
   */
  async testSend(ctx: ServiceContext, id: string, input: { to: string[]; contactId?: string | undefined }): Promise<unknown> {
    authorize(ctx.principal, 'campaigns:write');
    const tenantId = tenantOf(ctx.principal);
    const { campaign, contact } = await withTenant(this.db, tenantId, async (tx) => ({
      campaign: await this.#load(tx, tenantId, id),
      contact: input.contactId ? await this.#contact(tx, tenantId, input.contactId) : null,
    }));
    const channel = campaign.channel as CampaignChannel;
    const content = campaign.content as unknown as CampaignContent;
    const { compiled } = this.#check(this.#inputOf(campaign));
    const requests: SendMessageRequest[] = [];
    for (const to of input.to) {
      for (const variant of compiled.variants) {
        const direct = { link: (_index: number, url: string) => url, unsubscribe: () => this.settings.unsubscribeUrl(tenantId, to.toLowerCase()) };
        const merge = contact ? mergeOf(contact) : {};
        const render = (template: ParsedTemplate | null, escapeValue?: (value: string) => string) => (template ? renderTemplate(template, merge, direct, (url) => compiled.links.indexOf(url), escapeValue) : undefined);
        const html = variant.html ? emailHtml(render(variant.html, escapeHtml) as string, variant.html.hasUnsubscribe ? null : direct.unsubscribe(), `${this.settings.publicUrl}/o/test.gif`) : undefined;
        const text = channel === 'email' && variant.text ? emailText(render(variant.text) as string, variant.text.hasUnsubscribe ? null : direct.unsubscribe()) : render(variant.text);
        const subject = render(variant.subject);
        requests.push(
          campaignRequest(channel, to, { text, subject: subject === undefined ? undefined : `[TEST ${variant.key}] ${subject}`, html }, {
            sender: content.sender,
            suggestions: variant.suggestions,
            smsFallback: content.smsFallback !== false,
            scheduledAt: null,
            metadata: { campaignId: id, variant: variant.key, test: true },
          }),
        );
      }
    }
    const sent = await this.messaging.sendBatch(ctx, requests, (item) => item as SendMessageRequest);
    await withTenant(this.db, tenantId, (tx) => recordAudit(tx, ctx, { tenantId, action: 'campaign.test_sent', target: { type: 'campaign', id }, summary: { to: input.to }, at: this.clock.now() }));
    return sent.body;
  }

  // Reports ------------------------------------------------------------------------------------

  async report(ctx: ServiceContext, id: string): Promise<CampaignReport & { campaign: CampaignView; winner: { variant: string | null; at: string | null; rule: WinnerRule | null } }> {
    const tenantId = this.#reader(ctx);
    return withTenant(this.db, tenantId, async (tx) => {
      const campaign = await this.#load(tx, tenantId, id);
      const timeZone = settingsOf(await this.#tenantSettings(tx, tenantId)).timezone;
      const from = campaign.started_at ?? campaign.created_at;
      const until = campaign.completed_at ?? campaign.last_send_at ?? this.clock.now();
      const variantKeys = (campaign.content as unknown as CampaignContent).variants.map((v) => v.key);
      const report = await campaignReport(tx, tenantId, id, timeZone, { from, until: new Date(Math.max(until.getTime(), from.getTime())) }, variantKeys);
      const rule = ((campaign.ab as { winner?: WinnerRule | null } | null)?.winner ?? null) as WinnerRule | null;
      return { ...report, campaign: view(campaign), winner: { variant: campaign.winner_variant, at: campaign.winner_at?.toISOString() ?? null, rule } };
    });
  }

  /** Every recipient with its outcome, as CSV (streamed a page at a time). */
  async *exportCsv(ctx: ServiceContext, id: string): AsyncGenerator<string> {
    const tenantId = this.#reader(ctx);
    await withTenant(this.db, tenantId, (tx) => this.#load(tx, tenantId, id));
    yield csvLine(['contact_id', 'address', 'variant', 'phase', 'message_id', 'status', 'error_code', 'attribution', 'skip_reason', 'send_at', 'sent_at', 'done_at', 'cost_millicents', 'clicks', 'opened', 'replies']);
    let after: string | null = null;
    for (;;) {
      const page = await withTenant(this.db, tenantId, (tx) => exportPage(tx, tenantId, id, after, 5000));
      let chunk = '';
      for (const r of page) {
        chunk += csvLine([r.contact_id, r.address, r.variant, r.phase, r.message_id, r.status, r.error_code, r.attribution, r.skip_reason, r.send_at?.toISOString(), r.submitted_at?.toISOString(), r.done_at?.toISOString(), Number(r.price ?? 0), r.clicks, r.opened, r.replies]);
      }
      if (chunk) yield chunk;
      if (page.length < 5000) return;
      after = (page[page.length - 1] as { contact_id: string }).contact_id;
    }
  }

  // The scheduler (job campaigns.tick) -----------------------------------------------------------

  /**
   * Starts due campaigns, decides A/B winners, completes campaigns whose last message's time has
   * passed; returns the campaigns whose fan-out must run (new, next phase, or left by a dead worker).
   */
  async tick(): Promise<{ fanouts: Array<{ tenantId: string; campaignId: string }>; started: number; winners: number; completed: number }> {
    const now = this.clock.now();
    const work = await dueWork(this.db, now);
    const out = { fanouts: [] as Array<{ tenantId: string; campaignId: string }>, started: 0, winners: 0, completed: 0 };
    for (const item of work) {
      const { tenantId, campaignId } = item;
      const outcome = await withTenant(this.db, tenantId, async (tx): Promise<'fanout' | 'started' | 'winner' | 'completed' | null> => {
        const campaign = await getCampaign(tx, tenantId, campaignId, 'update');
        if (!campaign) return null;
        const ctx = campaignsTx(tx);
        if (item.work === 'start' && campaign.status === 'scheduled') {
          const testing = Boolean((campaign.ab as { winner?: unknown } | null)?.winner);
          await ctx
            .updateTable('campaigns')
            .set({ status: testing ? 'testing' : 'running', phase: testing ? 'test' : 'all', started_at: now, fanout_done_at: null, updated_at: now })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', campaignId)
            .execute();
          await recordAudit(tx, SYSTEM, { tenantId, action: 'campaign.started', target: { type: 'campaign', id: campaignId }, summary: { phase: testing ? 'test' : 'all' }, at: now });
          return 'started';
        }
        if (item.work === 'winner' && campaign.status === 'testing' && campaign.fanout_done_at) {
          const rule = (campaign.ab as { winner: WinnerRule }).winner;
          const results = await variantResults(tx, tenantId, campaignId);
          const keys = (campaign.content as unknown as CampaignContent).variants.map((v) => v.key);
          const ordered = keys.map((key) => results.find((r) => r.key === key) ?? { key, sent: 0, delivered: 0, uniqueClicks: 0 });
          const winner = pickWinner(ordered, rule.metric);
          await ctx
            .updateTable('campaigns')
            .set({ status: 'running', phase: 'winner', winner_variant: winner.key, winner_at: now, fanout_done_at: null, updated_at: now })
            .where('tenant_id', '=', tenantId)
            .where('id', '=', campaignId)
            .execute();
          await recordAudit(tx, SYSTEM, { tenantId, action: 'campaign.winner_chosen', target: { type: 'campaign', id: campaignId }, summary: { winner: winner.key, metric: rule.metric, results: ordered }, at: now });
          return 'winner';
        }
        if (item.work === 'complete' && campaign.status === 'running' && campaign.fanout_done_at) {
          await ctx.updateTable('campaigns').set({ status: 'completed', completed_at: now, updated_at: now }).where('tenant_id', '=', tenantId).where('id', '=', campaignId).execute();
          await recordAudit(tx, SYSTEM, { tenantId, action: 'campaign.completed', target: { type: 'campaign', id: campaignId }, at: now });
          return 'completed';
        }
        return item.work === 'fanout' && (campaign.status === 'running' || campaign.status === 'testing') ? 'fanout' : null;
      });
      if (outcome === 'started' || outcome === 'winner' || outcome === 'fanout') out.fanouts.push({ tenantId, campaignId });
      if (outcome === 'started') out.started++;
      if (outcome === 'winner') out.winners++;
      if (outcome === 'completed') out.completed++;
    }
    return out;
  }

  // Helpers ------------------------------------------------------------------------------------

  /** Reading campaigns and reports: whoever may write or approve them, or read messages (viewers). */
  #reader(ctx: ServiceContext): string {
    const tenantId = tenantOf(ctx.principal);
    if (!can(ctx.principal, 'campaigns:write') && !can(ctx.principal, 'campaigns:approve')) authorize(ctx.principal, 'messages:read');
    return tenantId;
  }

  async #load(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<CampaignRow> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw notFound('Campaign');
    const row = await getCampaign(tx, tenantId, id, forUpdate ? 'update' : null);
    if (!row) throw notFound('Campaign');
    return row;
  }

  #allowed(ctx: ServiceContext, campaign: CampaignRow, action: CampaignAction, approvalRequired: boolean): { to: CampaignStatus; approved: boolean } {
    const next = transition(campaign.status as CampaignStatus, action, {
      approvalRequired,
      canApprove: can(ctx.principal, 'campaigns:approve'),
      resumeTo: resumeTarget({ startedAt: campaign.started_at, phase: campaign.phase, winnerVariant: campaign.winner_variant }),
    });
    if (!next.ok) throw new AppError('invalid_state', next.message.charAt(0).toUpperCase() + next.message.slice(1), { extensions: { status: campaign.status } });
    return next;
  }

  #check(input: CampaignInput): { compiled: CompiledContent; links: string[]; audience: Audience } {
    const winner = input.ab?.winner ?? null;
    const { compiled, problems } = compileContent(input.channel, input.content, winner);
    if (input.throttlePerMinute !== undefined && input.throttlePerMinute !== null && (!Number.isInteger(input.throttlePerMinute) || input.throttlePerMinute < 1)) {
      problems.push(['/throttlePerMinute', 'must be a whole number of messages per minute, at least 1']);
    }
    if (input.scheduledAt && Number.isNaN(new Date(input.scheduledAt).getTime())) problems.push(['/scheduledAt', 'is not a date-time']);
    if (!input.name?.trim()) problems.push(['/name', 'is required']);
    if (problems.length) {
      throw new AppError('invalid_campaign', `The campaign is not valid: ${problems[0]?.[0]} ${problems[0]?.[1]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
        errors: problems.map(([path, message]) => ({ path, message })),
      });
    }
    const audience: Audience = { include: [...new Set(input.audience?.include ?? [])], exclude: [...new Set(input.audience?.exclude ?? [])] };
    return { compiled, links: compiled.links, audience };
  }

  #inputOf(row: CampaignRow): CampaignInput {
    return {
      name: row.name,
      channel: row.channel as CampaignChannel,
      content: row.content as unknown as CampaignContent,
      audience: row.audience as unknown as Audience,
      ab: row.ab as CampaignInput['ab'],
      throttlePerMinute: row.throttle_per_minute,
      scheduledAt: row.scheduled_at?.toISOString() ?? null,
    };
  }

  /** The send path's refusal of the campaign's first variant for a sample recipient (sender, price…), if any. */
  #samplePreview(compiled: CompiledContent, row: CampaignRow, loaded: Awaited<ReturnType<typeof loadSendingContext>>): { code: string; detail: string } | null {
    const channel = row.channel as CampaignChannel;
    const content = row.content as unknown as CampaignContent;
    for (const variant of compiled.variants) {
      const to = channel === 'email' ? 'client@example.com' : SAMPLE_PHONE;
      const parts = sampleParts(channel, variant, {}, this.settings.publicUrl, compiled, 'https://example.com/unsubscribe');
      const prepared = prepare(campaignRequest(channel, to, parts, { sender: content.sender, suggestions: variant.suggestions, smsFallback: content.smsFallback !== false, scheduledAt: null, metadata: {} }), loaded.context);
      // A refusal that depends on the sample's length with fallbacks (text_too_long) is left to each recipient.
      if (!prepared.ok && prepared.code !== 'text_too_long') return { code: prepared.code, detail: prepared.detail };
    }
    return null;
  }

  async #approvalRequired(tx: Tx, tenantId: string): Promise<boolean> {
    return settingsOf(await this.#tenantSettings(tx, tenantId)).campaignApprovalRequired;
  }

  async #tenantSettings(tx: Tx, tenantId: string): Promise<Record<string, unknown>> {
    const row = await tx.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirst();
    return (row?.settings ?? {}) as Record<string, unknown>;
  }

  async #contact(tx: Tx, tenantId: string, contactId: string) {
    if (!/^[0-9a-f-]{36}$/i.test(contactId)) throw notFound('Contact');
    const { rows } = await sql<{ id: string; first_name: string | null; last_name: string | null; email: string | null; phone: string | null; language: string | null; point_of_sale: string | null; external_id: string | null; attributes: Record<string, unknown> | null }>`
      select id, first_name, last_name, email, phone, language, point_of_sale, external_id, attributes
        from contacts where tenant_id = ${tenantId} and id = ${contactId}::uuid`.execute(tx);
    const contact = rows[0];
    if (!contact) throw notFound('Contact');
    return contact;
  }

  #dueNow(row: CampaignRow): void {
    if (row.status === 'scheduled' && (!row.scheduled_at || row.scheduled_at.getTime() <= this.clock.now().getTime())) this.onDue();
    if (row.status === 'running' || row.status === 'testing') this.onDue();
  }
}

const PAST: Record<CampaignAction, string> = { edit: 'updated', delete: 'deleted', submit: 'submitted', approve: 'approved', reject: 'rejected', pause: 'paused', resume: 'resumed', cancel: 'cancelled' };

const SYSTEM: RequestContext = { actor: { type: 'system', id: 'campaigns', label: 'system:campaigns' }, ip: null, requestId: null };

const CHANNEL_SQL: Record<CampaignChannel, { address: RawBuilder<string>; consent: RawBuilder<string> }> = {
  sms: { address: sql`c.phone`, consent: sql`c.consent_sms` },
  rcs: { address: sql`c.phone`, consent: sql`c.consent_rcs` },
  email: { address: sql`c.email`, consent: sql`c.consent_email` },
};

/** A variant rendered for a contact (or with fallbacks), with sample links: for estimates and previews. */
function sampleParts(channel: CampaignChannel, variant: CompiledContent['variants'][number], contact: MergeContact, publicUrl: string, compiled: CompiledContent, unsubscribe: string) {
  const links = { link: (index: number) => `${publicUrl}/r/SAMPLE00${index.toString(36)}`, unsubscribe: () => unsubscribe };
  const index = (url: string) => compiled.links.indexOf(url);
  const render = (template: ParsedTemplate | null, escapeValue?: (value: string) => string) => (template ? renderTemplate(template, contact, links, index, escapeValue) : undefined);
  return {
    text: variant.text ? (channel === 'email' ? emailText(render(variant.text) as string, variant.text.hasUnsubscribe ? null : unsubscribe) : render(variant.text)) : undefined,
    subject: render(variant.subject),
    html: variant.html ? emailHtml(render(variant.html, escapeHtml) as string, variant.html.hasUnsubscribe ? null : unsubscribe, `${publicUrl}/o/SAMPLE00.gif`) : undefined,
  };
}

function view(row: CampaignRow): CampaignView {
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    id: row.id,
    name: row.name,
    channel: row.channel as CampaignChannel,
    status: row.status as CampaignStatus,
    content: row.content as unknown as CampaignContent,
    links: row.links,
    audience: row.audience as unknown as Audience,
    ab: row.ab as CampaignView['ab'],
    throttlePerMinute: row.throttle_per_minute,
    scheduledAt: iso(row.scheduled_at),
    phase: row.phase,
    winnerVariant: row.winner_variant,
    winnerAt: iso(row.winner_at),
    estimate: row.estimate as Estimate | null,
    rejectionReason: row.rejection_reason,
    createdBy: row.created_by,
    submittedBy: row.submitted_by,
    submittedAt: iso(row.submitted_at),
    approvedBy: row.approved_by,
    approvedAt: iso(row.approved_at),
    startedAt: iso(row.started_at),
    pausedAt: iso(row.paused_at),
    completedAt: iso(row.completed_at),
    cancelledAt: iso(row.cancelled_at),
    lastSendAt: iso(row.last_send_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
