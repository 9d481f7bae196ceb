import { useMemo, useState } from 'react';
import { isApiError } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState, ErrorBanner, Loading, SuccessBanner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { PagedFooter } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { useToast } from '../../components/Toast';
import { useAsync, usePaged } from '../../hooks';
import { useI18n } from '../../i18n';
import { usePermissions } from '../../permissions';
import { Link, navigate } from '../../router';
import { ConsentBadge, displayName } from './contacts-shared';
import { LiveCount } from './SegmentEditorPage';
import { type DraftGroup, emptyCondition, emptyGroup, SegmentRuleBuilder, toDefinition } from './SegmentRuleBuilder';
import { type MembersResult, type Segment, type MemberSelection, segmentsApi } from './segments-api';
import './segments.css';

type AddMode = 'segment' | 'rules' | 'ids';

/**
 * SoReach › Segments › a static list: its members (paged), and adding or removing contacts by
 * another segment, by rules, or by contact ids.
 */
export function SegmentListPage({ segment, onChanged }: { segment: Segment; onChanged: () => void }) {
  const { t, formatNumber } = useI18n();
  const notify = useToast();
  const { can } = usePermissions();
  const canWrite = can('contacts:write');
  const [members, setMembers] = useState(segment.count ?? 0);
  const [tick, setTick] = useState(0);
  const list = usePaged((cursor) => segmentsApi.contacts(segment.id, cursor), [segment.id, tick]);
  const [name, setName] = useState(segment.name);
  const [description, setDescription] = useState(segment.description ?? '');
  const [savingName, setSavingName] = useState(false);
  const [nameError, setNameError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState(false);
  const [removeError, setRemoveError] = useState<unknown>(null);

  const changed = (result: MembersResult) => {
    setMembers(result.members);
    setTick((n) => n + 1);
  };

  const rename = async (event: React.FormEvent) => {
    event.preventDefault();
    setSavingName(true);
    setNameError(null);
    try {
      await segmentsApi.update(segment.id, { name: name.trim(), description: description.trim() || null });
      notify(t('segmentList.renamed'));
      onChanged();
    } catch (e) {
      setNameError(e);
    } finally {
      setSavingName(false);
    }
  };

  const removeOne = async (contactId: string) => {
    setRemoveError(null);
    try {
      changed(await segmentsApi.removeMembers(segment.id, { contactIds: [contactId] }));
    } catch (e) {
      setRemoveError(e);
    }
  };

  return (
    <>
      <p className="seg-back">
        <Link to="/soreach/segments">{t('segmentEditor.back')}</Link>
      </p>
      <PageHeader
        eyebrow={t('segmentList.eyebrow')}
        title={segment.name}
        description={<span data-testid="segment-list-members" data-count={members}>{t('segmentList.membersCount', { count: formatNumber(members) })}</span>}
        actions={
          canWrite ? (
            <button type="button" className="button button-danger" onClick={() => setDeleting(true)} data-testid="segment-list-delete">
              {t('segmentList.delete')}
            </button>
          ) : undefined
        }
      />
      {canWrite && (
        <section className="card">
          <form className="form-grid" onSubmit={rename}>
            <Field label={t('segments.name')} error={isApiError(nameError) ? nameError.fieldError('/name') : undefined}>
              <input type="text" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
            </Field>
            <Field label={t('segments.descriptionField')} optional optionalLabel={t('common.optional')}>
              <input type="text" maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
            </Field>
            <div className="form-actions">
              <button type="submit" className="button button-secondary" disabled={savingName} aria-busy={savingName}>
                {savingName ? t('common.working') : t('segmentList.rename')}
              </button>
            </div>
          </form>
          <ErrorBanner error={isApiError(nameError) && nameError.fieldError('/name') ? null : nameError} />
        </section>
      )}
      {canWrite && <AddMembers segment={segment} onChanged={changed} />}
      <section className="card card-flush" aria-labelledby="segment-members-title">
        <h2 className="card-title card-pad" id="segment-members-title">
          {t('segmentList.members')}
        </h2>
        <ErrorBanner error={removeError} />
        {list.loading ? (
          <Loading />
        ) : list.error && list.items.length === 0 ? (
          <div className="card-pad">
            <ErrorBanner error={list.error} onRetry={list.reload} />
          </div>
        ) : list.items.length === 0 ? (
          <EmptyState icon="📋" title={t('segmentList.empty')} testId="segment-list-empty">
            <p>{t('segmentList.emptyText')}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="segment-members-table">
              <caption className="visually-hidden">{t('segmentList.members')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('segmentList.colName')}</th>
                  <th scope="col">{t('segmentList.colPhone')}</th>
                  <th scope="col">{t('segmentList.colEmail')}</th>
                  <th scope="col">{t('segmentList.colConsent')}</th>
                  {canWrite && (
                    <th scope="col">
                      <span className="visually-hidden">{t('common.actions')}</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {list.items.map((c) => (
                  <tr key={c.id} data-testid="segment-member-row">
                    <td>
                      <Link to={`/soreach/contacts/${c.id}`} className="cell-strong">
                        {displayName(t, c)}
                      </Link>
                    </td>
                    <td className="cell-nowrap">{c.phone ? <code>{c.phone}</code> : <span className="muted">—</span>}</td>
                    <td>{c.email ?? <span className="muted">—</span>}</td>
                    <td>
                      <span className="seg-preview-consents">
                        {(['sms', 'email', 'whatsapp', 'rcs'] as const).map((channel) => (
                          <ConsentBadge key={channel} t={t} channel={channel} status={c.consent[channel] as 'granted'} />
                        ))}
                      </span>
                    </td>
                    {canWrite && (
                      <td className="row-actions">
                        <button type="button" className="button button-secondary button-sm" onClick={() => void removeOne(c.id)} aria-label={t('segmentList.removeLabel', { name: displayName(t, c) })}>
                          {t('segmentList.remove')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <PagedFooter list={list} testId="segment-members-more" />
      </section>
      {deleting && (
        <ConfirmDialog
          title={t('segmentList.deleteTitle')}
          message={t('segmentList.deleteText')}
          confirmLabel={t('segmentList.delete')}
          danger
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await segmentsApi.remove(segment.id);
            notify(t('segmentList.deleted'));
            navigate('/soreach/segments');
          }}
        />
      )}
    </>
  );
}

function AddMembers({ segment, onChanged }: { segment: Segment; onChanged: (result: MembersResult) => void }) {
  const { t, formatNumber } = useI18n();
  const catalogue = useAsync(() => segmentsApi.catalogue(), []);
  const [mode, setMode] = useState<AddMode>('segment');
  const [sourceId, setSourceId] = useState('');
  const [ids, setIds] = useState('');
  const [root, setRoot] = useState<DraftGroup>(() => emptyGroup('all', [emptyCondition()]));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const rules = useMemo(() => (catalogue.data ? toDefinition(root, catalogue.data) : null), [root, catalogue.data]);

  const run = async (action: 'add' | 'remove') => {
    let selection: MemberSelection;
    if (mode === 'segment') selection = { segmentId: sourceId };
    else if (mode === 'rules' && rules) selection = { definition: rules.definition };
    else selection = { contactIds: ids.split(/[\s,;]+/).filter(Boolean) };
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const result = action === 'add' ? await segmentsApi.addMembers(segment.id, selection) : await segmentsApi.removeMembers(segment.id, selection);
      const parts = [
        action === 'add'
          ? t('segmentList.added', { count: formatNumber(result.added ?? 0), members: formatNumber(result.members) })
          : t('segmentList.removed', { count: formatNumber(result.removed ?? 0), members: formatNumber(result.members) }),
      ];
      if (result.unknownContactIds.length) parts.push(t('segmentList.unknown', { count: formatNumber(result.unknownContactIds.length) }));
      setDone(parts.join(' '));
      onChanged(result);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (catalogue.loading) return <Loading />;
  if (!catalogue.data) return <ErrorBanner error={catalogue.error} onRetry={catalogue.reload} />;
  const sources = catalogue.data.segments.filter((s) => s.id !== segment.id);
  const ready = mode === 'segment' ? Boolean(sourceId) : mode === 'rules' ? Boolean(rules?.complete && rules.definition) : ids.trim().length > 0;
  return (
    <section className="card" aria-labelledby="segment-add-title" data-testid="segment-list-add">
      <h2 className="card-title" id="segment-add-title">
        {t('segmentList.addTitle')}
      </h2>
      <div className="seg-toggle seg-toggle-wide" role="radiogroup" aria-label={t('segmentList.addTitle')}>
        {(['segment', 'rules', 'ids'] as const).map((m) => (
          <label key={m} className={`seg-toggle-option${mode === m ? ' is-on' : ''}`}>
            <input type="radio" name="segment-add-mode" value={m} checked={mode === m} onChange={() => setMode(m)} data-testid={`segment-add-mode-${m}`} />
            {t(m === 'segment' ? 'segmentList.addFromSegment' : m === 'rules' ? 'segmentList.addFromRules' : 'segmentList.addFromIds')}
          </label>
        ))}
      </div>
      {mode === 'segment' && (
        <Field label={t('segmentList.addFromSegment')}>
          <select value={sourceId} onChange={(e) => setSourceId(e.target.value)} data-testid="segment-add-source">
            <option value="">{t('segmentRules.pickSegment')}</option>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({t(s.kind === 'static' ? 'segments.kind.static' : 'segments.kind.dynamic')})
              </option>
            ))}
          </select>
        </Field>
      )}
      {mode === 'rules' && rules && (
        <div className="seg-layout seg-layout-compact">
          <div className="seg-main">
            <SegmentRuleBuilder root={root} onChange={setRoot} catalogue={catalogue.data} selfId={segment.id} testId="segment-add-rules" />
          </div>
          <aside className="seg-side">
            <LiveCount definition={rules.definition} complete={rules.complete} />
          </aside>
        </div>
      )}
      {mode === 'ids' && (
        <Field label={t('segmentList.idsLabel')} hint={t('segmentList.idsHint')}>
          <textarea rows={4} spellCheck={false} value={ids} onChange={(e) => setIds(e.target.value)} data-testid="segment-add-ids" />
        </Field>
      )}
      <ErrorBanner error={error} testId="segment-add-error" />
      {done && <SuccessBanner>{done}</SuccessBanner>}
      <div className="form-actions">
        <button type="button" className="button button-primary" disabled={busy || !ready} aria-busy={busy} onClick={() => void run('add')} data-testid="segment-add-submit">
          {busy ? t('common.working') : t('segmentList.add')}
        </button>
        {mode !== 'ids' && (
          <button type="button" className="button button-secondary" disabled={busy || !ready} onClick={() => void run('remove')} data-testid="segment-remove-matching">
            {t('segmentList.removeMatching')}
          </button>
        )}
      </div>
    </section>
  );
}
