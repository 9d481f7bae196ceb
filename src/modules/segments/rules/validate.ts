import type { FieldError } from '../../../platform/errors.ts';
import { type AttributeType, normaliseLanguage, normaliseTags } from '../../contacts/index.ts';
import {
  ACTIVITY_KINDS,
  type ActivityCondition,
  type AttributeCondition,
  CHANNELS,
  type Condition,
  CONDITION_TYPES,
  CONSENT_STATUSES,
  type ConsentCondition,
  CONTACT_FIELDS,
  type ContactField,
  type FieldCondition,
  MAX_CONDITIONS,
  MAX_DAYS,
  MAX_DEPTH,
  MAX_LIST_VALUES,
  MAX_MIN_COUNT,
  type MembershipCondition,
  OPERATORS,
  type Operator,
  type SegmentDefinition,
  type SegmentRule,
  TAG_OPERATORS,
  type TagCondition,
} from '../definition.ts';
import { isCivilDate, isInstant, boundsOf } from './dates.ts';
import { ATTRIBUTE_OPERATORS, FIELD_OPERATORS, operandOf } from './operators.ts';

/**
 * Checks a rule tree against the tenant's attribute definitions and segments, and returns it
 * normalised (tags and languages as the contacts module stores them, choices in their defined
 * spelling), or every problem with the JSON pointer of the field at fault. Pure: the caller
 * loads the catalogue.
 */

export interface AttributeInfo {
  type: AttributeType;
  choices: readonly string[] | null;
}

export interface SegmentInfo {
  kind: 'dynamic' | 'static';
  name: string;
}

export interface DefinitionContext {
  attributes: ReadonlyMap<string, AttributeInfo>;
  segments: ReadonlyMap<string, SegmentInfo>;
  /** The segment being saved: it may not contain itself. */
  selfId?: string | undefined;
}

