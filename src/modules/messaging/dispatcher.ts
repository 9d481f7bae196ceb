import { sql } from 'kysely';
import type { ChannelError, SendResult } from '../../channels/types.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { ClaimedMessage, Connector, Router } from './connectors.ts';
import { decideAfterFailure, isExpired, resendWhenOutcomeUnknown } from './dispatch-rules.ts';
import { quietHoursDecision, recipientTimeZone } from './rules.ts';

export interface DispatcherOptions {
  workerId: string;
  /** Messages claimed per round trip. */
  batchSize?: number;
  /** Batches in flight at once, so the provider windows stay full while a batch is recorded. */
  concurrency?: number;
  /** A claimed message not recorded by then is taken over by another dispatcher. */
  leaseSeconds?: number;
  pollMs?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

interface Completion {
  id: string;
  createdAt: string;
  outcome: 'submitted' | 'retry' | 'failed' | 'expired' | 'suppressed';
  providerId?: string;
  connector?: string;
  errorCode?: string;
  errorMessage?: string;
  attribution?: string;
  retryAt?: string;
  segments?: number;
  fellBack?: boolean;
  channel?: string;
}

interface ClaimRow {
  message_id: string;
  created_at: Date;
  tenant_id: string;
  channel: ClaimedMessage['channel'];
  route: ClaimedMessage['route'];
  sender: string | null;
  recipient: string;
  country: string | null;
  content: ClaimedMessage['content'];
  encoding: ClaimedMessage['encoding'];
  segments: number | null;
  send_at: Date;
  expires_at: Date | null;
  fallback: string | null;
  fell_back: boolean;
  attempts: number;
  recovered: boolean;
  price_millicents: number | null;
  avoid_closed_days: boolean;
  /** Marketing only: the recipient opted out or refused consent since acceptance (migration 0017). */
  blocked_by: 'opted_out' | 'no_consent' | null;
}

/**
 * Moves messages from the outbox to the providers: claims due messages in batches (FOR UPDATE
 * SKIP LOCKED: any number of dispatchers on any number of machines), sends each through its
 * route (failover to the next connector on retryable errors, RCS → SMS fallback), and records
 * every outcome in one round trip per batch. A message leaves the outbox only with its outcome.
 */
export class Dispatcher {
  #running = false;
  #loops: Promise<void>[] = [];
  #wake: Array<() => void> = [];
  #stopSweep: () => void = () => {};
  readonly stats = { claimed: 0, submitted: 0, retried: 0, failed: 0, suppressed: 0 };

