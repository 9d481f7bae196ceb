import type { ReactNode } from 'react';
import { ApiError } from '../api';
import { errorMessage } from '../errors';
import { useI18n } from '../i18n';

/** A red banner (role=alert) for a failed request; nothing when there is no error. */
export function ErrorBanner({
  error,
  onRetry,
  testId = 'error-banner',
}: {
  error: unknown;
  onRetry?: () => void;
  testId?: string;
}) {
  const i18n = useI18n();
  if (!error) return null;
  const fieldErrors = error instanceof ApiError ? error.errors.filter((e) => e.message) : [];
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="banner banner-error" role="alert" data-testid={testId} data-code={code}>
      <div className="banner-body">
        <p>{errorMessage(error, i18n)}</p>
        {fieldErrors.length > 0 && (
          <ul className="banner-list">
            {fieldErrors.map((e) => (
              <li key={`${e.path}:${e.message}`}>
                {e.path && <code>{e.path}</code>} {e.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      {onRetry && (
        <button type="button" className="button button-secondary button-sm" onClick={onRetry}>
          {i18n.t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function SuccessBanner({ children }: { children: ReactNode }) {
  return (
    <div className="banner banner-success" role="status" data-testid="success-banner">
      <div className="banner-body">{children}</div>
    </div>
  );
}

export function WarningBanner({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="banner banner-warning" data-testid={testId}>
      <div className="banner-body">{children}</div>
    </div>
  );
}

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <div className="loading" role="status" aria-live="polite" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t('common.loading')}</span>
    </div>
  );
}

export function EmptyState({
  title,
  children,
  action,
  icon,
  testId,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  icon?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="empty-state" data-testid={testId}>
      {icon && (
        <div className="empty-state-icon" aria-hidden="true">
          {icon}
        </div>
      )}
      <h2 className="empty-state-title">{title}</h2>
      {children && <div className="empty-state-text">{children}</div>}
      {action && <div className="empty-state-action">{action}</div>}
    </div>
  );
}

export type BadgeTone = 'neutral' | 'success' | 'warning' | 'danger' | 'info';

export function Badge({
  tone = 'neutral',
  children,
  testId,
}: {
  tone?: BadgeTone;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} data-testid={testId}>
      {children}
    </span>
  );
}
