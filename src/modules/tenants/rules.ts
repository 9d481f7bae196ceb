import type { TenantStatus } from '../../platform/db/schema.ts';

/** Tenant settings and account status rules (R-DUNNING, R-AIT suspensions; R-TENANT). */

export interface TenantSettings {
  locale: 'fr' | 'en';
  timezone: string;
  /** Default SMS sender: alphanumeric, 1–11 characters, or a number the tenant owns. */
  defaultSender: string | null;
  /** R-STOP: the opt-out mention appended to marketing SMS, e.g. "STOP SMS au 36111". */
  stopMention: string | null;
  /** R-IAM: require MFA for every user, not only owners and admins. */
  mfaRequiredForAll: boolean;
  /** R-QUIET: also hold marketing on Sundays and public holidays (French carriers may refuse them). */
  avoidSundaysAndHolidays: boolean;
  /** Longest SMS accepted, in parts (text_too_long beyond). */
  segmentCap: number;
  /** SoReach: a campaign a marketer submits waits for an admin or owner to approve it. */
  campaignApprovalRequired: boolean;
}

export const DEFAULT_SETTINGS: TenantSettings = {
  locale: 'fr',
  timezone: 'Europe/Paris',
  defaultSender: null,
  stopMention: null,
  mfaRequiredForAll: false,
  avoidSundaysAndHolidays: false,
  segmentCap: 10,
  campaignApprovalRequired: false,
};

export function settingsOf(stored: Record<string, unknown>): TenantSettings {
  return { ...DEFAULT_SETTINGS, ...(stored as Partial<TenantSettings>) };
}

const GENERIC_SENDERS = new Set(['INFO', 'SMS', 'TEST', 'NOREPLY', 'MESSAGE', 'ALERT', 'OTP', 'VERIFY']);

/** Problems with a settings change, as [field, message] pairs. */
export function settingsProblems(settings: Partial<TenantSettings>): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  if (settings.timezone !== undefined && !isTimeZone(settings.timezone)) problems.push(['/timezone', 'is not an IANA time zone (e.g. Europe/Paris)']);
  if (settings.defaultSender === '') problems.push(['/defaultSender', 'must not be empty (null removes it)']);
  if (settings.stopMention === '') problems.push(['/stopMention', 'must not be empty (null removes it)']);
  if (settings.defaultSender) {
    const sender = settings.defaultSender;
    const alphanumeric = /^[A-Za-z0-9]{1,11}$/.test(sender) && /[A-Za-z]/.test(sender);
    const numeric = /^\+?\d{3,15}$/.test(sender);
    if (!alphanumeric && !numeric) problems.push(['/defaultSender', 'must be 1–11 letters and digits, or a phone number or short code']);
    else if (GENERIC_SENDERS.has(sender.toUpperCase())) problems.push(['/defaultSender', 'generic words are refused by carriers; use your brand']);
  }
  if (settings.stopMention && !/\bSTOP\b/.test(settings.stopMention)) problems.push(['/stopMention', 'must contain the word STOP (R-STOP)']);
  if (settings.segmentCap !== undefined && (!Number.isInteger(settings.segmentCap) || settings.segmentCap < 1 || settings.segmentCap > 20)) {
    problems.push(['/segmentCap', 'must be a whole number from 1 to 20']);
  }
  if (settings.campaignApprovalRequired !== undefined && typeof settings.campaignApprovalRequired !== 'boolean') {
    problems.push(['/campaignApprovalRequired', 'must be true or false']);
  }
  return problems;
}

/** An IANA zone name spelt as the database spells it (`Europe/Paris`, `Indian/Reunion`, `Etc/GMT+2`, `UTC`). */
function isTimeZone(zone: string): boolean {
  if (zone !== 'UTC' && !/^[A-Z][A-Za-z_-]*(\/[A-Z][A-Za-z0-9_+-]*)+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type SuspensionKind = 'nonpayment' | 'fraud';

export const suspendedStatus = (kind: SuspensionKind): TenantStatus => (kind === 'fraud' ? 'suspended_fraud' : 'suspended_nonpayment');

/** Returns the reason a status change is refused, or null when it is allowed. */
export function statusChangeProblem(from: TenantStatus, to: TenantStatus): string | null {
  if (from === to) return `the account is already ${to}`;
  if (from === 'terminated') return 'a terminated account cannot change status';
  return null;
}
