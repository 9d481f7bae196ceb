import { LoginPage } from './auth/LoginPage';
import { MfaEnrolPage } from './auth/MfaEnrolPage';
import { MfaVerifyPage } from './auth/MfaVerifyPage';
import { PasswordChangePage } from './auth/PasswordChangePage';
import { ErrorBanner, Loading } from './components/Feedback';
import { ToastProvider } from './components/Toast';
import { I18nProvider, useI18n } from './i18n';
import { Shell } from './layout/Shell';
import { SessionProvider, useSession, useSessionLoader } from './session';

/** The login stages decide the screen: nothing past login is reachable before `active`. */
function Stage() {
  const { session } = useSession();
  if (!session.authenticated || !session.user) return <LoginPage />;
  switch (session.stage) {
    case 'mfa_verify':
      return <MfaVerifyPage />;
    case 'password_change':
      return <PasswordChangePage />;
    case 'mfa_enrol':
      return <MfaEnrolPage />;
    default:
      return <Shell />;
  }
}

function Root() {
  const { t } = useI18n();
  const { state, expired, setSession, logout, retry } = useSessionLoader();
  if (state.status === 'loading') {
    return (
      <div className="splash">
        <Loading label={t('app.loading')} />
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="splash">
        <div className="splash-box">
          <h1 className="auth-title">{t('app.unavailable')}</h1>
          <ErrorBanner error={state.error} onRetry={retry} testId="app-error" />
        </div>
      </div>
    );
  }
  return (
    <SessionProvider
      session={state.session}
      expired={expired}
      setSession={setSession}
      logout={logout}
    >
      <Stage />
    </SessionProvider>
  );
}

export function App() {
  return (
    <I18nProvider>
      <ToastProvider>
        <Root />
      </ToastProvider>
    </I18nProvider>
  );
}
