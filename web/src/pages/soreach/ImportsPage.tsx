import { EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { PagedFooter } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { usePaged } from '../../hooks';
import { useI18n } from '../../i18n';
import { usePermissions } from '../../permissions';
import { Link } from '../../router';
import { importsApi } from './import-api';
import { ImportStatusBadge } from './import-shared';

/** SoReach › Imports: the imports of the account, newest first, and the way to a new one. */
export function ImportsPage() {
  const { t, formatNumber, formatDateTime } = useI18n();
  const { can } = usePermissions();
  const list = usePaged((cursor) => importsApi.list(cursor), []);
  const newButton = (testId: string) =>
    can('contacts:write') ? (
      <Link to="/soreach/imports/new" className="button button-primary" data-testid={testId}>
        {t('imports.new')}
      </Link>
    ) : undefined;
  return (
    <>
      <PageHeader eyebrow={t('nav.soreach')} title={t('imports.title')} description={t('imports.description')} actions={newButton('import-new')} />
      <section className="card card-flush" aria-label={t('imports.listLabel')}>
        {list.loading ? (
          <Loading />
        ) : list.error && list.items.length === 0 ? (
          <div className="card-pad">
            <ErrorBanner error={list.error} onRetry={list.reload} />
          </div>
        ) : list.items.length === 0 ? (
          <EmptyState icon="📄" title={t('imports.empty')} testId="imports-empty" action={newButton('imports-empty-new')}>
            <p>{t('imports.emptyText')}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="imports-table">
              <caption className="visually-hidden">{t('imports.listLabel')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('imports.colFile')}</th>
                  <th scope="col">{t('imports.colStatus')}</th>
                  <th scope="col" className="cell-number">{t('imports.colRows')}</th>
                  <th scope="col" className="cell-number">{t('imports.colImported')}</th>
                  <th scope="col" className="cell-number">{t('imports.colFailed')}</th>
                  <th scope="col">{t('imports.colCreated')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((item) => (
                  <tr key={item.id} data-testid="import-row" data-id={item.id}>
                    <td>
                      <Link to={`/soreach/imports/${item.id}`} className="cell-strong" data-testid="import-link">
                        {item.filename}
                      </Link>
                    </td>
                    <td>
                      <ImportStatusBadge t={t} status={item.status} />
                    </td>
                    <td className="cell-number">{formatNumber(item.counters.processed || item.counters.estimatedRows || 0)}</td>
                    <td className="cell-number">{formatNumber(item.counters.inserted + item.counters.updated)}</td>
                    <td className="cell-number">{formatNumber(item.counters.failed)}</td>
                    <td className="cell-nowrap">{formatDateTime(item.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <PagedFooter list={list} testId="imports-load-more" />
      </section>
    </>
  );
}
