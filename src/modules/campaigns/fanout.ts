import { randomBytes } from 'node:crypto';
import type { RawBuilder } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { uuidv7 } from '../../platform/ids.ts';
import { lockContactsAgainstErasure } from '../contacts/index.ts';
import { type Audience, audienceWhere } from './audience.ts';
import { campaignsTx } from './db.ts';
import {
  type AudienceRow,
  type CampaignRow,
  type ClassFact,
  countContacts,
  fanoutSharedBatch,
  type FanoutRow,
  getCampaign,
  insertFanoutBatch,
  isRecipientConflict,
  laneBoundaries,
  nextBatchEnd,
  pinBatchPlans,
  saveLaneCheckpoint,
  type MessageShape,
  readAudienceBatch,
} from './repo.ts';
import {
  abBucket,
  type CampaignChannel,
  type CampaignContent,
  campaignOrdinal,
  type CompiledContent,
  type CompiledVariant,
  compileContent,
  escapeHtml,
  LINK_MARKER,
  type MergeContact,
  type ParsedTemplate,
  phoneClass,
  renderTemplate,
  shortLink,
  throttleMinute,
  Timeline,
  variantOfBucket,
  type WinnerRule,
} from './rules.ts';
import { type CampaignSendingSettings, campaignRequest, loadSendingContext, prepare, QuietHours, type RenderedParts, type SendingContext, zoneOf } from './sending.ts';

/**
 * The fan-out of a campaign into the messaging outbox (a pg-boss job, `campaigns.fanout`).
 *
 * Contacts are taken in id order, a batch at a time (keyset pagination, as listmonk does), by one
 * or more lanes (ranges of ids) side by side. Each batch is one transaction: it locks the campaign
 * row in share mode (a pause or a cancel waits for it, then sees its messages), reads the batch,
 * prepares the messages with the send path's rules, writes recipients, messages, history, outbox
 * and activity in one statement, and moves the lane's checkpoint. A worker that dies loses at most
 * the batch in flight, which rolls back; whoever resumes starts from the checkpoint, and the unique
 * (campaign, contact) key of campaign_recipients makes a replayed batch a no-op.
 *
 * Only one worker fans a campaign out at a time: it holds a lease on the campaign row, renewed
 * while it works; another takes over only when the lease has run out.
 */

export interface FanoutOptions {
  workerId: string;
  /** Contacts read per batch. */
  batchSize: number;
  /** Lanes for a large audience without a throttle (a throttled campaign uses one lane). */
  lanes: number;
  leaseMs: number;
  /** Called after each committed batch (tests: throwing here is a crash between two batches). */
  afterBatch?: (info: { lane: number; batch: number; made: number; skipped: number }) => void | Promise<void>;
}

/**
 * Measured on the 2-core machine (bench/RESULTS.md §7): with 2 lanes of 5,000 the cores were busy
 * 1.6 of 2 (each lane waits for its statement, its commit, its next round trip); 4 lanes of 10,000
 * keep them busy (1.7–1.8) and took a million-message fan-out from 42 s to 28–37 s.
 */
export const DEFAULT_FANOUT_OPTIONS: Omit<FanoutOptions, 'workerId'> = { batchSize: 10_000, lanes: 4, leaseMs: 120_000 };

export interface FanoutResult {
  outcome: 'done' | 'stopped' | 'busy' | 'nothing_to_do';
  made: number;
  skipped: number;
  batches: number;
}

interface LaneState {
  lane: number;
  lanes: number;
  upper: string | null;
  cursor: string | null;
  made: number;
  done: boolean;
}

interface Plan {
  campaign: CampaignRow;
  channel: CampaignChannel;
  phase: 'all' | 'test' | 'winner';
  compiled: CompiledContent;
  content: CampaignContent;
  audience: RawBuilder<boolean>;
  context: SendingContext;
  timeline: Timeline;
  quiet: QuietHours;
  lanes: LaneState[];
  winnerIndex: number | null;
  throttle: number | null;
  /** Same text for everyone (SMS, RCS without merge fields): the batch runs in SQL (see fanoutSharedBatch). */
  shared: boolean;
}

