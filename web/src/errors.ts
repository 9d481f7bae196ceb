import { ApiError } from './api';
import type { I18n, MessageKey } from './i18n';

const codeKeys: Record<string, MessageKey> = {
  network_error: 'error.network_error',
  validation_failed: 'error.validation_failed',
  malformed_json: 'error.validation_failed',
  invalid_cursor: 'error.invalid_cursor',
  unauthenticated: 'error.unauthenticated',
  session_expired: 'error.session_expired',
  invalid_credentials: 'error.invalid_credentials',
  invalid_mfa_code: 'error.invalid_mfa_code',
  forbidden: 'error.forbidden',
  insufficient_scope: 'error.forbidden',
  csrf_token_invalid: 'error.csrf_token_invalid',
  ip_not_allowed: 'error.ip_not_allowed',
  mfa_required: 'error.mfa_required',
  tenant_suspended: 'error.tenant_suspended',
  tenant_terminated: 'error.tenant_terminated',
  not_found: 'error.not_found',
  conflict: 'error.conflict',
  invalid_sender: 'error.invalid_sender',
  email_taken: 'error.email_taken',
  weak_password: 'error.weak_password',
  last_owner: 'error.last_owner',
  invalid_state: 'error.invalid_state',
  account_locked: 'error.account_locked',
  rate_limited: 'error.rate_limited',
  internal_error: 'error.internal_error',
  service_unavailable: 'error.service_unavailable',
  invalid_phone_number: 'error.invalid_phone_number',
  invalid_email_address: 'error.invalid_email_address',
  contact_phone_taken: 'error.contact_phone_taken',
  contact_email_taken: 'error.contact_email_taken',
  contact_external_id_taken: 'error.contact_external_id_taken',
  contact_identity_required: 'error.contact_identity_required',
  invalid_attribute: 'error.invalid_attribute',
  attribute_exists: 'error.attribute_exists',
  attribute_in_use: 'error.attribute_in_use',
  consent_proof_required: 'error.consent_proof_required',
  consent_reactivation_not_allowed: 'error.consent_reactivation_not_allowed',
  invalid_consent_change: 'error.invalid_consent_change',
  consent_source_required: 'error.consent_source_required',
  invalid_import_mapping: 'error.invalid_import_mapping',
  unsupported_import_file: 'error.unsupported_import_file',
  payload_too_large: 'error.payload_too_large',
};

/** A sentence for the user, in their language, from any thrown value. */
export function errorMessage(error: unknown, i18n: Pick<I18n, 't' | 'formatDateTime'>): string {
  const { t, formatDateTime } = i18n;
  if (!(error instanceof ApiError)) return t('error.generic');
  if (error.code === 'account_locked') {
    const until = error.body.lockedUntil;
    return typeof until === 'string'
      ? t('error.account_locked_until', { time: formatDateTime(until) })
      : t('error.account_locked');
  }
  if (error.status === 429 || error.code === 'rate_limited') {
    return error.retryAfter
      ? t('error.rate_limited_retry', { seconds: error.retryAfter })
      : t('error.rate_limited');
  }
  const key = codeKeys[error.code];
  if (key) return t(key);
  if (error.status >= 500) return t('error.internal_error');
  return error.detail || t('error.generic');
}

/** The server's message for one field (`/email`), to show under the input. */
export function fieldError(error: unknown, path: string): string | undefined {
  return error instanceof ApiError ? error.fieldError(path) : undefined;
}
