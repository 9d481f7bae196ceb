import type { Tx } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
// The send path's own preparation and context (issue 3). Campaign messages obey exactly the rules
// of an API send (R-STOP, R-QUIET, R-ENCODING, sender checks, prices): they are prepared by the
// same function. These are imported from the messaging module's files because its index does not
// export them (see the report of issue 4: to be exported there).
import { type PreparedMessage, prepareMessage, type SendingContext } from '../messaging/prepare.ts';
import { enterSendContext } from '../messaging/repo.ts';
import { DEFAULT_PRICE_LIST, type PriceList, quietHoursDecision, recipientTimeZone, withTenantPrices } from '../messaging/rules.ts';
import type { SendMessageRequest } from '../messaging/schemas.ts';
import { settingsOf, type TenantSettings } from '../tenants/index.ts';
import type { CampaignChannel, CompiledVariant, Suggestion } from './rules.ts';

/** What the platform's configuration contributes (the same values the messaging service gets). */
export interface CampaignSendingSettings {
  publicUrl: string;
  stopShortCode: string;
  emailFrom: string;
  whatsappPhoneNumberId: string;
  rcsAgentId: string;
  /** The RFC 8058 one-click unsubscribe URL of an address (UnsubscribeTokens of the messaging module). */
  unsubscribeUrl: (tenantId: string, address: string) => string;
}

/** The settings from the platform's configuration and the messaging module's unsubscribe tokens. */
export function campaignSendingSettings(
  config: { publicUrl: string; messaging: { stopShortCode: string; emailFrom: string; whatsapp: { phoneNumberId: string }; rcs: { agentId: string } } },
  tokens: { create(tenantId: string, address: string): string },
): CampaignSendingSettings {
  return {
    publicUrl: config.publicUrl,
    stopShortCode: config.messaging.stopShortCode,
    emailFrom: config.messaging.emailFrom,
    whatsappPhoneNumberId: config.messaging.whatsapp.phoneNumberId,
    rcsAgentId: config.messaging.rcs.agentId,
    // The link the messaging module's public routes serve (RFC 8058 one-click, R-OPTOUT).
    unsubscribeUrl: (tenantId, address) => `${config.publicUrl}/unsubscribe/${tokens.create(tenantId, address)}`,
  };
}

/** The send path's context for a tenant, built as MessagingService builds it for an API send. */
export async function loadSendingContext(tx: Tx, tenantId: string, now: Date, settings: CampaignSendingSettings): Promise<{ context: SendingContext; tenant: TenantSettings }> {
  // Also (re)enters the tenant for the transaction: the same tenant withTenant entered.
  const base = await enterSendContext(tx, tenantId, now);
  const tenant = settingsOf(base.settings);
  const priceList: PriceList = withTenantPrices(
    DEFAULT_PRICE_LIST,
    base.prices.map((p) => ({ channel: p.channel as 'sms', route: p.route as 'marketing', country: p.country, unitMillicents: Number(p.unit), effectiveFrom: new Date(p.from) })),
  );
  const context: SendingContext = {
    tenantId,
    apiKeyId: null,
    now,
    defaultSender: tenant.defaultSender,
    stopMention: tenant.stopMention,
    stopShortCode: settings.stopShortCode,
    avoidSundaysAndHolidays: tenant.avoidSundaysAndHolidays,
    segmentCap: tenant.segmentCap,
    priceList,
    emailFrom: settings.emailFrom,
    whatsappPhoneNumberId: settings.whatsappPhoneNumberId,
    rcsAgentId: settings.rcsAgentId,
    templates: new Map(),
    lastInbound: new Map(),
    ownedNumbers: new Set(base.numbers),
    unsubscribeUrl: (address) => settings.unsubscribeUrl(tenantId, address),
  };
  return { context, tenant };
}

export interface RenderedParts {
  text?: string | undefined;
  subject?: string | undefined;
  html?: string | undefined;
}

/** The send request of one campaign message, as a client of the API would write it. */
export function campaignRequest(
  channel: CampaignChannel,
  to: string,
  parts: RenderedParts,
  options: { sender: string | null | undefined; suggestions: Suggestion[] | undefined; smsFallback: boolean; scheduledAt: Date | null; metadata: Record<string, unknown> },
): SendMessageRequest {
  const common = {
    route: 'marketing' as const,
    to,
    ...(options.sender ? { from: options.sender } : {}),
    ...(options.scheduledAt ? { scheduledAt: options.scheduledAt.toISOString() } : {}),
    metadata: options.metadata,
  };
  if (channel === 'email') {
    return { channel, ...common, subject: parts.subject ?? '', ...(parts.html ? { html: parts.html } : {}), ...(parts.text ? { text: parts.text } : {}) };
  }
  if (channel === 'rcs') {
    return { channel, ...common, text: parts.text ?? '', fallback: options.smsFallback ? 'sms' : 'none', ...(options.suggestions?.length ? { suggestions: options.suggestions } : {}) };
  }
  return { channel, ...common, text: parts.text ?? '', optOut: 'append' };
}

/** A refusal of the send path, kept as the reason a recipient was skipped. */
export type Prepared = { ok: true; message: PreparedMessage } | { ok: false; code: string; detail: string };

export function prepare(request: SendMessageRequest, context: SendingContext): Prepared {
  try {
    return { ok: true, message: prepareMessage(request, context) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, code: error.code, detail: error.message };
    throw error;
  }
}

/**
 * R-QUIET for one recipient at one instant, as prepareMessage decides it: the instant itself when
 * allowed, else the next 08:00 in the recipient's zone. Memoised per zone, region and instant
 * (a throttled campaign has one instant per minute; its recipients a handful of zones).
 */
export class QuietHours {
  readonly #cache = new Map<string, Date>();
  constructor(private readonly avoidSundaysAndHolidays: boolean) {}

  sendAt(requestedAt: Date, timeZone: string, country: string | null): Date {
    const key = `${timeZone}|${country}|${requestedAt.getTime()}`;
    let at = this.#cache.get(key);
    if (!at) {
      at = quietHoursDecision({ requestedAt, timeZone, avoidSundaysAndHolidays: this.avoidSundaysAndHolidays, country: country ?? 'FR' }).sendAt;
      if (this.#cache.size > 50_000) this.#cache.clear();
      this.#cache.set(key, at);
    }
    return at;
  }
}

/** The recipient's zone (R-QUIET), as prepareMessage reads it from the number. */
export const zoneOf = (e164: string): string => recipientTimeZone(e164);

export type { CompiledVariant, PreparedMessage, SendingContext };
