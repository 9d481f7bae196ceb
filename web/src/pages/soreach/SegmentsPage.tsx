import { useCallback, useEffect, useRef, useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { Badge, EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { CancelSubmitButtons, PagedFooter } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { ToolbarSelect } from '../../components/Toolbar';
import { useToast } from '../../components/Toast';
import { usePaged } from '../../hooks';
import { useI18n } from '../../i18n';
import { usePermissions } from '../../permissions';
import { Link, navigate } from '../../router';
import { useDebounced } from '../messaging/shared';
import { type Segment, segmentsApi } from './segments-api';
import './segments.css';

/** A dynamic segment's remembered count older than this is recounted when the list shows it. */
const STALE_MS = 10 * 60_000;

/**
 * SoReach › Segments: the tenant's segments and static lists with their number of contacts
 * (dynamic ones are recounted in the background, two at a time, when their count is missing or
 * older than ten minutes).
 */
export function SegmentsPage() {
  const { t, formatNumber, formatDateTime } = useI18n();
  const { can } = usePermissions();
  const canWrite = can('contacts:write');
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<'' | 'dynamic' | 'static'>('');
  const query = useDebounced(q.trim(), 300);
  const filtered = Boolean(query || kind);
  const list = usePaged((cursor) => segmentsApi.list({ cursor, kind, q: query }), [query, kind]);
  const [counts, setCounts] = useState<Record<string, { count: number; approximate: boolean } | 'counting' | 'error'>>({});
  const [creatingList, setCreatingList] = useState(false);
  const queued = useRef(new Set<string>());

  const recount = useCallback(async (segment: Segment) => {
    setCounts((c) => ({ ...c, [segment.id]: 'counting' }));
    try {
      const result = await segmentsApi.count(segment.id);
      setCounts((c) => ({ ...c, [segment.id]: { count: result.count, approximate: result.approximate } }));
    } catch {
      setCounts((c) => ({ ...c, [segment.id]: 'error' }));
    }
  }, []);

  // Background recount of stale dynamic segments, two at a time.
  useEffect(() => {
    const stale = list.items.filter((s) => s.kind === 'dynamic' && !queued.current.has(s.id) && (!s.countedAt || Date.now() - Date.parse(s.countedAt) > STALE_MS));
    if (stale.length === 0) return;
    for (const s of stale) queued.current.add(s.id);
    let index = 0;
    const worker = async () => {
      while (index < stale.length) {
        const next = stale[index++];
        if (next) await recount(next);
      }
    };
    void Promise.all([worker(), worker()]);
  }, [list.items, recount]);

  return (
    <>
      <PageHeader
        eyebrow={t('nav.soreach')}
        title={t('segments.title')}
        description={t('segments.description')}
        actions={
          canWrite ? (
            <>
              <button type="button" className="button button-secondary" onClick={() => setCreatingList(true)} data-testid="segment-create-static">
                {t('segments.newStatic')}
              </button>
              <Link to="/soreach/segments/new" className="button button-primary" data-testid="segment-create">
                {t('segments.newDynamic')}
              </Link>
            </>
          ) : undefined
        }
      />
      <section className="card card-flush" aria-label={t('segments.listLabel')}>
        <search aria-label={t('segments.search')}>
          <form className="toolbar toolbar-dense" onSubmit={(e) => e.preventDefault()}>
            <div className="toolbar-field toolbar-grow">
              <label htmlFor="segment-search" className="field-label">
                {t('segments.search')}
              </label>
              <input id="segment-search" type="search" autoComplete="off" maxLength={100} placeholder={t('segments.searchPlaceholder')} value={q} onChange={(e) => setQ(e.target.value)} data-testid="segment-search" />
            </div>
            <ToolbarSelect
              id="segment-filter-kind"
              label={t('segments.filterKind')}
              value={kind}
              onChange={setKind}
              allLabel={t('segments.filterKindAll')}
              options={[
                { value: 'dynamic' as const, label: t('segments.kind.dynamic') },
                { value: 'static' as const, label: t('segments.kind.static') },
              ]}
              testId="segment-filter-kind"
            />
          </form>
        </search>
        {list.loading ? (
          <Loading />
        ) : list.error && list.items.length === 0 ? (
          <div className="card-pad">
            <ErrorBanner error={list.error} onRetry={list.reload} />
          </div>
        ) : list.items.length === 0 ? (
          filtered ? (
            <EmptyState icon="🔍" title={t('segments.emptyFiltered')} testId="segments-empty-filtered">
              <p>{t('segments.emptyFilteredText')}</p>
            </EmptyState>
          ) : (
            <EmptyState
              icon="🎯"
              title={t('segments.empty')}
              testId="segments-empty"
              action={
                canWrite ? (
                  <>
                    <Link to="/soreach/segments/new" className="button button-primary" data-testid="segments-empty-create">
                      {t('segments.newDynamic')}
                    </Link>{' '}
                    <button type="button" className="button button-secondary" onClick={() => setCreatingList(true)}>
                      {t('segments.newStatic')}
                    </button>
                  </>
                ) : undefined
              }
            >
              <p>{t('segments.emptyText')}</p>
            </EmptyState>
          )
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="segments-table">
              <caption className="visually-hidden">{t('segments.listLabel')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('segments.colName')}</th>
                  <th scope="col">{t('segments.colKind')}</th>
                  <th scope="col" className="cell-number">
                    {t('segments.colCount')}
                  </th>
                  <th scope="col">{t('segments.colUpdated')}</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((s) => {
                  const live = counts[s.id];
                  return (
                    <tr key={s.id} data-testid="segment-row" data-name={s.name} data-kind={s.kind}>
                      <td>
                        <Link to={`/soreach/segments/${s.id}`} className="cell-strong" data-testid="segment-link">
                          {s.name}
                        </Link>
                        {s.description && <div className="muted small">{s.description}</div>}
                      </td>
                      <td>
                        <Badge tone={s.kind === 'dynamic' ? 'info' : 'neutral'}>{t(s.kind === 'dynamic' ? 'segments.kind.dynamic' : 'segments.kind.static')}</Badge>
                      </td>
                      <td className="cell-number" data-testid="segment-row-count">
                        {live === 'counting' ? (
                          <span className="seg-inline-spinner">
                            <span className="spinner" aria-hidden="true" />
                            <span className="visually-hidden">{t('segments.counting')}</span>
                          </span>
                        ) : live && live !== 'error' ? (
                          <span data-count={live.count}>{live.approximate ? t('segments.approx', { count: formatNumber(live.count) }) : formatNumber(live.count)}</span>
                        ) : s.count !== null ? (
                          <span data-count={s.count} title={s.countedAt ? t('segments.countAt', { date: formatDateTime(s.countedAt) }) : undefined}>
                            {formatNumber(s.count)}
                          </span>
                        ) : (
                          <span className="muted">—</span>
                        )}
                        {s.kind === 'dynamic' && live !== 'counting' && (
                          <button type="button" className="button button-secondary button-sm seg-recount" onClick={() => void recount(s)} aria-label={t('segments.recountLabel', { name: s.name })} title={t('segments.recount')}>
                            ↻
                          </button>
                        )}
                      </td>
                      <td className="cell-nowrap">{formatDateTime(s.updatedAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <PagedFooter list={list} testId="segments-load-more" />
      </section>
      {creatingList && <NewListDialog onClose={() => setCreatingList(false)} />}
    </>
  );
}

function NewListDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const notify = useToast();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await segmentsApi.create({ name: name.trim(), description: description.trim() || null, kind: 'static' });
      notify(t('segments.created', { name: created.name }));
      navigate(`/soreach/segments/${created.id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('segments.staticDialogTitle')} onClose={onClose} testId="segment-static-dialog" footer={<CancelSubmitButtons busy={busy} onCancel={onClose} submitLabel={t('segments.newStatic')} submitTestId="segment-static-submit" form="segment-static-form" />}>
      <form id="segment-static-form" onSubmit={submit}>
        <Field label={t('segments.name')}>
          <input type="text" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} data-testid="segment-static-name" />
        </Field>
        <Field label={t('segments.descriptionField')} optional optionalLabel={t('common.optional')}>
          <input type="text" maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <ErrorBanner error={error} />
      </form>
    </Dialog>
  );
}
