import { describe, expect, it } from 'vitest';
import { prepareMessage, type SendingContext } from '../messaging/prepare.ts';
import { DEFAULT_PRICE_LIST } from '../messaging/rules.ts';
import { campaignRequest, QuietHours, zoneOf } from './sending.ts';

const context = (now: Date, avoidSundaysAndHolidays = false): SendingContext => ({
  tenantId: '00000000-0000-4000-8000-000000000001',
  apiKeyId: null,
  now,
  defaultSender: 'OPTIQUE',
  stopMention: null,
  stopShortCode: '36111',
  avoidSundaysAndHolidays,
  segmentCap: 10,
  priceList: DEFAULT_PRICE_LIST,
  emailFrom: 'SOFY <no-reply@sofy.localhost>',
  whatsappPhoneNumberId: '1',
  rcsAgentId: 'agent',
  templates: new Map(),
  lastInbound: new Map(),
  ownedNumbers: new Set(),
  unsubscribeUrl: (address) => `https://sofy.example/unsubscribe/${address}`,
});

/**
 * The set-based fan-out decides a class of numbers once with prepareMessage, then gives each
 * message the send instant of its throttle slot by the send path's own R-QUIET rule. This checks
 * that the composition gives every message the instant prepareMessage would give it.
 */
describe('send instants of the set-based fan-out = the send path’s', () => {
  const phones = ['+33612345678', '+262692123456', '+262639201234', '+590690123456', '+596696123456'];
  const slots = ['2026-03-10T18:55:00Z', '2026-03-10T19:30:00Z', '2026-03-10T23:10:00Z', '2026-03-11T03:59:00Z', '2026-05-02T18:30:00Z', '2026-05-03T09:00:00Z', '2026-12-24T17:00:00Z'];
  for (const avoid of [false, true]) {
    it(`matches prepareMessage for French and overseas numbers at every slot (avoid Sundays and holidays: ${avoid})`, () => {
      const now = new Date('2026-03-10T18:55:00Z');
      const quiet = new QuietHours(avoid);
      for (const phone of phones) {
        const sample = prepareMessage(campaignRequest('sms', phone, { text: 'Promo' }, { sender: null, suggestions: undefined, smsFallback: false, scheduledAt: null, metadata: {} }), context(now, avoid));
        for (const slot of slots) {
          const at = new Date(slot);
          const exact = prepareMessage(campaignRequest('sms', phone, { text: 'Promo' }, { sender: null, suggestions: undefined, smsFallback: false, scheduledAt: at, metadata: {} }), context(now, avoid));
          const composed = quiet.sendAt(at.getTime() > now.getTime() ? at : now, zoneOf(sample.recipient), sample.country);
          expect(composed.toISOString(), `${phone} at ${slot}`).toBe(exact.sendAt.toISOString());
        }
      }
    });
  }

  it('appends the STOP mention and counts it, as any marketing SMS (R-STOP, R-ENCODING)', () => {
    const m = prepareMessage(campaignRequest('sms', '+33612345678', { text: 'Soldes -20%' }, { sender: 'OPTIQUE', suggestions: undefined, smsFallback: false, scheduledAt: null, metadata: {} }), context(new Date('2026-03-10T10:00:00Z')));
    expect(m.content.text).toBe('Soldes -20%\nSTOP SMS au 36111');
    expect([m.encoding, m.segments, m.route]).toEqual(['GSM-7', 1, 'marketing']);
  });
});
