/**
 * R-PAYMENT (§10.1): SEPA Core direct debit batches, as the pain.008 XML file a French bank
 * takes in (by EBICS or its web banking upload). One file = one group header and one payment
 * information block per (sequence type, collection date): banks process each block as one
 * batch debited on one date, and FRST/RCUR may not be mixed in one block.
 *
 * Versions: `pain.008.001.02` (ISO 20022 2009, the SEPA version every French bank accepts,
 * default) and `pain.008.001.08` (ISO 2019, the EPC rulebook's version since November 2023);
 * they differ here only in the BIC tag (`BIC` vs `BICFI`) and in how a postal address is laid
 * out. Both are checked against their official XSD in the tests (see README.md).
 *
 * Nothing is written unless every input is valid: the builder refuses with one
 * `validation_failed` error listing each bad item by JSON pointer, so an operator can fix all
 * of them at once rather than one upload rejection at a time.
 */
import { AppError, type FieldError } from '../../../platform/errors.ts';
import { type IsoDate, compareDates, isIsoDate, parisDate } from '../rules/dates.ts';
import {
  type MandateUsage,
  NON_EEA_SEPA_COUNTRIES,
  PRE_NOTIFICATION_DAYS,
  type SequenceType,
  checkSepaIdentifier,
  isPreNotificationInTime,
  latestNotificationDate,
  sequenceTypeFor,
  toSepaText,
  validateBic,
  validateIban,
  validateIcs,
  validateRum,
} from '../rules/sepa-ids.ts';

export type Pain008Version = 'pain.008.001.02' | 'pain.008.001.08';

export interface PostalAddress {
  /** ISO 3166 alpha-2. */
  country: string;
  /** Street and number, one line. */
  streetLine?: string;
  postCode?: string;
  town?: string;
}

export interface Pain008Creditor {
  name: string;
  iban: string;
  /** SOFY's bank: required (it is ours, we always know it). */
  bic: string;
  /** SEPA creditor identifier (ICS), e.g. `FR72ZZZ123456`. */
  ics: string;
}

export interface Pain008Collection {
  /** The invoice number: becomes the EndToEndId the debtor sees on the statement. */
  invoiceNumber: string;
  /** Integer cents, > 0. */
  amountCents: number;
  /** Requested collection date (ReqdColltnDt). */
  collectionDate: IsoDate;
  /** When the debtor was told of this collection (the invoice, usually): ≥ 14 days before. */
  preNotifiedOn: IsoDate;
  mandate: MandateUsage & { rum: string };
  /** The creditor says this is the last collection on the mandate (FNAL). */
  final?: boolean;
  debtor: {
    name: string;
    iban: string;
    /** Optional inside the EEA (NOTPROVIDED is sent); required for non-EEA SEPA countries. */
    bic?: string | null;
    /** Required for non-EEA SEPA countries (CH, GB, MC…). */
    address?: PostalAddress | null;
  };
  /** Unstructured remittance text (≤ 140). Defaults to `Facture <invoice number>`. */
  remittanceInformation?: string;
}

export interface Pain008Input {
  version?: Pain008Version;
  /** Unique per file and creditor; ≤ 30 characters so that payment block ids can extend it. */
  messageId: string;
  createdAt: Date;
  initiatingPartyName: string;
  creditor: Pain008Creditor;
  collections: readonly Pain008Collection[];
  /** BtchBookg: one booking per block on SOFY's account (true) or one per debit (false). */
  batchBooking?: boolean;
}

export interface PaymentInformationSummary {
  id: string;
  sequenceType: SequenceType;
  collectionDate: IsoDate;
  numberOfTransactions: number;
  controlSumCents: number;
  endToEndIds: string[];
}

export interface Pain008File {
  version: Pain008Version;
  messageId: string;
  xml: string;
  numberOfTransactions: number;
  controlSumCents: number;
  paymentInformations: PaymentInformationSummary[];
}

/** EPC limit of an instructed amount: 999,999,999.99 EUR. */
export const MAX_AMOUNT_CENTS = 99_999_999_999;
export const MAX_MESSAGE_ID_LENGTH = 30;

const SEQUENCE_ORDER: readonly SequenceType[] = ['FRST', 'RCUR', 'FNAL', 'OOFF'];

