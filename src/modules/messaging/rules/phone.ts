import { type CountryCode, getCountries, getCountryCallingCode, type NumberType, parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js/max';

/**
 * Phone numbers: E.164 with libphonenumber-js (its full "max" metadata, the only one that tells
 * mobile from fixed line), default region FR (DESIGN: "Phone numbers"), and the recipient's
 * time zone that R-QUIET is judged in.
 */

export type PhoneNumberKind =
  | 'mobile'
  | 'fixed_line'
  | 'fixed_line_or_mobile'
  | 'toll_free'
  | 'premium_rate'
  | 'shared_cost'
  | 'voip'
  | 'personal_number'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown';

export interface NormalisedPhoneNumber {
  /** `+` and digits, e.g. `+33612345678`. */
  e164: string;
  /** ISO 3166-1 region of the number (`FR`, `RE`, `YT`, `GP`, `BL`…), null when the calling code is shared and the range unknown. */
  country: string | null;
  type: PhoneNumberKind;
  /**
   * True when the number falls in an allocated range. False means only that its length is
   * plausible for the country: keep it on a contact with a warning, never send to it.
   */
  valid: boolean;
}

export interface PhoneNumberProblem {
  error: 'invalid_phone_number';
  message: string;
}

export const DEFAULT_PHONE_REGION = 'FR';

/**
 * French overseas departments share the French 10-digit national plan: from metropolitan
 * France, "0692 12 34 56" reaches a Réunion mobile. In E.164 they have calling codes of their
 * own (+262, +590, +594, +596), so a national number with one of these prefixes (ARCEP plan) is
 * read in its department's region, not in FR.
 */
const OVERSEAS_NATIONAL_PREFIXES: Readonly<Record<string, CountryCode>> = {
  '0262': 'RE',
  '0263': 'RE',
  '0692': 'RE',
  '0693': 'RE',
  '0269': 'YT',
  '0639': 'YT',
  '0590': 'GP',
  '0690': 'GP',
  '0691': 'GP',
  '0594': 'GF',
  '0694': 'GF',
  '0596': 'MQ',
  '0696': 'MQ',
  '0697': 'MQ',
};

/**
 * Any common notation (`06 12 34 56 78`, `+33 6 12 34 56 78`, `0033 6…`, `(0)6…`, dots, dashes,
 * `+262 692…`, `0692…`) to E.164, or `invalid_phone_number` when it is no phone number or has a
 * length no number of that country has.
 */
export function normalisePhoneNumber(input: string, defaultRegion: string = DEFAULT_PHONE_REGION): NormalisedPhoneNumber | PhoneNumberProblem {
  const parsed = parseWithOverseasPlan(input, defaultRegion as CountryCode);
  if (!parsed?.isPossible()) {
    return { error: 'invalid_phone_number', message: `"${input}" is not a phone number (expected e.g. +33 6 12 34 56 78 or 06 12 34 56 78)` };
  }
  return {
    e164: parsed.number,
    country: parsed.country ?? null,
    type: kindOf(parsed.getType()),
    valid: parsed.isValid(),
  };
}

function parseWithOverseasPlan(input: string, defaultRegion: CountryCode): PhoneNumber | undefined {
  const overseasRegion = defaultRegion === 'FR' ? overseasRegionOfNationalNumber(input) : undefined;
  const parsed = parsePhoneNumberFromString(input, overseasRegion ?? defaultRegion);
  if (parsed?.countryCallingCode === '33' && !parsed.isValid()) {
    // "+33 692 12 34 56": a national Réunion number with +33 put in front of it, as contact
    // files built by prefixing +33 to every 0 number have. The department's code is meant.
    const region = overseasRegionOfNationalNumber(`0${parsed.nationalNumber}`);
    if (region) return parsePhoneNumberFromString(`0${parsed.nationalNumber}`, region);
  }
  return parsed;
}

function overseasRegionOfNationalNumber(input: string): CountryCode | undefined {
  const digits = input.replace(/[\s.\-()/]/g, '');
  if (!/^0[1-9]\d{8}$/.test(digits)) return undefined;
  return OVERSEAS_NATIONAL_PREFIXES[digits.slice(0, 4)];
}

function kindOf(type: NumberType): PhoneNumberKind {
  return type ? (type.toLowerCase() as PhoneNumberKind) : 'unknown';
}

/**
 * R-QUIET: the zone of a French territory or of a country with a single zone. Countries spread
 * over several zones get the zone of their capital (marked "capital" below): the recipient may
 * be a few hours away from it, which a number alone cannot tell.
 */
export const REGION_TIME_ZONES: Readonly<Record<string, string>> = {
  // France and its overseas departments and collectivities.
  FR: 'Europe/Paris',
  RE: 'Indian/Reunion',
  YT: 'Indian/Mayotte',
  GP: 'America/Guadeloupe',
  BL: 'America/Guadeloupe', // Saint-Barthélemy and Saint-Martin share +590 and Guadeloupe's time (UTC−4, no DST)
  MF: 'America/Guadeloupe',
  GF: 'America/Cayenne',
  MQ: 'America/Martinique',
  PM: 'America/Miquelon',
  NC: 'Pacific/Noumea',
  PF: 'Pacific/Tahiti', // capital: Marquesas (−9:30) and Gambier (−9) differ
  WF: 'Pacific/Wallis',
  KM: 'Indian/Comoro',
  // Europe.
  AD: 'Europe/Andorra',
  AL: 'Europe/Tirane',
  AT: 'Europe/Vienna',
  AX: 'Europe/Mariehamn',
  BA: 'Europe/Sarajevo',
  BE: 'Europe/Brussels',
  BG: 'Europe/Sofia',
  BY: 'Europe/Minsk',
  CH: 'Europe/Zurich',
  CY: 'Asia/Nicosia',
  CZ: 'Europe/Prague',
  DE: 'Europe/Berlin',
  DK: 'Europe/Copenhagen',
  EE: 'Europe/Tallinn',
  ES: 'Europe/Madrid', // capital: the Canary Islands are one hour behind
  FI: 'Europe/Helsinki',
  FO: 'Atlantic/Faroe',
  GB: 'Europe/London',
  GG: 'Europe/Guernsey',
  GI: 'Europe/Gibraltar',
  GR: 'Europe/Athens',
  HR: 'Europe/Zagreb',
  HU: 'Europe/Budapest',
  IE: 'Europe/Dublin',
  IM: 'Europe/Isle_of_Man',
  IS: 'Atlantic/Reykjavik',
  IT: 'Europe/Rome',
  JE: 'Europe/Jersey',
  LI: 'Europe/Vaduz',
  LT: 'Europe/Vilnius',
  LU: 'Europe/Luxembourg',
  LV: 'Europe/Riga',
  MC: 'Europe/Monaco',
  MD: 'Europe/Chisinau',
  ME: 'Europe/Podgorica',
  MK: 'Europe/Skopje',
  MT: 'Europe/Malta',
  NL: 'Europe/Amsterdam',
  NO: 'Europe/Oslo',
  PL: 'Europe/Warsaw',
  PT: 'Europe/Lisbon', // capital: the Azores are one hour behind
  RO: 'Europe/Bucharest',
  RS: 'Europe/Belgrade',
  RU: 'Europe/Moscow', // capital: eleven zones
  SE: 'Europe/Stockholm',
  SI: 'Europe/Ljubljana',
  SK: 'Europe/Bratislava',
  SM: 'Europe/San_Marino',
  TR: 'Europe/Istanbul',
  UA: 'Europe/Kiev', // the runtime's ICU spells Kyiv this way
  VA: 'Europe/Vatican',
  // Africa.
  AO: 'Africa/Luanda',
  BF: 'Africa/Ouagadougou',
  BI: 'Africa/Bujumbura',
  BJ: 'Africa/Porto-Novo',
  CD: 'Africa/Kinshasa', // capital: the east (Lubumbashi) is one hour ahead
  CF: 'Africa/Bangui',
  CG: 'Africa/Brazzaville',
  CI: 'Africa/Abidjan',
  CM: 'Africa/Douala',
  CV: 'Atlantic/Cape_Verde',
  DJ: 'Africa/Djibouti',
  DZ: 'Africa/Algiers',
  EG: 'Africa/Cairo',
  ET: 'Africa/Addis_Ababa',
  GA: 'Africa/Libreville',
  GH: 'Africa/Accra',
  GN: 'Africa/Conakry',
  GQ: 'Africa/Malabo',
  KE: 'Africa/Nairobi',
  LY: 'Africa/Tripoli',
  MA: 'Africa/Casablanca',
  MG: 'Indian/Antananarivo',
  ML: 'Africa/Bamako',
  MR: 'Africa/Nouakchott',
  MU: 'Indian/Mauritius',
  NE: 'Africa/Niamey',
  NG: 'Africa/Lagos',
  RW: 'Africa/Kigali',
  SC: 'Indian/Mahe',
  SN: 'Africa/Dakar',
  TD: 'Africa/Ndjamena',
  TG: 'Africa/Lome',
  TN: 'Africa/Tunis',
  ZA: 'Africa/Johannesburg',
  // Americas.
  AR: 'America/Argentina/Buenos_Aires',
  BR: 'America/Sao_Paulo', // capital (Brasília): four zones
  CA: 'America/Toronto', // capital (Ottawa): six zones
  CL: 'America/Santiago', // capital: Easter Island differs
  CO: 'America/Bogota',
  CU: 'America/Havana',
  DO: 'America/Santo_Domingo',
  HT: 'America/Port-au-Prince',
  MX: 'America/Mexico_City', // capital: four zones
  PE: 'America/Lima',
  US: 'America/New_York', // capital (Washington): six zones
  UY: 'America/Montevideo',
  VE: 'America/Caracas',
  // Asia and Middle East.
  AE: 'Asia/Dubai',
  CN: 'Asia/Shanghai',
  HK: 'Asia/Hong_Kong',
  IL: 'Asia/Jerusalem',
  IN: 'Asia/Kolkata',
  JP: 'Asia/Tokyo',
  KR: 'Asia/Seoul',
  LB: 'Asia/Beirut',
  QA: 'Asia/Qatar',
  SA: 'Asia/Riyadh',
  SG: 'Asia/Singapore',
  TH: 'Asia/Bangkok',
  VN: 'Asia/Ho_Chi_Minh',
  // Oceania.
  AU: 'Australia/Sydney', // capital (Canberra): three mainland zones
  NZ: 'Pacific/Auckland', // capital: the Chatham Islands are 45 minutes ahead
  VU: 'Pacific/Efate',
};

/** Where R-QUIET is judged when a number's region is unknown or absent from the table: the contract's own zone. */
export const FALLBACK_TIME_ZONE = 'Europe/Paris';

/**
 * R-QUIET: the IANA zone of the recipient of `e164`. Shared calling codes are told apart by
 * range (+262: Réunion or Mayotte; +590: Guadeloupe, Saint-Barthélemy, Saint-Martin; +1, +44,
 * +7…). A number whose region is unknown, or missing from the table, gets `fallback`.
 */
export function recipientTimeZone(e164: string, fallback: string = FALLBACK_TIME_ZONE): string {
  const direct = zoneOfSingleRegionCode(e164);
  if (direct) return direct;
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return fallback;
  const region = parsed.country ?? regionOfUnlistedRange(parsed.countryCallingCode, parsed.nationalNumber);
  return (region && REGION_TIME_ZONES[region]) || fallback;
}

/**
 * The zone of an E.164 number whose calling code belongs to one region only (+33 is France, +32
 * Belgium…): no parse needed, the region cannot depend on the range. Shared codes (+1, +7, +44,
 * +262, +590…) and regions missing from the table return undefined and go through the parser.
 * The dispatcher judges R-QUIET for every marketing SMS it sends: parsing each number with the
 * full metadata cost ~13 µs, this look-up well under 1 µs.
 */
function zoneOfSingleRegionCode(e164: string): string | undefined {
  if (!E164_SHAPE.test(e164)) return undefined;
  for (let digits = 1; digits <= 3; digits++) {
    const code = e164.slice(1, 1 + digits);
    if (CALLING_CODE_REGIONS.has(code)) return SINGLE_REGION_ZONES.get(code);
  }
  return undefined;
}

const E164_SHAPE = /^\+[1-9]\d{6,14}$/;

/** Every calling code with the regions that share it (calling codes are prefix-free). */
const CALLING_CODE_REGIONS: ReadonlyMap<string, readonly CountryCode[]> = (() => {
  const byCode = new Map<string, CountryCode[]>();
  for (const region of getCountries()) {
    const code = getCountryCallingCode(region);
    byCode.set(code, [...(byCode.get(code) ?? []), region]);
  }
  return byCode;
})();

const SINGLE_REGION_ZONES: ReadonlyMap<string, string> = new Map(
  [...CALLING_CODE_REGIONS].flatMap(([code, regions]) => {
    const zone = regions.length === 1 ? REGION_TIME_ZONES[regions[0] as CountryCode] : undefined;
    return zone ? [[code, zone] as const] : [];
  }),
);

/**
 * Ranges the metadata does not (yet) list, for codes shared by French territories: Mayotte
 * numbers start with 269 (fixed) or 639 (mobile) under +262, the rest of +262 is Réunion; +590
 * numbers are all in the same zone (UTC−4) whichever island they are on.
 */
function regionOfUnlistedRange(callingCode: string, nationalNumber: string): string | undefined {
  if (callingCode === '262') return /^(269|639)/.test(nationalNumber) ? 'YT' : 'RE';
  if (callingCode === '590') return 'GP';
  return undefined;
}
