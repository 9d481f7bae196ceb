import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import nodemailer, { type Mail, type NodemailerError, type SendMailOptions, type SMTPPoolOptions, type SMTPPoolSentMessageInfo } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { ChannelError, OutboundEmail, SendResult } from '../types.ts';
import { classifySmtpError } from './errors.ts';

export interface SmtpDkimOptions {
  /** The signing domain (`d=`), e.g. `mail.example.fr`. */
  domainName: string;
  /** The selector (`s=`): the public key lives at `<keySelector>._domainkey.<domainName>`. */
  keySelector: string;
  /** PEM private key (RSA or Ed25519). */
  privateKey: string;
}

export interface SmtpConnectorOptions {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (port 465). Otherwise STARTTLS is used when offered. */
  secure?: boolean;
  /** Refuse to send unless STARTTLS succeeds. */
  requireTLS?: boolean;
  /** Never upgrade with STARTTLS, even when offered. */
  ignoreTLS?: boolean;
  /** Node TLS options: `rejectUnauthorized`, `servername`, `minVersion`, `ca`… */
  tls?: ConnectionOptions;
  auth?: { user: string; pass: string };
  /** Open connections at most (default 5). */
  maxConnections?: number;
  /** Messages sent over one connection before it is replaced (default 100). */
  maxMessages?: number;
  /** Optional pacing: at most `messages` per `perMs` milliseconds across the pool. */
  rateLimit?: { messages: number; perMs: number };
  dkim?: SmtpDkimOptions;
  /** Host name announced in EHLO (default: the OS host name). */
  clientName?: string;
  /** Domain of the generated Message-IDs (default: the domain of the From address). */
  messageIdDomain?: string;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  /** Inactivity allowed on an open connection, including while waiting for a reply (default 60 s). */
  socketTimeoutMs?: number;
  /**
   * Times the pool may hand a message to a fresh connection when the previous one closed
   * before a byte of the message was sent (never once the body has started). Default 1.
   */
  maxRequeues?: number;
}

interface InFlight {
  claimed?: boolean;
  stream?: Readable;
}

type MessageNode = { messageId(): string; createReadStream(options?: unknown): Readable };

const ATOM = /[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]/g;

/** Builds the Message-ID we send with: `<our-id@domain>`, so bounces can be correlated. */
export function buildMessageId(id: string, domain: string): string {
  const local = id.replace(ATOM, '-').replace(/^\.+|\.+$/g, '') || randomUUID();
  const host = domain.replace(/[^A-Za-z0-9.-]/g, '') || 'localhost';
  return `<${local}@${host}>`;
}

function domainOf(address: string): string | undefined {
  const m = /@([^>\s]+)>?\s*$/.exec(address);
  return m?.[1];
}

/** RFC 8058: an http(s) URI, carried between angle brackets, without characters that would break the header. */
function checkUnsubscribeUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    const text = url.toString();
    return /[<>,\s]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

/**
 * Sends e-mail over SMTP through a nodemailer connection pool. One instance per relay; share it.
 * `send` never throws: every failure comes back as a classified ChannelError.
 */
export class SmtpConnector {
  readonly #pool: SMTPPool;
  readonly #mailer: Mail<SMTPPoolSentMessageInfo, SMTPPoolOptions>;
  readonly #options: SmtpConnectorOptions;
  readonly #inflight = new Map<string, InFlight[]>();
  #closed = false;

