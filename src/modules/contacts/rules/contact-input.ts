import { normalisePhoneNumber } from '../../messaging/rules.ts';
import { type AttributeDefinition, type AttributeValue, validateAttributes } from './attributes.ts';
import { CALLER_CONSENT_SOURCES, type ConsentChange, type ConsentChannel, isConsentChannel } from './consent.ts';

/**
 * What a contact looks like once cleaned, whatever it came from (API, console, import):
 * phone in E.164 (default region FR, the messaging services' normalisation), email in lower
 * case, names trimmed, attributes typed against the tenant's definitions, tags normalised.
 *
 * In a `NormalisedContact`, a member that is `undefined` was not given (keep what is there) and
 * `null` clears it; attributes set to null are removed.
 */

export interface ContactInput {
  phone?: string | null | undefined;
  email?: string | null | undefined;
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
  language?: string | null | undefined;
  attributes?: Record<string, unknown> | null | undefined;
  tags?: readonly string[] | null | undefined;
  pointOfSale?: string | null | undefined;
  externalId?: string | null | undefined;
  /** Per-channel consent given with the contact (bulk API, console form). */
  consents?: Partial<Record<string, { status: string; source?: string | undefined; proof?: Record<string, unknown> | undefined }>> | null | undefined;
}

export interface NormalisedContact {
  phone?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  language?: string | null;
  attributes?: Record<string, AttributeValue | null>;
  tags?: string[];
  pointOfSale?: string | null;
  externalId?: string | null;
  consents?: Partial<Record<ConsentChannel, ConsentChange>>;
}

export type ContactProblemCode = 'invalid_phone_number' | 'invalid_email_address' | 'invalid_attribute' | 'contact_identity_required' | 'validation_failed';

export interface ContactProblem {
  code: ContactProblemCode;
  /** JSON pointer under the caller's prefix, e.g. `/phone`, `/items/4/attributes/tier`. */
  path: string;
  message: string;
}

export type NormaliseResult = { ok: true; contact: NormalisedContact; warnings: string[] } | { ok: false; problems: ContactProblem[] };

export interface NormaliseOptions {
  /** `create` needs a phone or an email; `patch` changes only what is given. */
  mode: 'create' | 'patch';
  definitions: ReadonlyMap<string, AttributeDefinition>;
  /** Prefix of every problem path (`/items/3` in a bulk call). */
  pathPrefix?: string;
  defaultRegion?: string;
  /** Consent source when an item names none (the API: `api`; the console: `console`). */
  defaultConsentSource?: ConsentChange['source'];
}

export const NAME_MAX = 100;
export const TAG_MAX_LENGTH = 50;
export const TAGS_MAX = 100;
export const POINT_OF_SALE_MAX = 64;
export const EXTERNAL_ID_MAX = 128;
export const EMAIL_MAX = 254;

