import { type FormEvent, useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { ErrorBanner, Loading, WarningBanner } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { CancelSubmitButtons, PagedFooter } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { useToast } from '../../components/Toast';
import { fieldError } from '../../errors';
import { useAsync, usePaged } from '../../hooks';
import { type Translate, useI18n } from '../../i18n';
import { channelLabel, messageStatusLabel } from '../../labels';
import { usePermissions } from '../../permissions';
import { Link, navigate } from '../../router';
import { useMessagingFormat } from '../messaging/shared';
import {
  CONSOLE_SOURCES,
  type ConsentChannel,
  type ConsentRecord,
  type ConsentSource,
  type ConsentStatus,
  type ContactDetail,
  contactsApi,
  type TimelineItem,
} from './contacts-api';
import { ConsentStatusBadge, consentSourceLabel, consentStatusLabel, displayName } from './contacts-shared';
import { ContactFormDialog } from './ContactForm';

/**
 * One contact: details, consent per channel (status, source, date, proof) with its change
 * history (R-CONSENT), and the timeline of messages, clicks, replies, opt-outs and consent changes.
 */
export function ContactDetailPage({ contactId }: { contactId: string }) {
  const { t } = useI18n();
  const notify = useToast();
  const { can } = usePermissions();
  const canWrite = can('contacts:write');
  const contact = useAsync(() => contactsApi.get(contactId), [contactId]);
  const [historyKey, setHistoryKey] = useState(0);
  const [editing, setEditing] = useState(false);
  const [erasing, setErasing] = useState(false);
  const [changing, setChanging] = useState<ConsentRecord | null>(null);
  const c = contact.data;

  if (contact.loading && !c) return <Loading />;
  if (!c) {
    return (
      <>
        <Link to="/soreach/contacts" className="back-link">
          {t('contact.back')}
        </Link>
        <ErrorBanner error={contact.error} onRetry={contact.reload} testId="contact-error" />
      </>
    );
  }

  const updated = (next: ContactDetail) => {
    contact.setData(next);
    setHistoryKey((n) => n + 1);
  };

  return (
    <>
      <Link to="/soreach/contacts" className="back-link" data-testid="contact-back">
        {t('contact.back')}
      </Link>
      <PageHeader
        eyebrow={t('contact.eyebrow')}
        title={displayName(t, c)}
        actions={
          canWrite && (
            <>
              <button type="button" className="button button-secondary" onClick={() => setEditing(true)} data-testid="contact-edit">
                {t('contact.edit')}
              </button>
              <button type="button" className="button button-danger-ghost" onClick={() => setErasing(true)} data-testid="contact-erase">
                {t('contact.erase')}
              </button>
            </>
          )
        }
      />
      {c.warnings?.map((w) => (
        <WarningBanner key={w} testId="contact-warning">
          {t('contactForm.warning', { text: w })}
        </WarningBanner>
      ))}
      <DetailsCard contact={c} />
      <ConsentCard contact={c} onChange={canWrite ? setChanging : undefined} />
      <HistoryCard contactId={c.id} refreshKey={historyKey} />
      <TimelineCard contactId={c.id} refreshKey={historyKey} />
      {editing && (
        <ContactFormDialog
          contact={c}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            updated(saved);
            notify(t('contactForm.saved'));
          }}
        />
      )}
      {changing && (
        <ConsentDialog
          contact={c}
          record={changing}
          onClose={() => setChanging(null)}
          onSaved={(saved) => {
            setChanging(null);
            updated(saved);
            notify(saved.changed === false ? t('consentDialog.unchanged') : t('consentDialog.saved', { channel: channelLabel(t, changing.channel) }));
          }}
        />
      )}
      {erasing && (
        <ConfirmDialog
          title={t('contact.eraseTitle')}
          message={t('contact.eraseText')}
          confirmLabel={t('contact.eraseConfirm')}
          danger
          onClose={() => setErasing(false)}
          onConfirm={async () => {
            await contactsApi.erase(c.id);
            notify(t('contact.erased'));
            navigate('/soreach/contacts');
          }}
        />
      )}
    </>
  );
}

