/**
 * WhatsApp message templates: what Meta accepts for review, checked before we submit (so the
 * client gets a field pointer instead of Meta's generic "Invalid parameter"), and what Meta's
 * status events mean for the registry. Pure: no I/O.
 */

export const TEMPLATE_STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];
export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/** Meta's rule: lowercase letters, digits and underscores, at most 512 characters. */
export const TEMPLATE_NAME_PATTERN = '^[a-z0-9_]{1,512}$';
/** Meta's language codes: `fr`, `en`, `en_US`, `pt_BR`, `zh_CN`… */
export const TEMPLATE_LANGUAGE_PATTERN = '^[a-z]{2,3}(_[A-Z]{2})?$';

export const TEMPLATE_LIMITS = { body: 1024, header: 60, footer: 60, buttons: 10, buttonText: 25, url: 2000 } as const;

export interface TemplateButtonInput {
  type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER';
  text: string;
  url?: string | undefined;
  phone_number?: string | undefined;
}

export interface TemplateComponentInput {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';
  format?: 'TEXT' | undefined;
  text?: string | undefined;
  example?: { header_text?: string[] | undefined; body_text?: string[][] | undefined } | undefined;
  buttons?: TemplateButtonInput[] | undefined;
}

export interface TemplateDefinitionInput {
  name: string;
  language: string;
  category: string;
  components: TemplateComponentInput[];
}

export interface TemplateProblem {
  /** JSON pointer into the request body. */
  path: string;
  message: string;
}

const ORDER: Record<TemplateComponentInput['type'], number> = { HEADER: 0, BODY: 1, FOOTER: 2, BUTTONS: 3 };

/** The `{{…}}` placeholders of a text, in order of appearance (`{{ 1 }}` counts as `1`). */
export function templateVariables(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)].map((m) => m[1] as string);
}

/**
 * Positional variables must be `{{1}}`, `{{2}}`… with no gap (repeats allowed), and Meta refuses
 * a body that starts or ends with one. Returns the number of distinct variables, or a problem.
 */
export function checkVariables(text: string, options: { edges: boolean; max?: number }): { count: number } | { problem: string } {
  const names = templateVariables(text);
  const bad = names.find((n) => !/^[1-9]\d*$/.test(n));
  if (bad !== undefined) return { problem: `variables are numbered: {{1}}, {{2}}… ("{{${bad}}}" is not)` };
  const numbers = [...new Set(names.map(Number))].sort((a, b) => a - b);
  if (numbers.some((n, i) => n !== i + 1)) return { problem: `variables must be numbered from {{1}} without a gap (found ${numbers.map((n) => `{{${n}}}`).join(', ')})` };
  if (options.max !== undefined && numbers.length > options.max) return { problem: `at most ${options.max} variable${options.max === 1 ? '' : 's'} here` };
  if (options.edges && numbers.length) {
    const trimmed = text.trim();
    if (/^\{\{[^{}]*\}\}/.test(trimmed) || /\{\{[^{}]*\}\}$/.test(trimmed)) return { problem: 'a variable cannot start or end the text (Meta refuses it): add words around it' };
  }
  return { count: numbers.length };
}

/**
 * Everything Meta would refuse in a template definition, with the field it concerns. The
 * request schema has already checked the shapes (types, name and language patterns, lengths).
 */
