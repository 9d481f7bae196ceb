import { describe, expect, it } from 'vitest';
import { cents, DEFAULT_PRICE_LIST, type PriceList, priceMessage, roundMillicentsToCents, withTenantPrices } from './pricing.ts';

describe('priceMessage', () => {
  it('prices a French marketing SMS per segment, 4.5 c€ exactly', () => {
    expect(priceMessage({ channel: 'sms', route: 'marketing', country: 'FR', segments: 1 })).toEqual({
      ok: true,
      unit: 'segment',
      units: 1,
      unitPriceMillicents: 4500,
      totalMillicents: 4500,
      totalCents: 5,
    });
    expect(priceMessage({ channel: 'sms', route: 'marketing', country: 'FR', segments: 3 })).toMatchObject({ totalMillicents: 13_500, totalCents: 14 });
    expect(priceMessage({ channel: 'sms', route: 'marketing', country: 'FR', segments: 2 })).toMatchObject({ totalMillicents: 9000, totalCents: 9 });
  });

  it('charges the Alert route more than Marketing, and overseas more than France', () => {
    const price = (route: 'marketing' | 'alert', country: string) => {
      const result = priceMessage({ channel: 'sms', route, country, segments: 1 });
      return result.ok ? result.unitPriceMillicents : Number.NaN;
    };
    expect(price('alert', 'FR')).toBe(5500);
    expect(price('marketing', 'RE')).toBe(8500);
    expect(price('marketing', 'NC')).toBe(14_000);
    for (const country of ['FR', 'RE', 'GP', 'NC', 'BE', 'DE']) expect(price('alert', country), country).toBeGreaterThan(price('marketing', country));
    for (const country of ['RE', 'YT', 'GP', 'BL', 'MF', 'GF', 'MQ', 'PM', 'NC', 'PF', 'WF']) expect(price('marketing', country), country).toBeGreaterThan(price('marketing', 'FR'));
  });

  it('reads the country in any case', () => {
    expect(priceMessage({ channel: 'sms', route: 'marketing', country: 're', segments: 1 })).toMatchObject({ ok: true, unitPriceMillicents: 8500 });
  });

  it('prices RCS, WhatsApp and email per message, whatever segments says', () => {
    expect(priceMessage({ channel: 'rcs', route: 'marketing', country: 'FR', segments: 4 })).toEqual({
      ok: true,
      unit: 'message',
      units: 1,
      unitPriceMillicents: 6000,
      totalMillicents: 6000,
      totalCents: 6,
    });
    expect(priceMessage({ channel: 'whatsapp', route: 'alert', country: 'FR' })).toMatchObject({ unit: 'message', totalMillicents: 3500, totalCents: 4 });
    expect(priceMessage({ channel: 'email', route: 'marketing', country: null })).toMatchObject({ unit: 'message', totalMillicents: 100, totalCents: 0 });
  });

  it('falls back to the catch-all entry of the channel and route', () => {
    expect(priceMessage({ channel: 'whatsapp', route: 'marketing', country: 'BR' })).toMatchObject({ ok: true, unitPriceMillicents: 8000 });
    expect(priceMessage({ channel: 'email', route: 'alert', country: 'FR' })).toMatchObject({ ok: true, unitPriceMillicents: 80 });
  });

  it('refuses an SMS to a destination without a price rather than guess one', () => {
    expect(priceMessage({ channel: 'sms', route: 'marketing', country: 'KP', segments: 1 })).toEqual({
      ok: false,
      error: 'price_not_found',
      message: 'no marketing sms price for KP',
    });
    expect(priceMessage({ channel: 'sms', route: 'alert', country: null, segments: 1 })).toMatchObject({ ok: false, error: 'price_not_found' });
    expect(priceMessage({ channel: 'rcs', route: 'marketing', country: 'DE' })).toMatchObject({ ok: false, error: 'price_not_found' });
  });

  it.each([[0], [-1], [1.5], [Number.NaN], [undefined]])('refuses an SMS with %s segments', (segments) => {
    expect(priceMessage({ channel: 'sms', route: 'marketing', country: 'FR', segments })).toMatchObject({ ok: false, error: 'invalid_segments' });
  });

  it('uses the price list it is given', () => {
    const list: PriceList = { currency: 'EUR', entries: [{ channel: 'sms', route: 'marketing', country: 'FR', millicentsPerUnit: 3999 }] };
    expect(priceMessage({ channel: 'sms', route: 'marketing', country: 'FR', segments: 10 }, list)).toMatchObject({ totalMillicents: 39_990, totalCents: 40 });
    expect(priceMessage({ channel: 'sms', route: 'alert', country: 'FR', segments: 1 }, list)).toMatchObject({ ok: false });
  });
});

