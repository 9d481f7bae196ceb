import type { ContactInput } from '../../rules.ts';
import { looksLikeEmail, looksLikePhone } from './detect.ts';

/**
 * Which column of the file feeds which contact field. Column names are the ones the preview
 * gives (unique, never empty: detect.ts columnNames). Suggestions come from the header, in
 * French and English, and, for a file without header, from what the cells look like.
 */

export const SIMPLE_TARGETS = ['phone', 'email', 'firstName', 'lastName', 'language', 'tag', 'pointOfSale', 'externalId', 'ignore'] as const;
export type SimpleTarget = (typeof SIMPLE_TARGETS)[number];
/** `attribute:<key>`: a custom field defined for the tenant (contact_attribute_definitions). */
export type MappingTarget = SimpleTarget | `attribute:${string}`;
export type ImportMapping = Record<string, MappingTarget>;

const ATTRIBUTE_TARGET = /^attribute:([a-z][a-z0-9_]{0,39})$/;

export function attributeKeyOf(target: string): string | null {
  return ATTRIBUTE_TARGET.exec(target)?.[1] ?? null;
}

export function isMappingTarget(target: string): target is MappingTarget {
  return (SIMPLE_TARGETS as readonly string[]).includes(target) || attributeKeyOf(target) !== null;
}

/** Lower case, no accents, letters and digits only: `Téléphone portable` → `telephoneportable`. */
export function headerKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const HEADER_SYNONYMS: ReadonlyArray<readonly [SimpleTarget, readonly string[]]> = [
  ['phone', ['telephone', 'tel', 'phone', 'mobile', 'portable', 'gsm', 'cellulaire', 'cell', 'cellphone', 'mobilephone', 'phonenumber', 'telephonemobile', 'telephoneportable', 'telmobile', 'telportable', 'numerodetelephone', 'numerotelephone', 'numeromobile', 'numeroportable', 'msisdn', 'sms']],
  ['email', ['email', 'mail', 'courriel', 'emailaddress', 'adresseemail', 'adressemail', 'adressecourriel', 'adresseelectronique', 'mel']],
  ['firstName', ['prenom', 'firstname', 'givenname', 'first', 'forename']],
  ['lastName', ['nom', 'nomdefamille', 'lastname', 'surname', 'familyname', 'last', 'nomfamille']],
  ['language', ['langue', 'language', 'lang', 'locale', 'languepreferee']],
  ['tag', ['tag', 'tags', 'etiquette', 'etiquettes', 'label', 'labels', 'groupe', 'groupes', 'liste', 'listes']],
  ['pointOfSale', ['magasin', 'boutique', 'pointdevente', 'pdv', 'store', 'shop', 'agence', 'pos', 'pointofsale', 'magasinprefere', 'preferredstore', 'etablissement', 'site']],
  ['externalId', ['id', 'identifiant', 'externalid', 'customerid', 'clientid', 'idclient', 'numeroclient', 'numclient', 'nclient', 'noclient', 'refclient', 'referenceclient', 'codeclient', 'cartefidelite', 'numerocarte', 'loyaltycard', 'crmid']],
];

const SYNONYM_TARGET = new Map<string, SimpleTarget>(HEADER_SYNONYMS.flatMap(([target, names]) => names.map((name) => [name, target] as const)));

/**
 * A suggested mapping: header synonyms first, then attribute keys or labels the tenant defined,
 * then (headerless files) the look of the sample cells. Each target but `tag` is suggested once.
 */
export function suggestMapping(
  columns: readonly string[],
  options: { hasHeader: boolean; sample?: readonly (readonly string[])[]; attributes?: ReadonlyArray<{ key: string; label: string }> },
): ImportMapping {
  const mapping: ImportMapping = {};
  const used = new Set<string>();
  const take = (column: string, target: MappingTarget) => {
    if (target !== 'tag' && used.has(target)) return false;
    used.add(target);
    mapping[column] = target;
    return true;
  };
  const attributeByKey = new Map((options.attributes ?? []).flatMap((a) => [[headerKey(a.key), a.key] as const, [headerKey(a.label), a.key] as const]));
  columns.forEach((column, index) => {
    if (options.hasHeader) {
      const key = headerKey(column);
      const target = SYNONYM_TARGET.get(key);
      if (target && take(column, target)) return;
      const attribute = attributeByKey.get(key);
      if (attribute && take(column, `attribute:${attribute}`)) return;
    }
    const cells = (options.sample ?? []).map((row) => row[index] ?? '').filter((cell) => cell.trim() !== '');
    if (cells.length > 0 && cells.every(looksLikeEmail) && take(column, 'email')) return;
    if (cells.length > 0 && cells.filter(looksLikePhone).length >= cells.length * 0.8 && take(column, 'phone')) return;
    mapping[column] = 'ignore';
  });
  return mapping;
}

