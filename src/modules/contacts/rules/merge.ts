import type { AttributeValue } from './attributes.ts';
import type { NormalisedContact } from './contact-input.ts';

/**
 * What happens when an incoming contact (import row, bulk API item) matches one we have, by
 * phone, email or external id. The policy is the caller's choice:
 * - `skip`: the contact we have stays as it is;
 * - `update`: values the incoming row has replace ours; empty ones keep ours; attributes are
 *   merged key by key; tags are added to ours;
 * - `overwrite`: the incoming row becomes the contact (what it lacks is cleared).
 */

export const MERGE_POLICIES = ['skip', 'update', 'overwrite'] as const;
export type MergePolicy = (typeof MERGE_POLICIES)[number];

/** A contact's stored fields (what merging and patching work on). */
export interface ContactFields {
  phone: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  language: string | null;
  attributes: Record<string, AttributeValue>;
  tags: string[];
  pointOfSale: string | null;
  externalId: string | null;
}

export const SCALAR_FIELDS = ['phone', 'email', 'firstName', 'lastName', 'language', 'pointOfSale', 'externalId'] as const;
type ScalarField = (typeof SCALAR_FIELDS)[number];

export type MergeOutcome =
  | { action: 'skip' }
  /** `changed` lists the fields whose value differs (empty: nothing to write). */
  | { action: 'update'; fields: ContactFields; changed: (keyof ContactFields)[] }
  | { action: 'invalid'; code: 'contact_identity_required'; message: string };

const withoutNulls = (attributes: Record<string, AttributeValue | null> | undefined): Record<string, AttributeValue> => {
  const result: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) if (value !== null) result[key] = value;
  return result;
};

/** The fields of a new contact from a normalised input (what it lacks is null). */
export function newContactFields(incoming: NormalisedContact): ContactFields {
  return {
    phone: incoming.phone ?? null,
    email: incoming.email ?? null,
    firstName: incoming.firstName ?? null,
    lastName: incoming.lastName ?? null,
    language: incoming.language ?? null,
    attributes: withoutNulls(incoming.attributes),
    tags: incoming.tags ?? [],
    pointOfSale: incoming.pointOfSale ?? null,
    externalId: incoming.externalId ?? null,
  };
}

export function mergeContact(existing: ContactFields, incoming: NormalisedContact, policy: MergePolicy): MergeOutcome {
  if (policy === 'skip') return { action: 'skip' };
  let fields: ContactFields;
  if (policy === 'overwrite') {
    fields = newContactFields(incoming);
  } else {
    fields = { ...existing, attributes: { ...existing.attributes }, tags: [...existing.tags] };
    for (const key of SCALAR_FIELDS) {
      const value = incoming[key];
      if (value !== undefined && value !== null) fields[key] = value;
    }
    for (const [key, value] of Object.entries(incoming.attributes ?? {})) if (value !== null) fields.attributes[key] = value;
    for (const tag of incoming.tags ?? []) if (!fields.tags.includes(tag)) fields.tags.push(tag);
  }
  return finish(existing, fields);
}

/**
 * A PATCH (API, console form): given members replace ours, `null` clears, attributes set to null
 * are removed and the others merged, tags given replace ours.
 */
export function applyPatch(existing: ContactFields, patch: NormalisedContact): MergeOutcome {
  const fields: ContactFields = { ...existing, attributes: { ...existing.attributes }, tags: [...existing.tags] };
  for (const key of SCALAR_FIELDS) {
    const value = patch[key];
    if (value !== undefined) fields[key as ScalarField] = value;
  }
  for (const [key, value] of Object.entries(patch.attributes ?? {})) {
    if (value === null) delete fields.attributes[key];
    else fields.attributes[key] = value;
  }
  if (patch.tags !== undefined) fields.tags = [...patch.tags];
  return finish(existing, fields);
}

function finish(existing: ContactFields, fields: ContactFields): MergeOutcome {
  if (!fields.phone && !fields.email) {
    return { action: 'invalid', code: 'contact_identity_required', message: 'a contact needs a phone number or an email address' };
  }
  return { action: 'update', fields, changed: changedFields(existing, fields) };
}

export function changedFields(before: ContactFields, after: ContactFields): (keyof ContactFields)[] {
  const changed: (keyof ContactFields)[] = [];
  for (const key of SCALAR_FIELDS) if (before[key] !== after[key]) changed.push(key);
  if (!sameAttributes(before.attributes, after.attributes)) changed.push('attributes');
  if (before.tags.length !== after.tags.length || before.tags.some((tag, i) => after.tags[i] !== tag)) changed.push('tags');
  return changed;
}

function sameAttributes(a: Record<string, AttributeValue>, b: Record<string, AttributeValue>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
