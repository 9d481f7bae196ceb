import smpp from 'smpp';
import { describe, expect, it } from 'vitest';
import {
  concatInfo,
  decodeText,
  decodeUcs2,
  destinationAddress,
  EncodingError,
  encodeParts,
  encodeUcs2,
  formatAddress,
  rawShortMessage,
  relativeValidity,
  sourceAddress,
} from './codec.ts';
import { errorForStatus, isFatalBindStatus } from './errors.ts';
import { decodeGsm7, encodeGsm7, gsmBytesFromPackageText, isGsmEncodable, unencodableChars } from './gsm.ts';
import { parseReceiptText, receiptOutcome, statusFromStat } from './receipt.ts';

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

describe('GSM 03.38', () => {
  it('encodes the basic table one septet per byte, at its code', () => {
    expect(encodeGsm7('@')).toEqual(Buffer.from([0x00]));
    expect(encodeGsm7('Ç')).toEqual(Buffer.from([0x09]));
    expect(encodeGsm7('_')).toEqual(Buffer.from([0x11]));
    expect(encodeGsm7('¡')).toEqual(Buffer.from([0x40]));
    expect(encodeGsm7('à')).toEqual(Buffer.from([0x7f]));
    expect(encodeGsm7('Hello')).toEqual(Buffer.from('Hello', 'ascii'));
  });

  it('escapes the extension table with 0x1B', () => {
    expect(encodeGsm7('€')).toEqual(Buffer.from([0x1b, 0x65]));
    expect(encodeGsm7('{}[]~|^\\\f')).toEqual(
      Buffer.from([0x1b, 0x28, 0x1b, 0x29, 0x1b, 0x3c, 0x1b, 0x3e, 0x1b, 0x3d, 0x1b, 0x40, 0x1b, 0x14, 0x1b, 0x2f, 0x1b, 0x0a]),
    );
  });

  it('refuses characters outside the alphabet (ç, â, emoji, a literal escape)', () => {
    expect(isGsmEncodable('garçon')).toBe(false);
    expect(unencodableChars('ça, hôtel 😀 ça')).toEqual(['ç', 'ô', '😀']);
    expect(isGsmEncodable('\x1B')).toBe(false);
    expect(() => encodeGsm7('ç')).toThrow(RangeError);
  });

  it('decodes what it encodes, for every character of both tables', () => {
    const all = BASIC.replace(' ', '') + ' {}[]~|^\\\f€';
    expect(decodeGsm7(encodeGsm7(all))).toBe(all);
    const codes = Buffer.from(Array.from({ length: 128 }, (_, i) => i).filter((i) => i !== 0x1b));
    expect(encodeGsm7(decodeGsm7(codes))).toEqual(codes);
  });

  it('reverses the smpp package decoding exactly for every septet and escape pair', () => {
    const decodeWithPackage = (bytes: Buffer, dataCoding: number) => smpp.filters.message.decode.call({ data_coding: dataCoding, esm_class: 0 }, bytes).message as string;
    for (let a = 0; a < 128; a++) {
      for (const b of [0x00, 0x0a, 0x14, 0x1b, 0x28, 0x2f, 0x41, 0x65, 0x7f]) {
        const bytes = Buffer.from([a, b, 0x1b, a]);
        expect(gsmBytesFromPackageText(decodeWithPackage(bytes, 0))).toEqual(bytes);
      }
    }
    const latin = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(rawShortMessage({ data_coding: 3, short_message: smpp.filters.message.decode.call({ data_coding: 3, esm_class: 0 }, latin) }).bytes).toEqual(latin);
    const ucs2 = encodeUcs2('Привет 👋 €');
    expect(rawShortMessage({ data_coding: 8, short_message: smpp.filters.message.decode.call({ data_coding: 8, esm_class: 0 }, ucs2) }).bytes).toEqual(ucs2);
  });

  it('shows the default character for an unknown escape and drops a trailing escape', () => {
    expect(decodeGsm7(Buffer.from([0x1b, 0x41, 0x42, 0x1b]))).toBe('AB');
  });
});

describe('UCS-2', () => {
  it('is UTF-16 big-endian, surrogate pairs included', () => {
    expect(encodeUcs2('é€😀')).toEqual(Buffer.from([0x00, 0xe9, 0x20, 0xac, 0xd8, 0x3d, 0xde, 0x00]));
    expect(decodeUcs2(Buffer.from([0x00, 0xe9, 0x20, 0xac, 0xd8, 0x3d, 0xde, 0x00]))).toBe('é€😀');
  });
});

