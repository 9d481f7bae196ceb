import { useState } from 'react';
import { EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { PagedFooter } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { ToolbarSelect } from '../../components/Toolbar';
import { useToast } from '../../components/Toast';
import { useAsync, usePaged } from '../../hooks';
import { useI18n } from '../../i18n';
import { channelLabel } from '../../labels';
import { usePermissions } from '../../permissions';
import { Link, navigate } from '../../router';
import { useDebounced } from '../messaging/shared';
import { CONSENT_CHANNELS, CONSENT_STATUSES, type Contact, contactsApi } from './contacts-api';
import { ConsentBadge, consentStatusLabel, displayName, saveBlob } from './contacts-shared';
import { ContactFormDialog } from './ContactForm';

/**
 * SoReach › Contacts: search (phone in any notation, email, name), filters (tag, consent per
 * channel, point of sale), counts, exports (R-REVERSIBILITY) and the creation form.
 */
export function ContactsPage() {
  const { t, formatNumber, formatDate } = useI18n();
  const notify = useToast();
  const { can } = usePermissions();
  const canWrite = can('contacts:write');
  const [q, setQ] = useState('');
  const [tag, setTag] = useState('');
  const [consent, setConsent] = useState('');
  const [pointOfSale, setPointOfSale] = useState('');
  const query = useDebounced(q.trim(), 300);
  const filtered = Boolean(query || tag || consent || pointOfSale);
  const summary = useAsync(() => contactsApi.summary(), []);
  const [total, setTotal] = useState<number | null>(null);
  const list = usePaged(async (cursor) => {
    const page = await contactsApi.list({ cursor, q: query || undefined, tag: tag || undefined, consent: consent || undefined, pointOfSale: pointOfSale || undefined, count: cursor === null });
    if (cursor === null) setTotal(page.total ?? null);
    return page;
  }, [query, tag, consent, pointOfSale]);
  const [creating, setCreating] = useState(false);
  const [exporting, setExporting] = useState<'csv' | 'json' | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);

  const exportAs = async (format: 'csv' | 'json') => {
    setExporting(format);
    setExportError(null);
    try {
      const { blob, filename } = await contactsApi.export(format);
      saveBlob(blob, filename);
      notify(t('contacts.exported', { name: filename }));
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(null);
    }
  };

  const consentOptions = CONSENT_CHANNELS.flatMap((channel) =>
    CONSENT_STATUSES.map((status) => ({
      value: `${channel}:${status}`,
      label: t('contacts.consentFilter', { channel: channelLabel(t, channel), status: consentStatusLabel(t, status) }),
    })),
  );
  const s = summary.data;

  return (
    <>
      <PageHeader
        eyebrow={t('nav.soreach')}
        title={t('contacts.title')}
        description={t('contacts.description')}
        actions={
          <>
            <button type="button" className="button button-secondary" onClick={() => exportAs('csv')} disabled={exporting !== null} aria-busy={exporting === 'csv'} title={t('contacts.exportHint')} data-testid="contacts-export-csv">
              {exporting === 'csv' ? t('common.working') : t('contacts.exportCsv')}
            </button>
            <button type="button" className="button button-secondary" onClick={() => exportAs('json')} disabled={exporting !== null} aria-busy={exporting === 'json'} title={t('contacts.exportHint')} data-testid="contacts-export-json">
              {exporting === 'json' ? t('common.working') : t('contacts.exportJson')}
            </button>
            {canWrite && (
              <button type="button" className="button button-primary" onClick={() => setCreating(true)} data-testid="contact-create">
                {t('contacts.new')}
              </button>
            )}
          </>
        }
      />
      <ErrorBanner error={exportError} testId="contacts-export-error" />
      {s && (
        <p className="tab-intro" data-testid="contacts-counts" data-total={s.total}>
          <strong>{t('contacts.counts', { total: formatNumber(s.total) })}</strong>
          {CONSENT_CHANNELS.map((channel) => (
            <span key={channel}> · {t('contacts.countGranted', { channel: channelLabel(t, channel), count: formatNumber(s.consentGranted[channel]) })}</span>
          ))}
        </p>
      )}
      <section className="card card-flush" aria-label={t('contacts.listLabel')}>
        <search aria-label={t('contacts.searchLabel')}>
          <form className="toolbar toolbar-dense" onSubmit={(e) => e.preventDefault()}>
            <div className="toolbar-field toolbar-grow">
              <label htmlFor="contact-search" className="field-label">
                {t('contacts.search')}
              </label>
              <input
                id="contact-search"
                type="search"
                autoComplete="off"
                spellCheck={false}
                maxLength={100}
                placeholder={t('contacts.searchPlaceholder')}
                value={q}
                onChange={(e) => setQ(e.target.value)}
                data-testid="contact-search"
              />
            </div>
            <ToolbarSelect
              id="contact-filter-tag"
              label={t('contacts.filterTag')}
              value={tag}
              onChange={setTag}
              allLabel={t('contacts.filterTagAll')}
              options={(s?.tags ?? []).map((x) => ({ value: x.tag, label: `${x.tag} (${formatNumber(x.count)})` }))}
              testId="contact-filter-tag"
            />
            <ToolbarSelect
              id="contact-filter-consent"
              label={t('contacts.filterConsent')}
              value={consent}
              onChange={setConsent}
              allLabel={t('contacts.filterConsentAll')}
              options={consentOptions}
              testId="contact-filter-consent"
            />
            <ToolbarSelect
              id="contact-filter-pos"
              label={t('contacts.filterPos')}
              value={pointOfSale}
              onChange={setPointOfSale}
              allLabel={t('contacts.filterPosAll')}
              options={(s?.pointsOfSale ?? []).map((x) => ({ value: x.code, label: `${x.code} (${formatNumber(x.count)})` }))}
              testId="contact-filter-pos"
            />
            {filtered && (
              <div className="toolbar-buttons toolbar-end">
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => {
                    setQ('');
                    setTag('');
                    setConsent('');
                    setPointOfSale('');
                  }}
                  data-testid="contact-filters-clear"
                >
                  {t('contacts.clearFilters')}
                </button>
              </div>
            )}
          </form>
        </search>
        {filtered && total !== null && !list.loading && (
          <p className="card-pad muted small" role="status" data-testid="contacts-matching">
            {t('contacts.matching', { count: formatNumber(total) })}
          </p>
        )}
        {list.loading ? (
          <Loading />
        ) : list.error && list.items.length === 0 ? (
          <div className="card-pad">
            <ErrorBanner error={list.error} onRetry={list.reload} />
          </div>
        ) : list.items.length === 0 ? (
          !filtered ? (
            <EmptyState
              icon="👥"
              title={t('contacts.empty')}
              testId="contacts-empty"
              action={
                <>
                  {canWrite && (
                    <button type="button" className="button button-primary" onClick={() => setCreating(true)} data-testid="contacts-empty-create">
                      {t('contacts.new')}
                    </button>
                  )}{' '}
                  <a className="button button-secondary" href="/docs">
                    {t('contacts.emptyDocs')}
                  </a>
                </>
              }
            >
              <p>{t('contacts.emptyText')}</p>
            </EmptyState>
          ) : (
            <EmptyState icon="🔍" title={t('contacts.emptyFiltered')} testId="contacts-empty-filtered">
              <p>{t('contacts.emptyFilteredText')}</p>
            </EmptyState>
          )
        ) : (
          <ContactTable items={list.items} formatDate={formatDate} />
        )}
        <PagedFooter list={list} testId="contacts-load-more" />
      </section>
      {creating && (
        <ContactFormDialog
          onClose={() => setCreating(false)}
          onSaved={(contact) => {
            setCreating(false);
            notify(t('contactForm.created'));
            navigate(`/soreach/contacts/${contact.id}`);
          }}
        />
      )}
    </>
  );
}

