// The messages the messaging benchmarks send: valid alert SMS (R-ALERT passes them, GSM-7, one
// part), each with its own verification code, so the sandbox SMSC can tell every message apart
// and count the ones it received more than once.

/** Sender ID (alphanumeric, not a generic word). */
export const BENCH_SENDER = 'OPTIQUE';

/**
 * French mobile numbers +33 6 12 34 1xxx: 1,000 different recipients. They never end in the
 * sandbox's magic suffixes (0222, 0333…, which all start with 0), so every send is accepted and
 * delivered.
 */
export function benchRecipient(index: number): string {
  return `+3361234${1000 + (index % 1000)}`;
}

/** The text of message `code` (a whole number below 10^9): one GSM-7 part. */
export function benchText(code: number): string {
  return `Votre code de vérification est ${String(code).padStart(9, '0')}. Il expire dans 10 minutes.`;
}

/** The code in a text made by benchText (as the SMSC decodes it), or undefined. */
export function codeOf(text: string): string | undefined {
  return /est (\d{9})\./.exec(text)?.[1];
}

/** One `POST /v1/messages` body. */
export function singleMessage(code: number, index = code): Record<string, unknown> {
  return { channel: 'sms', route: 'alert', to: benchRecipient(index), from: BENCH_SENDER, text: benchText(code) };
}

/** One `POST /v1/messages/batch` body of `size` messages with codes firstCode, firstCode + 1… */
export function batchBody(firstCode: number, size: number): { messages: Array<Record<string, unknown>> } {
  return { messages: Array.from({ length: size }, (_, i) => singleMessage(firstCode + i)) };
}