describe('encodeParts', () => {
  it('keeps 160 septets / 70 units in one message without UDH', () => {
    const gsm = encodeParts('a'.repeat(158) + '€', 'GSM-7', 1);
    expect(gsm).toMatchObject({ dataCoding: 0, concatenated: false });
    expect(gsm.shortMessages).toHaveLength(1);
    expect(gsm.shortMessages[0]).toHaveLength(160);
    const ucs2 = encodeParts('é'.repeat(68) + '😀', 'UCS-2', 1);
    expect(ucs2).toMatchObject({ dataCoding: 8, concatenated: false });
    expect(ucs2.shortMessages[0]).toHaveLength(140);
  });

  it('splits GSM-7 in 153-septet parts with an 8-bit reference UDH, never splitting an escape', () => {
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(10);
    const { shortMessages, concatenated } = encodeParts(text, 'GSM-7', 0x1ab);
    expect(concatenated).toBe(true);
    expect(shortMessages).toHaveLength(2);
    expect([...shortMessages[0]!.subarray(0, 6)]).toEqual([0x05, 0x00, 0x03, 0xab, 2, 1]);
    expect([...shortMessages[1]!.subarray(0, 6)]).toEqual([0x05, 0x00, 0x03, 0xab, 2, 2]);
    expect(shortMessages[0]!.length - 6).toBe(152); // '€' moved whole to part 2
    expect([...shortMessages[1]!.subarray(6, 8)]).toEqual([0x1b, 0x65]);
    const joined = Buffer.concat(shortMessages.map((m) => m.subarray(6)));
    expect(decodeGsm7(joined)).toBe(text);
  });

  it('fills GSM-7 parts to exactly 153 septets when no escape straddles', () => {
    const { shortMessages } = encodeParts('x'.repeat(306), 'GSM-7', 0);
    expect(shortMessages.map((m) => m.length - 6)).toEqual([153, 153]);
  });

  it('splits UCS-2 in 67-unit parts, never splitting a surrogate pair', () => {
    const text = 'é'.repeat(66) + '😀' + 'fin';
    const { shortMessages } = encodeParts(text, 'UCS-2', 7);
    expect(shortMessages).toHaveLength(2);
    expect(shortMessages[0]!.length - 6).toBe(66 * 2);
    expect(decodeUcs2(shortMessages[1]!.subarray(6))).toBe('😀fin');
  });

  it('refuses non-GSM characters in GSM-7 and more than 255 parts', () => {
    expect(() => encodeParts('garçon', 'GSM-7', 0)).toThrow(EncodingError);
    expect(() => encodeParts('x'.repeat(153 * 255 + 1), 'GSM-7', 0)).toThrow(/256 parts/);
  });
});

describe('received payloads', () => {
  it('reads concatenation from the 8-bit and 16-bit UDH and from SAR TLVs', () => {
    expect(concatInfo([Buffer.from([0x00, 0x03, 9, 3, 2])])).toEqual({ reference: 9, total: 3, sequence: 2 });
    expect(concatInfo([Buffer.from([0x08, 0x04, 0x01, 0x02, 4, 1])])).toEqual({ reference: 0x102, total: 4, sequence: 1 });
    expect(concatInfo([], { sar_msg_ref_num: 5, sar_total_segments: 2, sar_segment_seqnum: 2 })).toEqual({ reference: 5, total: 2, sequence: 2 });
    expect(concatInfo([Buffer.from([0x24, 0x01, 0x01])])).toBeUndefined();
  });

  it('decodes by data_coding: GSM, IA5, Latin-1, UCS-2 and the 0xF0 / general groups', () => {
    expect(decodeText(encodeGsm7('STOP à 5€'), 0x00)).toBe('STOP à 5€');
    expect(decodeText(Buffer.from('a_b@c$', 'latin1'), 0x01)).toBe('a_b@c$');
    expect(decodeText(Buffer.from('hôtel', 'latin1'), 0x03)).toBe('hôtel');
    expect(decodeText(encodeUcs2('ça 😀'), 0x08)).toBe('ça 😀');
    expect(decodeText(encodeGsm7('Hi'), 0xf0)).toBe('Hi');
    expect(decodeText(encodeUcs2('ça'), 0x18)).toBe('ça');
  });
});

