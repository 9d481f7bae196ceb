import { abProblems, type WinnerRule } from './ab.ts';
import { MAX_LINKS, type ParsedTemplate, parseTemplate } from './template.ts';

/** What a campaign sends, per channel, with its A/B variants (one variant: no test). */
export type CampaignChannel = 'sms' | 'rcs' | 'email';

export interface Suggestion {
  type: 'reply' | 'url' | 'dial';
  text: string;
  postbackData?: string | undefined;
  url?: string | undefined;
  phoneNumber?: string | undefined;
}

export interface CampaignVariant {
  key: string;
  /** Percent of the audience (A/B); ignored with one variant. */
  split: number;
  /** SMS and RCS text; email plain-text part. */
  text?: string | undefined;
  /** Email. */
  subject?: string | undefined;
  html?: string | undefined;
  /** RCS suggested replies and actions. */
  suggestions?: Suggestion[] | undefined;
}

export interface CampaignContent {
  /** SMS sender ID or number; email From. Null: the tenant's default. */
  sender?: string | null | undefined;
  variants: CampaignVariant[];
  /** RCS: send as SMS to handsets without RCS (to contacts who also consented to SMS). Default true. */
  smsFallback?: boolean | undefined;
}

export interface CompiledVariant {
  key: string;
  split: number;
  text: ParsedTemplate | null;
  subject: ParsedTemplate | null;
  html: ParsedTemplate | null;
  suggestions: Suggestion[] | undefined;
}

export interface CompiledContent {
  variants: CompiledVariant[];
  /** Every link target of every variant, without duplicates: the index in `/r/{token}{index}`. */
  links: string[];
  /** Some template reads the contact (fields, attributes): texts are rendered per contact. */
  personalised: boolean;
  /** Some template has a tracked link (each recipient gets a token). */
  tracked: boolean;
}

/** The campaign's templates parsed, with every problem found, as [path, message] pairs. */
export function compileContent(channel: CampaignChannel, content: CampaignContent, winner: WinnerRule | null): { compiled: CompiledContent; problems: Array<[string, string]> } {
  const problems: Array<[string, string]> = [...abProblems(content.variants, winner)];
  const links: string[] = [];
  let personalised = false;
  const parse = (text: string | undefined, path: string): ParsedTemplate | null => {
    if (text === undefined) return null;
    const { template, problems: found } = parseTemplate(text);
    for (const problem of found) problems.push([path, `${problem.message} (at character ${problem.at + 1})`]);
    if (template.personalised) personalised = true;
    for (const url of template.links) if (!links.includes(url)) links.push(url);
    if (template.hasUnsubscribe && channel !== 'email') problems.push([path, '{{unsubscribe}} is for email; SMS carry the STOP mention (R-STOP)']);
    return template;
  };
  const variants = content.variants.map((variant, index): CompiledVariant => {
    const at = `/content/variants/${index}`;
    if (channel === 'email') {
      if (!variant.subject?.trim()) problems.push([`${at}/subject`, 'an email needs a subject']);
      if (!variant.html?.trim() && !variant.text?.trim()) problems.push([`${at}/html`, 'an email needs an HTML or a text body']);
    } else {
      if (!variant.text?.trim()) problems.push([`${at}/text`, 'the message text is required']);
      if (variant.subject !== undefined || variant.html !== undefined) problems.push([`${at}/html`, 'subject and html are for email']);
      if (variant.suggestions?.length && channel !== 'rcs') problems.push([`${at}/suggestions`, 'suggestions are for RCS']);
    }
    return {
      key: variant.key,
      split: content.variants.length === 1 ? 100 : variant.split,
      text: parse(variant.text, `${at}/text`),
      subject: parse(variant.subject, `${at}/subject`),
      html: parse(variant.html, `${at}/html`),
      suggestions: variant.suggestions,
    };
  });
  if (links.length > MAX_LINKS) problems.push(['/content', `at most ${MAX_LINKS} different links per campaign (${links.length} found)`]);
  return { compiled: { variants, links, personalised, tracked: links.length > 0 || channel === 'email' }, problems };
}

/**
 * Recipient classes. Fanning out a million messages cannot parse a million phone numbers
 * (libphonenumber: ~30 µs each, the whole budget), so the send path's rules run once per class of
 * numbers that share their first 7 digits after `+` and their length. In the numbering plans the
 * region, the zone and whether a number is allocated are decided by its leading digits and its
 * length (French plan: the first 5 national digits; +262 269/639 is Mayotte, the rest of +262
 * Réunion), so every member of a class gets the same verdict as its first member.
 */
export function phoneClass(e164: string): string {
  return `${e164.slice(0, 8)}:${e164.length}`;
}
