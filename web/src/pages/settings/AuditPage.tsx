import { type FormEvent, useState } from 'react';
import { api } from '../../api';
import { AuditTable } from '../../components/AuditTable';
import { EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { PagedFooter } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { usePaged } from '../../hooks';
import { useI18n } from '../../i18n';

export function AuditPage() {
  const { t } = useI18n();
  const [draft, setDraft] = useState('');
  const [action, setAction] = useState('');
  const [seen, setSeen] = useState<string[]>([]);
  const audit = usePaged(
    async (cursor) => {
      const page = await api.audit.list({ cursor, action: action || undefined });
      // Remember the actions met so far to suggest them in the filter.
      setSeen((list) => Array.from(new Set([...list, ...page.data.map((e) => e.action)])).sort());
      return page;
    },
    [action],
  );

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setAction(draft.trim());
  };
  const clear = () => {
    setDraft('');
    setAction('');
  };

  return (
    <>
      <PageHeader
        eyebrow={t('nav.settings')}
        title={t('audit.title')}
        description={t('audit.description')}
      />
      <section className="card card-flush">
        <search aria-label={t('audit.filterLabel')}>
          <form className="toolbar" onSubmit={apply} data-testid="audit-filter">
            <div className="toolbar-field">
              <label htmlFor="audit-action" className="field-label">
                {t('audit.action')}
              </label>
              <input
                id="audit-action"
                type="text"
                list="audit-actions"
                placeholder={t('audit.actionPlaceholder')}
                autoComplete="off"
                spellCheck={false}
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                data-testid="audit-filter-action"
              />
              <datalist id="audit-actions">
                {seen.map((a) => (
                  <option key={a} value={a} />
                ))}
              </datalist>
            </div>
            <div className="toolbar-buttons">
              <button
                type="submit"
                className="button button-secondary"
                data-testid="audit-filter-submit"
              >
                {t('audit.filter')}
              </button>
              {action && (
                <button
                  type="button"
                  className="button button-ghost"
                  onClick={clear}
                  data-testid="audit-filter-clear"
                >
                  {t('audit.clear')}
                </button>
              )}
            </div>
          </form>
        </search>
        {audit.loading ? (
          <Loading />
        ) : audit.error && audit.items.length === 0 ? (
          <div className="card-pad">
            <ErrorBanner error={audit.error} onRetry={audit.reload} />
          </div>
        ) : audit.items.length === 0 ? (
          <EmptyState
            title={action ? t('audit.emptyFiltered') : t('audit.empty')}
            testId="audit-empty"
          >
            <p>{action ? t('audit.emptyFilteredText', { action }) : t('audit.emptyText')}</p>
          </EmptyState>
        ) : (
          <AuditTable entries={audit.items} />
        )}
        <PagedFooter list={audit} testId="audit-load-more" />
      </section>
    </>
  );
}
