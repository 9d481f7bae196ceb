import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import { Field } from './Field';

/** An optional one-line text field (reason, description…). */
export function OptionalTextField({
  label,
  hint,
  error,
  maxLength,
  value,
  onChange,
  testId,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  maxLength: number;
  value: string;
  onChange: (value: string) => void;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <Field label={label} optional optionalLabel={t('common.optional')} hint={hint} error={error}>
      <input
        type="text"
        maxLength={maxLength}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
      />
    </Field>
  );
}

/** The submit button at the end of a `.form-row`. */
export function FormRowSubmit({
  busy,
  label,
  testId,
}: {
  busy: boolean;
  label: string;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <button
      type="submit"
      className="button button-primary form-row-button"
      disabled={busy}
      aria-busy={busy}
      data-testid={testId}
    >
      {busy ? t('common.working') : label}
    </button>
  );
}

/** The card around an "add" form: title, intro text, then the form. */
export function AddFormCard({
  titleId,
  title,
  text,
  children,
}: {
  titleId: string;
  title: ReactNode;
  text: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 className="card-title" id={titleId}>
        {title}
      </h2>
      <p className="muted">{text}</p>
      {children}
    </section>
  );
}
