import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { Field } from '../components/Field';
import { ErrorBanner, WarningBanner } from '../components/Feedback';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { AuthLayout } from './AuthLayout';

export function LoginPage() {
  const { t } = useI18n();
  const { setSession, expired } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    emailRef.current?.focus();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setSession(await api.auth.login(email.trim(), password));
    } catch (e) {
      setError(e);
      setPassword('');
      setBusy(false);
      passwordRef.current?.focus();
    }
  };

  return (
    <AuthLayout title={t('login.title')} subtitle={t('login.subtitle')}>
      {expired && !error && (
        <WarningBanner testId="session-expired">{t('login.sessionExpired')}</WarningBanner>
      )}
      <ErrorBanner error={error} testId="login-error" />
      <form className="form" onSubmit={submit} noValidate={false} data-testid="login-form">
        <Field label={t('login.email')}>
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            data-testid="login-email"
            ref={emailRef}
          />
        </Field>
        <Field label={t('login.password')}>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="login-password"
            ref={passwordRef}
          />
        </Field>
        <button
          type="submit"
          className="button button-primary button-block"
          disabled={busy}
          aria-busy={busy}
          data-testid="login-submit"
        >
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