export class CampaignFanout {
  readonly #options: FanoutOptions;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly settings: CampaignSendingSettings,
    options: Partial<FanoutOptions> & { workerId: string },
  ) {
    this.#options = { ...DEFAULT_FANOUT_OPTIONS, ...options };
  }

  /** Fans the campaign's current phase out, from its checkpoints, until done, paused or cancelled. */
  async run(tenantId: string, campaignId: string): Promise<FanoutResult> {
    const result: FanoutResult = { outcome: 'done', made: 0, skipped: 0, batches: 0 };
    const leased = await this.#acquire(tenantId, campaignId);
    if (leased !== 'ok') return { ...result, outcome: leased };
    let lost = false;
    const renewal = setInterval(() => {
      void this.#renew(tenantId, campaignId).then(
        (kept) => {
          if (!kept) lost = true;
        },
        () => {},
      );
    }, Math.max(1000, Math.floor(this.#options.leaseMs / 3)));
    renewal.unref();
    try {
      const plan = await withTenant(this.db, tenantId, (tx) => this.#plan(tx, tenantId, campaignId));
      if (!plan) {
        await this.#release(tenantId, campaignId);
        return { ...result, outcome: 'stopped' };
      }
      const builder = new BatchBuilder(plan, this.settings);
      const decider = new SharedDecider(plan, this.settings);
      const outcomes = await Promise.all(
        plan.lanes
          .filter((lane) => !lane.done)
          .map((lane) => (plan.shared ? this.#runSharedLane(plan, decider, lane, result, () => lost) : this.#runLane(plan, builder, lane, result, () => lost))),
      );
      if (outcomes.some((o) => o === 'stopped')) {
        // Paused or cancelled: the next worker (after a resume) starts from the checkpoints.
        await this.#release(tenantId, campaignId);
        return { ...result, outcome: 'stopped' };
      }
      await this.#finish(tenantId, campaignId, plan.phase);
      return result;
    } finally {
      clearInterval(renewal);
    }
  }

  async #acquire(tenantId: string, campaignId: string): Promise<'ok' | 'busy' | 'nothing_to_do'> {
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      const campaign = await getCampaign(tx, tenantId, campaignId, 'update');
      if (!campaign || (campaign.status !== 'running' && campaign.status !== 'testing') || campaign.fanout_done_at) return 'nothing_to_do';
      const held = campaign.fanout_owner && campaign.fanout_owner !== this.#options.workerId && campaign.fanout_lease_until && campaign.fanout_lease_until > now;
      if (held) return 'busy';
      await campaignsTx(tx)
        .updateTable('campaigns')
        .set({ fanout_owner: this.#options.workerId, fanout_lease_until: new Date(now.getTime() + this.#options.leaseMs) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', campaignId)
        .execute();
      return 'ok';
    });
  }

  async #release(tenantId: string, campaignId: string): Promise<void> {
    await withTenant(this.db, tenantId, (tx) =>
      campaignsTx(tx)
        .updateTable('campaigns')
        .set({ fanout_owner: null, fanout_lease_until: null })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', campaignId)
        .where('fanout_owner', '=', this.#options.workerId)
        .execute(),
    );
  }

  async #renew(tenantId: string, campaignId: string): Promise<boolean> {
    const until = new Date(this.clock.now().getTime() + this.#options.leaseMs);
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await campaignsTx(tx)
        .updateTable('campaigns')
        .set({ fanout_lease_until: until })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', campaignId)
        .where('fanout_owner', '=', this.#options.workerId)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  async #plan(tx: Tx, tenantId: string, campaignId: string): Promise<Plan | null> {
    const campaign = await getCampaign(tx, tenantId, campaignId);
    if (!campaign || (campaign.status !== 'running' && campaign.status !== 'testing')) return null;
    const now = this.clock.now();
    const channel = campaign.channel as CampaignChannel;
    const phase = (campaign.phase ?? 'all') as Plan['phase'];
    const content = campaign.content as unknown as CampaignContent;
    const winner = ((campaign.ab as { winner?: WinnerRule } | null)?.winner ?? null) as WinnerRule | null;
    const { compiled } = compileContent(channel, content, winner);
    const { context, tenant } = await loadSendingContext(tx, tenantId, now, this.settings);
    const audience = await audienceWhere(tx, tenantId, campaign.audience as unknown as Audience, now);
    const start = (phase === 'winner' ? campaign.winner_at : campaign.started_at) ?? now;
    const timeline = new Timeline({ start, quietHours: channel !== 'email', timeZone: tenant.timezone, avoidSundaysAndHolidays: tenant.avoidSundaysAndHolidays, country: 'FR' });
    const lanes = await this.#lanes(tx, tenantId, campaignId, phase, campaign.throttle_per_minute);
    const winnerIndex = phase === 'winner' ? compiled.variants.findIndex((v) => v.key === campaign.winner_variant) : null;
    if (winnerIndex === -1) throw new Error(`campaign ${campaignId}: winner ${campaign.winner_variant} is no variant`);
    return {
      campaign,
      channel,
      phase,
      compiled,
      content,
      audience,
      context,
      timeline,
      quiet: new QuietHours(tenant.avoidSundaysAndHolidays),
      lanes,
      winnerIndex,
      throttle: campaign.throttle_per_minute,
      shared: channel !== 'email' && !compiled.personalised,
    };
  }

  /** The lanes of this phase: made on the first run (cut at equal shares of the contacts), read back after. */
  async #lanes(tx: Tx, tenantId: string, campaignId: string, phase: string, throttle: number | null): Promise<LaneState[]> {
    const ctx = campaignsTx(tx);
    const existing = await ctx.selectFrom('campaign_fanout_lanes').selectAll().where('tenant_id', '=', tenantId).where('campaign_id', '=', campaignId).where('phase', '=', phase).orderBy('lane').execute();
    if (!existing.length) {
      let cuts: string[] = [];
      if (this.#options.lanes > 1 && !throttle) {
        const total = await countContacts(tx, tenantId);
        if (total >= this.#options.batchSize * this.#options.lanes * 2) cuts = await laneBoundaries(tx, tenantId, this.#options.lanes, total);
      }
      const bounds = [null, ...cuts, null];
      const rows = bounds.slice(0, -1).map((lower, i) => ({
        tenant_id: tenantId,
        campaign_id: campaignId,
        phase,
        lane: i,
        lanes: bounds.length - 1,
        lower_id: lower,
        upper_id: bounds[i + 1] ?? null,
        cursor_id: lower,
      }));
      await ctx.insertInto('campaign_fanout_lanes').values(rows).onConflict((oc) => oc.doNothing()).execute();
      return rows.map((r) => ({ lane: r.lane, lanes: r.lanes, upper: r.upper_id, cursor: r.cursor_id, made: 0, done: false }));
    }
    return existing.map((r) => ({ lane: r.lane, lanes: r.lanes, upper: r.upper_id, cursor: r.cursor_id, made: Number(r.made), done: r.done }));
  }

  async #runLane(plan: Plan, builder: BatchBuilder, lane: LaneState, result: FanoutResult, lost: () => boolean): Promise<'done' | 'stopped'> {
    const { campaign } = plan;
    const tenantId = campaign.tenant_id;
    let batch = 0;
    let replay = plan.phase === 'winner';
    while (!lane.done) {
      if (lost()) throw new Error(`campaign ${campaign.id}: the fan-out lease was lost to another worker`);
      const attempt = withTenant(this.db, tenantId, async (tx) => {
        const current = await getCampaign(tx, tenantId, campaign.id, 'share');
        if (!current || (current.status !== 'running' && current.status !== 'testing') || current.fanout_owner !== this.#options.workerId) return null;
        await beginBatch(tx, tenantId);
        const now = this.clock.now();
        const end = await nextBatchEnd(tx, tenantId, lane.cursor, lane.upper, this.#options.batchSize);
        const rows = await readAudienceBatch(tx, {
          tenantId,
          campaignId: campaign.id,
          channel: plan.channel,
          audience: plan.audience,
          after: lane.cursor,
          end,
          upTo: lane.upper,
          withFields: plan.compiled.personalised,
          skipReached: replay,
        });
        const built = builder.build(rows, lane, now);
        const inserted = await insertFanoutBatch(tx, {
          tenantId,
          campaignId: campaign.id,
          channel: plan.channel,
          phase: plan.phase,
          linkBase: this.settings.publicUrl,
          now,
          shapes: builder.shapes,
          rows: built.rows,
        });
        const cursor = end ?? lane.cursor;
        const done = end === null;
        await saveLaneCheckpoint(tx, { tenantId, campaignId: campaign.id, phase: plan.phase, lane: lane.lane }, { cursor, made: lane.made + built.ordinals, skipped: inserted.skipped, done, lastSendAt: inserted.lastSendAt, now });
        return { cursor, done, ordinals: built.ordinals, ...inserted };
      });
      let step: Awaited<typeof attempt>;
      try {
        step = await attempt;
      } catch (error) {
        // Contacts of this batch were already reached (a checkpoint older than its recipients):
        // the batch is read again without them. Anything else is a failure of the job.
        if (!isRecipientConflict(error) || replay) throw error;
        replay = true;
        continue;
      }
      if (!step) return 'stopped';
      batch = await this.#advance(lane, result, batch, step);
    }
    return 'done';
  }

  /** A lane of a shared-text campaign: each batch is one statement in PostgreSQL (fanoutSharedBatch). */
  async #runSharedLane(plan: Plan, decider: SharedDecider, lane: LaneState, result: FanoutResult, lost: () => boolean): Promise<'done' | 'stopped'> {
    const { campaign } = plan;
    const tenantId = campaign.tenant_id;
    let batch = 0;
    let replay = plan.phase === 'winner';
    while (!lane.done) {
      if (lost()) throw new Error(`campaign ${campaign.id}: the fan-out lease was lost to another worker`);
      const attempt = withTenant(this.db, tenantId, async (tx) => {
        const current = await getCampaign(tx, tenantId, campaign.id, 'share');
        if (!current || (current.status !== 'running' && current.status !== 'testing') || current.fanout_owner !== this.#options.workerId) return null;
        await beginBatch(tx, tenantId);
        const now = this.clock.now();
        const end = await nextBatchEnd(tx, tenantId, lane.cursor, lane.upper, this.#options.batchSize);
        for (let round = 0; round < 3; round++) {
          const outcome = await fanoutSharedBatch(tx, {
            tenantId,
            campaignId: campaign.id,
            channel: plan.channel as 'sms' | 'rcs',
            phase: plan.phase,
            audience: plan.audience,
            after: lane.cursor,
            end,
            upTo: lane.upper,
            skipReached: replay,
            now,
            linkBase: this.settings.publicUrl,
            tracked: plan.compiled.tracked,
            smsFallback: plan.content.smsFallback !== false,
            variants: plan.winnerIndex !== null ? { winner: plan.winnerIndex } : { bounds: cumulative(plan.compiled.variants) },
            facts: decider.facts,
            slots: decider.slots(lane, this.#options.batchSize, now),
            shapes: decider.shapes,
            variantKeys: plan.compiled.variants.map((v) => v.key),
            throttle: { made: lane.made, lane: lane.lane, lanes: lane.lanes, perMinute: plan.throttle },
          });
          if (outcome.unknown.length) {
            // Classes of numbers met for the first time: the send path decides them, then the batch runs again.
            decider.decide(outcome.unknown, { ...plan.context, now });
            continue;
          }
          const cursor = end ?? lane.cursor;
          const done = end === null;
          await saveLaneCheckpoint(tx, { tenantId, campaignId: campaign.id, phase: plan.phase, lane: lane.lane }, { cursor, made: lane.made + outcome.made, skipped: outcome.skipped, done, lastSendAt: outcome.lastSendAt, now });
          return { cursor, done, made: outcome.made, skipped: outcome.skipped };
        }
        throw new Error(`campaign ${campaign.id}: classes of numbers still undecided after deciding them`);
      });
      let step: Awaited<typeof attempt>;
      try {
        step = await attempt;
      } catch (error) {
        if (!isRecipientConflict(error) || replay) throw error;
        replay = true;
        continue;
      }
      if (!step) return 'stopped';
      batch = await this.#advance(lane, result, batch, { ...step, ordinals: step.made });
    }
    return 'done';
  }

  /**
   * After a committed batch: the lane moves on (`ordinals`: how many of the lane's contacts it used,
   * which for per-contact texts counts skipped ones too) and the totals grow. Returns the batch number.
   */
  async #advance(lane: LaneState, result: FanoutResult, batch: number, step: { cursor: LaneState['cursor']; done: boolean; ordinals: number; made: number; skipped: number }): Promise<number> {
    lane.cursor = step.cursor;
    lane.done = step.done;
    lane.made += step.ordinals;
    result.made += step.made;
    result.skipped += step.skipped;
    result.batches++;
    await this.#options.afterBatch?.({ lane: lane.lane, batch: batch + 1, made: step.made, skipped: step.skipped });
    return batch + 1;
  }

  async #finish(tenantId: string, campaignId: string, phase: string): Promise<void> {
    const now = this.clock.now();
    await withTenant(this.db, tenantId, async (tx) => {
      const ctx = campaignsTx(tx);
      const last = await ctx
        .selectFrom('campaign_fanout_lanes')
        .select((eb) => eb.fn.max('last_send_at').as('last'))
        .where('tenant_id', '=', tenantId)
        .where('campaign_id', '=', campaignId)
        .executeTakeFirst();
      await ctx
        .updateTable('campaigns')
        .set({
          fanout_done_at: now,
          fanout_owner: null,
          fanout_lease_until: null,
          last_send_at: last?.last ?? null,
          ...(phase === 'test' ? { test_started_at: now } : {}),
          updated_at: now,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', campaignId)
        .where('fanout_owner', '=', this.#options.workerId)
        .where('status', 'in', ['running', 'testing'])
        .execute();
    });
  }
}

/** Per-recipient facts of a class of numbers (see `phoneClass`), from the send path's verdict on its first member. */
type ClassFacts = { ok: true; country: string | null; zone: string; price: number; ttlMs: number; representative: string } | { ok: false; code: string };

/** 48 random bits as 8 URL-safe characters, drawn from a pool (one system call per 512 tokens). */
let tokenPool = Buffer.alloc(0);
let tokenOffset = 0;
function newToken(): string {
  if (tokenOffset + 6 > tokenPool.length) {
    tokenPool = randomBytes(3072);
    tokenOffset = 0;
  }
  const token = tokenPool.toString('base64url', tokenOffset, tokenOffset + 6);
  tokenOffset += 6;
  return token;
}

/** The instant a UUIDv7 carries (the message's partition key). */
function instantOf(id: string): Date {
  return new Date(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16));
}

const SAMPLE_TOKEN = newToken();

/**
 * Turns audience rows into fan-out rows. Shared texts (no merge field) are prepared once per
 * variant and class of numbers; personalised texts and emails once per recipient.
 */
class BatchBuilder {
  readonly shapes: MessageShape[] = [];
  readonly #shapeIndex = new Map<string, number>();
  readonly #classes = new Map<string, ClassFacts>();
  readonly #linkIndex: (url: string) => number;
  readonly #sampleLink: string;

  constructor(
    private readonly plan: Plan,
    private readonly settings: CampaignSendingSettings,
  ) {
    const links = plan.compiled.links;
    this.#linkIndex = (url) => links.indexOf(url);
    this.#sampleLink = `${settings.publicUrl}/r/${SAMPLE_TOKEN}`;
  }

  build(rows: readonly AudienceRow[], lane: LaneState, now: Date): { rows: FanoutRow[]; ordinals: number } {
    const { plan } = this;
    const context: SendingContext = { ...plan.context, now };
    const out: FanoutRow[] = [];
    let ordinals = 0;
    for (const row of rows) {
      const variantIndex = this.#variantOf(row.id);
      if (variantIndex === null) continue; // waits for the winner
      const variant = plan.compiled.variants[variantIndex] as CompiledVariant;
      const fallback = plan.channel === 'rcs' && plan.content.smsFallback !== false && row.consent_sms === 'granted';
      const ordinal = campaignOrdinal(lane.made + ordinals, lane.lane, lane.lanes);
      const slot = plan.timeline.at(throttleMinute(ordinal, plan.throttle));
      const requested = slot.getTime() > now.getTime() ? slot : now;
      const made = plan.channel === 'email' ? this.#email(row, variant, context, requested) : this.#phone(row, variantIndex, variant, fallback, context, requested);
      out.push(made);
      if (made[16] === null) ordinals++;
    }
    return { rows: out, ordinals };
  }

  #variantOf(contactId: string): number | null {
    const { plan } = this;
    if (plan.phase === 'winner') return plan.winnerIndex;
    return variantOfBucket(abBucket(plan.campaign.id, contactId), plan.compiled.variants);
  }

  #skip(row: AudienceRow, variant: CompiledVariant, reason: string): FanoutRow {
    return [row.id, null, null, row.address, null, null, null, null, null, variant.key, null, null, null, null, null, null, reason];
  }

  #phone(row: AudienceRow, variantIndex: number, variant: CompiledVariant, fallback: boolean, context: SendingContext, requested: Date): FanoutRow {
    const key = `${variantIndex}|${fallback ? 1 : 0}`;
    const facts = this.#classFacts(key, row.address, variant, fallback, context);
    if (!facts.ok) return this.#skip(row, variant, facts.code);
    const shape = this.#shapeIndex.get(key) as number;
    const tracked = this.plan.compiled.tracked;
    const token = tracked ? newToken() : null;
    if (this.plan.compiled.personalised && variant.text?.personalised) {
      // Rendered for this contact: the send path prepares it, sendAt included (R-QUIET at the slot).
      const text = renderTemplate(variant.text, mergeOf(row), { link: (i) => shortLink(this.settings.publicUrl, token as string, i), unsubscribe: () => '' }, this.#linkIndex);
      const prepared = prepare(this.#request(facts.representative, { text }, variant, fallback, requested, variant.key), context);
      if (!prepared.ok) return this.#skip(row, variant, prepared.code);
      const m = prepared.message;
      return [row.id, m.id, m.createdAt.toISOString(), row.address, m.country, m.status, m.sendAt.toISOString(), m.expiresAt.toISOString(), m.priceMillicents, variant.key, token, shape, m.content as Record<string, unknown>, m.encoding, m.segments, m.characters, null];
    }
    // Shared text: the class verdict, and R-QUIET at the slot in the recipient's zone.
    const sendAt = this.plan.quiet.sendAt(requested, facts.zone, facts.country);
    const id = uuidv7(context.now);
    const status = sendAt.getTime() > context.now.getTime() + 1000 ? 'scheduled' : 'queued';
    return [row.id, id, instantOf(id).toISOString(), row.address, facts.country, status, sendAt.toISOString(), new Date(sendAt.getTime() + facts.ttlMs).toISOString(), facts.price, variant.key, token, shape, null, null, null, null, null];
  }

  /** The send path's verdict for the class of `phone`, on its first member (and the variant's shared shape). */
  #classFacts(key: string, phone: string, variant: CompiledVariant, fallback: boolean, context: SendingContext): ClassFacts {
    const classKey = `${key}|${phoneClass(phone)}`;
    let facts = this.#classes.get(classKey);
    if (facts) return facts;
    const sample = variant.text ? this.#sampleText(variant.text) : '';
    const prepared = prepare(this.#request(phone, { text: sample }, variant, fallback, null, variant.key), context);
    if (!prepared.ok) facts = { ok: false, code: prepared.code };
    else {
      const m = prepared.message;
      facts = { ok: true, country: m.country, zone: zoneOf(m.recipient), price: m.priceMillicents, ttlMs: m.expiresAt.getTime() - m.sendAt.getTime(), representative: phone };
      if (!this.#shapeIndex.has(key)) {
        // The sample token's links become the marker each recipient's token replaces.
        const content = JSON.parse(JSON.stringify(m.content).split(this.#sampleLink).join(LINK_MARKER)) as Record<string, unknown>;
        this.#shapeIndex.set(key, this.shapes.length);
        this.shapes.push({ content, encoding: m.encoding, segments: m.segments, characters: m.characters, sender: m.sender, fallback: m.fallback, warnings: m.warnings.filter((w) => !w.startsWith('held until')) });
      }
    }
    if (this.#classes.size > 200_000) this.#classes.clear();
    this.#classes.set(classKey, facts);
    return facts;
  }

  /** A shared text with the sample token in its links (every token has the same length: R-ENCODING counts hold). */
  #sampleText(template: ParsedTemplate): string {
    return renderTemplate(template, {}, { link: (i) => `${this.#sampleLink}${i.toString(36)}`, unsubscribe: () => '' }, this.#linkIndex);
  }

  #email(row: AudienceRow, variant: CompiledVariant, context: SendingContext, requested: Date): FanoutRow {
    const token = newToken();
    const unsubscribe = this.settings.unsubscribeUrl(this.plan.campaign.tenant_id, row.address.toLowerCase());
    const merge = mergeOf(row);
    const links = { link: (i: number) => shortLink(this.settings.publicUrl, token, i), unsubscribe: () => unsubscribe };
    const render = (template: ParsedTemplate | null, escapeValue?: (value: string) => string) => (template ? renderTemplate(template, merge, links, this.#linkIndex, escapeValue) : undefined);
    const parts: RenderedParts = {
      subject: render(variant.subject),
      html: variant.html ? emailHtml(render(variant.html, escapeHtml) as string, variant.html.hasUnsubscribe ? null : unsubscribe, `${this.settings.publicUrl}/o/${token}.gif`) : undefined,
      text: variant.text ? emailText(render(variant.text) as string, variant.text.hasUnsubscribe ? null : unsubscribe) : undefined,
    };
    const prepared = prepare(this.#request(row.address, parts, variant, false, requested, variant.key), context);
    if (!prepared.ok) return this.#skip(row, variant, prepared.code);
    const m = prepared.message;
    const key = 'email';
    if (!this.#shapeIndex.has(key)) {
      this.#shapeIndex.set(key, this.shapes.length);
      this.shapes.push({ content: {}, encoding: null, segments: null, characters: null, sender: m.sender, fallback: null, warnings: [] });
    }
    return [row.id, m.id, m.createdAt.toISOString(), m.recipient, null, m.status, m.sendAt.toISOString(), m.expiresAt.toISOString(), m.priceMillicents, variant.key, token, this.#shapeIndex.get(key) as number, m.content as Record<string, unknown>, null, null, null, null];
  }

  #request(to: string, parts: RenderedParts, variant: CompiledVariant, fallback: boolean, scheduledAt: Date | null, variantKey: string) {
    return campaignRequest(this.plan.channel, to, parts, {
      sender: this.plan.content.sender,
      suggestions: variant.suggestions,
      smsFallback: fallback,
      scheduledAt,
      metadata: { campaignId: this.plan.campaign.id, variant: variantKey },
    });
  }
}

/** Cumulative upper bounds of the variants' buckets (A: [0, a), B: [a, a + b)…). */
function cumulative(variants: readonly CompiledVariant[]): number[] {
  let upper = 0;
  return variants.map((v) => (upper += v.split));
}

/**
 * The worker's side of the set-based fan-out: the send path's verdict per (variant, fallback,
 * class of numbers), made by prepareMessage on the class's first number met, and the send instant
 * of each throttle minute in each recipient zone (R-QUIET, by the send path's quietHoursDecision).
 */
class SharedDecider {
  readonly facts: Record<string, ClassFact> = {};
  readonly shapes: Array<MessageShape | null> = [];
  readonly #zones: Array<{ zone: string; country: string | null }> = [];
  readonly #zoneIndex = new Map<string, number>();
  readonly #sampleLink: string;

  constructor(
    private readonly plan: Plan,
    settings: CampaignSendingSettings,
  ) {
    this.#sampleLink = `${settings.publicUrl}/r/${SAMPLE_TOKEN}`;
  }

  decide(unknown: ReadonlyArray<{ v: number; fb: number; cls: string; sample: string }>, context: SendingContext): void {
    for (const { v, fb, cls, sample } of unknown) {
      const variant = this.plan.compiled.variants[v] as CompiledVariant;
      const text = variant.text ? renderTemplate(variant.text, {}, { link: (i) => `${this.#sampleLink}${i.toString(36)}`, unsubscribe: () => '' }, (url) => this.plan.compiled.links.indexOf(url)) : '';
      const request = campaignRequest(this.plan.channel, sample, { text }, {
        sender: this.plan.content.sender,
        suggestions: variant.suggestions,
        smsFallback: fb === 1,
        scheduledAt: null,
        metadata: { campaignId: this.plan.campaign.id, variant: variant.key },
      });
      const prepared = prepare(request, context);
      const key = `${v}|${fb}|${cls}`;
      if (!prepared.ok) {
        this.facts[key] = { country: null, price: 0, qz: 0, ttlMs: 0, skip: prepared.code };
        continue;
      }
      const m = prepared.message;
      const zone = zoneOf(m.recipient);
      const zoneKey = `${zone}|${m.country}`;
      let qz = this.#zoneIndex.get(zoneKey);
      if (qz === undefined) {
        qz = this.#zones.length;
        this.#zones.push({ zone, country: m.country });
        this.#zoneIndex.set(zoneKey, qz);
      }
      this.facts[key] = { country: m.country, price: m.priceMillicents, qz, ttlMs: m.expiresAt.getTime() - m.sendAt.getTime(), skip: null };
      const shape = v * 2 + fb;
      if (!this.shapes[shape]) {
        const content = JSON.parse(JSON.stringify(m.content).split(this.#sampleLink).join(LINK_MARKER)) as Record<string, unknown>;
        this.shapes[shape] = { content, encoding: m.encoding, segments: m.segments, characters: m.characters, sender: m.sender, fallback: m.fallback, warnings: m.warnings.filter((w) => !w.startsWith('held until')) };
      }
    }
    for (let i = 0; i < this.shapes.length; i++) this.shapes[i] ??= null;
  }

  /** Send instants of the throttle minutes this batch can reach, in every zone known. */
  slots(lane: LaneState, limit: number, now: Date): Record<string, string> {
    const { plan } = this;
    const minute = (made: number) => throttleMinute(campaignOrdinal(made, lane.lane, lane.lanes), plan.throttle);
    const first = minute(lane.made);
    const last = minute(lane.made + limit);
    const slots: Record<string, string> = {};
    for (let m = first; m <= last; m++) {
      const slot = plan.timeline.at(m);
      const requested = slot.getTime() > now.getTime() ? slot : now;
      this.#zones.forEach(({ zone, country }, qz) => {
        slots[`${qz}|${m}`] = plan.quiet.sendAt(requested, zone, country).toISOString();
      });
    }
    return slots;
  }
}

export function mergeOf(row: Pick<AudienceRow, 'first_name' | 'last_name' | 'email' | 'phone' | 'language' | 'point_of_sale' | 'external_id' | 'attributes'>): MergeContact {
  return {
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phone: row.phone,
    language: row.language,
    pointOfSale: row.point_of_sale,
    externalId: row.external_id,
    attributes: row.attributes,
  };
}

/**
 * The email body as sent: the open-tracking pixel, and an unsubscribe link when the template has
 * none of its own (R-OPTOUT: every marketing email carries one; the List-Unsubscribe header of
 * RFC 8058 is added by the send path).
 */
export function emailHtml(html: string, unsubscribe: string | null, pixel: string): string {
  const footer = unsubscribe ? `<p style="font-size:12px;color:#6b7280;text-align:center"><a href="${escapeHtml(unsubscribe)}">Se désinscrire / Unsubscribe</a></p>` : '';
  const img = `<img src="${escapeHtml(pixel)}" width="1" height="1" alt="" style="display:block;border:0">`;
  const close = html.toLowerCase().lastIndexOf('</body>');
  return close === -1 ? `${html}${footer}${img}` : `${html.slice(0, close)}${footer}${img}${html.slice(close)}`;
}

export function emailText(text: string, unsubscribe: string | null): string {
  return unsubscribe ? `${text.trimEnd()}\n\n--\nSe désinscrire / Unsubscribe : ${unsubscribe}` : text;
}

/**
 * What every batch transaction does first: its plans pinned (pinBatchPlans), and the tenant's
 * erasure lock held shared, because the batch writes activity for contacts it reads without
 * locking them (migration 0016): an erasure waits for it, a later batch no longer sees the contact.
 */
async function beginBatch(tx: Tx, tenantId: string): Promise<void> {
  await pinBatchPlans(tx);
  await lockContactsAgainstErasure(tx, tenantId, 'shared');
}