describe('money helpers', () => {
  it('writes c€ as integer millicents', () => {
    expect(cents(4.5)).toBe(4500);
    expect(cents(0.08)).toBe(80);
    expect(cents(8.9)).toBe(8900);
  });

  it('rounds half up to the cent', () => {
    expect(roundMillicentsToCents(0)).toBe(0);
    expect(roundMillicentsToCents(499)).toBe(0);
    expect(roundMillicentsToCents(500)).toBe(1);
    expect(roundMillicentsToCents(4499)).toBe(4);
    expect(roundMillicentsToCents(4500)).toBe(5);
    expect(roundMillicentsToCents(13_500)).toBe(14);
    expect(roundMillicentsToCents(45_000_000)).toBe(45_000);
  });

  it('bills a campaign exactly when millicents are added before rounding', () => {
    const one = priceMessage({ channel: 'sms', route: 'marketing', country: 'FR', segments: 1 });
    if (!one.ok) throw new Error('expected a price');
    const sumOfRounded = one.totalCents * 10_000;
    const roundedSum = roundMillicentsToCents(one.totalMillicents * 10_000);
    expect(roundedSum).toBe(45_000); // 450 €
    expect(sumOfRounded).toBe(50_000); // what rounding each SMS would bill
  });

  it('stores only whole millicents in the default catalogue', () => {
    for (const entry of DEFAULT_PRICE_LIST.entries) expect(Number.isInteger(entry.millicentsPerUnit), JSON.stringify(entry)).toBe(true);
  });
});

describe('withTenantPrices', () => {
  it('replaces the catalogue price of the same channel, route and country and keeps the others', () => {
    const list = withTenantPrices(DEFAULT_PRICE_LIST, [{ channel: 'sms', route: 'marketing', country: 'FR', unitMillicents: 3800 }]);
    expect(priceMessage({ channel: 'sms', route: 'marketing', country: 'FR', segments: 1 }, list)).toMatchObject({ unitPriceMillicents: 3800 });
    expect(priceMessage({ channel: 'sms', route: 'alert', country: 'FR', segments: 1 }, list)).toMatchObject({ unitPriceMillicents: 5500 });
    expect(list.entries.filter((entry) => entry.channel === 'sms' && entry.route === 'marketing' && entry.country === 'FR')).toHaveLength(1);
    expect(list.entries).toHaveLength(DEFAULT_PRICE_LIST.entries.length);
  });

  it('adds destinations the catalogue lacks', () => {
    const list = withTenantPrices(DEFAULT_PRICE_LIST, [{ channel: 'sms', route: 'marketing', country: 'SN', unitMillicents: 12_500 }]);
    expect(priceMessage({ channel: 'sms', route: 'marketing', country: 'SN', segments: 2 }, list)).toMatchObject({ totalMillicents: 25_000 });
  });

  it('takes the latest price when several are in effect', () => {
    const list = withTenantPrices(DEFAULT_PRICE_LIST, [
      { channel: 'sms', route: 'marketing', country: 'fr', unitMillicents: 4200, effectiveFrom: new Date('2026-01-01T00:00:00Z') },
      { channel: 'sms', route: 'marketing', country: 'FR', unitMillicents: 4000, effectiveFrom: new Date('2026-03-01T00:00:00Z') },
      { channel: 'sms', route: 'marketing', country: 'FR', unitMillicents: 4100, effectiveFrom: new Date('2026-02-01T00:00:00Z') },
    ]);
    expect(priceMessage({ channel: 'sms', route: 'marketing', country: 'FR', segments: 1 }, list)).toMatchObject({ unitPriceMillicents: 4000 });
  });

  it('leaves the catalogue itself unchanged', () => {
    const before = JSON.stringify(DEFAULT_PRICE_LIST);
    withTenantPrices(DEFAULT_PRICE_LIST, [{ channel: 'sms', route: 'marketing', country: 'FR', unitMillicents: 1 }]);
    expect(JSON.stringify(DEFAULT_PRICE_LIST)).toBe(before);
  });
});