interface PreparedCollection {
  endToEndId: string;
  amountCents: number;
  collectionDate: IsoDate;
  sequenceType: SequenceType;
  rum: string;
  signedOn: IsoDate;
  debtorName: string;
  debtorIban: string;
  debtorBic: string | null;
  debtorAddress: PostalAddress | null;
  remittance: string;
}

interface Prepared {
  version: Pain008Version;
  messageId: string;
  createdAt: Date;
  initiatingPartyName: string;
  creditor: { name: string; iban: string; bic: string; ics: string };
  collections: PreparedCollection[];
}

/**
 * Every problem of the input, each with its JSON pointer; empty when a file can be built.
 * Also what `buildPain008` runs first.
 */
export function validatePain008Input(input: Pain008Input): FieldError[] {
  return prepare(input).errors;
}

/** R-PAYMENT: the pain.008 file of a batch of collections, or `validation_failed` listing every bad item. */
export function buildPain008(input: Pain008Input): Pain008File {
  const { errors, prepared } = prepare(input);
  if (errors.length > 0 || prepared === null) {
    throw new AppError('validation_failed', `pain.008 batch refused: ${errors.length} invalid item(s)`, { errors });
  }
  return render(prepared, input.batchBooking);
}

/** Integer cents → `123.45`, exact (no float ever touches the amount). */
export function formatAmount(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`not a cent amount: ${cents}`);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** XML text and attribute escaping: the five predefined entities, control characters refused. */
export function escapeXml(text: string): string {
  // XML 1.0 forbids C0 controls other than tab, LF and CR even as references.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text)) {
    throw new RangeError('text holds characters XML 1.0 cannot carry');
  }
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function prepare(input: Pain008Input): { errors: FieldError[]; prepared: Prepared | null } {
  const errors: FieldError[] = [];
  const push = (path: string, message: string) => errors.push({ path, message });
  const version = input.version ?? 'pain.008.001.02';
  if (version !== 'pain.008.001.02' && version !== 'pain.008.001.08') {
    push('/version', `unsupported version ${String(version)}: pain.008.001.02 or pain.008.001.08`);
  }

  const idProblem = checkSepaIdentifier(input.messageId, MAX_MESSAGE_ID_LENGTH);
  if (idProblem !== null) {
    push('/messageId', `the message id must be 1 to ${MAX_MESSAGE_ID_LENGTH} SEPA characters (${idProblem})`);
  }
  const createdOk = input.createdAt instanceof Date && !Number.isNaN(input.createdAt.getTime());
  if (!createdOk) push('/createdAt', 'not a valid instant');
  const createdOn = createdOk ? parisDate(input.createdAt) : null;

  const initiatingPartyName = toSepaText(input.initiatingPartyName ?? '', 70);
  if (initiatingPartyName === '') push('/initiatingPartyName', 'the initiating party name is empty in the SEPA character set');

  const creditorName = toSepaText(input.creditor?.name ?? '', 70);
  if (creditorName === '') push('/creditor/name', 'the creditor name is empty in the SEPA character set');
  const creditorIban = validateIban(input.creditor?.iban ?? '');
  if (!creditorIban.ok) push('/creditor/iban', creditorIban.message);
  const creditorBic = validateBic(
    input.creditor?.bic ?? '',
    creditorIban.ok ? { ibanCountry: creditorIban.country } : {},
  );
  if (!creditorBic.ok) push('/creditor/bic', creditorBic.message);
  const ics = validateIcs(input.creditor?.ics ?? '');
  if (!ics.ok) push('/creditor/ics', ics.message);

  const collections: PreparedCollection[] = [];
  if (!Array.isArray(input.collections) || input.collections.length === 0) {
    push('/collections', 'a batch needs at least one collection');
  }
  const seenEndToEnd = new Map<string, number>();
  const ibanOfRum = new Map<string, { iban: string; index: number }>();
  (input.collections ?? []).forEach((collection, index) => {
    const at = `/collections/${index}`;
    const before = errors.length;

    const endToEndId = collection.invoiceNumber ?? '';
    const e2eProblem = checkSepaIdentifier(endToEndId);
    if (e2eProblem !== null) {
      push(`${at}/invoiceNumber`, `the invoice number is not a SEPA end-to-end id (${e2eProblem}): ${endToEndId}`);
    } else {
      const first = seenEndToEnd.get(endToEndId.toUpperCase());
      if (first !== undefined) {
        push(`${at}/invoiceNumber`, `invoice ${endToEndId} is already collected in this batch (collection ${first})`);
      } else {
        seenEndToEnd.set(endToEndId.toUpperCase(), index);
      }
    }

    const amount = collection.amountCents;
    if (!Number.isSafeInteger(amount) || amount <= 0) {
      push(`${at}/amountCents`, `the amount must be a positive whole number of cents: ${String(amount)}`);
    } else if (amount > MAX_AMOUNT_CENTS) {
      push(`${at}/amountCents`, 'the amount exceeds 999,999,999.99 EUR');
    }

    const date = collection.collectionDate;
    const dateOk = typeof date === 'string' && isIsoDate(date);
    if (!dateOk) {
      push(`${at}/collectionDate`, `not a date: ${String(date)}`);
    } else if (createdOn !== null && compareDates(date, createdOn) <= 0) {
      // SEPA Core: the file reaches the creditor bank one TARGET day before the collection at the latest.
      push(`${at}/collectionDate`, `the collection date ${date} is not after the file's creation day ${createdOn}`);
    }

    const notified = collection.preNotifiedOn;
    if (typeof notified !== 'string' || !isIsoDate(notified)) {
      push(`${at}/preNotifiedOn`, `the debtor's pre-notification date is missing or invalid: ${String(notified)}`);
    } else if (dateOk && !isPreNotificationInTime(notified, date)) {
      push(
        `${at}/preNotifiedOn`,
        `notified on ${notified}, less than ${PRE_NOTIFICATION_DAYS} days before ${date} (latest: ${latestNotificationDate(date)})`,
      );
    }

    const mandate = collection.mandate;
    const rum = validateRum(mandate?.rum ?? '');
    if (!rum.ok) push(`${at}/mandate/rum`, rum.message);
    const signedOk = typeof mandate?.signedOn === 'string' && isIsoDate(mandate.signedOn);
    if (!signedOk) push(`${at}/mandate/signedOn`, `not a date: ${String(mandate?.signedOn)}`);
    const lastOk = mandate?.lastCollectionOn === null || (typeof mandate?.lastCollectionOn === 'string' && isIsoDate(mandate.lastCollectionOn));
    if (!lastOk) push(`${at}/mandate/lastCollectionOn`, `not a date: ${String(mandate?.lastCollectionOn)}`);
    let sequenceType: SequenceType | null = null;
    if (dateOk && signedOk && lastOk) {
      // The one definition of FRST / RCUR / FNAL / OOFF and of the 36-month expiry (R-PAYMENT).
      const sequence = sequenceTypeFor(mandate, date, { final: collection.final === true });
      if (sequence.ok) sequenceType = sequence.sequenceType;
      else push(`${at}/mandate`, sequence.message);
    }

    const debtor = collection.debtor;
    const debtorName = toSepaText(debtor?.name ?? '', 70);
    if (debtorName === '') push(`${at}/debtor/name`, 'the debtor name is empty in the SEPA character set');
    const debtorIban = validateIban(debtor?.iban ?? '');
    if (!debtorIban.ok) push(`${at}/debtor/iban`, debtorIban.message);
    if (rum.ok && debtorIban.ok) {
      // A RUM is unique per creditor: the same reference on two accounts is two mandates mixed up.
      const other = ibanOfRum.get(rum.rum.toUpperCase());
      if (other === undefined) {
        ibanOfRum.set(rum.rum.toUpperCase(), { iban: debtorIban.iban, index });
      } else if (other.iban !== debtorIban.iban) {
        push(`${at}/mandate/rum`, `mandate ${rum.rum} is also used for another account (collection ${other.index})`);
      }
    }
    const nonEea = debtorIban.ok && NON_EEA_SEPA_COUNTRIES.has(debtorIban.country);
    let debtorBic: string | null = null;
    if (debtor?.bic != null && debtor.bic.trim() !== '') {
      const bic = validateBic(debtor.bic, debtorIban.ok ? { ibanCountry: debtorIban.country } : {});
      if (bic.ok) debtorBic = bic.bic;
      else push(`${at}/debtor/bic`, bic.message);
    } else if (nonEea) {
      push(`${at}/debtor/bic`, `the BIC is required for an account in ${debtorIban.ok ? debtorIban.country : ''} (non-EEA SEPA country)`);
    }
    let debtorAddress: PostalAddress | null = null;
    if (debtor?.address != null) {
      const address = prepareAddress(debtor.address);
      if (typeof address === 'string') push(`${at}/debtor/address`, address);
      else debtorAddress = address;
    } else if (nonEea) {
      push(`${at}/debtor/address`, 'the debtor address (country and town) is required for a non-EEA SEPA account');
    }

    const remittance = toSepaText(collection.remittanceInformation ?? `Facture ${endToEndId}`, 140);
    if (remittance === '') push(`${at}/remittanceInformation`, 'the remittance text is empty in the SEPA character set');

    if (errors.length === before && sequenceType !== null && debtorIban.ok && rum.ok) {
      collections.push({
        endToEndId,
        amountCents: amount,
        collectionDate: date,
        sequenceType,
        rum: rum.rum,
        signedOn: mandate.signedOn,
        debtorName,
        debtorIban: debtorIban.iban,
        debtorBic,
        debtorAddress,
        remittance,
      });
    }
  });

  if (errors.length > 0 || !creditorIban.ok || !creditorBic.ok || !ics.ok) return { errors, prepared: null };
  return {
    errors,
    prepared: {
      version,
      messageId: input.messageId,
      createdAt: input.createdAt,
      initiatingPartyName,
      creditor: { name: creditorName, iban: creditorIban.iban, bic: creditorBic.bic, ics: ics.ics },
      collections,
    },
  };
}