export interface MappingProblem {
  column: string | null;
  message: string;
}

/** A mapping the import can run: known columns and targets, one column per field (tags aside), a phone or an email. */
export function mappingProblems(mapping: ImportMapping, columns: readonly string[], definedAttributes: ReadonlySet<string>): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const seen = new Map<string, string>();
  for (const [column, target] of Object.entries(mapping)) {
    if (!columns.includes(column)) {
      problems.push({ column, message: `the file has no column "${column}"` });
      continue;
    }
    if (!isMappingTarget(target)) {
      problems.push({ column, message: `"${target}" is not a contact field (phone, email, firstName, lastName, language, tag, pointOfSale, externalId, attribute:<key>, ignore)` });
      continue;
    }
    const attribute = attributeKeyOf(target);
    if (attribute !== null && !definedAttributes.has(attribute)) {
      problems.push({ column, message: `no attribute "${attribute}" is defined: create it first (contact attributes)` });
      continue;
    }
    if (target === 'ignore' || target === 'tag') continue;
    const other = seen.get(target);
    if (other !== undefined) problems.push({ column, message: `"${target}" is already fed by column "${other}"` });
    else seen.set(target, column);
  }
  if (!seen.has('phone') && !seen.has('email')) problems.push({ column: null, message: 'map a column to phone or email: a contact needs one of them' });
  return problems;
}

/** The mapping as column positions, computed once per import (the hot loop indexes arrays). */
export interface CompiledMapping {
  columns: number;
  fields: Array<{ index: number; target: Exclude<SimpleTarget, 'tag' | 'ignore'> }>;
  tags: number[];
  attributes: Array<{ index: number; key: string }>;
}

export function compileMapping(mapping: ImportMapping, columns: readonly string[]): CompiledMapping {
  const compiled: CompiledMapping = { columns: columns.length, fields: [], tags: [], attributes: [] };
  columns.forEach((column, index) => {
    const target = mapping[column];
    if (target === undefined || target === 'ignore') return;
    if (target === 'tag') compiled.tags.push(index);
    else {
      const key = attributeKeyOf(target);
      if (key !== null) compiled.attributes.push({ index, key });
      else compiled.fields.push({ index, target: target as CompiledMapping['fields'][number]['target'] });
    }
  });
  return compiled;
}

/** Several tags in one cell: `vip, newsletter` or `vip|newsletter`. */
const TAG_SEPARATORS = /[,;|]/;

/**
 * One row's cells as a contact input (normaliseContactInput does the cleaning). An empty cell
 * gives nothing (not "clear"): under the `update` policy it keeps what the contact has.
 */
export function rowToContactInput(cells: readonly string[], mapping: CompiledMapping): ContactInput {
  const input: ContactInput = {};
  for (const { index, target } of mapping.fields) {
    const value = cells[index];
    if (value !== undefined && value.trim() !== '') input[target] = value;
  }
  if (mapping.tags.length > 0) {
    const tags: string[] = [];
    for (const index of mapping.tags) {
      const value = cells[index];
      if (value) for (const tag of value.split(TAG_SEPARATORS)) if (tag.trim()) tags.push(tag);
    }
    if (tags.length > 0) input.tags = tags;
  }
  if (mapping.attributes.length > 0) {
    const attributes: Record<string, unknown> = {};
    let any = false;
    for (const { index, key } of mapping.attributes) {
      const value = cells[index];
      if (value !== undefined && value.trim() !== '') {
        attributes[key] = value;
        any = true;
      }
    }
    if (any) input.attributes = attributes;
  }
  return input;
}
