import { useI18n } from '../i18n';
import type { PagedState } from '../hooks';
import { ErrorBanner } from './Feedback';

/**
 * Cancel + submit for a form (inside `.form-actions` or a dialog footer).
 * The cancel button is left out when there is no `onCancel`.
 */
export function CancelSubmitButtons({
  busy,
  onCancel,
  submitLabel,
  submitTestId,
  cancelTestId,
  form,
  danger = false,
}: {
  busy: boolean;
  onCancel?: () => void;
  submitLabel: string;
  submitTestId: string;
  cancelTestId?: string;
  /** The form's id when the buttons sit outside it (dialog footer). */
  form?: string;
  danger?: boolean;
}) {
  const { t } = useI18n();
  return (
    <>
      {onCancel && (
        <button
          type="button"
          className="button button-secondary"
          onClick={onCancel}
          disabled={busy}
          data-testid={cancelTestId}
        >
          {t('common.cancel')}
        </button>
      )}
      <button
        type="submit"
        form={form}
        className={`button ${danger ? 'button-danger' : 'button-primary'}`}
        disabled={busy}
        aria-busy={busy}
        data-testid={submitTestId}
      >
        {busy ? t('common.working') : submitLabel}
      </button>
    </>
  );
}

/** Under a paged list: the error of a later page, then "load more" while there is one. */
export function PagedFooter({
  list,
  testId,
}: {
  list: Pick<PagedState<unknown>, 'items' | 'nextCursor' | 'loading' | 'loadingMore' | 'error' | 'loadMore'>;
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <>
      {Boolean(list.error) && list.items.length > 0 && (
        <div className="card-pad">
          <ErrorBanner error={list.error} />
        </div>
      )}
      {list.nextCursor && !list.loading && (
        <div className="card-footer">
          <button
            type="button"
            className="button button-secondary"
            onClick={list.loadMore}
            disabled={list.loadingMore}
            aria-busy={list.loadingMore}
            data-testid={testId}
          >
            {list.loadingMore ? t('common.loading') : t('common.loadMore')}
          </button>
        </div>
      )}
    </>
  );
}
