import { useEffect, useMemo, useRef, useState } from 'react';
import { isApiError } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState, ErrorBanner, Loading, WarningBanner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { useToast } from '../../components/Toast';
import { useAsync } from '../../hooks';
import { useI18n } from '../../i18n';
import { usePermissions } from '../../permissions';
import { Link, navigate } from '../../router';
import { useDebounced } from '../messaging/shared';
import { ConsentBadge, displayName } from './contacts-shared';
import { type DraftGroup, emptyGroup, fromDefinition, SegmentRuleBuilder, toDefinition } from './SegmentRuleBuilder';
import { type Catalogue, type CountResult, type Definition, type Segment, segmentsApi } from './segments-api';
import './segments.css';

/**
 * SoReach › Segments › a dynamic segment: name, rules built visually, and the number of contacts
 * they select, recounted as the rules change (debounced; the server answers within a second on a
 * million contacts, or with an estimate).
 */
export function SegmentEditorPage({ segment, catalogue, onSaved }: { segment: Segment | null; catalogue: Catalogue; onSaved?: (segment: Segment) => void }) {
  const { t } = useI18n();
  const notify = useToast();
  const { can } = usePermissions();
  const canWrite = can('contacts:write');
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [root, setRoot] = useState<DraftGroup>(() => (segment?.definition ? fromDefinition(segment.definition) : emptyGroup('all')));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState(false);
  const { definition, complete } = useMemo(() => toDefinition(root, catalogue), [root, catalogue]);

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const saved = segment
        ? await segmentsApi.update(segment.id, { name: name.trim(), description: description.trim() || null, definition })
        : await segmentsApi.create({ name: name.trim(), description: description.trim() || null, kind: 'dynamic', definition });
      notify(t('segmentEditor.saved'));
      if (segment) onSaved?.(saved);
      else navigate(`/soreach/segments/${saved.id}`, { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  const title = segment ? segment.name : t('segmentEditor.newTitle');
  return (
    <>
      <p className="seg-back">
        <Link to="/soreach/segments">{t('segmentEditor.back')}</Link>
      </p>
      <PageHeader
        eyebrow={segment ? t('segmentEditor.eyebrow') : t('segmentEditor.eyebrowNew')}
        title={title}
        actions={
          segment && canWrite ? (
            <button type="button" className="button button-danger" onClick={() => setDeleting(true)} data-testid="segment-delete">
              {t('segmentEditor.delete')}
            </button>
          ) : undefined
        }
      />
      <form className="seg-layout" onSubmit={save} data-testid="segment-editor">
        <div className="seg-main">
          <section className="card">
            <div className="form-grid">
              <Field label={t('segments.name')} hint={t('segmentEditor.nameHint')} error={isApiError(error) ? error.fieldError('/name') : undefined}>
                <input type="text" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} disabled={!canWrite} data-testid="segment-name" />
              </Field>
              <Field label={t('segments.descriptionField')} optional optionalLabel={t('common.optional')}>
                <input type="text" maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} disabled={!canWrite} data-testid="segment-description" />
              </Field>
            </div>
          </section>
          <section className="card" aria-labelledby="segment-rules-title">
            <h2 className="card-title" id="segment-rules-title">
              {t('segmentEditor.rules')}
            </h2>
            <p className="muted small">{t('segmentEditor.rulesText')}</p>
            <SegmentRuleBuilder root={root} onChange={setRoot} catalogue={catalogue} selfId={segment?.id} />
          </section>
          <ErrorBanner error={error} testId="segment-save-error" />
          {canWrite && (
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={saving || !complete || !name.trim()} aria-busy={saving} data-testid="segment-save">
                {saving ? t('common.working') : t('segmentEditor.save')}
              </button>
            </div>
          )}
        </div>
        <aside className="seg-side">
          <LiveCount definition={definition} complete={complete} segmentId={segment?.id} />
        </aside>
      </form>
      {deleting && segment && (
        <ConfirmDialog
          title={t('segmentEditor.deleteTitle')}
          message={t('segmentEditor.deleteText')}
          confirmLabel={t('segmentEditor.delete')}
          danger
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await segmentsApi.remove(segment.id);
            notify(t('segmentEditor.deleted'));
            navigate('/soreach/segments');
          }}
        />
      )}
    </>
  );
}

