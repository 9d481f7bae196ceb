/**
 * R-STOP (§14.1): every marketing SMS carries the opt-out mention "STOP SMS" with the tenant's
 * STOP number; the platform appends it when absent, or rejects the text, as the caller chooses.
 *
 * Accepted forms (case-insensitive, any spaces between the words, anywhere in the text), as
 * French carriers and the AF2M code of conduct write them:
 *  1. "STOP SMS" (usually followed by "au 36xxx", which is then not required);
 *  2. "STOP au <number>": a short code or phone number of 5 to 15 digits, spaces, dots and a
 *     leading + allowed ("STOP au 36111", "Stop au 06 12 34 56 78").
 * Not accepted: "STOP" alone or "STOP au" without a number ("Stop au gaspillage !" is a slogan,
 * not an opt-out instruction), nor words that only contain STOP ("STOPPEZ", "NONSTOP").
 */

const WORD_START = String.raw`(?<![\p{L}\p{N}])`;
const WORD_END = String.raw`(?![\p{L}\p{N}])`;
/** Spaces of any kind: `\s` includes the no-break ones (U+00A0, U+202F) French typography puts in texts. */
const SPACE = String.raw`\s+`;
const NUMBER = String.raw`\+?\d(?:[\s.]?\d){4,14}`;

const STOP_SMS_FORM = new RegExp(`${WORD_START}STOP${SPACE}SMS${WORD_END}`, 'iu');
const STOP_AU_NUMBER_FORM = new RegExp(`${WORD_START}STOP${SPACE}au${SPACE}${NUMBER}${WORD_END}`, 'iu');

/** R-STOP: does `text` already carry an accepted opt-out mention? */
export function hasStopMention(text: string): boolean {
  return STOP_SMS_FORM.test(text) || STOP_AU_NUMBER_FORM.test(text);
}

/** The platform's default mention for a tenant's STOP short code or number. */
export function defaultStopMention(shortCode: string): string {
  return `STOP SMS au ${shortCode}`;
}

/**
 * Put between the text and the mention: a line feed. It costs 1 septet like a space and is in
 * the GSM 03.38 basic table (0x0A), so it never switches a GSM-7 text to UCS-2, and it puts the
 * mention on a line of its own, where recipients look for it, without gluing it to a URL or a
 * word that ends the text.
 */
export const STOP_MENTION_SEPARATOR = '\n';

export type StopMentionPolicy = 'append' | 'require';

export type StopMentionResult =
  | { text: string; appended: boolean }
  | {
      /**
       * `stop_mention_missing`: the text has no mention and the policy is `require`.
       * `stop_mention_invalid`: the mention to append is not an accepted form itself, so
       * appending it would still send a text without one.
       */
      error: 'stop_mention_missing' | 'stop_mention_invalid';
    };

/**
 * R-STOP: `text` unchanged when it already has a mention; otherwise the mention appended after
 * `STOP_MENTION_SEPARATOR` (trailing spaces and line breaks of the text are dropped first, so they
 * are not paid for), or `stop_mention_missing` under the `require` policy. The mention lengthens
 * the text: count segments and price on the returned text.
 */
export function applyStopMention(text: string, mention: string, policy: StopMentionPolicy): StopMentionResult {
  if (hasStopMention(text)) return { text, appended: false };
  if (policy === 'require') return { error: 'stop_mention_missing' };
  const cleanMention = mention.trim();
  if (!hasStopMention(cleanMention)) return { error: 'stop_mention_invalid' };
  const body = text.trimEnd();
  return { text: body === '' ? cleanMention : `${body}${STOP_MENTION_SEPARATOR}${cleanMention}`, appended: true };
}
