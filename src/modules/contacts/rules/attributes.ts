/**
 * Typed custom fields of contacts (issue 4): a tenant defines keys with a type, values are
 * checked and stored in that type so segments can compare them (numbers as numbers, dates as
 * ISO `YYYY-MM-DD`). Imports bring text, so the French spellings found in spreadsheets are read
 * too ("12,5", "25/12/2024", "oui").
 */

export const ATTRIBUTE_TYPES = ['text', 'number', 'date', 'boolean', 'choice'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export interface AttributeDefinition {
  key: string;
  label: string;
  type: AttributeType;
  choices: readonly string[] | null;
}

export type AttributeValue = string | number | boolean;

export const ATTRIBUTE_KEY_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
export const ATTRIBUTE_TEXT_MAX = 500;
export const ATTRIBUTE_CHOICES_MAX = 100;

export type AttributeResult = { ok: true; value: AttributeValue } | { ok: false; message: string };

/** A definition's own shape (key, type, choices), before it is stored. Returns the problems. */
export function attributeDefinitionProblems(input: { key: string; label: string; type: string; choices?: readonly string[] | null | undefined }): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (!ATTRIBUTE_KEY_PATTERN.test(input.key)) problems.push({ path: '/key', message: 'must start with a letter and hold only a-z, 0-9 and _ (at most 40)' });
  if (!input.label.trim()) problems.push({ path: '/label', message: 'must not be empty' });
  if (!(ATTRIBUTE_TYPES as readonly string[]).includes(input.type)) problems.push({ path: '/type', message: `must be one of ${ATTRIBUTE_TYPES.join(', ')}` });
  if (input.type === 'choice') {
    const choices = (input.choices ?? []).map((c) => c.trim());
    if (choices.length === 0) problems.push({ path: '/choices', message: 'a choice attribute needs at least one choice' });
    if (choices.length > ATTRIBUTE_CHOICES_MAX) problems.push({ path: '/choices', message: `at most ${ATTRIBUTE_CHOICES_MAX} choices` });
    if (choices.some((c) => !c)) problems.push({ path: '/choices', message: 'choices must not be empty' });
    if (new Set(choices).size !== choices.length) problems.push({ path: '/choices', message: 'choices must be distinct' });
  } else if (input.choices && input.choices.length > 0) {
    problems.push({ path: '/choices', message: 'only a choice attribute has choices' });
  }
  return problems;
}

/** Checks one value against its definition and returns it in its stored type. */
export function coerceAttributeValue(definition: AttributeDefinition, raw: unknown): AttributeResult {
  switch (definition.type) {
    case 'text': {
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return { ok: false, message: 'must be text' };
      const text = String(raw).trim();
      if (text.length > ATTRIBUTE_TEXT_MAX) return { ok: false, message: `must be at most ${ATTRIBUTE_TEXT_MAX} characters` };
      return { ok: true, value: text };
    }
    case 'number': {
      if (typeof raw === 'number') return Number.isFinite(raw) ? { ok: true, value: raw } : { ok: false, message: 'must be a finite number' };
      if (typeof raw === 'string') {
        // "1 234,5" (French) and "1234.5" both read; a thousands separator is a space only, since "1,234" is ambiguous.
        const text = raw.trim().replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
        if (/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
          const value = Number(text);
          if (Number.isFinite(value)) return { ok: true, value };
        }
      }
      return { ok: false, message: 'must be a number' };
    }
    case 'date': {
      if (typeof raw !== 'string') return { ok: false, message: 'must be a date (YYYY-MM-DD)' };
      const iso = parseCivilDate(raw.trim());
      return iso ? { ok: true, value: iso } : { ok: false, message: 'must be a date (YYYY-MM-DD or DD/MM/YYYY)' };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim().toLowerCase() : '';
      if (['true', 'yes', 'oui', '1', 'vrai', 'o', 'y'].includes(text)) return { ok: true, value: true };
      if (['false', 'no', 'non', '0', 'faux', 'n'].includes(text)) return { ok: true, value: false };
      return { ok: false, message: 'must be true or false' };
    }
    case 'choice': {
      if (typeof raw !== 'string') return { ok: false, message: 'must be one of the choices' };
      const text = raw.trim();
      const choices = definition.choices ?? [];
      // Exact first, then case-insensitively, so a spreadsheet's "gold" finds the choice "Gold".
      const found = choices.find((c) => c === text) ?? choices.find((c) => c.toLowerCase() === text.toLowerCase());
      return found === undefined ? { ok: false, message: `must be one of: ${choices.join(', ')}` } : { ok: true, value: found };
    }
  }
}

/** `YYYY-MM-DD`, or the French `DD/MM/YYYY` (also with - or .), to ISO; null when no such day exists. */
export function parseCivilDate(text: string): string | null {
  let year: number;
  let month: number;
  let day: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match) {
    year = Number(match[1]);
    month = Number(match[2]);
    day = Number(match[3]);
  } else {
    match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
    if (!match) return null;
    day = Number(match[1]);
    month = Number(match[2]);
    year = Number(match[3]);
  }
  if (month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Checks a set of attribute values against the tenant's definitions. `null` (or an empty string)
 * means "remove this attribute" and is kept as null; an unknown key is an error, so a typo in an
 * API call or an import mapping never creates a field nobody can segment on.
 */
export function validateAttributes(
  input: Record<string, unknown>,
  definitions: ReadonlyMap<string, AttributeDefinition>,
  pathPrefix = '/attributes',
): { values: Record<string, AttributeValue | null>; errors: { path: string; message: string }[] } {
  const values: Record<string, AttributeValue | null> = {};
  const errors: { path: string; message: string }[] = [];
  for (const [key, raw] of Object.entries(input)) {
    const definition = definitions.get(key);
    if (!definition) {
      errors.push({ path: `${pathPrefix}/${key}`, message: `no attribute "${key}" is defined (see /v1/contact-attributes)` });
      continue;
    }
    if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) {
      values[key] = null;
      continue;
    }
    const result = coerceAttributeValue(definition, raw);
    if (result.ok) values[key] = result.value;
    else errors.push({ path: `${pathPrefix}/${key}`, message: result.message });
  }
  return { values, errors };
}
