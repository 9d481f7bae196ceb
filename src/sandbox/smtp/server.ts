import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/**
 * A mail server on loopback that accepts what SOFY sends, keeps it per recipient and lets tests
 * and the offline `sofy start` look at it. It speaks real SMTP (smtp-server) and parses with
 * mailparser, so headers, MIME and DKIM signatures are what a real relay would receive.
 *
 * Magic recipients (on the local part, case-insensitive):
 * - contains `bounce`     → `550 5.1.1` at RCPT TO (mailbox unavailable, permanent);
 * - contains `tempfail`   → `451 4.3.0` at RCPT TO (try again later);
 * - contains `disconnect` → accepted, then the connection is cut in the middle of DATA
 *   (the sender cannot know whether the message was taken).
 */
export interface SandboxSmtpOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** When set, clients must authenticate (PLAIN/LOGIN) with these credentials. */
  auth?: { user: string; pass: string };
  /** Offer STARTTLS. Without `tls`, smtp-server's built-in test certificate is used. */
  starttls?: boolean;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Largest accepted message in bytes (default 10 MiB). */
  maxSize?: number;
  /** How long stop() lets open sessions finish before cutting them (default 500 ms). */
  closeTimeoutMs?: number;
}

export interface ReceivedMail {
  /** Order of arrival, from 1. */
  seq: number;
  envelope: { from: string; to: string[] };
  /** Authenticated user, when the client logged in. */
  user?: string;
  messageId?: string;
  from?: string;
  to: string[];
  subject?: string;
  text?: string;
  html?: string;
  /** Header names in lower case; repeated headers are joined with `, `. */
  headers: Record<string, string>;
  raw: Buffer;
  receivedAt: Date;
}

type SmtpError = Error & { responseCode?: number };

function smtpError(responseCode: number, message: string): SmtpError {
  const err: SmtpError = new Error(message);
  err.responseCode = responseCode;
  return err;
}

function localPart(address: string): string {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(0, at)).toLowerCase();
}

export class SandboxSmtpServer {
  readonly #options: SandboxSmtpOptions;
  readonly #mails: ReceivedMail[] = [];
  readonly #byRecipient = new Map<string, ReceivedMail[]>();
  readonly #waiters = new Map<() => void, () => void>();
  #server: SMTPServer | undefined;
  #port = 0;
  #seq = 0;

  constructor(options: SandboxSmtpOptions = {}) {
    this.#options = options;
  }

  get host(): string {
    return this.#options.host ?? '127.0.0.1';
  }

  get port(): number {
    if (!this.#server) throw new Error('the sandbox SMTP server is not started');
    return this.#port;
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.#server) return { host: this.host, port: this.#port };
    const auth = this.#options.auth;
    const server = new SMTPServer({
      logger: false,
      banner: 'SOFY sandbox SMTP',
      size: this.#options.maxSize ?? 10 * 1024 * 1024,
      authOptional: !auth,
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      hideSTARTTLS: !this.#options.starttls,
      ...(this.#options.starttls ? {} : { disabledCommands: ['STARTTLS'] }),
      ...(this.#options.tls ? { key: this.#options.tls.key, cert: this.#options.tls.cert } : {}),
      closeTimeout: this.#options.closeTimeoutMs ?? 500,
      onAuth: (credentials, _session, callback) => {
        if (auth && credentials.username === auth.user && credentials.password === auth.pass) {
          callback(null, { user: credentials.username });
          return;
        }
        callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
      },
      onRcptTo: (address: SMTPServerAddress, _session: SMTPServerSession, callback) => {
        const local = localPart(address.address);
        if (local.includes('bounce')) return callback(smtpError(550, '5.1.1 Mailbox unavailable'));
        if (local.includes('tempfail')) return callback(smtpError(451, '4.3.0 Temporary local problem, try again later'));
        return callback();
      },
      onData: (stream, session, callback) => {
        this.#receive(stream, session).then(
          () => callback(),
          (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
        );
      },
    });
    server.on('error', () => {
      // Client misbehaviour (resets, bad TLS) is not the sandbox's problem.
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.#options.port ?? 0, this.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#port = (server.server.address() as AddressInfo).port;
    return { host: this.host, port: this.#port };
  }

  async #receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    if (recipients.some((r) => localPart(r).includes('disconnect'))) {
      // Take a little of the body, then cut the line without answering the end of DATA.
      await new Promise<void>((resolve) => {
        stream.once('data', () => resolve());
        stream.once('end', () => resolve());
      });
      for (const connection of this.#server?.connections ?? []) {
        if (connection.id === session.id) connection._socket.destroy();
      }
      stream.resume();
      throw new Error('connection cut on purpose');
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.sizeExceeded) throw smtpError(552, '5.3.4 Message too big');
    const raw = Buffer.concat(chunks);
    const parsed = await simpleParser(raw);
    const headers: Record<string, string> = {};
    for (const line of parsed.headerLines) {
      const value = line.line.slice(line.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
      headers[line.key] = headers[line.key] === undefined ? value : `${headers[line.key]}, ${value}`;
    }
    const mailFrom = session.envelope.mailFrom;
    const mail: ReceivedMail = {
      seq: ++this.#seq,
      envelope: { from: mailFrom ? mailFrom.address : '', to: recipients },
      ...(session.user ? { user: String(session.user) } : {}),
      ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
      ...(parsed.from ? { from: parsed.from.text } : {}),
      to: parsed.to ? (Array.isArray(parsed.to) ? parsed.to : [parsed.to]).flatMap((a) => a.value.map((v) => v.address ?? '')) : [],
      ...(parsed.subject !== undefined ? { subject: parsed.subject } : {}),
      ...(parsed.text !== undefined ? { text: parsed.text } : {}),
      ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
      headers,
      raw,
      receivedAt: new Date(),
    };
    this.#mails.push(mail);
    for (const rcpt of recipients) {
      const key = rcpt.toLowerCase();
      const list = this.#byRecipient.get(key) ?? [];
      list.push(mail);
      this.#byRecipient.set(key, list);
    }
    for (const check of [...this.#waiters.keys()]) check();
  }

  /** Mails received for this envelope recipient, oldest first. */
  inbox(address: string): ReceivedMail[] {
    return [...(this.#byRecipient.get(address.toLowerCase()) ?? [])];
  }

  all(): ReceivedMail[] {
    return [...this.#mails];
  }

  clear(): void {
    this.#mails.length = 0;
    this.#byRecipient.clear();
  }

  /** Resolves once `address` has at least `count` mails (for callers that do not await the send). */
  waitForMail(address: string, count = 1, timeoutMs = 5_000): Promise<ReceivedMail[]> {
    if (this.inbox(address).length >= count) return Promise.resolve(this.inbox(address));
    return new Promise((resolve, reject) => {
      const cancel = (err?: Error) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (err) reject(err);
      };
      const check = () => {
        if (this.inbox(address).length < count) return;
        cancel();
        resolve(this.inbox(address));
      };
      const timer = setTimeout(() => cancel(new Error(`no mail for ${address} after ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.set(check, () => cancel(new Error('the sandbox SMTP server stopped')));
    });
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const cancel of [...this.#waiters.values()]) cancel();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
