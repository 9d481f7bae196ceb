/**
 * The SMPP gateway's rules as pure functions (docs/smpp.md): command statuses for our refusals,
 * the route a submit_sm asks for, addresses, and the delivery receipt we send back.
 */

/** SMPP 3.4 command_status values the gateway answers (§5.1.3). */
export const SMPP_STATUS = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVCMDID: 0x03,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RMSGQFUL: 0x14,
  ESME_RINVSERTYP: 0x15,
  ESME_RINVESMCLASS: 0x43,
  ESME_RSUBMITFAIL: 0x45,
  ESME_RTHROTTLED: 0x58,
  ESME_RINVSCHED: 0x61,
  ESME_RINVEXPIRY: 0x62,
} as const;

/**
 * The command_status of a submit_sm that MessagingService refused (AppError code), as
 * documented in docs/smpp.md. Rule refusals without a closer SMPP status are ESME_RSUBMITFAIL.
 */
export function submitStatusForError(code: string): number {
  switch (code) {
    case 'invalid_phone_number':
    case 'destination_not_supported':
      return SMPP_STATUS.ESME_RINVDSTADR;
    case 'invalid_sender':
      return SMPP_STATUS.ESME_RINVSRCADR;
    case 'insufficient_scope':
      return SMPP_STATUS.ESME_RINVSERTYP;
    case 'text_too_long':
      return SMPP_STATUS.ESME_RINVMSGLEN;
    case 'rate_limited':
      return SMPP_STATUS.ESME_RTHROTTLED;
    case 'internal_error':
    case 'service_unavailable':
      return SMPP_STATUS.ESME_RSYSERR;
    default:
      // quiet_hours (credential in reject mode), stop_mention_missing, marketing_content_on_alert_route,
      // validation_failed, tenant_suspended, forbidden…
      return SMPP_STATUS.ESME_RSUBMITFAIL;
  }
}

export type Route = 'marketing' | 'alert';

/**
 * service_type → route: empty, `CMT` (the SMPP default) or `MKT` (also `PROMO`) is marketing;
 * `ALERT` (also `ALT`, `OTP`, `TRANS`) is the Alert route; anything else is refused
 * (ESME_RINVSERTYP). Case-insensitive. (SMPP caps service_type at 5 characters.)
 */
export function routeForServiceType(serviceType: string | undefined): Route | null {
  const value = (serviceType ?? '').trim().toUpperCase();
  if (value === '' || value === 'CMT' || value === 'MKT' || value === 'PROMO') return 'marketing';
  if (value === 'ALERT' || value === 'ALT' || value === 'OTP' || value === 'TRANS') return 'alert';
  return null;
}

/**
 * A submitted destination as the send API reads it: international (TON 1) → `+digits`; national
 * (TON 2) as given (region FR by default); unknown (TON 0): `+digits` unless it starts with 0 or +.
 */
export function destinationText(addr: string | undefined, ton: number | undefined): string {
  const a = (addr ?? '').trim();
  if (!/^\d+$/.test(a)) return a;
  if (ton === 1) return `+${a}`;
  if (ton === 2 || a.startsWith('0')) return a;
  return `+${a}`;
}

/**
 * A submitted source as the send API reads it: empty → the account's default sender; TON 1 →
 * `+digits`; anything else (alphanumeric TON 5, short code TON 3, national numbers) as given.
 */
export function sourceText(addr: string | undefined, ton: number | undefined): string | undefined {
  const a = (addr ?? '').trim();
  if (a === '') return undefined;
  return ton === 1 && /^\d+$/.test(a) ? `+${a}` : a;
}

