import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { Field } from '../components/Field';
import { ErrorBanner } from '../components/Feedback';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { AuthLayout } from './AuthLayout';

export function MfaVerifyPage() {
  const { t } = useI18n();
  const { setSession, logout } = useSession();
  const [mode, setMode] = useState<'totp' | 'recovery'>('totp');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  // Focus the field on arrival, when switching mode and after a wrong code.
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-run on those changes
  useEffect(() => {
    inputRef.current?.focus();
  }, [mode, error]);

  const switchMode = () => {
    setMode((m) => (m === 'totp' ? 'recovery' : 'totp'));
    setCode('');
    setError(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const value = code.trim();
      setSession(
        await api.auth.verifyMfa(
          mode === 'totp' ? { code: value.replace(/\s+/g, '') } : { recoveryCode: value },
        ),
      );
    } catch (e) {
      setError(e);
      setCode('');
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title={t('mfa.title')}
      subtitle={mode === 'totp' ? t('mfa.subtitle') : t('mfa.recoverySubtitle')}
      footer={
        <button
          type="button"
          className="link-button"
          onClick={() => void logout()}
          data-testid="auth-cancel"
        >
          {t('auth.otherAccount')}
        </button>
      }
    >
      <ErrorBanner error={error} testId="mfa-error" />
      <form className="form" onSubmit={submit} data-testid="mfa-form">
        {mode === 'totp' ? (
          <Field label={t('mfa.code')} hint={t('mfa.codeHint')}>
            <input
              key="totp"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]{6,7}"
              maxLength={7}
              required
              className="input-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              data-testid="mfa-code"
              ref={inputRef}
            />
          </Field>
        ) : (
          <Field label={t('mfa.recoveryCode')} hint={t('mfa.recoveryHint')}>
            <input
              key="recovery"
              type="text"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              required
              className="input-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              data-testid="mfa-recovery-code"
              ref={inputRef}
            />
          </Field>
        )}
        <button
          type="submit"
          className="button button-primary button-block"
          disabled={busy}
          aria-busy={busy}
          data-testid="mfa-submit"
        >
          {busy ? t('common.working') : t('mfa.submit')}
        </button>
      </form>
      <button
        type="button"
        className="link-button"
        onClick={switchMode}
        data-testid="mfa-use-recovery"
      >
        {mode === 'totp' ? t('mfa.useRecovery') : t('mfa.useTotp')}
      </button>
    </AuthLayout>
  );
}