export function checkTemplateDefinition(input: TemplateDefinitionInput): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (!new RegExp(TEMPLATE_NAME_PATTERN).test(input.name)) add('/name', 'lowercase letters, digits and underscores only, at most 512 characters');
  if (!new RegExp(TEMPLATE_LANGUAGE_PATTERN).test(input.language)) add('/language', 'a language code such as fr, en or en_US');
  if (!(TEMPLATE_CATEGORIES as readonly string[]).includes(input.category)) add('/category', `one of ${TEMPLATE_CATEGORIES.join(', ')}`);

  const seen = new Set<string>();
  let lastOrder = -1;
  input.components.forEach((component, index) => {
    const at = `/components/${index}`;
    if (seen.has(component.type)) add(`${at}/type`, `only one ${component.type} component`);
    seen.add(component.type);
    const order = ORDER[component.type];
    if (order < lastOrder) add(`${at}/type`, 'components go in this order: HEADER, BODY, FOOTER, BUTTONS');
    lastOrder = Math.max(lastOrder, order);
    const text = component.text ?? '';
    switch (component.type) {
      case 'HEADER': {
        if ((component.format ?? 'TEXT') !== 'TEXT') add(`${at}/format`, 'only TEXT headers are supported');
        if (!text.trim()) add(`${at}/text`, 'a text header needs text');
        else if (text.length > TEMPLATE_LIMITS.header) add(`${at}/text`, `at most ${TEMPLATE_LIMITS.header} characters`);
        const vars = checkVariables(text, { edges: false, max: 1 });
        if ('problem' in vars) add(`${at}/text`, vars.problem);
        else checkExamples(component.example?.header_text, vars.count, `${at}/example/header_text`, add);
        break;
      }
      case 'BODY': {
        if (!text.trim()) add(`${at}/text`, 'the body needs text');
        else if (text.length > TEMPLATE_LIMITS.body) add(`${at}/text`, `at most ${TEMPLATE_LIMITS.body} characters`);
        const vars = checkVariables(text, { edges: true });
        if ('problem' in vars) add(`${at}/text`, vars.problem);
        else checkExamples(component.example?.body_text?.[0], vars.count, `${at}/example/body_text/0`, add);
        break;
      }
      case 'FOOTER': {
        if (!text.trim()) add(`${at}/text`, 'a footer needs text');
        else if (text.length > TEMPLATE_LIMITS.footer) add(`${at}/text`, `at most ${TEMPLATE_LIMITS.footer} characters`);
        if (templateVariables(text).length) add(`${at}/text`, 'a footer cannot have variables');
        break;
      }
      case 'BUTTONS': {
        const buttons = component.buttons ?? [];
        if (!buttons.length) add(`${at}/buttons`, 'give at least one button, or leave the component out');
        if (buttons.length > TEMPLATE_LIMITS.buttons) add(`${at}/buttons`, `at most ${TEMPLATE_LIMITS.buttons} buttons`);
        buttons.forEach((button, b) => {
          const bt = `${at}/buttons/${b}`;
          if (!button.text.trim()) add(`${bt}/text`, 'a button needs a label');
          else if (button.text.length > TEMPLATE_LIMITS.buttonText) add(`${bt}/text`, `at most ${TEMPLATE_LIMITS.buttonText} characters`);
          if (button.type === 'URL' && !/^https?:\/\/[^\s]+$/.test(button.url ?? '')) add(`${bt}/url`, 'an http(s) address');
          if (button.type === 'PHONE_NUMBER' && !/^\+[1-9]\d{6,14}$/.test(button.phone_number ?? '')) add(`${bt}/phone_number`, 'a phone number in international format, e.g. +33123456789');
        });
        break;
      }
    }
  });
  if (!seen.has('BODY')) add('/components', 'a template needs a BODY component');
  return problems;
}

function checkExamples(examples: string[] | undefined, count: number, path: string, add: (path: string, message: string) => void): void {
  // Meta reviews a template with variables only with an example value for each.
  if (count === 0) {
    if (examples?.length) add(path, 'no variables here: remove the examples');
    return;
  }
  if (!examples || examples.length !== count) add(path, `give ${count} example value${count === 1 ? '' : 's'}, one per variable`);
  else examples.forEach((value, i) => {
    if (!value.trim()) add(`${path}/${i}`, 'an example cannot be empty');
  });
}

/**
 * What a `message_template_status_update` event does to the registry. Statuses SOFY keeps are the
 * five the send path understands; other events change nothing (`FLAGGED` is a warning, `LOCKED`
 * concerns editing) or remove the row (the template is gone at Meta).
 */
export type TemplateEventEffect = { kind: 'status'; status: TemplateStatus } | { kind: 'removed' } | { kind: 'ignored' };

export function templateEventEffect(event: string): TemplateEventEffect {
  switch (event.toUpperCase()) {
    case 'APPROVED':
    case 'REINSTATED':
    case 'UNARCHIVED':
      return { kind: 'status', status: 'APPROVED' };
    case 'PENDING':
    case 'IN_APPEAL': // under review again: not sendable until approved
      return { kind: 'status', status: 'PENDING' };
    case 'REJECTED':
      return { kind: 'status', status: 'REJECTED' };
    case 'PAUSED':
      return { kind: 'status', status: 'PAUSED' };
    case 'DISABLED':
    case 'ARCHIVED': // archived templates cannot be sent; unarchiving brings them back
      return { kind: 'status', status: 'DISABLED' };
    case 'DELETED':
    case 'PENDING_DELETION':
      return { kind: 'removed' };
    default:
      return { kind: 'ignored' };
  }
}

/** A Meta status as listed by the API (a sync), mapped like the webhook events. */
export function templateStatusFromMeta(status: string): TemplateStatus | 'removed' | undefined {
  const effect = templateEventEffect(status);
  return effect.kind === 'status' ? effect.status : effect.kind === 'removed' ? 'removed' : undefined;
}

/** The rejection reason worth keeping: Meta sends `NONE` when there is none. */
export function rejectionReasonOf(status: TemplateStatus, reason: string | null | undefined): string | null {
  if (status !== 'REJECTED') return null;
  return reason && reason !== 'NONE' ? reason : 'UNKNOWN';
}
