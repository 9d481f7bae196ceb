import { type ReactNode, useState } from 'react';
import { useI18n } from '../i18n';
import { Dialog } from './Dialog';
import { ErrorBanner } from './Feedback';

export interface ConfirmDialogProps {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  /** Danger styling for destructive actions. */
  danger?: boolean;
  /** Runs the action; the dialog shows its error and stays open if it throws. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /** False when onConfirm replaces this dialog by another (e.g. a one-time secret). */
  closeOnSuccess?: boolean;
}

export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  danger = false,
  onConfirm,
  onClose,
  closeOnSuccess = true,
}: ConfirmDialogProps) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      if (closeOnSuccess) onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={title}
      onClose={onClose}
      role="alertdialog"
      size="sm"
      testId="confirm-dialog"
      dismissible={!busy}
      description={message}
      footer={
        <>
          <button
            type="button"
            className="button button-secondary"
            onClick={onClose}
            disabled={busy}
            data-testid="confirm-cancel"
          >
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className={`button ${danger ? 'button-danger' : 'button-primary'}`}
            onClick={confirm}
            disabled={busy}
            aria-busy={busy}
            data-autofocus={danger ? undefined : true}
            data-testid="confirm-ok"
          >
            {busy ? t('common.working') : confirmLabel}
          </button>
        </>
      }
    >
      <ErrorBanner error={error} />
    </Dialog>
  );
}
