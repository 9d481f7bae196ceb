import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import { CopyButton } from './CopyButton';
import { Dialog } from './Dialog';
import { WarningBanner } from './Feedback';

export interface SecretItem {
  label: string;
  value: string;
  testId: string;
  /** Non-secret values (an email) are shown without the copy emphasis. */
  plain?: boolean;
}

/** One-time secrets (API key, one-time password): shown once, with a copy button. */
export function SecretDialog({
  title,
  intro,
  warning,
  items,
  onClose,
  testId,
  closeLabel,
}: {
  title: string;
  intro?: ReactNode;
  warning: string;
  items: SecretItem[];
  onClose: () => void;
  testId: string;
  closeLabel?: string;
}) {
  const { t } = useI18n();
  return (
    <Dialog
      title={title}
      onClose={onClose}
      role="alertdialog"
      testId={testId}
      description={intro}
      footer={
        <button
          type="button"
          className="button button-primary"
          onClick={onClose}
          data-testid={`${testId}-close`}
        >
          {closeLabel ?? t('secret.done')}
        </button>
      }
    >
      <WarningBanner testId={`${testId}-warning`}>{warning}</WarningBanner>
      <dl className="secret-list">
        {items.map((item) => (
          <div key={item.testId} className="secret-item">
            <dt>{item.label}</dt>
            <dd>
              {item.plain ? (
                <span data-testid={item.testId}>{item.value}</span>
              ) : (
                <>
                  <code className="secret-box" data-testid={item.testId}>
                    {item.value}
                  </code>
                  <CopyButton
                    text={item.value}
                    ariaLabel={t('secret.copyLabel', { what: item.label })}
                    testId={`${item.testId}-copy`}
                  />
                </>
              )}
            </dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
