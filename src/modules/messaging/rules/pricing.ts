/**
 * Message prices (R-ENCODING: an SMS is billed per segment; RCS, WhatsApp and email per message).
 *
 * Unit prices are integers in MILLICENTS (1/1000 of a euro cent, 1/100 000 of a euro), HT, so
 * that catalogue prices such as 4.5 c€ are exact (4 500) without floating point (DESIGN: "Money:
 * integer cents"). A message's total is kept in millicents and also given in cents, rounded half
 * up. Invoices must add up millicents and round once: rounding each 4.5 c€ SMS to 5 c would
 * bill a campaign of 10 000 SMS 500 € instead of 450 €.
 */

export type Channel = 'sms' | 'rcs' | 'whatsapp' | 'email';
/** SMS routes of §3.4; for WhatsApp, `marketing` is Meta's marketing category and `alert` its utility/authentication ones. */
export type Route = 'marketing' | 'alert';

/** Any destination: for channels whose price does not depend on the country (email), or a catch-all. */
export const ANY_COUNTRY = '*';

export interface PriceEntry {
  channel: Channel;
  route: Route;
  /** ISO 3166-1 region as `normalisePhoneNumber` gives it (`FR`, `RE`, `GP`…), or `*`. */
  country: string;
  millicentsPerUnit: number;
}

export interface PriceList {
  currency: 'EUR';
  entries: readonly PriceEntry[];
}

export interface PriceRequest {
  channel: Channel;
  route: Route;
  /** ISO region of the recipient; null when unknown or meaningless (email): only `*` entries apply. */
  country: string | null;
  /** SMS parts (from `analyseSms`); ignored for the other channels, billed per message. */
  segments?: number;
}

export type Price =
  | {
      ok: true;
      unit: 'segment' | 'message';
      units: number;
      unitPriceMillicents: number;
      totalMillicents: number;
      /** `totalMillicents` rounded half up to the cent. */
      totalCents: number;
    }
  | { ok: false; error: 'price_not_found' | 'invalid_segments'; message: string };

export const MILLICENTS_PER_CENT = 1000;

/** c€ → millicents, for writing catalogues legibly (`cents(4.5)` = 4 500). */
export function cents(amount: number): number {
  return Math.round(amount * MILLICENTS_PER_CENT);
}

/** Half up to the cent (non-negative amounts): 4 500 → 5, 4 499 → 4, 13 500 → 14. */
export function roundMillicentsToCents(millicents: number): number {
  return Math.floor((millicents + MILLICENTS_PER_CENT / 2) / MILLICENTS_PER_CENT);
}

/**
 * The price of one message: the entry for the exact country first, then the `*` entry of the
 * channel and route. SMS has no `*` entry in the default catalogue on purpose: a destination
 * with no agreed price is refused (`price_not_found`) rather than billed by guess, which also
 * keeps premium and unusual destinations (R-AIT) out until someone prices them.
 */
export function priceMessage(request: PriceRequest, priceList: PriceList = DEFAULT_PRICE_LIST): Price {
  const { channel, route, country } = request;
  const perSegment = channel === 'sms';
  const units = perSegment ? (request.segments ?? Number.NaN) : 1;
  if (!Number.isInteger(units) || units < 1) {
    return { ok: false, error: 'invalid_segments', message: `an SMS has a whole number of segments, at least 1 (got ${request.segments})` };
  }
  const entry = (country && findEntry(priceList, channel, route, country.toUpperCase())) || findEntry(priceList, channel, route, ANY_COUNTRY);
  if (!entry) return { ok: false, error: 'price_not_found', message: `no ${route} ${channel} price for ${country ?? 'an unknown country'}` };
  const totalMillicents = entry.millicentsPerUnit * units;
  return {
    ok: true,
    unit: perSegment ? 'segment' : 'message',
    units,
    unitPriceMillicents: entry.millicentsPerUnit,
    totalMillicents,
    totalCents: roundMillicentsToCents(totalMillicents),
  };
}

export interface NegotiatedPrice {
  channel: Channel;
  route: Route;
  country: string;
  unitMillicents: number;
  /** When several prices exist for one channel, route and country, the latest one applies. */
  effectiveFrom?: Date;
}

