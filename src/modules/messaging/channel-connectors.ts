import { SmppConnector } from '../../channels/smpp/index.ts';
import { RbmConnector } from '../../channels/rcs/index.ts';
import { SmtpConnector } from '../../channels/smtp/index.ts';
import { WhatsAppCloudConnector } from '../../channels/whatsapp/index.ts';
import type { ChannelEventHandlers, DeliveryReport, InboundMessage, SendResult } from '../../channels/types.ts';
import type { ClaimedMessage, Connector, ConnectorStatus } from './connectors.ts';

/**
 * Wraps the protocol adapters (src/channels) as dispatcher connectors: each maps a claimed
 * message to its provider's request, and reports receipts and inbound messages with its id.
 */
export interface ConnectorEvents {
  /** Resolves when the receipt is committed (the provider is acknowledged after that). */
  onReceipt(connectorId: string, report: DeliveryReport): Promise<void>;
  onInbound(connectorId: string, message: InboundMessage): void | Promise<void>;
}

const PART_MEMORY = 200_000;

/** SMS over one SMPP bind. */
export class SmppSmsConnector implements Connector {
  readonly channel = 'sms' as const;
  readonly #smpp: SmppConnector;
  /**
   * Receipts come one per part; the message is tracked by its first part's id. Receipts for the
   * other parts are recognised here (bounded memory) and not forwarded.
   */
  readonly #otherParts = new Set<string>();

  constructor(
    readonly id: string,
    options: Omit<ConstructorParameters<typeof SmppConnector>[0], 'handlers'>,
    events: ConnectorEvents,
  ) {
    const handlers: ChannelEventHandlers = {
      onDeliveryReport: async (report) => {
        if (this.#otherParts.delete(report.providerId)) return;
        await events.onReceipt(this.id, report);
      },
      onInbound: (message) => events.onInbound(this.id, message),
    };
    this.#smpp = new SmppConnector({ ...options, handlers });
  }

  /** Binds in the background: sends wait (bounded) for the bind, then fail as retryable. */
  start(onError: (error: Error) => void): void {
    this.#smpp.start().catch(onError);
  }

  async send(message: ClaimedMessage): Promise<SendResult> {
    const result = await this.#smpp.send({
      id: message.id,
      from: message.sender ?? 'SOFY',
      to: message.recipient,
      text: message.content.text ?? '',
      encoding: message.encoding ?? 'GSM-7',
      receipt: true,
      ...(message.expiresAt ? { validitySeconds: Math.max(60, Math.round((message.expiresAt.getTime() - Date.now()) / 1000)) } : {}),
    });
    if (result.ok && result.partIds) {
      if (this.#otherParts.size > PART_MEMORY) this.#otherParts.clear();
      for (const part of result.partIds.slice(1)) this.#otherParts.add(part);
    }
    return result;
  }

  status(): ConnectorStatus {
    const stats = this.#smpp.stats;
    return { id: this.id, channel: 'sms', state: this.#smpp.state, counters: { ...stats } as unknown as Record<string, number> };
  }

  async stop(): Promise<void> {
    await this.#smpp.stop();
  }
}

/** Email over a pooled SMTP transport. */
export class SmtpEmailConnector implements Connector {
  readonly channel = 'email' as const;
  readonly #smtp: SmtpConnector;
  #sent = 0;
  #failed = 0;

  constructor(
    readonly id: string,
    options: ConstructorParameters<typeof SmtpConnector>[0],
  ) {
    this.#smtp = new SmtpConnector(options);
  }

  async send(message: ClaimedMessage): Promise<SendResult> {
    const result = await this.#smtp.send({
      id: message.id,
      from: message.sender ?? 'no-reply@sofy.localhost',
      to: message.recipient,
      subject: message.content.subject ?? '',
      ...(message.content.html ? { html: message.content.html } : {}),
      ...(message.content.text ? { text: message.content.text } : {}),
      ...(message.content.unsubscribeUrl ? { unsubscribeUrl: message.content.unsubscribeUrl } : {}),
    });
    if (result.ok) this.#sent++;
    else this.#failed++;
    return result;
  }

  status(): ConnectorStatus {
    return { id: this.id, channel: 'email', state: 'ready', counters: { sent: this.#sent, failed: this.#failed } };
  }

  async stop(): Promise<void> {
    await this.#smtp.close();
  }
}

/** WhatsApp Business messages through the Cloud API. Statuses come back by webhook. */
export class WhatsAppConnector implements Connector {
  readonly channel = 'whatsapp' as const;
  readonly #api: WhatsAppCloudConnector;
  #sent = 0;
  #failed = 0;

  constructor(
    readonly id: string,
    options: ConstructorParameters<typeof WhatsAppCloudConnector>[0],
    private readonly phoneNumberId: string,
  ) {
    this.#api = new WhatsAppCloudConnector(options);
  }

  async send(message: ClaimedMessage): Promise<SendResult> {
    const result = await this.#api.send({
      id: message.id,
      phoneNumberId: message.sender ?? this.phoneNumberId,
      to: message.recipient,
      ...(message.content.template ? { template: message.content.template } : { text: message.content.text ?? '' }),
    });
    if (result.ok) this.#sent++;
    else this.#failed++;
    return result;
  }

  status(): ConnectorStatus {
    return { id: this.id, channel: 'whatsapp', state: 'ready', counters: { sent: this.#sent, failed: this.#failed } };
  }

  async stop(): Promise<void> {}
}

/**
 * RCS Business Messaging. A handset that cannot receive RCS answers 404, which the dispatcher
 * turns into the SMS fallback; `revoke` serves the fallback of messages that expire undelivered.
 */
export class RbmRcsConnector implements Connector {
  readonly channel = 'rcs' as const;
  readonly #api: RbmConnector;
  #sent = 0;
  #failed = 0;

  constructor(
    readonly id: string,
    options: ConstructorParameters<typeof RbmConnector>[0],
    private readonly agentId: string,
  ) {
    this.#api = new RbmConnector(options);
  }

  async send(message: ClaimedMessage): Promise<SendResult> {
    const ttlSeconds = message.expiresAt ? Math.max(60, Math.round((message.expiresAt.getTime() - Date.now()) / 1000)) : undefined;
    const result = await this.#api.send({
      id: message.id,
      agentId: message.sender ?? this.agentId,
      to: message.recipient,
      text: message.content.text ?? '',
      ...(message.content.suggestions ? { suggestions: message.content.suggestions } : {}),
      ...(ttlSeconds ? { ttlSeconds } : {}),
    });
    if (result.ok) this.#sent++;
    else this.#failed++;
    return result;
  }

  revoke(msisdn: string, messageId: string) {
    return this.#api.revoke(msisdn, messageId);
  }

  status(): ConnectorStatus {
    return { id: this.id, channel: 'rcs', state: 'ready', counters: { sent: this.#sent, failed: this.#failed } };
  }

  async stop(): Promise<void> {}
}
