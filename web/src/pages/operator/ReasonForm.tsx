import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Field } from '../../components/Field';
import { ErrorBanner } from '../../components/Feedback';
import { CancelSubmitButtons } from '../../components/FormButtons';
import { fieldError } from '../../errors';
import { useI18n } from '../../i18n';
import type { OpenedTenant } from '../../types';

export const MIN_REASON_LENGTH = 5;

/** Opened tenants handed from the list to the detail page; each opening is one audited access. */
export const openedTenants = new Map<string, OpenedTenant>();

/** Asks why an operator opens a client's tenant; the reason goes into that client's audit trail. */
export function ReasonForm({
  onSubmit,
  onCancel,
  submitLabel,
}: {
  onSubmit: (reason: string) => Promise<void>;
  onCancel?: () => void;
  submitLabel: string;
}) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ref = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    ref.current?.focus();
  }, []);

  const tooShort = reason.trim().length < MIN_REASON_LENGTH;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (tooShort) {
      ref.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(reason.trim());
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="open-tenant-form">
      <ErrorBanner error={error} />
      <Field
        label={t('operator.reason')}
        hint={t('operator.reasonHint', { min: MIN_REASON_LENGTH })}
        error={
          (submitted && tooShort
            ? t('operator.reasonTooShort', { min: MIN_REASON_LENGTH })
            : undefined) ?? fieldError(error, '/reason')
        }
      >
        <textarea
          ref={ref}
          rows={3}
          required
          minLength={MIN_REASON_LENGTH}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="open-reason"
        />
      </Field>
      <div className="form-actions">
        <CancelSubmitButtons
          busy={busy}
          onCancel={onCancel}
          submitLabel={submitLabel}
          submitTestId="open-submit"
        />
      </div>
    </form>
  );
}
