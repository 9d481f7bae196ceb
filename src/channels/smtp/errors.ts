import type { ChannelError } from '../types.ts';

/**
 * What an SMTP failure means for the dispatcher. Pure: takes the error nodemailer hands back
 * (its `code`, the server's `responseCode`/`response` and the `command` in flight) and whether
 * the message body had started to flow (the DATA phase), and answers a classified ChannelError.
 *
 * | situation                                              | code                | retryable | attribution | outcomeUnknown |
 * |--------------------------------------------------------|---------------------|-----------|-------------|----------------|
 * | 5xx with enhanced status 5.1.x / 5.2.x, or 550/551/553 | mailbox_unavailable | no        | recipient   | no             |
 * | 530/534/535/538, EAUTH, ENOAUTH                        | auth_failed         | no        | platform    | no             |
 * | other 5xx (5.7.x policy, 554 rejected, 552 size…)      | smtp_rejected       | no        | operator    | no             |
 * | 4xx (421, 450, 451, 452…)                               | smtp_tempfail       | yes       | operator    | no             |
 * | ECONNECTION/ESOCKET before the body left               | connection_failed   | yes       | operator    | no             |
 * | ECONNECTION/ESOCKET once the body had started          | connection_lost     | yes       | operator    | yes            |
 * | ETIMEDOUT (before / after the body started)            | timeout             | yes       | operator    | no / yes       |
 * | EDNS                                                   | dns_failed          | yes       | platform    | no             |
 * | ETLS, EREQUIRETLS, certificate errors (CERT_*…)       | tls_failed          | no        | platform    | no             |
 * | EENVELOPE/EMESSAGE without a reply, ECONFIG…           | invalid_message     | no        | platform    | no             |
 * | anything else                                          | smtp_error          | yes       | operator    | dataStarted    |
 *
 * 503 (bad sequence of commands) is a session-state problem, not a refusal of the message:
 * nodemailer and RFC 5321 treat it as transient, and so do we.
 */
export interface SmtpFailure {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  originalCode?: string;
}

const ENHANCED = /^\d{3}[ -]([245])\.(\d{1,3})\.(\d{1,3})\b/;

export function parseEnhancedStatus(response: string | undefined): { cls: number; subject: number; detail: number } | undefined {
  const m = response ? ENHANCED.exec(response.trim()) : null;
  if (!m) return undefined;
  return { cls: Number(m[1]), subject: Number(m[2]), detail: Number(m[3]) };
}

function providerCodeOf(err: SmtpFailure): string | undefined {
  if (err.responseCode) {
    const enhanced = parseEnhancedStatus(err.response);
    return enhanced ? `${err.responseCode} ${enhanced.cls}.${enhanced.subject}.${enhanced.detail}` : String(err.responseCode);
  }
  return err.originalCode ?? err.code;
}

function describe(err: SmtpFailure): string {
  const base = err.response ? err.response.trim() : (err.message ?? 'SMTP failure');
  return err.command && err.command !== 'CONN' ? `${err.command}: ${base}` : base;
}

export function classifySmtpError(err: SmtpFailure, dataStarted: boolean): ChannelError {
  const providerCode = providerCodeOf(err);
  const message = describe(err);
  const make = (code: string, retryable: boolean, attribution: ChannelError['attribution'], outcomeUnknown = false): ChannelError => ({
    code,
    message,
    retryable,
    attribution,
    ...(outcomeUnknown ? { outcomeUnknown: true } : {}),
    ...(providerCode ? { providerCode } : {}),
  });

  // A failed STARTTLS comes with the server's reply to it, but it is a TLS problem first.
  if (err.code === 'ETLS' || err.code === 'EREQUIRETLS') return make('tls_failed', false, 'platform');

  const reply = err.responseCode;
  if (reply && reply >= 500 && reply < 600 && reply !== 503) {
    if (reply === 530 || reply === 534 || reply === 535 || reply === 538 || err.code === 'EAUTH') return make('auth_failed', false, 'platform');
    const enhanced = parseEnhancedStatus(err.response);
    if (enhanced) {
      // X.1.x: addressing (bad mailbox, bad domain); X.2.x: mailbox status (disabled, full).
      if (enhanced.subject === 1 || enhanced.subject === 2) return make('mailbox_unavailable', false, 'recipient');
      return make('smtp_rejected', false, 'operator');
    }
    if (reply === 550 || reply === 551 || reply === 553) return make('mailbox_unavailable', false, 'recipient');
    return make('smtp_rejected', false, 'operator');
  }
  if (reply && ((reply >= 400 && reply < 500) || reply === 503)) {
    if (err.code === 'EAUTH') return make('auth_failed', true, 'platform');
    return make('smtp_tempfail', true, 'operator');
  }

  // Certificate and handshake problems surface as socket errors with the OpenSSL code kept aside.
  if (err.originalCode && /^(CERT_|ERR_SSL|ERR_TLS|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ERR_TLS_CERT)/.test(err.originalCode)) {
    return make('tls_failed', false, 'platform');
  }
  switch (err.code) {
    case 'EAUTH':
    case 'ENOAUTH':
    case 'EOAUTH2':
      return make('auth_failed', false, 'platform');
    case 'ETLS':
    case 'EREQUIRETLS':
      return make('tls_failed', false, 'platform');
    case 'EDNS':
      return make('dns_failed', true, 'platform');
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EPROXY':
      return dataStarted ? make('connection_lost', true, 'operator', true) : make('connection_failed', true, 'operator');
    case 'ETIMEDOUT':
      return make('timeout', true, 'operator', dataStarted);
    case 'EENVELOPE':
    case 'EMESSAGE':
    case 'ECONFIG':
    case 'EMAXRECIPIENTS':
    case 'ESTREAM':
    case 'EFILEACCESS':
    case 'EURLACCESS':
      return make('invalid_message', false, 'platform');
    default:
      return make('smtp_error', true, 'operator', dataStarted);
  }
}
