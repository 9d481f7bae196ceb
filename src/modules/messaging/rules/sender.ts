/**
 * SMS sender IDs as French carriers accept them: an alphanumeric brand of 1–11 characters
 * (letters A–Z and digits only, at least one letter, since GSM 03.40 gives the alphanumeric
 * originator 11 characters and carriers refuse accents, spaces and punctuation), or a number:
 * a short code or a long number of 3–15 digits (the E.164 maximum), a leading + allowed.
 * Generic words are refused: carriers block them as the mark of spam and phishing, and a
 * recipient must be able to tell who writes.
 */

export type SenderKind = 'alphanumeric' | 'numeric';

export type SenderCheck = { ok: true; kind: SenderKind } | { ok: false; error: 'invalid_sender'; message: string };

export const MAX_ALPHANUMERIC_SENDER_LENGTH = 11;

/** Refused as alphanumeric senders, whatever the case. */
export const GENERIC_SENDER_WORDS: readonly string[] = [
  'INFO',
  'SMS',
  'TEST',
  'NOREPLY',
  'OTP',
  'ALERT',
  'VERIFY',
  'MESSAGE',
  'NOTIFICATION',
  'SERVICE',
];

const ALPHANUMERIC_SENDER = /^[A-Za-z0-9]{1,11}$/;
const NUMERIC_SENDER = /^\+?\d{3,15}$/;

export function checkSender(sender: string): SenderCheck {
  if (NUMERIC_SENDER.test(sender)) return { ok: true, kind: 'numeric' };
  if (/^\+?\d+$/.test(sender)) return invalid(`a numeric sender has 3 to 15 digits; "${sender}" has ${sender.replace('+', '').length}`);
  if (sender.length === 0) return invalid('the sender is empty');
  if (sender.length > MAX_ALPHANUMERIC_SENDER_LENGTH) {
    return invalid(`an alphanumeric sender has at most ${MAX_ALPHANUMERIC_SENDER_LENGTH} characters; "${sender}" has ${sender.length}`);
  }
  if (!ALPHANUMERIC_SENDER.test(sender)) {
    return invalid(`an alphanumeric sender uses only letters A–Z and digits 0–9 (no spaces, accents or punctuation): "${sender}"`);
  }
  if (GENERIC_SENDER_WORDS.includes(sender.toUpperCase())) {
    return invalid(`"${sender}" is a generic word that carriers refuse: use your brand name`);
  }
  return { ok: true, kind: 'alphanumeric' };
}

/** The reason `sender` is refused (`invalid_sender`), or null when carriers accept it. */
export function senderProblem(sender: string): string | null {
  const check = checkSender(sender);
  return check.ok ? null : check.message;
}

function invalid(message: string): SenderCheck {
  return { ok: false, error: 'invalid_sender', message };
}
