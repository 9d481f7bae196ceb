import { AppError, type ErrorCode } from '../../platform/errors.ts';
import { uuidv7 } from '../../platform/ids.ts';
import type { Channel, MessageContent } from './connectors.ts';
import { DEFAULT_TTL_SECONDS } from './dispatch-rules.ts';
import { isPromotional, normalisedPhone, smsCountsOf } from './rule-cache.ts';
import {
  applyStopMention,
  classifyAlertContent,
  defaultStopMention,
  priceMessage,
  quietHoursDecision,
  recipientTimeZone,
  senderProblem,
  transliterate,
  type PriceList,
} from './rules.ts';
import type { SendMessageRequest } from './schemas.ts';

/** What a tenant's settings and data contribute to preparing its messages. */
export interface SendingContext {
  tenantId: string;
  apiKeyId: string | null;
  now: Date;
  defaultSender: string | null;
  stopMention: string | null;
  stopShortCode: string;
  avoidSundaysAndHolidays: boolean;
  segmentCap: number;
  priceList: PriceList;
  emailFrom: string;
  whatsappPhoneNumberId: string;
  rcsAgentId: string;
  /** WhatsApp templates of the tenant: `name|language` → status. */
  templates: Map<string, string>;
  /** Numbers and short codes the tenant owns (a numeric `from` must be one of them). */
  ownedNumbers: Set<string>;
  /** Last inbound WhatsApp message per contact (customer-service window). */
  lastInbound: Map<string, Date>;
  unsubscribeUrl: (address: string) => string;
}

export interface PreparedMessage {
  id: string;
  createdAt: Date;
  tenantId: string;
  channel: Channel;
  route: 'marketing' | 'alert' | null;
  status: 'queued' | 'scheduled';
  sender: string | null;
  recipient: string;
  country: string | null;
  content: MessageContent;
  encoding: 'GSM-7' | 'UCS-2' | null;
  segments: number | null;
  characters: number | null;
  priceMillicents: number;
  sendAt: Date;
  expiresAt: Date;
  fallback: string | null;
  /** Marketing: subject to the suppression list (R-OPTOUT); alerts are not. */
  suppressible: boolean;
  priority: number;
  metadata: Record<string, unknown> | null;
  apiKeyId: string | null;
  warnings: string[];
}

const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

const refuse = (code: ErrorCode, path: string, message: string, extensions: Record<string, unknown> = {}): never => {
  throw new AppError(code, message, { errors: [{ path, message }], extensions });
};

/**
 * Applies the contract's rules to one send request (R-QUIET, R-STOP, R-ALERT, R-ENCODING, sender
 * and number checks, WhatsApp window and templates) and returns the message to store, or throws
 * the 422 that explains the refusal. Pure: the context carries everything it reads.
 */