function prepareAddress(address: PostalAddress): PostalAddress | string {
  const country = (address.country ?? '').toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) return `not an ISO country code: ${String(address.country)}`;
  const town = toSepaText(address.town ?? '', 35);
  if (town === '') return 'the town is required';
  const result: PostalAddress = { country, town };
  const street = toSepaText(address.streetLine ?? '', 70);
  if (street !== '') result.streetLine = street;
  const postCode = toSepaText(address.postCode ?? '', 16);
  if (postCode !== '') result.postCode = postCode;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

type Node = { tag: string; attributes?: Record<string, string>; text?: string; children?: Node[] };

function el(tag: string, content?: string | Node[], attributes?: Record<string, string>): Node {
  const node: Node = { tag };
  if (attributes !== undefined) node.attributes = attributes;
  if (typeof content === 'string') node.text = content;
  else if (content !== undefined) node.children = content;
  return node;
}

function serialise(node: Node, depth: number, out: string[]): void {
  const indent = '  '.repeat(depth);
  const attributes = Object.entries(node.attributes ?? {})
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  if (node.children !== undefined) {
    out.push(`${indent}<${node.tag}${attributes}>`);
    for (const child of node.children) serialise(child, depth + 1, out);
    out.push(`${indent}</${node.tag}>`);
  } else {
    out.push(`${indent}<${node.tag}${attributes}>${escapeXml(node.text ?? '')}</${node.tag}>`);
  }
}

