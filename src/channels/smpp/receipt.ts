/**
 * SMSC delivery receipts (SMPP 3.4 Appendix B text form and the receipted_message_id /
 * message_state TLVs) → the contract's delivery status and attribution.
 *
 * Attribution (R-3RD, who a failure belongs to):
 * - UNDELIV → 'recipient': the SMSC accepted the message and tried the handset; the common causes
 *   are on the subscriber's side (absent or unknown subscriber, handset memory full, barring).
 *   Faults of the operator's network show up as submit errors or REJECTD, not UNDELIV.
 * - EXPIRED → 'recipient': the handset stayed unreachable for the whole validity period.
 * - REJECTD, DELETED, UNKNOWN (and unknown states) → 'operator': the SMSC refused, dropped or
 *   lost the message; nothing says the recipient is the cause.
 */
import type { Attribution, DeliveryStatus } from '../types.ts';

export interface ReceiptText {
  id?: string;
  sub?: string;
  dlvrd?: string;
  submitDate?: string;
  doneDate?: string;
  stat?: string;
  err?: string;
  text?: string;
}

function field(text: string, re: RegExp): string | undefined {
  const m = re.exec(text);
  return m?.[1];
}

/** Parses `id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…` (case-insensitive). */
export function parseReceiptText(text: string): ReceiptText {
  const out: ReceiptText = {};
  const id = field(text, /(?:^|\s)id:\s*([^\s]+)/i);
  if (id !== undefined) out.id = id;
  const sub = field(text, /(?:^|\s)sub:\s*(\d+)/i);
  if (sub !== undefined) out.sub = sub;
  const dlvrd = field(text, /(?:^|\s)dlvrd:\s*(\d+)/i);
  if (dlvrd !== undefined) out.dlvrd = dlvrd;
  const submitDate = field(text, /submit date:\s*(\d+)/i);
  if (submitDate !== undefined) out.submitDate = submitDate;
  const doneDate = field(text, /done date:\s*(\d+)/i);
  if (doneDate !== undefined) out.doneDate = doneDate;
  const stat = field(text, /(?:^|\s)stat:\s*([A-Za-z_]+)/i);
  if (stat !== undefined) out.stat = stat.toUpperCase();
  const err = field(text, /(?:^|\s)err:\s*([0-9A-Za-z]+)/i);
  if (err !== undefined) out.err = err;
  const body = field(text, /(?:^|\s)text:([\s\S]*)$/i);
  if (body !== undefined) out.text = body;
  return out;
}

/** message_state TLV values (SMPP 3.4 §5.2.28) and their receipt-text names. */
export const MESSAGE_STATE_NAMES: Readonly<Record<number, string>> = {
  0: 'SCHEDULED',
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
  9: 'SKIPPED',
};

/** The contract's status for a receipt stat word (DELIVRD, UNDELIV…; tolerant of long forms). */
export function statusFromStat(stat: string): DeliveryStatus {
  const s = stat.toUpperCase();
  if (s.startsWith('DELIV')) return 'delivered';
  if (s.startsWith('UNDEL')) return 'undelivered';
  if (s.startsWith('EXPIR')) return 'expired';
  if (s.startsWith('ACCEPT') || s.startsWith('ENROUTE') || s.startsWith('SCHEDULED')) return 'sent';
  return 'failed'; // REJECTD, UNKNOWN, DELETED, SKIPPED and anything unrecognised
}

export function attributionFor(status: DeliveryStatus): Attribution | undefined {
  switch (status) {
    case 'undelivered':
    case 'expired':
      return 'recipient';
    case 'failed':
      return 'operator';
    default:
      return undefined;
  }
}

export interface ReceiptOutcome {
  status: DeliveryStatus;
  /** The stat word (`UNDELIV`…), from the TLV when present, else from the text. */
  stat: string;
  attribution?: Attribution;
}

/**
 * Status of a receipt: the message_state TLV wins (structured), else the text's `stat:`.
 * Undefined when the receipt carries neither.
 */
export function receiptOutcome(messageState: number | undefined, text: ReceiptText): ReceiptOutcome | undefined {
  const stat = messageState !== undefined ? (MESSAGE_STATE_NAMES[messageState] ?? 'UNKNOWN') : text.stat;
  if (stat === undefined) return undefined;
  const status = statusFromStat(stat);
  const attribution = attributionFor(status);
  return attribution ? { status, stat, attribution } : { status, stat };
}