export type ValidationResult =
  | { ok: true; definition: SegmentDefinition; conditions: number; depth: number; references: string[] }
  | { ok: false; errors: FieldError[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEXT_MAX = 500;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const quote = (value: unknown): string => {
  const text = String(value);
  return `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
};
const oneOf = (values: readonly string[]): string => values.join(', ');

export function validateDefinition(input: unknown, context: DefinitionContext, pathPrefix = '/definition'): ValidationResult {
  const errors: FieldError[] = [];
  const references = new Set<string>();
  let conditions = 0;
  let deepest = 0;
  const fail = (path: string, message: string) => {
    errors.push({ path, message });
    return undefined;
  };

  function rule(node: unknown, path: string, depth: number): SegmentRule | undefined {
    if (!isObject(node)) return fail(path, 'must be a group ({ "all": [...] } or { "any": [...] }) or a condition ({ "type": ... })');
    if ('type' in node) {
      conditions++;
      return condition(node, path);
    }
    return group(node, path, depth + 1);
  }

  function group(node: Json, path: string, depth: number): SegmentDefinition | undefined {
    deepest = Math.max(deepest, depth);
    const keys = Object.keys(node);
    const mode = keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any') ? (keys[0] as 'all' | 'any') : undefined;
    if (!mode) return fail(path, 'a group has exactly one member, "all" (AND) or "any" (OR)');
    const items = node[mode];
    if (!Array.isArray(items)) return fail(`${path}/${mode}`, 'must be an array of groups and conditions');
    if (depth > MAX_DEPTH) return fail(path, `groups nest at most ${MAX_DEPTH} levels deep`);
    if (items.length === 0 && depth > 1) return fail(`${path}/${mode}`, 'a nested group needs at least one condition');
    const out: SegmentRule[] = [];
    items.forEach((item, index) => {
      const checked = rule(item, `${path}/${mode}/${index}`, depth);
      if (checked) out.push(checked);
    });
    return mode === 'all' ? { all: out } : { any: out };
  }

  function allowOnly(node: Json, path: string, allowed: readonly string[]): boolean {
    let ok = true;
    for (const key of Object.keys(node)) {
      if (!allowed.includes(key)) {
        fail(`${path}/${key}`, 'is not a known field of this condition');
        ok = false;
      }
    }
    return ok;
  }

  function enumMember<T extends string>(node: Json, key: string, path: string, values: readonly T[], required = true): T | undefined {
    const value = node[key];
    if (value === undefined) return required ? fail(`${path}/${key}`, `is required (${oneOf(values)})`) : undefined;
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) return fail(`${path}/${key}`, `must be one of ${oneOf(values)}`);
    return value as T;
  }

  function integer(node: Json, key: string, path: string, min: number, max: number): number | undefined {
    const value = node[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return fail(`${path}/${key}`, `must be a whole number from ${min} to ${max}`);
    return value;
  }

  function stringList(node: Json, path: string, max = TEXT_MAX): string[] | undefined {
    const value = node.values;
    if (!Array.isArray(value) || value.length === 0) return fail(`${path}/values`, 'must be a non-empty list');
    if (value.length > MAX_LIST_VALUES) return fail(`${path}/values`, `at most ${MAX_LIST_VALUES} values`);
    const out: string[] = [];
    value.forEach((item, index) => {
      if (typeof item !== 'string' || !item.trim()) fail(`${path}/values/${index}`, 'must be non-empty text');
      else if (item.length > max) fail(`${path}/values/${index}`, `must be at most ${max} characters`);
      else out.push(item.trim());
    });
    return out.length === value.length ? out : undefined;
  }

  /** Refuses operands the operator does not use (a forgotten `days` on "is set" is a mistake worth saying). */
  function noExtraOperands(node: Json, path: string, op: Operator, used: readonly string[]): void {
    for (const key of ['value', 'to', 'values', 'days']) {
      if (node[key] !== undefined && !used.includes(key)) fail(`${path}/${key}`, `is not used by "${op}"`);
    }
  }

  function operandKeys(op: Operator): string[] {
    switch (operandOf(op)) {
      case 'none':
        return [];
      case 'value':
        return ['value'];
      case 'range':
        return ['value', 'to'];
      case 'values':
        return ['values'];
      case 'days':
        return ['days'];
    }
  }

  function operator(node: Json, path: string, allowed: readonly Operator[], what: string): Operator | undefined {
    const op = node.op;
    if (op === undefined) return fail(`${path}/op`, `is required (${what}: ${oneOf(allowed)})`);
    if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op)) return fail(`${path}/op`, `must be one of ${oneOf(allowed)}`);
    if (!allowed.includes(op as Operator)) return fail(`${path}/op`, `${quote(op)} does not apply to ${what} (use ${oneOf(allowed)})`);
    noExtraOperands(node, path, op as Operator, operandKeys(op as Operator));
    return op as Operator;
  }

  function days(node: Json, path: string, op: Operator): number | undefined {
    const min = op === 'more_than_days_ago' ? 0 : 1;
    return integer(node, 'days', path, min, MAX_DAYS);
  }

  function dateText(node: Json, key: 'value' | 'to', path: string, allowInstant: boolean): string | undefined {
    const value = node[key];
    if (typeof value === 'string' && (isCivilDate(value) || (allowInstant && isInstant(value)))) return value;
    return fail(`${path}/${key}`, allowInstant ? 'must be a day (YYYY-MM-DD) or an ISO 8601 instant with its offset' : 'must be a day (YYYY-MM-DD)');
  }

  function condition(node: Json, path: string): Condition | undefined {
    const type = node.type;
    if (typeof type !== 'string' || !(CONDITION_TYPES as readonly string[]).includes(type)) return fail(`${path}/type`, `must be one of ${oneOf(CONDITION_TYPES)}`);
    switch (type) {
      case 'field':
        return fieldCondition(node, path);
      case 'tag':
        return tagCondition(node, path);
      case 'attribute':
        return attributeCondition(node, path);
      case 'consent':
        return consentCondition(node, path);
      case 'activity':
        return activityCondition(node, path);
      default:
        return membershipCondition(node, path);
    }
  }

  function fieldCondition(node: Json, path: string): FieldCondition | undefined {
    if (!allowOnly(node, path, ['type', 'field', 'op', 'value', 'to', 'values', 'days'])) return undefined;
    const field = enumMember<ContactField>(node, 'field', path, CONTACT_FIELDS);
    if (!field) return undefined;
    const op = operator(node, path, FIELD_OPERATORS[field], field);
    if (!op) return undefined;
    const out: FieldCondition = { type: 'field', field, op };
    switch (operandOf(op)) {
      case 'values': {
        const values = stringList(node, path, 100);
        if (!values) return undefined;
        if (field === 'language') {
          const codes: string[] = [];
          values.forEach((value, index) => {
            const code = normaliseLanguage(value);
            if (code) codes.push(code);
            else fail(`${path}/values/${index}`, 'must be a two-letter language code (fr, en…)');
          });
          if (codes.length !== values.length) return undefined;
          out.values = [...new Set(codes)];
        } else out.values = [...new Set(values)];
        return out;
      }
      case 'value': {
        const value = dateText(node, 'value', path, op !== 'on');
        if (value === undefined) return undefined;
        out.value = value;
        return out;
      }
      case 'range': {
        const from = dateText(node, 'value', path, true);
        const to = dateText(node, 'to', path, true);
        if (from === undefined || to === undefined) return undefined;
        if (boundsOf(from).start.getTime() > boundsOf(to).start.getTime()) return fail(`${path}/to`, 'must not be before value');
        out.value = from;
        out.to = to;
        return out;
      }
      case 'days': {
        const n = days(node, path, op);
        if (n === undefined) return undefined;
        out.days = n;
        return out;
      }
      default:
        return out;
    }
  }

  function tagCondition(node: Json, path: string): TagCondition | undefined {
    if (!allowOnly(node, path, ['type', 'op', 'tags'])) return undefined;
    const op = enumMember(node, 'op', path, TAG_OPERATORS);
    const tags = node.tags;
    if (!Array.isArray(tags) || tags.length === 0) return fail(`${path}/tags`, 'must be a non-empty list of tags');
    if (tags.length > MAX_LIST_VALUES) return fail(`${path}/tags`, `at most ${MAX_LIST_VALUES} tags`);
    const bad = tags.findIndex((t) => typeof t !== 'string' || !t.trim());
    if (bad >= 0) return fail(`${path}/tags/${bad}`, 'must be a non-empty tag');
    if (!op) return undefined;
    if ((op === 'has' || op === 'has_not') && tags.length !== 1) return fail(`${path}/tags`, `"${op}" takes exactly one tag (use has_any, has_all or has_none for several)`);
    const normalised = normaliseTags(tags as string[]);
    if (normalised.problems.length > 0) return fail(`${path}/tags`, normalised.problems.join('; '));
    return { type: 'tag', op, tags: normalised.tags };
  }

  function attributeCondition(node: Json, path: string): AttributeCondition | undefined {
    if (!allowOnly(node, path, ['type', 'key', 'op', 'value', 'to', 'values', 'days'])) return undefined;
    const key = node.key;
    if (typeof key !== 'string' || !key) return fail(`${path}/key`, 'is required: the key of a contact attribute');
    const definition = context.attributes.get(key);
    if (!definition) return fail(`${path}/key`, `no attribute ${quote(key)} is defined (see /v1/contact-attributes)`);
    const op = operator(node, path, ATTRIBUTE_OPERATORS[definition.type], `a ${definition.type} attribute`);
    if (!op) return undefined;
    const out: AttributeCondition = { type: 'attribute', key, op };
    const operand = operandOf(op);
    if (operand === 'none') return out;
    if (operand === 'days') {
      const n = days(node, path, op);
      if (n === undefined) return undefined;
      out.days = n;
      return out;
    }
    switch (definition.type) {
      case 'text': {
        if (operand === 'values') {
          const values = stringList(node, path);
          if (!values) return undefined;
          out.values = [...new Set(values)];
          return out;
        }
        const value = node.value;
        if (typeof value !== 'string' || !value.trim()) return fail(`${path}/value`, 'must be non-empty text');
        if (value.length > TEXT_MAX) return fail(`${path}/value`, `must be at most ${TEXT_MAX} characters`);
        // Stored text is trimmed, so equality compares trimmed; a search keeps its spaces ("paris " is not "parisien").
        out.value = op === 'eq' || op === 'ne' ? value.trim() : value;
        return out;
      }
      case 'number': {
        const value = node.value;
        if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`${path}/value`, 'must be a number');
        out.value = value;
        if (operand === 'range') {
          const to = node.to;
          if (typeof to !== 'number' || !Number.isFinite(to)) return fail(`${path}/to`, 'must be a number');
          if (to < value) return fail(`${path}/to`, 'must not be less than value');
          out.to = to;
        }
        return out;
      }
      case 'date': {
        const value = dateText(node, 'value', path, false);
        if (value === undefined) return undefined;
        out.value = value;
        if (operand === 'range') {
          const to = dateText(node, 'to', path, false);
          if (to === undefined) return undefined;
          if (to < value) return fail(`${path}/to`, 'must not be before value');
          out.to = to;
        }
        return out;
      }
      case 'choice': {
        const values = stringList(node, path);
        if (!values) return undefined;
        const choices = definition.choices ?? [];
        const canonical: string[] = [];
        values.forEach((value, index) => {
          const found = choices.find((c) => c === value) ?? choices.find((c) => c.toLowerCase() === value.toLowerCase());
          if (found === undefined) fail(`${path}/values/${index}`, `${quote(value)} is not a choice of ${key} (${oneOf(choices)})`);
          else canonical.push(found);
        });
        if (canonical.length !== values.length) return undefined;
        out.values = [...new Set(canonical)];
        return out;
      }
      default:
        return out;
    }
  }

  function consentCondition(node: Json, path: string): ConsentCondition | undefined {
    if (!allowOnly(node, path, ['type', 'channel', 'op', 'status'])) return undefined;
    const channel = enumMember(node, 'channel', path, CHANNELS);
    const op = enumMember(node, 'op', path, ['is', 'is_not'] as const);
    const status = enumMember(node, 'status', path, CONSENT_STATUSES);
    return channel && op && status ? { type: 'consent', channel, op, status } : undefined;
  }

  function activityCondition(node: Json, path: string): ActivityCondition | undefined {
    if (!allowOnly(node, path, ['type', 'kind', 'op', 'campaignId', 'channel', 'withinDays', 'minCount'])) return undefined;
    const kind = enumMember(node, 'kind', path, ACTIVITY_KINDS);
    const op = enumMember(node, 'op', path, ['performed', 'not_performed'] as const, false) ?? 'performed';
    const out: ActivityCondition = { type: 'activity', kind: kind ?? 'received', op };
    let ok = kind !== undefined && (node.op === undefined || node.op === 'performed' || node.op === 'not_performed');
    if (node.campaignId !== undefined) {
      if (typeof node.campaignId !== 'string' || !UUID.test(node.campaignId)) ok = Boolean(fail(`${path}/campaignId`, 'must be a campaign id (uuid)'));
      else out.campaignId = node.campaignId.toLowerCase();
    }
    if (node.channel !== undefined) {
      const channel = enumMember(node, 'channel', path, CHANNELS);
      if (channel) out.channel = channel;
      else ok = false;
    }
    if (node.withinDays !== undefined) {
      const n = integer(node, 'withinDays', path, 1, MAX_DAYS);
      if (n === undefined) ok = false;
      else out.withinDays = n;
    }
    if (node.minCount !== undefined) {
      const n = integer(node, 'minCount', path, 1, MAX_MIN_COUNT);
      if (n === undefined) ok = false;
      else out.minCount = n;
    }
    return ok ? out : undefined;
  }

  function membershipCondition(node: Json, path: string): MembershipCondition | undefined {
    if (!allowOnly(node, path, ['type', 'op', 'segmentId'])) return undefined;
    const op = enumMember(node, 'op', path, ['in', 'not_in'] as const);
    const id = node.segmentId;
    if (typeof id !== 'string' || !UUID.test(id)) return fail(`${path}/segmentId`, 'must be a segment id (uuid)');
    const segmentId = id.toLowerCase();
    if (context.selfId && segmentId === context.selfId.toLowerCase()) return fail(`${path}/segmentId`, 'a segment cannot contain itself');
    if (!context.segments.has(segmentId)) return fail(`${path}/segmentId`, `no segment or list ${quote(id)} in this account`);
    if (!op) return undefined;
    references.add(segmentId);
    return { type: 'segment', op, segmentId };
  }

  if (!isObject(input) || 'type' in input) {
    return { ok: false, errors: [{ path: pathPrefix || '/', message: 'must be a group: { "all": [...] } or { "any": [...] }' }] };
  }
  const definition = group(input, pathPrefix, 1);
  if (conditions > MAX_CONDITIONS) errors.push({ path: pathPrefix || '/', message: `at most ${MAX_CONDITIONS} conditions in one segment (this one has ${conditions})` });
  if (errors.length > 0 || !definition) return { ok: false, errors };
  return { ok: true, definition, conditions, depth: deepest, references: [...references] };
}