/** A practical address check (one @, a dotted domain, no spaces); the mailbox itself is checked by sending. */
const EMAIL = /^[^\s@"<>(),;:\\[\]]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export function normaliseEmail(input: string): string | null {
  const email = input.trim().toLowerCase();
  if (email.length > EMAIL_MAX || !EMAIL.test(email)) return null;
  const [local] = email.split('@');
  if (!local || local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return null;
  return email;
}

/** Trims and collapses inner spaces; empty gives null. */
export function normaliseName(input: string): string {
  return input.trim().replace(/\s+/g, ' ');
}

/** Tags are matched by segments: trimmed, inner spaces collapsed, lower case, distinct, in first-seen order. */
export function normaliseTags(input: readonly string[]): { tags: string[]; problems: string[] } {
  const tags: string[] = [];
  const problems: string[] = [];
  for (const raw of input) {
    const tag = raw.trim().replace(/\s+/g, ' ').toLowerCase();
    if (!tag) continue;
    if (tag.length > TAG_MAX_LENGTH) {
      problems.push(`tag "${tag.slice(0, 20)}…" is longer than ${TAG_MAX_LENGTH} characters`);
      continue;
    }
    if (!tags.includes(tag)) tags.push(tag);
  }
  if (tags.length > TAGS_MAX) problems.push(`at most ${TAGS_MAX} tags`);
  return { tags, problems };
}

/** ISO 639-1 from `fr`, `FR`, `fr-FR`, `fr_CA`; null when it is not a two-letter code. */
export function normaliseLanguage(input: string): string | null {
  const match = /^([a-zA-Z]{2})(?:[-_][a-zA-Z0-9]{2,8})*$/.exec(input.trim());
  return match?.[1] ? match[1].toLowerCase() : null;
}

function optionalText(value: string | null | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const text = normaliseName(value);
  return text === '' ? null : text;
}

/**
 * Cleans one contact. Problems carry a stable code and a field path so the API answers 422 with
 * `errors[]` and an import reports "line 12: phone: …".
 */
export function normaliseContactInput(input: ContactInput, options: NormaliseOptions): NormaliseResult {
  const prefix = options.pathPrefix ?? '';
  const problems: ContactProblem[] = [];
  const warnings: string[] = [];
  const contact: NormalisedContact = {};
  const problem = (code: ContactProblemCode, path: string, message: string) => problems.push({ code, path: `${prefix}${path}`, message });

  const phoneText = optionalText(input.phone);
  if (phoneText === null) contact.phone = null;
  else if (phoneText !== undefined) {
    const phone = normalisePhoneNumber(phoneText, options.defaultRegion);
    if ('error' in phone) problem('invalid_phone_number', '/phone', phone.message);
    else {
      contact.phone = phone.e164;
      // DESIGN: a number of plausible length but outside allocated ranges is kept, with a warning; the send path refuses it.
      if (!phone.valid) warnings.push(`phone ${phone.e164} is not in an allocated range: messages to it will be refused`);
    }
  }

  if (input.email === null || (typeof input.email === 'string' && input.email.trim() === '')) contact.email = null;
  else if (input.email !== undefined) {
    const email = normaliseEmail(input.email);
    if (email === null) problem('invalid_email_address', '/email', `"${input.email.trim().slice(0, 80)}" is not an email address`);
    else contact.email = email;
  }

  for (const [key, path] of [['firstName', '/firstName'], ['lastName', '/lastName']] as const) {
    const value = optionalText(input[key]);
    if (value !== undefined && value !== null && value.length > NAME_MAX) problem('validation_failed', path, `must be at most ${NAME_MAX} characters`);
    else if (value !== undefined) contact[key] = value;
  }

  const language = optionalText(input.language);
  if (language === null) contact.language = null;
  else if (language !== undefined) {
    const code = normaliseLanguage(language);
    if (code === null) problem('validation_failed', '/language', 'must be a two-letter language code (fr, en…)');
    else contact.language = code;
  }

  const pointOfSale = optionalText(input.pointOfSale);
  if (pointOfSale !== undefined && pointOfSale !== null && pointOfSale.length > POINT_OF_SALE_MAX) problem('validation_failed', '/pointOfSale', `must be at most ${POINT_OF_SALE_MAX} characters`);
  else if (pointOfSale !== undefined) contact.pointOfSale = pointOfSale;

  const externalId = input.externalId === undefined ? undefined : input.externalId === null ? null : input.externalId.trim() || null;
  if (externalId !== undefined && externalId !== null && externalId.length > EXTERNAL_ID_MAX) problem('validation_failed', '/externalId', `must be at most ${EXTERNAL_ID_MAX} characters`);
  else if (externalId !== undefined) contact.externalId = externalId;

  if (input.tags === null) contact.tags = [];
  else if (input.tags !== undefined) {
    const tags = normaliseTags(input.tags);
    for (const message of tags.problems) problem('validation_failed', '/tags', message);
    contact.tags = tags.tags;
  }

  if (input.attributes === null) contact.attributes = {};
  else if (input.attributes !== undefined) {
    const result = validateAttributes(input.attributes, options.definitions, `${prefix}/attributes`);
    for (const error of result.errors) problems.push({ code: 'invalid_attribute', path: error.path, message: error.message });
    contact.attributes = result.values;
  }

  if (input.consents) {
    const consents: Partial<Record<ConsentChannel, ConsentChange>> = {};
    for (const [channel, change] of Object.entries(input.consents)) {
      if (!change) continue;
      if (!isConsentChannel(channel)) {
        problem('validation_failed', `/consents/${channel}`, 'unknown channel (sms, email, whatsapp, rcs)');
        continue;
      }
      const source = change.source ?? options.defaultConsentSource ?? 'api';
      if (!['granted', 'refused', 'withdrawn'].includes(change.status)) problem('validation_failed', `/consents/${channel}/status`, 'must be granted, refused or withdrawn');
      else if (!(CALLER_CONSENT_SOURCES as readonly string[]).includes(source)) problem('validation_failed', `/consents/${channel}/source`, `must be one of ${CALLER_CONSENT_SOURCES.join(', ')}`);
      else consents[channel] = { status: change.status as ConsentChange['status'], source: source as ConsentChange['source'], proof: change.proof ?? {} };
    }
    contact.consents = consents;
  }

  if (options.mode === 'create' && !contact.phone && !contact.email && !problems.some((p) => p.path === `${prefix}/phone` || p.path === `${prefix}/email`)) {
    problem('contact_identity_required', '', 'a contact needs a phone number or an email address');
  }
  if (options.mode === 'patch' && contact.phone === null && contact.email === null) {
    problem('contact_identity_required', '', 'a contact needs a phone number or an email address: both cannot be removed');
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, contact, warnings };
}
