/**
 * Campaign templates: merge fields with fallbacks, rendered per contact.
 *
 *   {{firstName|Client}}       the contact's first name, "Client" when it has none
 *   {{attributes.city|}}       a custom attribute, empty when absent
 *   {{link:https://…}}         a tracked short link: /r/{token}{n}, one token per recipient
 *   {{unsubscribe}}            email only: the one-click unsubscribe link (R-OPTOUT, RFC 8058)
 *
 * A field without `|` renders empty when the contact has no value. Spaces inside the braces are
 * ignored (`{{ firstName | Client }}`). Anything else between `{{` and `}}` is an error the editor
 * shows with its position, never sent as is.
 */

export const CONTACT_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'language', 'pointOfSale', 'externalId'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

/** What a template reads of a contact. */
export interface MergeContact {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  language?: string | null;
  pointOfSale?: string | null;
  externalId?: string | null;
  attributes?: Record<string, unknown> | null;
}

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'field'; field: ContactField; fallback: string | null }
  | { kind: 'attribute'; key: string; fallback: string | null }
  | { kind: 'link'; url: string }
  | { kind: 'unsubscribe' };

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** True when the text depends on the contact (fields or attributes), not only on links. */
  personalised: boolean;
  /** Target URLs of the link fields, in order of appearance (duplicates kept). */
  links: string[];
  hasUnsubscribe: boolean;
}

export interface TemplateProblem {
  /** Offset of the `{{` in the text. */
  at: number;
  message: string;
}

const FIELD = /\{\{([\s\S]*?)\}\}/g;
const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,39}$/;
/** Reserved by the fan-out for link placeholders: never accepted from a template. */
export const LINK_MARKER = '\uE000';

export function parseTemplate(text: string): { template: ParsedTemplate; problems: TemplateProblem[] } {
  const parts: TemplatePart[] = [];
  const problems: TemplateProblem[] = [];
  const links: string[] = [];
  let personalised = false;
  let hasUnsubscribe = false;
  let last = 0;
  if (text.includes(LINK_MARKER)) problems.push({ at: text.indexOf(LINK_MARKER), message: 'the character U+E000 is reserved' });
  for (const match of text.matchAll(FIELD)) {
    const at = match.index ?? 0;
    if (at > last) parts.push({ kind: 'text', text: text.slice(last, at) });
    last = at + match[0].length;
    const inner = (match[1] ?? '').trim();
    if (inner.startsWith('link:')) {
      const url = inner.slice(5).trim();
      if (!isHttpUrl(url)) problems.push({ at, message: `"${url}" is not an http(s) address` });
      else {
        parts.push({ kind: 'link', url });
        links.push(url);
      }
      continue;
    }
    if (inner === 'unsubscribe') {
      parts.push({ kind: 'unsubscribe' });
      hasUnsubscribe = true;
      continue;
    }
    const bar = inner.indexOf('|');
    const name = (bar === -1 ? inner : inner.slice(0, bar)).trim();
    const fallback = bar === -1 ? null : inner.slice(bar + 1).trim();
    if (name.startsWith('attributes.')) {
      const key = name.slice('attributes.'.length);
      if (!ATTRIBUTE_KEY.test(key)) problems.push({ at, message: `"${key}" is not an attribute key (lower case letters, digits, _)` });
      else {
        parts.push({ kind: 'attribute', key, fallback });
        personalised = true;
      }
      continue;
    }
    if ((CONTACT_FIELDS as readonly string[]).includes(name)) {
      parts.push({ kind: 'field', field: name as ContactField, fallback });
      personalised = true;
      continue;
    }
    problems.push({ at, message: `unknown merge field "${name}" (use ${CONTACT_FIELDS.join(', ')}, attributes.<key>, link:<url> or unsubscribe)` });
  }
  // A lone "{{" or "}}" is most likely a typo: the contact would receive it verbatim.
  const rest = text.slice(last);
  const stray = rest.search(/\{\{|\}\}/);
  if (stray !== -1) problems.push({ at: last + stray, message: 'unbalanced {{ or }}' });
  if (rest) parts.push({ kind: 'text', text: rest });
  return { template: { parts, personalised, links, hasUnsubscribe }, problems };
}

function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value) || /\s/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** How the render writes links and the unsubscribe URL (the caller knows tokens and hosts). */
export interface RenderLinks {
  /** The short link of the `index`-th link of the campaign (its position in the campaign's list). */
  link(index: number, url: string): string;
  unsubscribe(): string;
}

/**
 * The text for one contact. `linkIndex` maps a link's URL to its index in the campaign's list of
 * links (several variants share one list).
 */
export function renderTemplate(
  template: ParsedTemplate,
  contact: MergeContact,
  links: RenderLinks,
  linkIndex: (url: string) => number,
  /** Applied to the contact's values (and fallbacks), e.g. HTML escaping for an email body. */
  escapeValue: (value: string) => string = (value) => value,
): string {
  let out = '';
  for (const part of template.parts) {
    switch (part.kind) {
      case 'text':
        out += part.text;
        break;
      case 'field':
        out += escapeValue(valueOr(contact[part.field], part.fallback));
        break;
      case 'attribute':
        out += escapeValue(valueOr(contact.attributes?.[part.key], part.fallback));
        break;
      case 'link':
        out += links.link(linkIndex(part.url), part.url);
        break;
      case 'unsubscribe':
        out += links.unsubscribe();
        break;
    }
  }
  return out;
}

function valueOr(value: unknown, fallback: string | null): string {
  if (value === null || value === undefined) return fallback ?? '';
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  return text === '' ? (fallback ?? '') : text;
}

/** The contact columns a set of templates reads (the fan-out selects only those). */
export function fieldsRead(templates: readonly ParsedTemplate[]): { fields: Set<ContactField>; attributes: boolean } {
  const fields = new Set<ContactField>();
  let attributes = false;
  for (const template of templates) {
    for (const part of template.parts) {
      if (part.kind === 'field') fields.add(part.field);
      if (part.kind === 'attribute') attributes = true;
    }
  }
  return { fields, attributes };
}

/**
 * Link tokens: 8 characters of the URL-safe base 64 alphabet (48 random bits). Every character is
 * in the GSM 03.38 basic table (1 septet: `-` and `_` included), so any token costs the same
 * length in an SMS: one text analysed with a sample token is analysed for all (R-ENCODING).
 */
export const LINK_TOKEN_LENGTH = 8;
const TOKEN = /^[A-Za-z0-9_-]{8}$/;

/** `{base}/r/{token}{index}`: the index in base 36, so up to 36 links fit in one character. */
export const MAX_LINKS = 36;

export function shortLink(base: string, token: string, index: number): string {
  return `${base.replace(/\/+$/, '')}/r/${token}${index.toString(36)}`;
}

/** `{token}{index}` from the path of a short link, or null when it is none. */
export function parseShortCode(code: string): { token: string; index: number } | null {
  if (code.length !== LINK_TOKEN_LENGTH + 1) return null;
  const token = code.slice(0, LINK_TOKEN_LENGTH);
  const index = Number.parseInt(code.slice(LINK_TOKEN_LENGTH), 36);
  if (!TOKEN.test(token) || !Number.isInteger(index)) return null;
  return { token, index };
}

export const isLinkToken = (value: string): boolean => TOKEN.test(value);

/** HTML text escaping, for merge values written into an email body. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