function ContactTable({ items, formatDate }: { items: Contact[]; formatDate: (iso: string) => string }) {
  const { t } = useI18n();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="contacts-table">
        <caption className="visually-hidden">{t('contacts.listLabel')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('contacts.colName')}</th>
            <th scope="col">{t('contacts.colPhone')}</th>
            <th scope="col">{t('contacts.colEmail')}</th>
            <th scope="col">{t('contacts.colTags')}</th>
            <th scope="col">{t('contacts.colConsent')}</th>
            <th scope="col">{t('contacts.colCreated')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id} data-testid="contact-row" data-id={c.id}>
              <td>
                <Link to={`/soreach/contacts/${c.id}`} className="cell-strong" data-testid="contact-link">
                  {displayName(t, c)}
                </Link>
              </td>
              <td className="cell-nowrap">{c.phone ? <code>{c.phone}</code> : <span className="muted">—</span>}</td>
              <td>{c.email ?? <span className="muted">—</span>}</td>
              <td>
                {c.tags.length > 0 ? (
                  <ul className="chips">
                    {c.tags.map((tag) => (
                      <li key={tag} className="chip">
                        {tag}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td>
                <span className="chips">
                  {CONSENT_CHANNELS.map((channel) => (
                    <ConsentBadge key={channel} t={t} channel={channel} status={c.consent[channel]} />
                  ))}
                </span>
              </td>
              <td className="cell-nowrap">{formatDate(c.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