function DetailsCard({ contact: c }: { contact: ContactDetail }) {
  const { t, formatDateTime } = useI18n();
  const none = <span className="muted">{t('contact.none')}</span>;
  const attributes = Object.entries(c.attributes);
  return (
    <section className="card" aria-labelledby="contact-details-title" data-testid="contact-details">
      <h2 className="card-title" id="contact-details-title">
        {t('contact.details')}
      </h2>
      <dl className="summary-grid">
        <div>
          <dt>{t('contact.phone')}</dt>
          <dd data-testid="contact-detail-phone">{c.phone ? <code>{c.phone}</code> : none}</dd>
        </div>
        <div>
          <dt>{t('contact.email')}</dt>
          <dd data-testid="contact-detail-email">{c.email ?? none}</dd>
        </div>
        <div>
          <dt>{t('contact.language')}</dt>
          <dd>{c.language ?? none}</dd>
        </div>
        <div>
          <dt>{t('contact.pointOfSale')}</dt>
          <dd>{c.pointOfSale ?? none}</dd>
        </div>
        <div>
          <dt>{t('contact.tags')}</dt>
          <dd>
            {c.tags.length ? (
              <ul className="chips">
                {c.tags.map((tag) => (
                  <li key={tag} className="chip">
                    {tag}
                  </li>
                ))}
              </ul>
            ) : (
              none
            )}
          </dd>
        </div>
        <div>
          <dt>{t('contact.externalId')}</dt>
          <dd>{c.externalId ?? none}</dd>
        </div>
        <div>
          <dt>{t('contact.createdAt')}</dt>
          <dd>{formatDateTime(c.createdAt)}</dd>
        </div>
        <div>
          <dt>{t('contact.lastActivityAt')}</dt>
          <dd>{c.lastActivityAt ? formatDateTime(c.lastActivityAt) : none}</dd>
        </div>
        {attributes.length > 0 && (
          <div className="summary-wide">
            <dt>{t('contact.attributes')}</dt>
            <dd>
              <ul className="plain-list">
                {attributes.map(([key, value]) => (
                  <li key={key}>
                    <code>{key}</code> : {String(value)}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}

function proofText(proof: Record<string, unknown>): string {
  return ['text', 'reference', 'operator', 'ip', 'importId', 'optOut']
    .map((key) => proof[key])
    .filter((v): v is string => typeof v === 'string' && v.length > 0)
    .join(' · ');
}

function ConsentCard({ contact: c, onChange }: { contact: ContactDetail; onChange?: (record: ConsentRecord) => void }) {
  const { t, formatDateTime } = useI18n();
  const addressOf = (channel: ConsentChannel) => (channel === 'email' ? c.email : c.phone);
  return (
    <section className="card card-flush" aria-labelledby="contact-consents-title" data-testid="contact-consents">
      <div className="card-header">
        <h2 className="card-title" id="contact-consents-title">
          {t('contact.consents')}
        </h2>
      </div>
      <p className="card-pad muted">{t('contact.consentsText')}</p>
      {c.suppressed.phone && c.phone && (
        <div className="card-pad">
          <WarningBanner testId="contact-suppressed-phone">{t('contact.suppressed', { address: c.phone })}</WarningBanner>
        </div>
      )}
      {c.suppressed.email && c.email && (
        <div className="card-pad">
          <WarningBanner testId="contact-suppressed-email">{t('contact.suppressed', { address: c.email })}</WarningBanner>
        </div>
      )}
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">{t('contact.consents')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('contact.colChannel')}</th>
              <th scope="col">{t('contact.colStatus')}</th>
              <th scope="col">{t('contact.colSource')}</th>
              <th scope="col">{t('contact.colDate')}</th>
              <th scope="col">{t('contact.colProof')}</th>
              {onChange && (
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {c.consents.map((record) => (
              <tr key={record.channel} data-testid="consent-row" data-channel={record.channel} data-status={record.status}>
                <th scope="row">{channelLabel(t, record.channel)}</th>
                <td>
                  <ConsentStatusBadge t={t} status={record.status} testId={`consent-status-${record.channel}`} />
                </td>
                <td>{consentSourceLabel(t, record.source)}</td>
                <td className="cell-nowrap">{record.at ? formatDateTime(record.at) : '—'}</td>
                <td className="cell-detail">{proofText(record.proof) || <span className="muted">—</span>}</td>
                {onChange && (
                  <td className="cell-actions">
                    {addressOf(record.channel) ? (
                      <button
                        type="button"
                        className="button button-secondary button-sm"
                        onClick={() => onChange(record)}
                        aria-label={t('contact.changeNamed', { channel: channelLabel(t, record.channel) })}
                        data-testid={`consent-change-${record.channel}`}
                      >
                        {t('contact.change')}
                      </button>
                    ) : (
                      <span className="muted small">{t('contact.noAddress')}</span>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function HistoryCard({ contactId, refreshKey }: { contactId: string; refreshKey: number }) {
  const { t, formatDateTime } = useI18n();
  const history = useAsync(() => contactsApi.history(contactId), [contactId, refreshKey]);
  const events = history.data?.data ?? [];
  return (
    <section className="card card-flush" aria-labelledby="contact-history-title" data-testid="contact-history">
      <div className="card-header">
        <h2 className="card-title" id="contact-history-title">
          {t('contact.history')}
        </h2>
      </div>
      {history.loading && !history.data ? (
        <Loading />
      ) : history.error ? (
        <div className="card-pad">
          <ErrorBanner error={history.error} onRetry={history.reload} />
        </div>
      ) : events.length === 0 ? (
        <p className="card-pad muted">{t('contact.historyEmpty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{t('contact.history')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('contact.colDate')}</th>
                <th scope="col">{t('contact.colChannel')}</th>
                <th scope="col">{t('contact.colStatus')}</th>
                <th scope="col">{t('contact.colSource')}</th>
                <th scope="col">{t('contact.colProof')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={`${e.at}:${e.channel}:${e.status}:${e.source}`} data-testid="consent-event" data-channel={e.channel} data-status={e.status}>
                  <td className="cell-nowrap">{formatDateTime(e.at)}</td>
                  <td>{channelLabel(t, e.channel)}</td>
                  <td>
                    <ConsentStatusBadge t={t} status={e.status} />
                  </td>
                  <td>{consentSourceLabel(t, e.source)}</td>
                  <td className="cell-detail">{proofText(e.proof) || <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function describe(t: Translate, item: TimelineItem): string {
  const channel = item.channel ? channelLabel(t, item.channel) : '';
  if (item.type === 'message') return t('contact.timelineMessage', { channel, status: messageStatusLabel(t, item.kind) });
  if (item.type === 'consent') return t('contact.timelineConsent', { channel, status: consentStatusLabel(t, item.kind) });
  if (['clicked', 'opened', 'replied', 'opted_out', 'received'].includes(item.kind)) {
    return t(`contact.timeline.${item.kind as 'clicked'}`, { channel });
  }
  return item.kind;
}

function TimelineCard({ contactId, refreshKey }: { contactId: string; refreshKey: number }) {
  const { t } = useI18n();
  const fmt = useMessagingFormat();
  const list = usePaged((cursor) => contactsApi.timeline(contactId, cursor), [contactId, refreshKey]);
  return (
    <section className="card" aria-labelledby="contact-timeline-title" data-testid="contact-timeline">
      <h2 className="card-title" id="contact-timeline-title">
        {t('contact.timeline')}
      </h2>
      {list.loading ? (
        <Loading />
      ) : list.error && list.items.length === 0 ? (
        <ErrorBanner error={list.error} onRetry={list.reload} />
      ) : list.items.length === 0 ? (
        <p className="muted">{t('contact.timelineEmpty')}</p>
      ) : (
        <ol className="timeline">
          {list.items.map((item) => {
            const text = typeof item.detail.text === 'string' ? item.detail.text : typeof item.detail.subject === 'string' ? item.detail.subject : null;
            return (
              <li
                key={`${item.type}:${item.at}:${item.kind}:${item.messageId ?? ''}:${item.channel ?? ''}`}
                className={`timeline-step status-${item.type === 'message' ? item.kind : item.type === 'consent' ? (item.kind === 'granted' ? 'delivered' : 'failed') : 'submitted'}`}
                data-testid="timeline-item"
                data-type={item.type}
                data-kind={item.kind}
              >
                <span className="timeline-dot" aria-hidden="true" />
                <div className="timeline-head">
                  <strong>{describe(t, item)}</strong>
                  <time className="muted small" dateTime={item.at}>
                    {fmt.timestamp(item.at)}
                  </time>
                </div>
                {text && <p className="timeline-detail muted small">{text}</p>}
              </li>
            );
          })}
        </ol>
      )}
      <PagedFooter list={list} testId="timeline-load-more" />
    </section>
  );
}

function ConsentDialog({
  contact,
  record,
  onClose,
  onSaved,
}: {
  contact: ContactDetail;
  record: ConsentRecord;
  onClose: () => void;
  onSaved: (contact: ContactDetail) => void;
}) {
  const { t } = useI18n();
  const [status, setStatus] = useState<Exclude<ConsentStatus, 'unknown'>>(record.status === 'granted' ? 'withdrawn' : 'granted');
  const [source, setSource] = useState<ConsentSource>('console');
  const [text, setText] = useState('');
  const [reference, setReference] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const proofMissing = status === 'granted' && !text.trim() && !reference.trim();
  const channel = channelLabel(t, record.channel);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (proofMissing) return;
    setBusy(true);
    setError(null);
    const proof: Record<string, string> = {};
    if (text.trim()) proof.text = text.trim();
    if (reference.trim()) proof.reference = reference.trim();
    try {
      onSaved(await contactsApi.setConsent(contact.id, record.channel, { status, source, proof }));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('consentDialog.title', { channel })}
      onClose={onClose}
      testId="consent-dialog"
      dismissible={!busy}
      footer={
        <CancelSubmitButtons busy={busy} onCancel={onClose} form="consent-form" submitLabel={t('consentDialog.submit')} submitTestId="consent-submit" cancelTestId="consent-cancel" />
      }
    >
      <form id="consent-form" className="form" onSubmit={submit} noValidate>
        <ErrorBanner error={error} testId="consent-error" />
        <Field label={t('consentDialog.status')} error={fieldError(error, '/status')}>
          <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)} data-testid="consent-status">
            {(['granted', 'refused', 'withdrawn'] as const).map((s) => (
              <option key={s} value={s}>
                {consentStatusLabel(t, s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('consentDialog.source')}>
          <select value={source} onChange={(e) => setSource(e.target.value as ConsentSource)} data-testid="consent-source">
            {CONSOLE_SOURCES.map((s) => (
              <option key={s} value={s}>
                {consentSourceLabel(t, s)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label={t('consentDialog.proofText')}
          hint={t('consentDialog.proofTextHint')}
          error={(submitted && proofMissing ? t('consentDialog.proofRequired') : undefined) ?? fieldError(error, '/proof')}
        >
          <textarea rows={3} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} data-testid="consent-proof-text" />
        </Field>
        <Field label={t('consentDialog.reference')} hint={t('consentDialog.referenceHint')} optional optionalLabel={t('common.optional')}>
          <input type="text" maxLength={500} value={reference} onChange={(e) => setReference(e.target.value)} data-testid="consent-proof-reference" />
        </Field>
      </form>
    </Dialog>
  );
}