export function prepareMessage(request: SendMessageRequest, context: SendingContext): PreparedMessage {
  const { channel } = request;
  const warnings: string[] = [];
  if ((channel === 'sms' || channel === 'rcs') && !request.route) refuse('validation_failed', '/route', 'route is required for sms and rcs (marketing or alert)');
  const route = request.route ?? 'marketing';
  const now = context.now;
  const requestedAt = request.scheduledAt ? new Date(request.scheduledAt) : now;
  if (requestedAt.getTime() > now.getTime() + 366 * 86_400_000) refuse('validation_failed', '/scheduledAt', 'must be within a year');
  const sendAtRequested = new Date(Math.max(requestedAt.getTime(), now.getTime()));

  if (channel === 'email') return prepareEmail(request, context, route, sendAtRequested, warnings);

  // Phone channels.
  const phone = normalisedPhone(request.to);
  if ('error' in phone) return refuse('invalid_phone_number', '/to', phone.message);
  if (!phone.valid) refuse('invalid_phone_number', '/to', `${request.to} is not an allocated number`);

  let sendAt = sendAtRequested;
  const quietHoursApply = route === 'marketing' && (channel === 'sms' || channel === 'rcs');
  if (quietHoursApply) {
    const decision = quietHoursDecision({
      requestedAt: sendAtRequested,
      timeZone: recipientTimeZone(phone.e164),
      avoidSundaysAndHolidays: context.avoidSundaysAndHolidays,
      country: phone.country ?? 'FR',
    });
    if (!decision.allowed) {
      if (request.quietHours === 'reject') {
        refuse('quiet_hours', '/scheduledAt', `Marketing may not leave at this time for this recipient (${decision.reason}); next allowed ${decision.sendAt.toISOString()}`, {
          reason: decision.reason,
          nextAllowedAt: decision.sendAt.toISOString(),
        });
      }
      sendAt = decision.sendAt;
      warnings.push(`held until ${decision.sendAt.toISOString()} (R-QUIET: ${decision.reason})`);
    }
  }

  const id = uuidv7(now);
  const base: MessageBase = {
    id,
    // The partition key is the instant the id carries (ids stay monotonic even if the clock steps back).
    createdAt: instantOf(id),
    tenantId: context.tenantId,
    route,
    status: sendAt.getTime() > now.getTime() + 1000 ? ('scheduled' as const) : ('queued' as const),
    recipient: phone.e164,
    country: phone.country,
    sendAt,
    expiresAt: new Date(sendAt.getTime() + (request.ttlSeconds ?? DEFAULT_TTL_SECONDS[route]) * 1000),
    suppressible: route === 'marketing',
    priority: route === 'alert' ? 1 : 5,
    metadata: (request.metadata as Record<string, unknown> | undefined) ?? null,
    apiKeyId: context.apiKeyId,
  };

  if (channel === 'whatsapp') {
    if (!request.text && !request.template) refuse('validation_failed', '/text', 'give text or template');
    if (request.template) {
      const status = context.templates.get(`${request.template.name}|${request.template.language}`);
      if (status !== 'APPROVED') {
        refuse('template_not_approved', '/template/name', status ? `Template ${request.template.name} (${request.template.language}) is ${status}, not APPROVED` : `Template ${request.template.name} (${request.template.language}) is not registered`);
      }
    } else {
      const last = context.lastInbound.get(phone.e164);
      if (!last || now.getTime() - last.getTime() > WHATSAPP_WINDOW_MS) {
        refuse('outside_customer_service_window', '/text', 'Free text is only allowed within 24 hours of the contact’s last message; send an approved template instead');
      }
    }
    if (route === 'alert' && request.text) checkAlertContent(request.text);
    const content: MessageContent = request.template ? { template: request.template } : { text: request.text as string };
    return assemble(base, {
      channel,
      sender: context.whatsappPhoneNumberId,
      content,
      encoding: null,
      segments: null,
      characters: request.text ? [...request.text].length : null,
      priceMillicents: priceOf({ channel, route, country: phone.country, segments: 1 }, context),
      fallback: null,
      warnings,
    });
  }

  // SMS and RCS: text, sender, STOP mention, content class, encoding, length cap.
  if (!request.text) refuse('validation_failed', '/text', 'text is required');
  const sender = request.from ?? context.defaultSender ?? 'SOFY';
  const senderIssue = senderProblem(sender);
  if (senderIssue) refuse('invalid_sender', '/from', senderIssue);
  if (request.from && /^\+?\d+$/.test(sender) && !context.ownedNumbers.has(sender)) {
    refuse('invalid_sender', '/from', `${sender} is not a number or short code registered for this account (Messagerie → Expéditeurs)`);
  }
  let text = request.text as string;
  if (route === 'alert') checkAlertContent(text);
  if (request.encoding === 'transliterate') {
    const result = transliterate(text);
    if (result.replaced.length) {
      text = result.text;
      warnings.push(`transliterated to GSM-7: ${result.replaced.map((r) => `${r.from}→${r.to}`).join(' ')}`);
    }
  }
  if (route === 'marketing') {
    const mention = context.stopMention ?? defaultStopMention(context.stopShortCode);
    const stop = applyStopMention(text, mention, request.optOut ?? 'append');
    if ('error' in stop) {
      refuse(stop.error === 'stop_mention_missing' ? 'stop_mention_missing' : 'invalid_state', '/text', 'Marketing SMS must carry the opt-out mention "STOP SMS" (R-STOP)');
    } else {
      if (stop.appended) warnings.push(`STOP mention appended: "${mention}" (R-STOP)`);
      text = stop.text;
    }
  }
  const analysis = smsCountsOf(text);
  if (analysis.segments > context.segmentCap) {
    refuse('text_too_long', '/text', `The text takes ${analysis.segments} SMS parts; this account accepts at most ${context.segmentCap}`, { segments: analysis.segments, cap: context.segmentCap });
  }
  if (analysis.encoding === 'UCS-2') warnings.push(`UCS-2 encoding (70 characters per part) because of: ${analysis.nonGsmCharacters.join(' ')}`);

  if (channel === 'rcs') {
    const fallback = request.fallback ?? 'sms';
    return assemble(base, {
      channel,
      sender: context.rcsAgentId,
      content: {
        text,
        ...(request.suggestions ? { suggestions: request.suggestions } : {}),
        ...(fallback === 'sms' ? { fallbackSms: { text, encoding: analysis.encoding, segments: analysis.segments, sender } } : {}),
      },
      encoding: analysis.encoding,
      segments: analysis.segments,
      characters: analysis.characters,
      priceMillicents: priceOf({ channel, route, country: phone.country, segments: 1 }, context),
      fallback: fallback === 'sms' ? 'sms' : null,
      warnings,
    });
  }
  return assemble(base, {
    channel,
    sender,
    content: { text },
    encoding: analysis.encoding,
    segments: analysis.segments,
    characters: analysis.characters,
    priceMillicents: priceOf({ channel, route, country: phone.country, segments: analysis.segments }, context),
    fallback: null,
    warnings,
  });
}