  constructor(options: SmtpConnectorOptions) {
    this.#options = options;
    this.#mailer = nodemailer.createTransport({
      pool: true,
      host: options.host,
      port: options.port,
      secure: options.secure ?? false,
      requireTLS: options.requireTLS ?? false,
      ignoreTLS: options.ignoreTLS ?? false,
      tls: options.tls,
      auth: options.auth ? { user: options.auth.user, pass: options.auth.pass } : undefined,
      maxConnections: options.maxConnections ?? 5,
      maxMessages: options.maxMessages ?? 100,
      rateLimit: options.rateLimit?.messages,
      rateDelta: options.rateLimit?.perMs,
      name: options.clientName,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.greetingTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
      maxRequeues: options.maxRequeues ?? 1,
      logger: false,
      debug: false,
      ...(options.dkim
        ? { dkim: { domainName: options.dkim.domainName, keySelector: options.dkim.keySelector, privateKey: options.dkim.privateKey } }
        : {}),
    });
    this.#pool = this.#mailer.transporter as unknown as SMTPPool;
    // Remember the stream the pool reads the message from: once it has been read, the DATA
    // phase had started and a lost connection leaves the outcome unknown (the server may have
    // queued the message). Keyed by our Message-ID.
    this.#mailer.use('stream', (mail, done) => {
      const node = mail.message as unknown as MessageNode;
      const entry = this.#inflight.get(node.messageId())?.find((e) => !e.claimed);
      if (entry) {
        entry.claimed = true;
        const original = node.createReadStream.bind(node);
        node.createReadStream = (streamOptions?: unknown) => {
          const stream = original(streamOptions);
          entry.stream = stream;
          return stream;
        };
      }
      done();
    });
  }

  /** Checks that the relay answers and accepts our credentials. */
  async verify(): Promise<{ ok: true } | { ok: false; error: ChannelError }> {
    try {
      await this.#pool.verify();
      return { ok: true };
    } catch (err) {
      return { ok: false, error: classifySmtpError(err as NodemailerError, false) };
    }
  }

  async send(email: OutboundEmail): Promise<SendResult> {
    if (this.#closed) {
      return { ok: false, error: { code: 'connector_closed', message: 'the SMTP connector is closed', retryable: true, attribution: 'platform' } };
    }
    const invalid = (message: string): SendResult => ({
      ok: false,
      error: { code: 'invalid_message', message, retryable: false, attribution: 'platform' },
    });
    if (!email.to || !email.from) return invalid('from and to are required');
    if (email.html === undefined && email.text === undefined) return invalid('html or text is required');

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(email.headers ?? {})) {
      // The Message-ID is ours (it is the provider id); the unsubscribe pair is built below.
      if (/^(message-id|list-unsubscribe(-post)?)$/i.test(name)) continue;
      headers[name] = value;
    }
    if (email.unsubscribeUrl !== undefined) {
      const url = checkUnsubscribeUrl(email.unsubscribeUrl);
      if (!url) return invalid(`unsubscribeUrl is not a usable http(s) URL: ${email.unsubscribeUrl}`);
      headers['List-Unsubscribe'] = `<${url}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }

    const domain = this.#options.messageIdDomain ?? domainOf(email.from) ?? this.#options.dkim?.domainName ?? 'localhost';
    const messageId = buildMessageId(email.id, domain);
    const data: SendMailOptions = {
      from: email.from,
      to: email.to,
      subject: email.subject,
      messageId,
      headers,
      ...(email.text !== undefined ? { text: email.text } : {}),
      ...(email.html !== undefined ? { html: email.html } : {}),
    };

    const entry: InFlight = {};
    this.#inflight.set(messageId, [...(this.#inflight.get(messageId) ?? []), entry]);
    try {
      const info = await this.#mailer.sendMail(data);
      return { ok: true, providerId: info.messageId || messageId };
    } catch (err) {
      const dataStarted = entry.stream?.readableDidRead === true;
      return { ok: false, error: classifySmtpError(err as NodemailerError, dataStarted) };
    } finally {
      const rest = (this.#inflight.get(messageId) ?? []).filter((e) => e !== entry);
      if (rest.length) this.#inflight.set(messageId, rest);
      else this.#inflight.delete(messageId);
    }
  }

  /** Messages queued or being transmitted. */
  pending(): number {
    return this.#pool.pendingCount();
  }

  /**
   * Closes the pool: idle connections at once (QUIT), busy ones once their message is done.
   * Resolves when nothing is in flight any more.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#pool.close();
    const deadline = Date.now() + (this.#options.socketTimeoutMs ?? 60_000);
    while (this.#pool.pendingCount() > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (this.#pool.pendingCount() > 0) this.#pool.close({ force: true });
  }
}