/**
 * R-ORDER, R-CONFID: a tenant's price list, its negotiated prices replacing the catalogue's for
 * the same channel, route and country (and adding the destinations the catalogue lacks). Pass
 * only prices already in effect: the latest `effectiveFrom` of each key wins.
 */
export function withTenantPrices(catalogue: PriceList, negotiated: readonly NegotiatedPrice[]): PriceList {
  const latest = new Map<string, NegotiatedPrice>();
  for (const price of negotiated) {
    const key = priceKey(price);
    const current = latest.get(key);
    if (!current || (price.effectiveFrom?.getTime() ?? 0) >= (current.effectiveFrom?.getTime() ?? 0)) latest.set(key, price);
  }
  const overridden = catalogue.entries.filter((entry) => !latest.has(priceKey(entry)));
  const added = [...latest.values()].map(({ channel, route, country, unitMillicents }): PriceEntry => ({ channel, route, country, millicentsPerUnit: unitMillicents }));
  return { currency: catalogue.currency, entries: [...overridden, ...added] };
}

function priceKey({ channel, route, country }: { channel: Channel; route: Route; country: string }): string {
  return `${channel}|${route}|${country.toUpperCase()}`;
}

function findEntry(priceList: PriceList, channel: Channel, route: Route, country: string): PriceEntry | undefined {
  return priceList.entries.find((entry) => entry.channel === channel && entry.route === route && entry.country.toUpperCase() === country);
}

function smsPrices(countries: readonly string[], marketing: number, alert: number): PriceEntry[] {
  return countries.flatMap((country): PriceEntry[] => [
    { channel: 'sms', route: 'marketing', country, millicentsPerUnit: cents(marketing) },
    { channel: 'sms', route: 'alert', country, millicentsPerUnit: cents(alert) },
  ]);
}

/**
 * Public list prices HT of a French B2B CPaaS, in c€ per SMS segment or per message. The Alert
 * route costs a little more than Marketing (direct operator connections, priority, 24/7).
 * Overseas departments are terminated by their own operators and cost more; the Pacific
 * collectivities more still. Order forms (R-ORDER) override these with negotiated tariffs.
 */
export const DEFAULT_PRICE_LIST: PriceList = {
  currency: 'EUR',
  entries: [
    ...smsPrices(['FR'], 4.5, 5.5),
    ...smsPrices(['RE', 'YT', 'GP', 'BL', 'MF', 'GF', 'MQ', 'PM'], 8.5, 9),
    ...smsPrices(['NC', 'PF', 'WF'], 14, 15),
    ...smsPrices(['MC'], 9.5, 10),
    ...smsPrices(['BE', 'LU'], 7.9, 8.5),
    ...smsPrices(['CH'], 6.9, 7.5),
    ...smsPrices(['DE', 'AT'], 8.9, 9.5),
    ...smsPrices(['ES', 'IT', 'PT'], 6.5, 7),
    ...smsPrices(['GB', 'IE', 'NL'], 5.9, 6.5),
    ...smsPrices(['MA', 'TN'], 11, 12),
    { channel: 'rcs', route: 'marketing', country: 'FR', millicentsPerUnit: cents(6) },
    { channel: 'rcs', route: 'alert', country: 'FR', millicentsPerUnit: cents(5) },
    // WhatsApp follows Meta's per-message rates by market (marketing vs utility), plus routing.
    { channel: 'whatsapp', route: 'marketing', country: 'FR', millicentsPerUnit: cents(9.5) },
    { channel: 'whatsapp', route: 'alert', country: 'FR', millicentsPerUnit: cents(3.5) },
    { channel: 'whatsapp', route: 'marketing', country: ANY_COUNTRY, millicentsPerUnit: cents(8) },
    { channel: 'whatsapp', route: 'alert', country: ANY_COUNTRY, millicentsPerUnit: cents(2.5) },
    { channel: 'email', route: 'marketing', country: ANY_COUNTRY, millicentsPerUnit: cents(0.1) },
    { channel: 'email', route: 'alert', country: ANY_COUNTRY, millicentsPerUnit: cents(0.08) },
  ],
};
