import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { Field } from '../components/Field';
import { ErrorBanner } from '../components/Feedback';
import { fieldError } from '../errors';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { AuthLayout } from './AuthLayout';

export const MIN_PASSWORD_LENGTH = 12;

export function PasswordChangePage() {
  const { t } = useI18n();
  const { session, setSession, logout } = useSession();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    inputRef.current?.focus();
  }, []);

  const email = session.user?.email?.toLowerCase() ?? '';
  const rules = [
    {
      key: 'length',
      ok: password.length >= MIN_PASSWORD_LENGTH,
      label: t('password.ruleLength', { min: MIN_PASSWORD_LENGTH }),
    },
    {
      key: 'email',
      ok: password.length > 0 && password.toLowerCase() !== email,
      label: t('password.ruleEmail'),
    },
    {
      key: 'match',
      ok: password.length > 0 && password === confirm,
      label: t('password.ruleMatch'),
    },
  ];
  const valid = rules.every((r) => r.ok);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!valid) return;
    setBusy(true);
    setError(null);
    try {
      setSession(await api.auth.changePassword(password));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const confirmError = submitted && confirm !== password ? t('password.mismatch') : undefined;
  const passwordError =
    fieldError(error, '/newPassword') ??
    (submitted && !(rules[0]?.ok && rules[1]?.ok) ? t('password.tooWeak') : undefined);

  return (
    <AuthLayout
      title={t('password.title')}
      subtitle={t('password.subtitle')}
      footer={
        <button
          type="button"
          className="link-button"
          onClick={() => void logout()}
          data-testid="auth-cancel"
        >
          {t('auth.signOut')}
        </button>
      }
    >
      <ErrorBanner error={error} testId="password-error" />
      <form className="form" onSubmit={submit} noValidate data-testid="password-form">
        <input
          type="email"
          autoComplete="username"
          value={session.user?.email ?? ''}
          readOnly
          hidden
        />
        <Field label={t('password.new')} error={passwordError}>
          <input
            ref={inputRef}
            type="password"
            autoComplete="new-password"
            required
            minLength={MIN_PASSWORD_LENGTH}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="password-new"
          />
        </Field>
        <Field label={t('password.confirm')} error={confirmError}>
          <input
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            data-testid="password-confirm"
          />
        </Field>
        <div className="rules" aria-live="polite">
          <p className="rules-title" id="password-rules">
            {t('password.rulesTitle')}
          </p>
          <ul aria-labelledby="password-rules" data-testid="password-rules">
            {rules.map((rule) => (
              <li key={rule.key} className={rule.ok ? 'rule rule-ok' : 'rule'}>
                <span className="rule-icon" aria-hidden="true">
                  {rule.ok ? '✓' : '•'}
                </span>
                {rule.label}
                <span className="visually-hidden">
                  {' '}
                  ({rule.ok ? t('password.ruleMet') : t('password.ruleNotMet')})
                </span>
              </li>
            ))}
          </ul>
        </div>
        <button
          type="submit"
          className="button button-primary button-block"
          disabled={busy}
          aria-busy={busy}
          data-testid="password-submit"
        >
          {busy ? t('common.working') : t('password.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
