import { type ReactNode, useEffect } from 'react';
import { useI18n } from '../i18n';
import { LanguageSwitch } from '../layout/LanguageSwitch';

export function AuthLayout({
  title,
  subtitle,
  children,
  footer,
  wide = false,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${title} · SOFY`;
  }, [title]);
  return (
    <div className="auth-page">
      <div className="auth-topbar">
        <span className="brand" aria-hidden="true">
          <span className="brand-mark">S</span>
          <span className="brand-name">SOFY</span>
        </span>
        <LanguageSwitch />
      </div>
      <main className={`auth-card${wide ? ' auth-card-wide' : ''}`} id="main">
        <h1 className="auth-title">{title}</h1>
        {subtitle && <p className="auth-subtitle">{subtitle}</p>}
        {children}
        {footer && <div className="auth-footer">{footer}</div>}
      </main>
      <p className="auth-legal">{t('auth.legal')}</p>
    </div>
  );
}
