/**
 * One error type for the whole platform. Every failure the API can report has a stable `code`
 * (clients branch on it) mapped to one HTTP status; the HTTP layer renders it as RFC 9457
 * problem+json. Add a code here before using it anywhere.
 */
export const ErrorCodes = {
  // 400 — the request itself is malformed
  validation_failed: 400,
  bad_request: 400,
  malformed_json: 400,
  invalid_cursor: 400,
  // 401 — who are you?
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_api_key: 401,
  invalid_mfa_code: 401,
  session_expired: 401,
  // 403 — you may not
  forbidden: 403,
  insufficient_scope: 403,
  csrf_token_invalid: 403,
  ip_not_allowed: 403,
  mfa_required: 403,
  tenant_suspended: 403,
  tenant_terminated: 403,
  // 404, 409, 413, 415, 422, 423, 429
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  idempotency_key_in_use: 409,
  email_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  weak_password: 422,
  // 422 — messaging refusals (issue 3): the request is well-formed but the contract forbids it
  invalid_phone_number: 422,
  invalid_email_address: 422,
  invalid_sender: 422,
  quiet_hours: 422,
  stop_mention_missing: 422,
  marketing_content_on_alert_route: 422,
  text_too_long: 422,
  template_not_approved: 422,
  outside_customer_service_window: 422,
  // WhatsApp template registry (issue 3)
  template_exists: 409,
  invalid_template: 422,
  template_not_found: 404,
  destination_not_supported: 422,
  idempotency_key_reused: 422,
  last_owner: 422,
  invalid_state: 422,
  // 409/422 — billing refusals (issue 5)
  invalid_vat_number: 422,
  invalid_siren: 422,
  invalid_iban: 422,
  invalid_bic: 422,
  invalid_mandate: 422,
  poi_licence_exceeded: 422,
  syntec_index_missing: 422,
  prenotification_too_late: 422,
  credit_exceeds_invoice: 422,
  invalid_bank_statement: 422,
  invoice_immutable: 409,
  contract_exists: 409,
  statement_already_imported: 409,
  // 409/422 — contacts refusals (issue 4, SoReach)
  contact_phone_taken: 409,
  contact_email_taken: 409,
  contact_external_id_taken: 409,
  contact_conflict: 409,
  attribute_exists: 409,
  contact_identity_required: 422,
  invalid_attribute: 422,
  consent_proof_required: 422,
  consent_reactivation_not_allowed: 422,
  invalid_consent_change: 422,
  // contact imports (issue 4, SoReach)
  consent_source_required: 422,
  invalid_import_mapping: 422,
  unsupported_import_file: 422,
  // segments (issue 4, SoReach)
  invalid_segment_definition: 422,
  segment_cycle: 422,
  segment_too_complex: 422,
  segment_in_use: 409,
  attribute_in_use: 409,
  segment_count_timeout: 503,
  // 422 — campaigns refusals (issue 4, SoReach)
  invalid_campaign: 422,
  campaign_audience_empty: 422,
  account_locked: 423,
  rate_limited: 429,
  // 5xx — our fault or a dependency's
  internal_error: 500,
  provider_error: 502, // a provider (Meta…) refused or failed a call made for the client
  service_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ErrorCodes;

export interface FieldError {
  /** JSON pointer of the failing field in the request, e.g. `/scopes/2`. */
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  /** Extra members of the problem document (e.g. `lockedUntil`, `suspension`). */
  readonly extensions: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldError[]; extensions?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ErrorCodes[code];
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
  }
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found`);

export const fieldError = (code: ErrorCode, path: string, message: string): AppError =>
  new AppError(code, message, { errors: [{ path, message }] });

/** Titles shown in problem documents: the code in words. */
export function titleFor(code: ErrorCode): string {
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
