/**
 * R-OPTOUT (§17, DPA 5): a recipient's STOP reply takes effect at once for the tenant's
 * marketing. These functions decide whether an inbound reply IS such a keyword.
 *
 * Decision: the whole reply must be the keyword, after
 *  - case and accent folding ("Arrêt", "ARRET", "arret" are one word),
 *  - dropping punctuation, symbols and emoji around and between words ("STOP !!", "Stop 🙏"),
 *  - allowing courtesy words before or after it ("STOP merci", "Bonjour, stop svp"),
 *  - allowing the keyword repeated ("STOP STOP STOP").
 * A keyword inside a sentence ("je ne veux pas que ça stop", "stop ou encore ?", "pouvez-vous
 * arrêter de m'écrire") is not one: such replies go to the inbox, where an agent reads them and
 * can unsubscribe the contact. Matching inside sentences would unsubscribe customers who were
 * answering a question, and carriers' STOP handling is whole-message too.
 */

/** Opt-out keywords, folded (upper case, no accents). ARRÊT and DÉSABONNER fold to these. */
export const OPT_OUT_KEYWORDS: readonly string[] = ['STOP', 'STOP SMS', 'STOPSMS', 'ARRET', 'UNSUBSCRIBE', 'DESABONNER'];

/**
 * Resubscription keywords, folded. DÉMARRER is what Google Messages sends for a French user who
 * subscribes again to an RCS agent (as it sends STOP/ARRÊT on unsubscribing).
 */
export const OPT_IN_KEYWORDS: readonly string[] = ['START', 'UNSTOP', 'REPRISE', 'DEMARRER'];

/** Courtesy that may surround a keyword, folded, apostrophes read as spaces ("S'IL" → "S IL"). */
const COURTESY_WORDS: readonly string[] = [
  'MERCI BEAUCOUP',
  'MERCI',
  'SVP',
  'STP',
  'S IL VOUS PLAIT',
  'S IL TE PLAIT',
  'BONJOUR',
  'BONSOIR',
  'PLEASE',
  'PLZ',
  'THANK YOU',
  'THANKS',
  'HELLO',
];

/** R-OPTOUT: is this inbound reply a request to stop marketing? */
export function isOptOutKeyword(text: string): boolean {
  return OPT_OUT_REPLY.test(foldReply(text));
}

/** R-OPTOUT: is this inbound reply a request to receive marketing again? */
export function isOptInKeyword(text: string): boolean {
  return OPT_IN_REPLY.test(foldReply(text));
}

/**
 * Upper case, accents removed, every run of characters that are neither letters nor digits
 * (spaces, punctuation, emoji, apostrophes) turned into one space, trimmed.
 */
export function foldReply(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function wholeReplyPattern(keywords: readonly string[]): RegExp {
  const keyword = `(?:${keywords.map(escapeRegExp).join('|')})`;
  const courtesy = `(?:${COURTESY_WORDS.map(escapeRegExp).join('|')})`;
  return new RegExp(`^(?:${courtesy} )*${keyword}(?: ${keyword})*(?: ${courtesy})*$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const OPT_OUT_REPLY = wholeReplyPattern(OPT_OUT_KEYWORDS);
const OPT_IN_REPLY = wholeReplyPattern(OPT_IN_KEYWORDS);
