import type { AttributeType } from '../../contacts/index.ts';
import type { ContactField, Operator } from '../definition.ts';

/**
 * Which operators fit which field or attribute type (the attribute type decides: "contains" on a
 * number, or "greater than" on a choice, is refused with the list of what fits), and what operand
 * each operator takes. The console builds its pickers from the same tables (GET /v1/segments/catalogue).
 */

export const ATTRIBUTE_OPERATORS: Record<AttributeType, readonly Operator[]> = {
  text: ['eq', 'ne', 'contains', 'not_contains', 'starts_with', 'in', 'not_in', 'is_set', 'is_not_set'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'is_set', 'is_not_set'],
  date: ['on', 'before', 'after', 'between', 'within_last_days', 'within_next_days', 'more_than_days_ago', 'is_set', 'is_not_set'],
  boolean: ['is_true', 'is_false', 'is_set', 'is_not_set'],
  choice: ['in', 'not_in', 'is_set', 'is_not_set'],
};

const TIMESTAMP_OPERATORS: readonly Operator[] = ['on', 'before', 'after', 'between', 'within_last_days', 'more_than_days_ago'];

export const FIELD_OPERATORS: Record<ContactField, readonly Operator[]> = {
  language: ['in', 'not_in', 'is_set', 'is_not_set'],
  point_of_sale: ['in', 'not_in', 'is_set', 'is_not_set'],
  phone: ['is_set', 'is_not_set'],
  email: ['is_set', 'is_not_set'],
  created_at: TIMESTAMP_OPERATORS,
  updated_at: TIMESTAMP_OPERATORS,
  last_activity_at: [...TIMESTAMP_OPERATORS, 'is_set', 'is_not_set'],
};

/** Contact fields that hold an instant (compared as Europe/Paris days or relative to now). */
export const TIMESTAMP_FIELDS: readonly ContactField[] = ['created_at', 'updated_at', 'last_activity_at'];

/** The operand an operator needs: nothing, `value`, `value` and `to`, `values` (a list) or `days`. */
export type Operand = 'none' | 'value' | 'range' | 'values' | 'days';

export function operandOf(op: Operator): Operand {
  switch (op) {
    case 'is_set':
    case 'is_not_set':
    case 'is_true':
    case 'is_false':
      return 'none';
    case 'in':
    case 'not_in':
      return 'values';
    case 'between':
      return 'range';
    case 'within_last_days':
    case 'within_next_days':
    case 'more_than_days_ago':
      return 'days';
    default:
      return 'value';
  }
}

/**
 * Negative operators match the complement of their positive: a contact without the attribute
 * (or field) is "not Paris", "not in the list", "does not contain".
 */
export const NEGATIVE_OPERATORS: ReadonlySet<Operator> = new Set<Operator>(['ne', 'not_in', 'not_contains']);
