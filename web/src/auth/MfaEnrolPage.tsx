import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { CopyButton } from '../components/CopyButton';
import { Field } from '../components/Field';
import { ErrorBanner, Loading, WarningBanner } from '../components/Feedback';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import type { MfaEnrolConfirmation, MfaEnrolment } from '../types';
import { AuthLayout } from './AuthLayout';

/** `JBSWY3DPEHPK3PXP` → `JBSW Y3DP EHPK 3PXP`, easier to type into an app. */
function groupSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

export function MfaEnrolPage() {
  const { t } = useI18n();
  const { session, setSession, logout } = useSession();
  const [enrolment, setEnrolment] = useState<MfaEnrolment | null>(null);
  const [startError, setStartError] = useState<unknown>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirmed, setConfirmed] = useState<MfaEnrolConfirmation | null>(null);
  const started = useRef(false);
  const codeRef = useRef<HTMLInputElement>(null);

  const start = useCallback(() => {
    setStartError(null);
    api.auth
      .startEnrolment()
      .then(setEnrolment)
      .catch((e: unknown) => setStartError(e));
  }, []);

  useEffect(() => {
    // Once per visit: each call makes a new secret (StrictMode runs effects twice in dev).
    if (started.current) return;
    started.current = true;
    start();
  }, [start]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setConfirmed(await api.auth.confirmEnrolment(code.replace(/\s+/g, '')));
    } catch (e) {
      setError(e);
      setCode('');
      setBusy(false);
      codeRef.current?.focus();
    }
  };

  if (confirmed) {
    return (
      <RecoveryCodes
        codes={confirmed.recoveryCodes}
        email={session.user?.email ?? ''}
        onDone={() => setSession(confirmed.session)}
      />
    );
  }

  return (
    <AuthLayout
      title={t('enrol.title')}
      subtitle={t('enrol.subtitle')}
      wide
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
      <ErrorBanner error={startError} onRetry={start} testId="enrol-start-error" />
      {!enrolment && !startError && <Loading label={t('enrol.preparing')} />}
      {enrolment && (
        <div className="enrol">
          <ol className="steps">
            <li>
              <h2 className="step-title">{t('enrol.step1')}</h2>
              <p className="muted">{t('enrol.step1Text')}</p>
            </li>
            <li>
              <h2 className="step-title">{t('enrol.step2')}</h2>
              <div className="enrol-qr-row">
                <img
                  src={enrolment.qrCodeDataUrl}
                  alt={t('enrol.qrAlt')}
                  className="qr"
                  width={180}
                  height={180}
                  data-testid="enrol-qr"
                />
                <div className="enrol-secret">
                  <p className="muted">{t('enrol.manual')}</p>
                  <code
                    className="secret-box"
                    data-testid="enrol-secret"
                    data-secret={enrolment.secret}
                  >
                    {groupSecret(enrolment.secret)}
                  </code>
                  <CopyButton
                    text={enrolment.secret}
                    label={t('enrol.copySecret')}
                    testId="enrol-secret-copy"
                  />
                </div>
              </div>
            </li>
            <li>
              <h2 className="step-title">{t('enrol.step3')}</h2>
              <ErrorBanner error={error} testId="enrol-error" />
              <form className="form form-inline" onSubmit={submit} data-testid="enrol-form">
                <Field label={t('enrol.code')} hint={t('mfa.codeHint')}>
                  <input
                    ref={codeRef}
                    type="text"
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    pattern="[0-9 ]{6,7}"
                    maxLength={7}
                    required
                    className="input-code"
                    value={code}
                    onChange={(e) => setCode(e.target.value)}
                    data-testid="enrol-code"
                  />
                </Field>
                <button
                  type="submit"
                  className="button button-primary"
                  disabled={busy}
                  aria-busy={busy}
                  data-testid="enrol-submit"
                >
                  {busy ? t('common.working') : t('enrol.submit')}
                </button>
              </form>
            </li>
          </ol>
        </div>
      )}
    </AuthLayout>
  );
}

function RecoveryCodes({
  codes,
  email,
  onDone,
}: {
  codes: string[];
  email: string;
  onDone: () => void;
}) {
  const { t, formatDateTime } = useI18n();
  const headingRef = useRef<HTMLDivElement>(null);
  const text = codes.join('\n');

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const download = () => {
    const content = [
      t('recovery.fileHeader'),
      `${email} — ${formatDateTime(new Date().toISOString())}`,
      '',
      ...codes,
      '',
    ].join('\n');
    const url = URL.createObjectURL(new Blob([content], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'sofy-recovery-codes.txt';
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <AuthLayout title={t('recovery.title')} subtitle={t('recovery.subtitle')} wide>
      <div ref={headingRef} tabIndex={-1} className="focus-anchor">
        <WarningBanner testId="recovery-warning">{t('recovery.warning')}</WarningBanner>
      </div>
      <ol
        className="recovery-codes"
        data-testid="recovery-codes"
        aria-label={t('recovery.listLabel')}
      >
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="button-row">
        <CopyButton
          text={text}
          label={t('recovery.copy')}
          className="button button-secondary"
          testId="recovery-codes-copy"
        />
        <button
          type="button"
          className="button button-secondary"
          onClick={download}
          data-testid="recovery-codes-download"
        >
          {t('recovery.download')}
        </button>
      </div>
      <button
        type="button"
        className="button button-primary button-block"
        onClick={onDone}
        data-testid="recovery-codes-confirm"
      >
        {t('recovery.confirm')}
      </button>
    </AuthLayout>
  );
}