function render(prepared: Prepared, batchBooking: boolean | undefined): Pain008File {
  const { version, creditor } = prepared;
  const bicTag = version === 'pain.008.001.02' ? 'BIC' : 'BICFI';

  // One block per (collection date, sequence type), dates ascending, FRST before RCUR.
  const groups = new Map<string, PreparedCollection[]>();
  for (const collection of prepared.collections) {
    const key = `${collection.collectionDate}|${SEQUENCE_ORDER.indexOf(collection.sequenceType)}`;
    const group = groups.get(key);
    if (group) group.push(collection);
    else groups.set(key, [collection]);
  }
  const orderedKeys = [...groups.keys()].sort();

  const summaries: PaymentInformationSummary[] = [];
  const blocks: Node[] = orderedKeys.map((key, index) => {
    const items = groups.get(key)!;
    const first = items[0]!;
    const sum = items.reduce((total, item) => total + item.amountCents, 0);
    const id = `${prepared.messageId}-${index + 1}`;
    summaries.push({
      id,
      sequenceType: first.sequenceType,
      collectionDate: first.collectionDate,
      numberOfTransactions: items.length,
      controlSumCents: sum,
      endToEndIds: items.map((item) => item.endToEndId),
    });
    const header: Node[] = [el('PmtInfId', id), el('PmtMtd', 'DD')];
    if (batchBooking !== undefined) header.push(el('BtchBookg', batchBooking ? 'true' : 'false'));
    return el('PmtInf', [
      ...header,
      el('NbOfTxs', String(items.length)),
      el('CtrlSum', formatAmount(sum)),
      el('PmtTpInf', [
        el('SvcLvl', [el('Cd', 'SEPA')]),
        el('LclInstrm', [el('Cd', 'CORE')]),
        el('SeqTp', first.sequenceType),
      ]),
      el('ReqdColltnDt', first.collectionDate),
      el('Cdtr', [el('Nm', creditor.name)]),
      el('CdtrAcct', [el('Id', [el('IBAN', creditor.iban)])]),
      el('CdtrAgt', [el('FinInstnId', [el(bicTag, creditor.bic)])]),
      el('ChrgBr', 'SLEV'),
      el('CdtrSchmeId', [
        el('Id', [el('PrvtId', [el('Othr', [el('Id', creditor.ics), el('SchmeNm', [el('Prtry', 'SEPA')])])])]),
      ]),
      ...items.map((item) => transaction(item, version, bicTag)),
    ]);
  });

  const total = prepared.collections.reduce((sum, item) => sum + item.amountCents, 0);
  const document = el(
    'Document',
    [
      el('CstmrDrctDbtInitn', [
        el('GrpHdr', [
          el('MsgId', prepared.messageId),
          el('CreDtTm', `${prepared.createdAt.toISOString().slice(0, 19)}Z`),
          el('NbOfTxs', String(prepared.collections.length)),
          el('CtrlSum', formatAmount(total)),
          el('InitgPty', [el('Nm', prepared.initiatingPartyName)]),
        ]),
        ...blocks,
      ]),
    ],
    {
      xmlns: `urn:iso:std:iso:20022:tech:xsd:${version}`,
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
    },
  );
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  serialise(document, 0, lines);
  return {
    version,
    messageId: prepared.messageId,
    xml: `${lines.join('\n')}\n`,
    numberOfTransactions: prepared.collections.length,
    controlSumCents: total,
    paymentInformations: summaries,
  };
}