/** data_codings whose bytes are text we can read (GSM 03.38 groups included); binary ones are refused. */
export function isTextDataCoding(dataCoding: number): boolean {
  // 0x00–0x0F are SMPP's own values (§5.2.19): SMSC default (GSM 03.38), IA5, Latin-1, UCS-2 are text.
  if (dataCoding < 0x10) return dataCoding === 0x00 || dataCoding === 0x01 || dataCoding === 0x03 || dataCoding === 0x08;
  if ((dataCoding & 0xf0) === 0xf0) return (dataCoding & 0x04) === 0; // message class group: GSM-7 only
  if ((dataCoding & 0xc0) === 0x00) {
    if (dataCoding & 0x20) return false; // compressed
    const alphabet = (dataCoding >> 2) & 0x03;
    return alphabet === 0 || alphabet === 2;
  }
  return false;
}

/** registered_delivery bits 0–1 (§5.2.17): 0 none, 1 on success or failure, 2 on failure only (3: on success, SMPP 5.0). */
export function wantsReceipt(registeredDelivery: number, finalStatus: string): boolean {
  const mode = registeredDelivery & 0x03;
  const delivered = finalStatus === 'delivered' || finalStatus === 'read';
  if (mode === 1) return true;
  if (mode === 2) return !delivered;
  if (mode === 3) return delivered;
  return false;
}

/** A final status as a receipt states it: `stat` word, message_state TLV (§5.2.28), `err` field. */
export interface ReceiptState {
  stat: 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'REJECTD';
  messageState: number;
  err: string;
}

/**
 * delivered/read → DELIVRD (2); undelivered → UNDELIV (5); failed → UNDELIV (5); expired →
 * EXPIRED (3); suppressed (opted out, never sent) → REJECTD (8). `err` is the provider's numeric
 * code when there is one, else 000 when delivered and SOFY's codes otherwise (docs/smpp.md).
 */
export function receiptState(status: string, errorCode: string | null): ReceiptState {
  const numeric = errorCode && /^\d{1,3}$/.test(errorCode) ? errorCode.padStart(3, '0') : null;
  switch (status) {
    case 'delivered':
    case 'read':
      return { stat: 'DELIVRD', messageState: 2, err: '000' };
    case 'expired':
      return { stat: 'EXPIRED', messageState: 3, err: numeric ?? '002' };
    case 'suppressed':
      return { stat: 'REJECTD', messageState: 8, err: '004' };
    case 'failed':
      return { stat: 'UNDELIV', messageState: 5, err: numeric ?? '003' };
    default:
      return { stat: 'UNDELIV', messageState: 5, err: numeric ?? '001' };
  }
}

/** SMPP Appendix B date: YYMMDDhhmm, UTC. */
export function receiptDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}`;
}

/**
 * The receipt's text form (SMPP 3.4 Appendix B): `id:… sub:001 dlvrd:… submit date:… done date:…
 * stat:… err:… text:…`. The sample keeps the first 20 characters, each outside the characters
 * shared by ASCII and GSM 03.38 shown as a dot, so it reads the same in every client.
 */
export function receiptText(input: { id: string; state: ReceiptState; submitDate: Date; doneDate: Date; text: string | null }): string {
  const sample = [...(input.text ?? '')].slice(0, 20).map((ch) => (/^[A-Za-z0-9 .,:;!?'"()+\-/=%&*#<>]$/.test(ch) ? ch : '.')).join('');
  const dlvrd = input.state.stat === 'DELIVRD' ? '001' : '000';
  return `id:${input.id} sub:001 dlvrd:${dlvrd} submit date:${receiptDate(input.submitDate)} done date:${receiptDate(input.doneDate)} stat:${input.state.stat} err:${input.state.err} text:${sample}`;
}

/** validity_period → the send API's ttlSeconds (60 s to 7 days); null when out of range. */
export function ttlFromValidity(validUntil: Date, now: Date): number | null {
  const seconds = Math.round((validUntil.getTime() - now.getTime()) / 1000);
  if (!Number.isFinite(seconds) || seconds < 60 || seconds > 7 * 86_400) return null;
  return seconds;
}

/** Token bucket: `rate` per second, up to `burst` at once. Time is a parameter (ms, monotonic). */
export class TokenBucket {
  #tokens: number;
  #at: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#at = now;
  }

  take(now: number): boolean {
    if (this.rate <= 0) return true;
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.rate);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