/** The live count and a preview of matching contacts, refreshed 400 ms after the last change. */
export function LiveCount({ definition, complete, segmentId }: { definition: Definition; complete: boolean; segmentId?: string | undefined }) {
  const { t, formatNumber } = useI18n();
  const key = JSON.stringify(definition);
  const debounced = useDebounced(key, 400);
  const [result, setResult] = useState<CountResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const total = useAsync(() => segmentsApi.countDefinition({ all: [] }), []);
  const generation = useRef(0);

  useEffect(() => {
    if (!complete) return;
    const mine = ++generation.current;
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    segmentsApi
      .countDefinition(JSON.parse(debounced) as Definition, { sample: 5, segmentId, signal: controller.signal })
      .then((r) => {
        if (mine === generation.current) setResult(r);
      })
      .catch((e: unknown) => {
        if (mine === generation.current && !(e instanceof DOMException && e.name === 'AbortError')) setError(e);
      })
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
    return () => controller.abort();
  }, [debounced, complete, segmentId]);

  const pending = loading || key !== debounced;
  const hasConsent = key.includes('"type":"consent"');
  return (
    <section className="card seg-count" aria-labelledby="segment-count-title" data-testid="segment-count-panel">
      <h2 className="card-title" id="segment-count-title">
        {t('segmentEditor.countTitle')}
      </h2>
      <div className="seg-count-value" role="status" aria-live="polite" aria-busy={pending}>
        {!complete ? (
          <p className="muted" data-testid="segment-count-incomplete">
            {t('segmentEditor.countIncomplete')}
          </p>
        ) : result ? (
          <p className={pending ? 'seg-stale' : undefined}>
            <strong className="seg-number" data-testid="segment-count" data-count={result.count} data-pending={pending ? 'true' : 'false'} data-approximate={result.approximate ? 'true' : 'false'}>
              {result.approximate ? t('segmentEditor.countApprox', { count: formatNumber(result.count) }) : t('segmentEditor.count', { count: formatNumber(result.count) })}
            </strong>
            {total.data && <span className="muted"> {t('segmentEditor.countOf', { total: formatNumber(total.data.count) })}</span>}
          </p>
        ) : null}
        {pending && complete && (
          <span className="seg-spinner" data-testid="segment-count-spinner">
            <span className="spinner" aria-hidden="true" />
            <span className="visually-hidden">{t('segments.counting')}</span>
          </span>
        )}
      </div>
      {result && complete && (
        <p className="muted small">
          {t('segmentEditor.countLive')} {t('segmentEditor.countTook', { ms: result.tookMs })}
        </p>
      )}
      {result?.approximate && <WarningBanner>{t('segmentEditor.countApproxHint')}</WarningBanner>}
      {complete && error ? <ErrorBanner error={error} testId="segment-count-error" /> : null}
      {!hasConsent && result && result.count > 0 && <p className="small seg-hint">{t('segmentEditor.consentReminder')}</p>}
      {result?.sample && complete && (
        <>
          <h3 className="seg-subtitle">{t('segmentEditor.preview')}</h3>
          {result.sample.length === 0 ? (
            <p className="muted small">{t('segmentEditor.previewEmpty')}</p>
          ) : (
            <ul className="plain-list seg-preview" data-testid="segment-preview">
              {result.sample.map((c) => (
                <li key={c.id}>
                  <Link to={`/soreach/contacts/${c.id}`}>{displayName(t, c)}</Link>
                  <span className="seg-preview-consents">
                    {(['sms', 'email'] as const).map((channel) => (
                      <ConsentBadge key={channel} t={t} channel={channel} status={c.consent[channel] as 'granted'} />
                    ))}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

/** /soreach/segments/new */
export function NewSegmentPage() {
  const catalogue = useAsync(() => segmentsApi.catalogue(), []);
  if (catalogue.loading) return <Loading />;
  if (!catalogue.data) return <ErrorBanner error={catalogue.error} onRetry={catalogue.reload} />;
  return <SegmentEditorPage segment={null} catalogue={catalogue.data} />;
}

/** /soreach/segments/:id — the editor for a segment, the members page for a static list. */
export function SegmentDetailRoute({ segmentId, renderList }: { segmentId: string; renderList: (segment: Segment, reload: () => void) => React.ReactNode }) {
  const { t } = useI18n();
  const data = useAsync(() => Promise.all([segmentsApi.get(segmentId), segmentsApi.catalogue()]), [segmentId]);
  if (data.loading && !data.data) return <Loading />;
  if (!data.data) {
    if (isApiError(data.error) && data.error.status === 404) {
      return (
        <EmptyState icon="🔍" title={t('segments.emptyFiltered')} testId="segment-not-found">
          <Link to="/soreach/segments">{t('segmentEditor.back')}</Link>
        </EmptyState>
      );
    }
    return <ErrorBanner error={data.error} onRetry={data.reload} />;
  }
  const [segment, catalogue] = data.data;
  if (segment.kind === 'static') return <>{renderList(segment, data.reload)}</>;
  return <SegmentEditorPage key={segment.updatedAt} segment={segment} catalogue={catalogue} onSaved={() => data.reload()} />;
}
