import { type FormEvent, useEffect, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner, Loading, SuccessBanner, WarningBanner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { useToast } from '../../components/Toast';
import { useAsync } from '../../hooks';
import { type MessageKey, useI18n } from '../../i18n';
import { channelLabel } from '../../labels';
import { usePermissions } from '../../permissions';
import { Link } from '../../router';
import { type AttributeDefinition, CONSENT_CHANNELS, type ConsentChannel, contactsApi } from './contacts-api';
import { saveBlob } from './contacts-shared';
import { type ContactImport, IMPORT_SOURCES, IMPORT_TARGETS, type ImportConfiguration, type ImportSource, importsApi, type MergePolicy } from './import-api';
import { formatSeconds, formatSize, ImportStatusBadge } from './import-shared';
import './import.css';

/** How often the progress is read while the import runs. */
const POLL_MS = 1000;

/**
 * SoReach › Imports › one import. Uploaded: steps 2 and 3 of the wizard (preview and mapping,
 * merge policy and consent, start). Started: its progress, updated live, the counters, the
 * refused rows to download, cancel.
 */
export function ImportPage({ importId }: { importId: string }) {
  const { t } = useI18n();
  const state = useAsync(() => importsApi.get(importId), [importId]);
  const [current, setCurrent] = useState<ContactImport | undefined>(undefined);
  const item = current ?? state.data;

  // Polling while the import is queued or running (the page updates itself; no websocket needed).
  const active = item?.status === 'queued' || item?.status === 'running' || item?.status === 'uploading';
  useEffect(() => {
    if (!active) return;
    let live = true;
    const timer = window.setInterval(() => {
      importsApi
        .get(importId)
        .then((next) => {
          if (live) setCurrent(next);
        })
        .catch(() => {});
    }, POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [active, importId]);

  if (!item) {
    return (
      <>
        <PageHeader eyebrow={<Link to="/soreach/imports">{t('imports.back')}</Link>} title={t('imports.title')} />
        {state.error ? <ErrorBanner error={state.error} onRetry={state.reload} /> : <Loading />}
      </>
    );
  }
  return (
    <>
      <PageHeader eyebrow={<Link to="/soreach/imports">{t('imports.back')}</Link>} title={t('imports.progress.title', { name: item.filename })} actions={<ImportStatusBadge t={t} status={item.status} />} />
      {item.status === 'uploaded' ? <ConfigureImport item={item} onChange={setCurrent} /> : <ImportProgress item={item} onChange={setCurrent} />}
    </>
  );
}

const DELIMITERS: Array<{ value: NonNullable<ImportConfiguration['delimiter']>; label: string }> = [
  { value: ';', label: '; (point-virgule)' },
  { value: ',', label: ', (virgule)' },
  { value: '\t', label: 'tabulation' },
  { value: '|', label: '| (barre)' },
];

function ConfigureImport({ item, onChange }: { item: ContactImport; onChange: (next: ContactImport) => void }) {
  const { t, formatNumber } = useI18n();
  const { can } = usePermissions();
  const attributes = useAsync(() => contactsApi.attributes(), []);
  const [mapping, setMapping] = useState<Record<string, string>>(() => ({ ...item.suggestedMapping, ...(item.mapping ?? {}) }));
  const [mergePolicy, setMergePolicy] = useState<MergePolicy>(item.mergePolicy ?? 'update');
  const [channels, setChannels] = useState<ConsentChannel[]>(['sms']);
  const [status, setStatus] = useState<'granted' | 'refused' | 'withdrawn'>('granted');
  const [source, setSource] = useState<ImportSource | ''>('');
  const [proofText, setProofText] = useState('');
  const [reference, setReference] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // A new reading (encoding, delimiter, header) gives new columns: take their suggestions.
  useEffect(() => {
    setMapping({ ...item.suggestedMapping, ...(item.mapping ?? {}) });
  }, [item.suggestedMapping, item.mapping]);

  const reread = async (change: Pick<ImportConfiguration, 'encoding' | 'delimiter' | 'hasHeader'>) => {
    setBusy(true);
    setError(null);
    try {
      onChange(await importsApi.configure(item.id, change));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const sourceError = submitted && !source ? t('imports.consent.sourceRequired') : undefined;
  const channelsError = submitted && channels.length === 0 ? t('imports.consent.channelsRequired') : undefined;
  const proofError = submitted && status === 'granted' && !proofText.trim() && !reference.trim() ? t('imports.consent.proofRequired') : undefined;

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!source || channels.length === 0 || (status === 'granted' && !proofText.trim() && !reference.trim())) return;
    setBusy(true);
    setError(null);
    try {
      await importsApi.configure(item.id, {
        mapping,
        mergePolicy,
        consent: { channels, status, source, proof: { ...(proofText.trim() ? { text: proofText.trim() } : {}), ...(reference.trim() ? { reference: reference.trim() } : {}) } },
      });
      onChange(await importsApi.start(item.id));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const targets: Array<{ value: string; label: string }> = [
    ...IMPORT_TARGETS.map((target) => ({ value: target, label: t(`imports.target.${target}` as MessageKey) })),
    ...(attributes.data?.data ?? []).map((a: AttributeDefinition) => ({ value: `attribute:${a.key}`, label: t('imports.target.attribute', { label: a.label }) })),
  ];
  const delimiterLabel = DELIMITERS.find((d) => d.value === item.delimiter)?.label ?? item.delimiter ?? '—';

  return (
    <form onSubmit={start} noValidate data-testid="import-configure">
      <section className="card card-pad" aria-labelledby="import-step-2">
        <h2 id="import-step-2" className="card-title">
          {t('imports.configure.step')}
        </h2>
        <p className="muted" data-testid="import-detected">
          {t('imports.configure.detected', {
            format: item.format.toUpperCase(),
            encoding: item.encoding ?? '—',
            delimiter: delimiterLabel,
            rows: formatNumber(item.counters.estimatedRows ?? item.preview.length),
          })}{' '}
          · {formatSize(item.sizeBytes)}
        </p>
        {can('contacts:write') && (
          <fieldset className="fieldset">
            <legend className="field-label">{t('imports.configure.reading')}</legend>
            <div className="form-grid">
              {item.format === 'csv' && (
                <>
                  <Field label={t('imports.configure.encoding')}>
                    <select value={item.encoding ?? 'utf-8'} disabled={busy} onChange={(e) => void reread({ encoding: e.target.value as 'utf-8' | 'windows-1252' })} data-testid="import-encoding">
                      <option value="utf-8">UTF-8</option>
                      <option value="windows-1252">Windows-1252 (Excel)</option>
                    </select>
                  </Field>
                  <Field label={t('imports.configure.delimiter')}>
                    <select value={item.delimiter ?? ';'} disabled={busy} onChange={(e) => void reread({ delimiter: e.target.value as NonNullable<ImportConfiguration['delimiter']> })} data-testid="import-delimiter">
                      {DELIMITERS.map((d) => (
                        <option key={d.value} value={d.value}>
                          {d.label}
                        </option>
                      ))}
                    </select>
                  </Field>
                </>
              )}
            </div>
            <div className="checkbox-card">
              <input id="import-has-header" type="checkbox" checked={item.hasHeader} disabled={busy} onChange={(e) => void reread({ hasHeader: e.target.checked })} data-testid="import-has-header" />
              <label htmlFor="import-has-header">{t('imports.configure.hasHeader')}</label>
            </div>
          </fieldset>
        )}
        <p className="field-hint">{t('imports.configure.mappingHint')}</p>
        <div className="table-wrap">
          <table className="table import-preview" data-testid="import-preview">
            <caption className="visually-hidden">{t('imports.configure.previewCaption', { count: item.preview.length })}</caption>
            <thead>
              <tr>
                {item.columns.map((column, index) => (
                  <th key={column} scope="col">
                    <label htmlFor={`import-map-${index}`} className="field-label">
                      {column}
                    </label>
                    <select
                      id={`import-map-${index}`}
                      aria-label={t('imports.configure.mapTo', { column })}
                      value={mapping[column] ?? 'ignore'}
                      onChange={(e) => setMapping({ ...mapping, [column]: e.target.value })}
                      data-testid={`import-map-${index}`}
                    >
                      {targets.map((target) => (
                        <option key={target.value} value={target.value}>
                          {target.label}
                          {item.suggestedMapping[column] === target.value && target.value !== 'ignore' ? ` (${t('imports.configure.suggested')})` : ''}
                        </option>
                      ))}
                    </select>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {item.preview.map((row, r) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: preview rows have no id of their own
                <tr key={r} data-testid="import-preview-row">
                  {row.map((cell, c) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: cells by position
                    <td key={c} title={cell}>
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card card-pad import-options" aria-labelledby="import-step-3">
        <h2 id="import-step-3" className="card-title">
          {t('imports.options.step')}
        </h2>
        <fieldset className="fieldset" data-testid="import-merge">
          <legend className="field-label">{t('imports.merge.legend')}</legend>
          <div className="radio-list">
            {(['update', 'skip', 'overwrite'] as const).map((policy) => (
              <div key={policy} className={`checkbox-card${mergePolicy === policy ? ' is-checked' : ''}`}>
                <input id={`import-merge-${policy}`} type="radio" name="merge" checked={mergePolicy === policy} onChange={() => setMergePolicy(policy)} data-testid={`import-merge-${policy}`} />
                <label htmlFor={`import-merge-${policy}`}>{t(`imports.merge.${policy}` as MessageKey)}</label>
              </div>
            ))}
          </div>
        </fieldset>

        <fieldset className={`fieldset${channelsError ? ' field-invalid' : ''}`} data-testid="import-consent" aria-describedby="import-consent-text">
          <legend className="field-label">{t('imports.consent.legend')}</legend>
          <p id="import-consent-text" className="field-hint">
            {t('imports.consent.text')}
          </p>
          <div className="checkbox-list">
            {CONSENT_CHANNELS.map((channel) => (
              <div key={channel} className={`checkbox-card${channels.includes(channel) ? ' is-checked' : ''}`}>
                <input
                  id={`import-consent-${channel}`}
                  type="checkbox"
                  checked={channels.includes(channel)}
                  onChange={(e) => setChannels(e.target.checked ? [...channels, channel] : channels.filter((c) => c !== channel))}
                  data-testid={`import-consent-${channel}`}
                />
                <label htmlFor={`import-consent-${channel}`}>{t('imports.consent.channel', { channel: channelLabel(t, channel) })}</label>
              </div>
            ))}
          </div>
          {channelsError && <div className="field-error">{channelsError}</div>}
          <div className="form-grid">
            <Field label={t('imports.consent.source')} error={sourceError}>
              <select value={source} onChange={(e) => setSource(e.target.value as ImportSource | '')} required data-testid="import-consent-source">
                <option value="">{t('imports.consent.sourceChoose')}</option>
                {IMPORT_SOURCES.map((s) => (
                  <option key={s} value={s}>
                    {t(`imports.consent.source.${s}` as MessageKey)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('imports.consent.status')}>
              <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)} data-testid="import-consent-status">
                {(['granted', 'refused', 'withdrawn'] as const).map((s) => (
                  <option key={s} value={s}>
                    {t(`imports.consent.status.${s}` as MessageKey)}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <Field label={t('imports.consent.proofText')} hint={t('imports.consent.proofTextHint')} error={proofError}>
            <textarea rows={2} maxLength={2000} value={proofText} onChange={(e) => setProofText(e.target.value)} data-testid="import-consent-text" />
          </Field>
          <Field label={t('imports.consent.reference')} optional optionalLabel={t('common.optional')}>
            <input type="text" maxLength={500} value={reference} onChange={(e) => setReference(e.target.value)} data-testid="import-consent-reference" />
          </Field>
        </fieldset>
        <ErrorBanner error={error} testId="import-configure-error" />
        {can('contacts:write') && (
          <div>
            <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy} data-testid="import-start">
              {busy ? t('imports.starting') : t('imports.start')}
            </button>
          </div>
        )}
      </section>
    </form>
  );
}

function ImportProgress({ item, onChange }: { item: ContactImport; onChange: (next: ContactImport) => void }) {
  const { t, formatNumber } = useI18n();
  const { can } = usePermissions();
  const notify = useToast();
  const [cancelling, setCancelling] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const c = item.counters;
  const running = item.status === 'queued' || item.status === 'running';

  const downloadErrors = async () => {
    setDownloadError(null);
    try {
      const { blob, filename } = await importsApi.errors(item.id);
      saveBlob(blob, filename);
      notify(t('imports.errors.downloaded', { name: filename }));
    } catch (e) {
      setDownloadError(e);
    }
  };

  return (
    <section className="card card-pad" aria-labelledby="import-progress-title" data-testid="import-progress-card">
      <h2 id="import-progress-title" className="card-title">
        {t('imports.progress.label')}
      </h2>
      <progress className="import-progress" max={100} value={item.progress.percent} aria-labelledby="import-progress-title" data-testid="import-progress" />
      <p className="muted" aria-live="polite" data-testid="import-progress-text">
        {item.progress.percent.toLocaleString()} %
        {item.progress.rowsPerSecond !== null && ` · ${t('imports.progress.rate', { rate: formatNumber(item.progress.rowsPerSecond) })}`}
        {running && item.progress.etaSeconds !== null && ` · ${t('imports.progress.eta', { eta: formatSeconds(item.progress.etaSeconds) })}`}
      </p>
      {item.status === 'queued' && <p className="muted">{t('imports.progress.queuedText')}</p>}
      {item.status === 'completed' && (
        <SuccessBanner>
          <span data-testid="import-completed">{t('imports.progress.completed', { inserted: formatNumber(c.inserted), updated: formatNumber(c.updated), failed: formatNumber(c.failed) })}</span>
        </SuccessBanner>
      )}
      {item.status === 'failed' && <WarningBanner testId="import-failed">{t('imports.progress.failedText', { error: item.error ?? '—' })}</WarningBanner>}
      {item.status === 'cancelled' && <WarningBanner testId="import-cancelled">{t('imports.progress.cancelledText')}</WarningBanner>}
      <dl className="import-counters" data-testid="import-counters">
        {(['processed', 'inserted', 'updated', 'skipped', 'failed', 'warnings'] as const).map((key) => (
          <div key={key} data-testid={`import-count-${key}`} data-value={c[key]}>
            <dt>{t(`imports.progress.${key}` as MessageKey)}</dt>
            <dd>{formatNumber(c[key])}</dd>
          </div>
        ))}
      </dl>
      <ErrorBanner error={downloadError} testId="import-errors-error" />
      <div className="toolbar-buttons">
        {(c.failed > 0 || c.warnings > 0) && (
          <button type="button" className="button button-secondary" onClick={() => void downloadErrors()} data-testid="import-errors-download">
            {t('imports.errors.download')}
          </button>
        )}
        {item.status === 'completed' && (
          <Link to="/soreach/contacts" className="button button-secondary">
            {t('imports.toContacts')}
          </Link>
        )}
        {running && can('contacts:write') && (
          <button type="button" className="button button-danger" onClick={() => setCancelling(true)} data-testid="import-cancel">
            {t('imports.cancel')}
          </button>
        )}
      </div>
      {cancelling && (
        <ConfirmDialog
          title={t('imports.cancel')}
          message={t('imports.cancelConfirm')}
          confirmLabel={t('imports.cancel')}
          danger
          onConfirm={async () => onChange(await importsApi.cancel(item.id))}
          onClose={() => setCancelling(false)}
        />
      )}
    </section>
  );
}
