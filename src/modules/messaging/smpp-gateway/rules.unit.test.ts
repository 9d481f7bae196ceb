import { describe, expect, it } from 'vitest';
import {
  destinationText,
  isTextDataCoding,
  receiptState,
  receiptText,
  routeForServiceType,
  SMPP_STATUS,
  sourceText,
  submitStatusForError,
  TokenBucket,
  ttlFromValidity,
  wantsReceipt,
} from './rules.ts';

describe('submitStatusForError', () => {
  it('maps the send API refusals to SMPP command statuses', () => {
    expect(submitStatusForError('invalid_phone_number')).toBe(0x0b);
    expect(submitStatusForError('destination_not_supported')).toBe(0x0b);
    expect(submitStatusForError('invalid_sender')).toBe(0x0a);
    expect(submitStatusForError('insufficient_scope')).toBe(0x15);
    expect(submitStatusForError('text_too_long')).toBe(0x01);
    expect(submitStatusForError('rate_limited')).toBe(0x58);
    expect(submitStatusForError('internal_error')).toBe(0x08);
    for (const code of ['quiet_hours', 'stop_mention_missing', 'marketing_content_on_alert_route', 'validation_failed', 'tenant_suspended']) {
      expect(submitStatusForError(code)).toBe(SMPP_STATUS.ESME_RSUBMITFAIL);
    }
  });
});

describe('routeForServiceType', () => {
  it('reads marketing by default and ALERT (any case) as the Alert route; refuses the rest', () => {
    expect(routeForServiceType(undefined)).toBe('marketing');
    expect(routeForServiceType('')).toBe('marketing');
    expect(routeForServiceType('CMT')).toBe('marketing');
    expect(routeForServiceType('mkt')).toBe('marketing');
    expect(routeForServiceType('ALERT')).toBe('alert');
    expect(routeForServiceType('otp')).toBe('alert');
    expect(routeForServiceType('XYZ')).toBeNull();
  });
});

describe('addresses', () => {
  it('reads destinations by TON: international, national, unknown', () => {
    expect(destinationText('33612345678', 1)).toBe('+33612345678');
    expect(destinationText('0612345678', 2)).toBe('0612345678');
    expect(destinationText('0612345678', 0)).toBe('0612345678');
    expect(destinationText('33612345678', 0)).toBe('+33612345678');
    expect(destinationText('+33612345678', 0)).toBe('+33612345678');
  });

  it('reads sources: empty → default sender, TON 1 → E.164, others as given', () => {
    expect(sourceText('', 5)).toBeUndefined();
    expect(sourceText('33700000001', 1)).toBe('+33700000001');
    expect(sourceText('OPTIQUE', 5)).toBe('OPTIQUE');
    expect(sourceText('36111', 3)).toBe('36111');
  });
});

describe('isTextDataCoding', () => {
  it('accepts GSM-7, IA5, Latin-1, UCS-2 and the GSM DCS text groups; refuses binary', () => {
    for (const dc of [0x00, 0x01, 0x03, 0x08, 0xf0, 0x10, 0x18]) expect(isTextDataCoding(dc)).toBe(true);
    for (const dc of [0x02, 0x04, 0x05, 0xf4, 0x14, 0x30]) expect(isTextDataCoding(dc)).toBe(false);
  });
});

describe('receipts', () => {
  it('follows registered_delivery', () => {
    expect(wantsReceipt(0, 'delivered')).toBe(false);
    expect(wantsReceipt(1, 'delivered')).toBe(true);
    expect(wantsReceipt(1, 'failed')).toBe(true);
    expect(wantsReceipt(2, 'delivered')).toBe(false);
    expect(wantsReceipt(2, 'undelivered')).toBe(true);
    expect(wantsReceipt(0x11, 'delivered')).toBe(true); // intermediate-notification bit ignored
  });

  it('states each outcome with its stat word, message_state and err', () => {
    expect(receiptState('delivered', null)).toEqual({ stat: 'DELIVRD', messageState: 2, err: '000' });
    expect(receiptState('undelivered', 'UNDELIV')).toEqual({ stat: 'UNDELIV', messageState: 5, err: '001' });
    expect(receiptState('undelivered', '34')).toEqual({ stat: 'UNDELIV', messageState: 5, err: '034' });
    expect(receiptState('expired', null)).toEqual({ stat: 'EXPIRED', messageState: 3, err: '002' });
    expect(receiptState('failed', 'smpp_invalid_destination')).toEqual({ stat: 'UNDELIV', messageState: 5, err: '003' });
    expect(receiptState('suppressed', null)).toEqual({ stat: 'REJECTD', messageState: 8, err: '004' });
  });

  it('writes the Appendix B text with a 20-character sample safe in ASCII and GSM 03.38', () => {
    const text = receiptText({
      id: '0192f5c8-7d1e-7a3b-9c2d-5e6f7a8b9c0d',
      state: receiptState('delivered', null),
      submitDate: new Date('2026-11-26T09:14:03Z'),
      doneDate: new Date('2026-11-26T09:15:59Z'),
      text: 'Votre code_est: 4829 à 5€ merci',
    });
    expect(text).toBe('id:0192f5c8-7d1e-7a3b-9c2d-5e6f7a8b9c0d sub:001 dlvrd:001 submit date:2611260914 done date:2611260915 stat:DELIVRD err:000 text:Votre code.est: 4829');
  });
});

describe('ttlFromValidity', () => {
  it('turns validity_period into ttlSeconds within 1 minute to 7 days', () => {
    const now = new Date('2026-11-26T09:00:00Z');
    expect(ttlFromValidity(new Date('2026-11-26T10:00:00Z'), now)).toBe(3600);
    expect(ttlFromValidity(new Date('2026-11-26T09:00:30Z'), now)).toBeNull();
    expect(ttlFromValidity(new Date('2026-12-26T09:00:00Z'), now)).toBeNull();
  });
});

describe('TokenBucket', () => {
  it('allows the burst, then the rate', () => {
    const bucket = new TokenBucket(10, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, false]);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(new TokenBucket(0, 1, 0).take(0)).toBe(true);
  });
});
