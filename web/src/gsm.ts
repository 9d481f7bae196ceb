// SMS length as the network counts it (GSM 03.38, 3GPP TS 23.038), for the live counter of the
// "send a test message" dialog. The server's count (src/modules/messaging/rules/encoding.ts) is
// the one that is billed; this one follows the same rules so that both agree:
// - a text made only of characters of the GSM 7-bit default alphabet is sent in GSM-7: a
//   character of the basic table costs 1 septet, one of the extension table (form feed and
//   ^ { } \ [ ~ ] | €) costs 2 (escape + code); 160 septets in one SMS, 153 per part beyond;
// - any other character switches the whole text to UCS-2, counted in UTF-16 code units (an emoji
//   outside the BMP costs 2): 70 in one SMS, 67 per part beyond;
// - a part never splits an escape sequence nor a surrogate pair: the character moves whole to the
//   next part (which can add a part that a plain division would not count).

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** Basic table in code order 0x00–0x7F; 0x1B (the escape) is a placeholder left out below. */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

const BASIC_SET: ReadonlySet<string> = new Set([...BASIC].filter((c) => c !== '\u001b'));

/** Extension table: each is sent as the escape then its code, 2 septets. */
const EXTENSION_SET: ReadonlySet<string> = new Set([
  '\f',
  '^',
  '{',
  '}',
  '\\',
  '[',
  '~',
  ']',
  '|',
  '€',
]);

export const GSM_SINGLE = 160;
export const GSM_PART = 153;
export const UCS2_SINGLE = 70;
export const UCS2_PART = 67;

/** Septets one character costs in GSM-7: 1, 2, or null when it is not in the alphabet. */
export function gsmCost(character: string): 1 | 2 | null {
  if (BASIC_SET.has(character)) return 1;
  if (EXTENSION_SET.has(character)) return 2;
  return null;
}

export interface SmsCount {
  encoding: SmsEncoding;
  /** Characters as a person counts them (Unicode code points). */
  characters: number;
  /** What the network counts: septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  /** Parts sent and billed; 0 for an empty text. */
  segments: number;
  /** Capacity of one part for this text (160/70 in one SMS, 153/67 when concatenated). */
  perSegment: number;
  /** Units still free in the last part before another part is needed. */
  remaining: number;
  /** The characters that forced UCS-2, each once, in order of appearance. */
  nonGsm: string[];
}

export function countSms(text: string): SmsCount {
  const characters = [...text];
  const nonGsm = [...new Set(characters.filter((c) => gsmCost(c) === null))];
  const encoding: SmsEncoding = nonGsm.length === 0 ? 'GSM-7' : 'UCS-2';
  const cost = encoding === 'GSM-7' ? (c: string) => gsmCost(c) ?? 0 : (c: string) => c.length;
  const [single, part] = encoding === 'GSM-7' ? [GSM_SINGLE, GSM_PART] : [UCS2_SINGLE, UCS2_PART];
  const units = characters.reduce((sum, c) => sum + cost(c), 0);
  const perSegment = units <= single ? single : part;
  let segments = 0;
  let used = 0;
  if (units > 0) {
    segments = 1;
    for (const c of characters) {
      const n = cost(c);
      if (used + n > perSegment) {
        segments += 1;
        used = 0;
      }
      used += n;
    }
  }
  return {
    encoding,
    characters: characters.length,
    units,
    segments,
    perSegment,
    remaining: units === 0 ? single : perSegment - used,
    nonGsm,
  };
}

// R-STOP, as the server applies it (src/modules/messaging/rules/stop-mention.ts): a marketing SMS
// without "STOP SMS" or "STOP au <number>" gets the tenant's mention appended after a line feed.
const STOP_SMS = /(?<![\p{L}\p{N}])STOP\s+SMS(?![\p{L}\p{N}])/iu;
const STOP_AU_NUMBER = /(?<![\p{L}\p{N}])STOP\s+au\s+\+?\d(?:[\s.]?\d){4,14}(?![\p{L}\p{N}])/iu;

export function hasStopMention(text: string): boolean {
  return STOP_SMS.test(text) || STOP_AU_NUMBER.test(text);
}

/** The text the server will send on the marketing route: the mention appended when missing. */
export function withStopMention(text: string, mention: string): string {
  if (hasStopMention(text)) return text;
  const body = text.trimEnd();
  return body === '' ? mention.trim() : `${body}\n${mention.trim()}`;
}