describe('addresses', () => {
  it('uses TON/NPI 5/0 for alphanumeric senders, 1/1 for international numbers, 3/0 for short codes', () => {
    expect(sourceAddress('SOFY')).toEqual({ ton: 5, npi: 0, addr: 'SOFY' });
    expect(sourceAddress('+33612345678')).toEqual({ ton: 1, npi: 1, addr: '33612345678' });
    expect(sourceAddress('38100')).toEqual({ ton: 3, npi: 0, addr: '38100' });
    expect(sourceAddress('TooLongSender12')).toBeUndefined();
    expect(sourceAddress('Hôtel')).toBeUndefined();
  });

  it('sends destinations without the + as TON 1 NPI 1', () => {
    expect(destinationAddress('+33612345678')).toEqual({ ton: 1, npi: 1, addr: '33612345678' });
    expect(destinationAddress('06 12 34 56 78')).toBeUndefined();
    expect(formatAddress('33612345678', 1)).toBe('+33612345678');
    expect(formatAddress('38100', 3)).toBe('38100');
  });

  it('writes validity periods in the relative format', () => {
    expect(relativeValidity(3600)).toBe('000000010000000R');
    expect(relativeValidity(2 * 86_400 + 61)).toBe('000002000101000R');
    expect(relativeValidity(1e9)).toBe('000099235959000R');
  });
});

describe('command_status → ChannelError', () => {
  it('maps throttling and queue full to retryable operator errors with a wait', () => {
    expect(errorForStatus(0x58)).toEqual({
      code: 'smpp_throttled',
      message: expect.any(String),
      retryable: true,
      attribution: 'operator',
      providerCode: '0x00000058',
      retryAfterMs: 1000,
    });
    expect(errorForStatus(0x14, { queueFullRetryAfterMs: 7000 })).toMatchObject({ code: 'smpp_queue_full', retryable: true, attribution: 'operator', retryAfterMs: 7000 });
  });

  it('blames the recipient for an invalid destination and the platform for bind and source problems', () => {
    expect(errorForStatus(0x0b)).toMatchObject({ code: 'smpp_invalid_destination', retryable: false, attribution: 'recipient' });
    for (const status of [0x0a, 0x0e, 0x0f]) expect(errorForStatus(status)).toMatchObject({ retryable: false, attribution: 'platform' });
    expect(isFatalBindStatus(0x0e)).toBe(true);
    expect(isFatalBindStatus(0x0d)).toBe(false);
  });

  it('treats anything else as a permanent operator refusal', () => {
    expect(errorForStatus(0x45)).toMatchObject({ code: 'smpp_rejected', retryable: false, attribution: 'operator', providerCode: '0x00000045' });
  });
});

describe('delivery receipts', () => {
  it('parses the Appendix B text form', () => {
    expect(
      parseReceiptText('id:0123456789 sub:001 dlvrd:000 submit date:2401021504 done date:2401021505 stat:UNDELIV err:001 Text:Bonjour'),
    ).toEqual({ id: '0123456789', sub: '001', dlvrd: '000', submitDate: '2401021504', doneDate: '2401021505', stat: 'UNDELIV', err: '001', text: 'Bonjour' });
  });

  it('maps states, the message_state TLV winning over the text', () => {
    expect(statusFromStat('DELIVRD')).toBe('delivered');
    expect(statusFromStat('UNDELIV')).toBe('undelivered');
    expect(statusFromStat('EXPIRED')).toBe('expired');
    for (const stat of ['REJECTD', 'UNKNOWN', 'DELETED']) expect(statusFromStat(stat)).toBe('failed');
    expect(statusFromStat('ACCEPTD')).toBe('sent');
    expect(receiptOutcome(undefined, { stat: 'UNDELIV' })).toEqual({ status: 'undelivered', stat: 'UNDELIV', attribution: 'recipient' });
    expect(receiptOutcome(2, { stat: 'UNDELIV' })).toEqual({ status: 'delivered', stat: 'DELIVRD' });
    expect(receiptOutcome(8, {})).toEqual({ status: 'failed', stat: 'REJECTD', attribution: 'operator' });
    expect(receiptOutcome(undefined, {})).toBeUndefined();
  });
});