  constructor(
    private readonly db: Database,
    private readonly router: Router,
    private readonly clock: Clock,
    private readonly options: DispatcherOptions,
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const loops = this.options.concurrency ?? 2;
    this.#loops = [...Array.from({ length: loops }, () => this.#loop()), this.#sweepLoop()];
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopSweep();
    for (const wake of this.#wake.splice(0)) wake();
    await Promise.all(this.#loops);
  }

  /** Nudges idle loops (a message was just accepted). */
  poke(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }

  /** One batch: claim, send, record. Returns how many messages it claimed. */
  async dispatchOnce(): Promise<number> {
    const { rows } = await sql<ClaimRow>`select * from dispatch_claim(${this.options.workerId}, ${this.options.batchSize ?? 500}, ${this.options.leaseSeconds ?? 120})`.execute(this.db);
    if (!rows.length) return 0;
    this.stats.claimed += rows.length;
    const completions = await Promise.all(rows.map((row) => this.#dispatch(toClaimed(row))));
    await sql`select dispatch_complete(${JSON.stringify(completions)}::jsonb)`.execute(this.db);
    for (const completion of completions) {
      if (completion.outcome === 'submitted') this.stats.submitted++;
      else if (completion.outcome === 'retry') this.stats.retried++;
      else if (completion.outcome === 'suppressed') this.stats.suppressed++;
      else this.stats.failed++;
    }
    return rows.length;
  }

  async #dispatch(message: ClaimedMessage): Promise<Completion> {
    const base = { id: message.id, createdAt: message.createdAt.toISOString() };
    const now = this.clock.now();
    // R-OPTOUT / R-CONSENT at the moment of sending: a STOP or a withdrawal that arrived while
    // the message waited (a retry, a schedule, a held night) wins over its acceptance.
    const blocked = sendTimeSuppression(message.blockedBy);
    if (blocked) return { ...base, outcome: 'suppressed', ...blocked, attribution: 'recipient' };
    if (message.recovered && !resendWhenOutcomeUnknown(message.route)) {
      return { ...base, outcome: 'failed', errorCode: 'outcome_unknown', errorMessage: 'A dispatcher stopped while sending it; not sent again (duplicate policy)', attribution: 'platform' };
    }
    if (isExpired(message.expiresAt, now)) {
      return { ...base, outcome: 'expired', errorCode: 'expired', errorMessage: 'Expired before it could be sent', attribution: 'platform' };
    }
    // R-QUIET at the moment of sending too: a retry, a fallback or a late dispatch must not let a
    // marketing SMS/RCS leave at night because it was accepted in the day.
    const hold = quietHoursHold(message, now);
    if (hold) return { ...base, outcome: 'retry', retryAt: hold.toISOString(), errorCode: 'quiet_hours_hold', errorMessage: 'Held until the end of quiet hours (R-QUIET)', attribution: 'platform' };
    let sent = await this.#sendThroughRoute(message);
    if (!sent.result.ok && message.channel === 'rcs' && message.fallback === 'sms' && sent.result.error.code === 'rcs_not_capable' && message.content.fallbackSms) {
      const sms = message.content.fallbackSms;
      sent = await this.#sendThroughRoute({ ...message, channel: 'sms', sender: sms.sender, content: { text: sms.text }, encoding: sms.encoding, segments: sms.segments, fellBack: true });
      if (sent.result.ok) return { ...base, outcome: 'submitted', providerId: sent.result.providerId, connector: sent.connector, fellBack: true, channel: 'sms', segments: sms.segments };
    }
    if (sent.result.ok) return { ...base, outcome: 'submitted', providerId: sent.result.providerId, connector: sent.connector };
    const decision = decideAfterFailure(sent.result.error, { attempts: message.attempts, route: message.route, expiresAt: message.expiresAt }, this.clock.now());
    if (decision.outcome === 'retry') {
      return { ...base, outcome: 'retry', retryAt: decision.retryAt.toISOString(), errorCode: sent.result.error.code, errorMessage: sent.result.error.message, attribution: sent.result.error.attribution };
    }
    return { ...base, outcome: decision.outcome, errorCode: decision.errorCode, errorMessage: decision.errorMessage, attribution: decision.attribution };
  }

  /** Primary connector first; on a retryable failure whose outcome is known, the next one. */
  async #sendThroughRoute(message: ClaimedMessage): Promise<{ result: SendResult; connector: string | undefined }> {
    const candidates = this.router.candidates(message.channel, message.route, message.country);
    if (!candidates.length) {
      return { result: { ok: false, error: noRoute(message) }, connector: undefined };
    }
    let last: { result: SendResult; connector: string } | undefined;
    for (const connector of candidates) {
      last = { result: await this.#send(connector, message), connector: connector.id };
      if (last.result.ok || !last.result.error.retryable || last.result.error.outcomeUnknown) return last;
    }
    return last as { result: SendResult; connector: string };
  }

  async #send(connector: Connector, message: ClaimedMessage): Promise<SendResult> {
    try {
      await this.router.pace(connector);
      return await connector.send(message);
    } catch (error) {
      // An adapter bug must not lose the message: retry it, attributed to us.
      this.options.log?.('connector threw', { connector: connector.id, error: (error as Error).message });
      return { ok: false, error: { code: 'connector_error', message: (error as Error).message, retryable: true, attribution: 'platform' } };
    }
  }

  /** Receipts that raced their submit (see apply_pending_receipts, migration 0004). */
  async sweepPendingReceipts(): Promise<number> {
    const { rows } = await sql<{ applied: number }>`select apply_pending_receipts() as applied`.execute(this.db);
    return rows[0]?.applied ?? 0;
  }

  async #sweepLoop(): Promise<void> {
    while (this.#running) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        this.#stopSweep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (!this.#running) break;
      await this.sweepPendingReceipts().catch((error: unknown) => this.options.log?.('receipt sweep failed', { error: (error as Error).message }));
    }
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      let claimed = 0;
      try {
        claimed = await this.dispatchOnce();
      } catch (error) {
        this.options.log?.('dispatch pass failed', { error: (error as Error).message });
      }
      if (claimed === 0 && this.#running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs ?? 200);
          this.#wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    }
  }
}

/** The instant a marketing SMS/RCS may leave, when it may not leave now (R-QUIET). */
export function quietHoursHold(message: Pick<ClaimedMessage, 'route' | 'channel' | 'recipient' | 'country' | 'avoidClosedDays'>, now: Date): Date | null {
  if (message.route !== 'marketing' || (message.channel !== 'sms' && message.channel !== 'rcs')) return null;
  const decision = quietHoursDecision({
    requestedAt: now,
    timeZone: recipientTimeZone(message.recipient),
    country: message.country ?? 'FR',
    // The tenant's choice to also avoid Sundays and public holidays, as at acceptance.
    avoidSundaysAndHolidays: message.avoidClosedDays,
  });
  return decision.allowed ? null : decision.sendAt;
}

/** Why a marketing message may no longer leave (the claim's `blocked_by`), in the words acceptance uses. */
export function sendTimeSuppression(blockedBy: ClaimRow['blocked_by'] | undefined): { errorCode: string; errorMessage: string } | null {
  if (blockedBy === 'opted_out') return { errorCode: 'recipient_opted_out', errorMessage: 'The recipient opted out of this account’s marketing before the message left (R-OPTOUT)' };
  if (blockedBy === 'no_consent') return { errorCode: 'consent_refused', errorMessage: 'The recipient is a contact who refused or withdrew consent for this channel before the message left (R-CONSENT)' };
  return null;
}

function noRoute(message: ClaimedMessage): ChannelError {
  return { code: 'no_route', message: `No route for ${message.channel}/${message.route ?? '-'} to ${message.country ?? 'unknown country'}`, retryable: false, attribution: 'platform' };
}

function toClaimed(row: ClaimRow): ClaimedMessage {
  return {
    id: row.message_id,
    createdAt: row.created_at,
    tenantId: row.tenant_id,
    channel: row.channel,
    route: row.route,
    sender: row.sender,
    recipient: row.recipient,
    country: row.country,
    content: row.content,
    encoding: row.encoding,
    segments: row.segments,
    sendAt: row.send_at,
    expiresAt: row.expires_at,
    fallback: row.fallback,
    fellBack: row.fell_back,
    attempts: row.attempts,
    recovered: row.recovered,
    priceMillicents: row.price_millicents,
    avoidClosedDays: row.avoid_closed_days,
    blockedBy: row.blocked_by ?? null,
  };
}
