/**
 * SMPP 3.4 payload helpers for the connector: text → short_message parts (data_coding 0 or 8,
 * concatenation UDH), received short_message → bytes → text, concatenation info, addresses.
 */
import type smpp from 'smpp';
import { decodeGsm7, gsmBytesFromPackageText, gsmSeptets } from './gsm.ts';

export const DATA_CODING_GSM = 0x00;
export const DATA_CODING_LATIN1 = 0x03;
export const DATA_CODING_UCS2 = 0x08;

export const ESM_CLASS_UDHI = 0x40;

/** Single-message and per-part capacities (septets for GSM, UTF-16 code units for UCS-2). */
export const GSM_SINGLE = 160;
export const GSM_PART = 153;
export const UCS2_SINGLE = 70;
export const UCS2_PART = 67;
export const MAX_PARTS = 255;

/** UTF-16 big-endian bytes of `text` (lone surrogates are kept as they are). */
export function encodeUcs2(text: string): Buffer {
  const buf = Buffer.from(text, 'utf16le');
  return buf.swap16();
}

export function decodeUcs2(bytes: Uint8Array): string {
  const even = bytes.length & ~1;
  const copy = Buffer.from(bytes.subarray(0, even));
  return copy.swap16().toString('utf16le');
}

export interface EncodedParts {
  dataCoding: number;
  /** Each element is one short_message: UDH (when concatenated) + payload. */
  shortMessages: Buffer[];
  /** True when the parts carry a concatenation UDH (esm_class 0x40). */
  concatenated: boolean;
}

export class EncodingError extends Error {}

/**
 * Splits and encodes a text for submit_sm. GSM-7: 160 septets in one message, else 153 per part,
 * an escape pair never split; UCS-2: 70 code units in one message, else 67 per part, a surrogate
 * pair never split. Concatenated parts carry an 8-bit-reference UDH (IEI 0x00).
 * @throws EncodingError for a character outside GSM 03.38 in GSM-7, or more than 255 parts.
 */
export function encodeParts(text: string, encoding: 'GSM-7' | 'UCS-2', reference: number): EncodedParts {
  // One unit list per character (code point): 1 or 2 septets, or 1 or 2 UTF-16 units (as bytes).
  const chunks: Buffer[] = [];
  let units = 0;
  const unitsOf = encoding === 'GSM-7' ? (b: Buffer) => b.length : (b: Buffer) => b.length / 2;
  for (const ch of text) {
    let bytes: Buffer;
    if (encoding === 'GSM-7') {
      const septets = gsmSeptets(ch);
      if (!septets) {
        throw new EncodingError(`character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not in GSM 03.38`);
      }
      bytes = Buffer.from(septets);
    } else {
      bytes = encodeUcs2(ch);
    }
    chunks.push(bytes);
    units += unitsOf(bytes);
  }
  const dataCoding = encoding === 'GSM-7' ? DATA_CODING_GSM : DATA_CODING_UCS2;
  const single = encoding === 'GSM-7' ? GSM_SINGLE : UCS2_SINGLE;
  const perPart = encoding === 'GSM-7' ? GSM_PART : UCS2_PART;
  if (units <= single) {
    return { dataCoding, shortMessages: [Buffer.concat(chunks)], concatenated: false };
  }
  const payloads: Buffer[] = [];
  let current: Buffer[] = [];
  let currentUnits = 0;
  for (const chunk of chunks) {
    const n = unitsOf(chunk);
    if (currentUnits + n > perPart) {
      payloads.push(Buffer.concat(current));
      current = [];
      currentUnits = 0;
    }
    current.push(chunk);
    currentUnits += n;
  }
  if (current.length > 0) payloads.push(Buffer.concat(current));
  if (payloads.length > MAX_PARTS) throw new EncodingError(`text needs ${payloads.length} parts (at most ${MAX_PARTS})`);
  const ref = reference & 0xff;
  const shortMessages = payloads.map((payload, i) =>
    Buffer.concat([Buffer.from([0x05, 0x00, 0x03, ref, payloads.length, i + 1]), payload]),
  );
  return { dataCoding, shortMessages, concatenated: true };
}

/** A received short_message as bytes, with its UDH information elements (if esm_class 0x40). */
export interface RawShortMessage {
  /** Information elements, each `[iei, length, ...data]`. */
  ies: Buffer[];
  bytes: Buffer;
}

type PackageMessage = Buffer | string | smpp.DecodedMessage | undefined;

/**
 * The bytes of a received short_message (or message_payload when short_message is empty). The
 * `smpp` package decodes the text itself before we see it; for the data codings it decodes
 * (0/1 GSM table, 3 Latin-1, 8 UCS-2) this reverses its decoding exactly (see
 * `gsmBytesFromPackageText` for the one lossy case: invalid septets above 0x7F).
 */
