import { analyseSms, classifyAlertContent, type NormalisedPhoneNumber, normalisePhoneNumber, type PhoneNumberProblem, type SmsEncoding } from './rules.ts';

/**
 * Memoised rules for the send path (issue 3, "batch ≥ 20,000 messages/s"): the same answers as
 * the pure rules in rules/, computed once per distinct input. The profile of a batch put the
 * alert classifier (R-ALERT) at 28 % of the server's time, phone parsing at 12 % and the GSM
 * counting (R-ENCODING) at 5 %, for texts that mostly differ only by their digits (a code, an
 * order number, an amount) and recipients that come back.
 *
 * Text verdicts are keyed by the text with every ASCII digit replaced by 0 (its "template"):
 * - R-ENCODING: the digits are in the GSM 03.38 basic table (1 septet, 1 code point, never a
 *   reason for UCS-2), so encoding, characters, segments and the non-GSM characters of a text
 *   are those of its template;
 * - R-ALERT: the classifier's rules see digits only as `\d`/`\p{N}` (no rule names a digit), so
 *   the verdict of a text is that of its template. Only "not promotional" is taken from the
 *   cache; a promotional text is classified again so that the refusal quotes its own words.
 * `rule-cache.unit.test.ts` checks both claims on the classifier's own examples.
 */

/** A map that forgets everything when full: bounded memory, no bookkeeping per hit. */
class BoundedCache<V> {
  readonly #entries = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  set(key: string, value: V): void {
    if (this.#entries.size >= this.capacity) this.#entries.clear();
    this.#entries.set(key, value);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Longer texts are analysed each time (rare; a key that long would cost as much as the work). */
const MAX_CACHED_TEXT = 1_600;
const ASCII_DIGITS = /[0-9]/g;

/** The text with every ASCII digit made 0: texts that differ only by their numbers share it. */
export function textTemplate(text: string): string {
  return text.replace(ASCII_DIGITS, '0');
}

/** What preparing a message keeps of `analyseSms` (not the parts: they carry the text itself). */
export interface SmsCounts {
  encoding: SmsEncoding;
  characters: number;
  segments: number;
  nonGsmCharacters: readonly string[];
}

const smsCounts = new BoundedCache<SmsCounts>(4_096);

/** R-ENCODING: `analyseSms(text)`'s encoding, characters, segments and non-GSM characters. */
export function smsCountsOf(text: string): SmsCounts {
  if (text.length > MAX_CACHED_TEXT) return countsOf(text);
  const key = textTemplate(text);
  let counts = smsCounts.get(key);
  if (!counts) {
    counts = countsOf(text);
    smsCounts.set(key, counts);
  }
  return counts;
}

function countsOf(text: string): SmsCounts {
  const { encoding, characters, segments, nonGsmCharacters } = analyseSms(text);
  return { encoding, characters, segments, nonGsmCharacters };
}

const promotional = new BoundedCache<boolean>(4_096);

/** R-ALERT: whether the classifier finds `text` promotional. */
export function isPromotional(text: string): boolean {
  if (text.length > MAX_CACHED_TEXT) return classifyAlertContent(text).promotional;
  const key = textTemplate(text);
  let verdict = promotional.get(key);
  if (verdict === undefined) {
    verdict = classifyAlertContent(text).promotional;
    promotional.set(key, verdict);
  }
  return verdict;
}

const phones = new BoundedCache<Readonly<NormalisedPhoneNumber> | Readonly<PhoneNumberProblem>>(20_000);

/** `normalisePhoneNumber(input)` (default region FR), remembered per input as written. */
export function normalisedPhone(input: string): Readonly<NormalisedPhoneNumber> | Readonly<PhoneNumberProblem> {
  if (input.length > 40) return normalisePhoneNumber(input);
  let phone = phones.get(input);
  if (!phone) {
    phone = normalisePhoneNumber(input);
    phones.set(input, phone);
  }
  return phone;
}

/** Forgets every memoised verdict (tests). */
export function clearRuleCaches(): void {
  smsCounts.clear();
  promotional.clear();
  phones.clear();
}
