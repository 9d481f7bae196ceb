import type { BadgeTone } from '../../components/Feedback';
import type { MessageKey, Translate } from '../../i18n';
import { channelLabel } from '../../labels';
import type { Contact, ConsentChannel, ConsentStatus } from './contacts-api';

const STATUS_TONES: Record<ConsentStatus, BadgeTone> = {
  unknown: 'neutral',
  granted: 'success',
  refused: 'danger',
  withdrawn: 'warning',
};

export function consentStatusLabel(t: Translate, status: string): string {
  return ['unknown', 'granted', 'refused', 'withdrawn'].includes(status) ? t(`consentStatus.${status}` as MessageKey) : status;
}

export function consentSourceLabel(t: Translate, source: string | null): string {
  if (!source) return '—';
  return ['form', 'import', 'api', 'in_store', 'console', 'opt_out'].includes(source) ? t(`consentSource.${source}` as MessageKey) : source;
}

/** A channel's consent as a small badge: "SMS ✓" in green, refused in red… (the status in words for screen readers). */
export function ConsentBadge({ t, channel, status }: { t: Translate; channel: ConsentChannel; status: ConsentStatus }) {
  return (
    <span
      className={`badge badge-${STATUS_TONES[status] ?? 'neutral'}`}
      data-testid={`consent-${channel}`}
      data-status={status}
      title={`${channelLabel(t, channel)} : ${consentStatusLabel(t, status)}`}
    >
      {channelLabel(t, channel)}
      <span className="visually-hidden"> : {consentStatusLabel(t, status)}</span>
    </span>
  );
}

export function ConsentStatusBadge({ t, status, testId }: { t: Translate; status: ConsentStatus; testId?: string }) {
  return (
    <span className={`badge badge-${STATUS_TONES[status] ?? 'neutral'}`} data-testid={testId} data-status={status}>
      {consentStatusLabel(t, status)}
    </span>
  );
}

export function displayName(t: Translate, contact: Pick<Contact, 'firstName' | 'lastName' | 'phone' | 'email'>): string {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  return name || contact.phone || contact.email || t('contacts.noName');
}

/** Saves a downloaded file under the name the server suggested. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