/** The instant a UUIDv7 we just made carries (what `uuidv7Time` reads, without re-checking the format). */
function instantOf(id: string): Date {
  return new Date(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16));
}

type MessageBase = Pick<PreparedMessage, 'id' | 'createdAt' | 'tenantId' | 'route' | 'status' | 'recipient' | 'country' | 'sendAt' | 'expiresAt' | 'suppressible' | 'priority' | 'metadata' | 'apiKeyId'>;

/**
 * The message from its channel-independent and its channel-specific fields, written out in one
 * fixed order: `{ ...base, ...rest }` cost ~10 µs per message here (measured: 14.5 → 4.4 µs for
 * a whole alert SMS), a third of a batch's budget at 20,000 messages/s.
 */
function assemble(base: MessageBase, rest: Omit<PreparedMessage, keyof MessageBase>): PreparedMessage {
  return {
    id: base.id,
    createdAt: base.createdAt,
    tenantId: base.tenantId,
    channel: rest.channel,
    route: base.route,
    status: base.status,
    sender: rest.sender,
    recipient: base.recipient,
    country: base.country,
    content: rest.content,
    encoding: rest.encoding,
    segments: rest.segments,
    characters: rest.characters,
    priceMillicents: rest.priceMillicents,
    sendAt: base.sendAt,
    expiresAt: base.expiresAt,
    fallback: rest.fallback,
    suppressible: base.suppressible,
    priority: base.priority,
    metadata: base.metadata,
    apiKeyId: base.apiKeyId,
    warnings: rest.warnings,
  };
}

/** The price of one message from the tenant's list; a destination without a price is refused. */
function priceOf(request: Parameters<typeof priceMessage>[0], context: SendingContext): number {
  const price = priceMessage(request, context.priceList);
  if (!price.ok) return refuse('destination_not_supported', '/to', `No ${request.channel} price for ${request.country ?? 'this destination'}: ${price.message}`);
  return price.totalMillicents;
}

function checkAlertContent(text: string): void {
  // The memoised verdict clears most texts; a refusal is explained from the text itself.
  if (!isPromotional(text)) return;
  const verdict = classifyAlertContent(text);
  if (!verdict.promotional) return;
  const first = verdict.rules[0];
  throw new AppError('marketing_content_on_alert_route', `Promotional content is not allowed on the Alert route (R-ALERT): rule ${first?.rule} matched "${first?.matched.join('", "')}"`, {
    errors: [{ path: '/text', message: 'promotional content on the alert route' }],
    extensions: { rules: verdict.rules },
  });
}

function prepareEmail(request: SendMessageRequest, context: SendingContext, route: 'marketing' | 'alert', sendAt: Date, warnings: string[]): PreparedMessage {
  const to = request.to.trim().toLowerCase();
  if (!EMAIL.test(to)) refuse('invalid_email_address', '/to', `${request.to} is not an email address`);
  if (!request.subject) refuse('validation_failed', '/subject', 'subject is required for email');
  if (!request.html && !request.text) refuse('validation_failed', '/text', 'give html or text for email');
  const from = request.from ?? context.emailFrom;
  if (!EMAIL.test(from.replace(/^.*<(.+)>$/, '$1'))) refuse('invalid_sender', '/from', 'must be an email address');
  if (route === 'alert') checkAlertContent(`${request.subject} ${request.text ?? ''}`);
  const now = context.now;
  const id = uuidv7(now);
  return {
    id,
    createdAt: instantOf(id),
    tenantId: context.tenantId,
    channel: 'email',
    route,
    status: sendAt.getTime() > now.getTime() + 1000 ? 'scheduled' : 'queued',
    sender: from,
    recipient: to,
    country: null,
    content: {
      subject: request.subject as string,
      ...(request.html ? { html: request.html } : {}),
      ...(request.text ? { text: request.text } : {}),
      ...(route === 'marketing' ? { unsubscribeUrl: context.unsubscribeUrl(to) } : {}),
    },
    encoding: null,
    segments: null,
    characters: null,
    priceMillicents: priceOf({ channel: 'email', route, country: null, segments: 1 }, context),
    sendAt,
    expiresAt: new Date(sendAt.getTime() + (request.ttlSeconds ?? DEFAULT_TTL_SECONDS[route]) * 1000),
    fallback: null,
    suppressible: route === 'marketing',
    priority: route === 'alert' ? 1 : 5,
    metadata: (request.metadata as Record<string, unknown> | undefined) ?? null,
    apiKeyId: context.apiKeyId,
    warnings,
  };
}