function transaction(item: PreparedCollection, version: Pain008Version, bicTag: string): Node {
  const debtorAgent =
    item.debtorBic !== null
      ? el('FinInstnId', [el(bicTag, item.debtorBic)])
      : el('FinInstnId', [el('Othr', [el('Id', 'NOTPROVIDED')])]);
  const debtor: Node[] = [el('Nm', item.debtorName)];
  if (item.debtorAddress !== null) debtor.push(el('PstlAdr', address(item.debtorAddress, version)));
  return el('DrctDbtTxInf', [
    el('PmtId', [el('EndToEndId', item.endToEndId)]),
    el('InstdAmt', formatAmount(item.amountCents), { Ccy: 'EUR' }),
    el('DrctDbtTx', [el('MndtRltdInf', [el('MndtId', item.rum), el('DtOfSgntr', item.signedOn)])]),
    el('DbtrAgt', [debtorAgent]),
    el('Dbtr', debtor),
    el('DbtrAcct', [el('Id', [el('IBAN', item.debtorIban)])]),
    el('RmtInf', [el('Ustrd', item.remittance)]),
  ]);
}

/**
 * pain.008.001.02 (EPC profile): country and at most two free lines. pain.008.001.08: the
 * hybrid form of the 2023+ rulebook, post code and town structured, street as a free line.
 */
function address(value: PostalAddress, version: Pain008Version): Node[] {
  if (version === 'pain.008.001.02') {
    const lines: Node[] = [el('Ctry', value.country)];
    if (value.streetLine !== undefined) lines.push(el('AdrLine', value.streetLine));
    const town = [value.postCode, value.town].filter((part) => part !== undefined).join(' ');
    if (town !== '') lines.push(el('AdrLine', town.slice(0, 70)));
    return lines;
  }
  const nodes: Node[] = [];
  if (value.postCode !== undefined) nodes.push(el('PstCd', value.postCode));
  if (value.town !== undefined) nodes.push(el('TwnNm', value.town));
  nodes.push(el('Ctry', value.country));
  if (value.streetLine !== undefined) nodes.push(el('AdrLine', value.streetLine));
  return nodes;
}