export function rawShortMessage(pdu: { data_coding?: number; short_message?: PackageMessage; message_payload?: PackageMessage }): RawShortMessage {
  const dataCoding = pdu.data_coding ?? 0;
  const fromShort = toRaw(pdu.short_message, dataCoding);
  if (fromShort.bytes.length > 0 || fromShort.ies.length > 0 || pdu.message_payload === undefined) return fromShort;
  return toRaw(pdu.message_payload, dataCoding);
}

function toRaw(value: PackageMessage, dataCoding: number): RawShortMessage {
  if (value === undefined) return { ies: [], bytes: Buffer.alloc(0) };
  if (Buffer.isBuffer(value)) return { ies: [], bytes: value };
  if (typeof value === 'string') return { ies: [], bytes: packageTextToBytes(value, dataCoding) };
  return { ies: value.udh ?? [], bytes: Buffer.isBuffer(value.message) ? value.message : packageTextToBytes(value.message, dataCoding) };
}

function packageTextToBytes(text: string, dataCoding: number): Buffer {
  switch (dataCoding & 0x0f) {
    case 0x00:
    case 0x01:
      return gsmBytesFromPackageText(text);
    case 0x08:
      return encodeUcs2(text);
    default:
      return Buffer.from(text, 'latin1');
  }
}

/** Text of received bytes according to data_coding (SMPP 3.4 §5.2.19, GSM 03.38 DCS groups). */
export function decodeText(bytes: Uint8Array, dataCoding: number): string {
  switch (dataCoding) {
    case 0x00:
      return decodeGsm7(bytes);
    case 0x01: // IA5 (ASCII)
    case 0x02: // 8-bit binary
    case 0x03: // Latin-1
    case 0x04: // 8-bit binary
      return Buffer.from(bytes).toString('latin1');
    case 0x08:
      return decodeUcs2(bytes);
  }
  if ((dataCoding & 0xf0) === 0xf0) return dataCoding & 0x04 ? Buffer.from(bytes).toString('latin1') : decodeGsm7(bytes);
  if ((dataCoding & 0xc0) === 0x00) {
    const alphabet = (dataCoding >> 2) & 0x03;
    if (alphabet === 0) return decodeGsm7(bytes);
    if (alphabet === 2) return decodeUcs2(bytes);
  }
  return Buffer.from(bytes).toString('latin1');
}

export interface ConcatInfo {
  reference: number;
  total: number;
  sequence: number;
}

/** Concatenation info from the UDH (IEI 0x00 8-bit ref, 0x08 16-bit ref) or the SAR TLVs. */
export function concatInfo(
  ies: readonly Buffer[],
  tlvs: { sar_msg_ref_num?: number; sar_total_segments?: number; sar_segment_seqnum?: number } = {},
): ConcatInfo | undefined {
  for (const ie of ies) {
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5) return { reference: ie[2]!, total: ie[3]!, sequence: ie[4]! };
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6) return { reference: ie.readUInt16BE(2), total: ie[4]!, sequence: ie[5]! };
  }
  if (tlvs.sar_msg_ref_num !== undefined && tlvs.sar_total_segments && tlvs.sar_segment_seqnum) {
    return { reference: tlvs.sar_msg_ref_num, total: tlvs.sar_total_segments, sequence: tlvs.sar_segment_seqnum };
  }
  return undefined;
}

export interface SmppAddress {
  ton: number;
  npi: number;
  addr: string;
}

/**
 * Source address of a submit: an international number ('+' then digits, or 9+ digits) → TON 1
 * NPI 1 without the '+'; a short code (3 to 8 digits) → TON 3 (network specific) NPI 0; anything
 * else is an alphanumeric sender → TON 5 NPI 0 (at most 11 printable ASCII characters).
 */
export function sourceAddress(from: string): SmppAddress | undefined {
  const number = /^\+?(\d{9,15})$/.exec(from);
  if (number) return { ton: 1, npi: 1, addr: number[1]! };
  if (/^\d{3,8}$/.test(from)) return { ton: 3, npi: 0, addr: from };
  if (/^[\x20-\x7e]{1,11}$/.test(from) && from.trim().length > 0) return { ton: 5, npi: 0, addr: from };
  return undefined;
}

/** Destination of a submit: E.164 with its '+' → TON 1 NPI 1, digits only. */
export function destinationAddress(to: string): SmppAddress | undefined {
  const m = /^\+?([1-9]\d{5,14})$/.exec(to);
  return m ? { ton: 1, npi: 1, addr: m[1]! } : undefined;
}

/** An address as we report it: '+' prefixed when international (TON 1). */
export function formatAddress(addr: string | undefined, ton: number | undefined): string {
  const a = addr ?? '';
  return ton === 1 && /^\d+$/.test(a) ? `+${a}` : a;
}

/** SMPP relative time format (YYMMDDhhmmss000R) for a validity period in seconds. */
export function relativeValidity(seconds: number): string {
  let s = Math.min(Math.max(1, Math.floor(seconds)), 99 * 86_400 + 86_399);
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `0000${two(days)}${two(hh)}${two(mm)}${two(ss)}000R`;
}
