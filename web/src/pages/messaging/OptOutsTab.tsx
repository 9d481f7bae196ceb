import { type FormEvent, useRef, useState } from 'react';
import { api } from '../../api';
import { Dialog } from '../../components/Dialog';
import { EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { AddFormCard, FormRowSubmit, OptionalTextField } from '../../components/FormParts';
import { CancelSubmitButtons, PagedFooter } from '../../components/FormButtons';
import { ActionsHeader, RemoveCell } from '../../components/Table';
import { useToast } from '../../components/Toast';
import { fieldError } from '../../errors';
import { usePaged } from '../../hooks';
import { useI18n } from '../../i18n';
import { optOutSourceLabel } from '../../labels';
import { usePermissions } from '../../permissions';
import type { OptOut } from '../../types';
import { ChannelBadge, useDebounced, useMessagingFormat } from './shared';

const MIN_REASON = 5;

/** The suppression list (R-OPTOUT): search, add, lift with a reason, export as CSV. */
export function OptOutsTab() {
  const { t } = useI18n();
  const notify = useToast();
  const { can } = usePermissions();
  const manage = can('contacts:write');
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 300);
  const list = usePaged((cursor) => api.optOuts.list({ cursor, q: query || undefined }), [query]);
  const [removing, setRemoving] = useState<OptOut | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const { blob, filename } = await api.optOuts.exportCsv();
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      notify(t('optouts.exported', { name: filename }));
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <p className="tab-intro">{t('optouts.intro')}</p>
      {manage && (
        <AddOptOutForm
          onAdded={(added) => {
            list.update((items) => [added, ...items.filter((o) => o.address !== added.address)]);
            notify(t('optouts.added', { address: added.address }));
          }}
        />
      )}
      <section className="card card-flush" aria-label={t('optouts.listLabel')}>
        <search aria-label={t('optouts.searchLabel')}>
          <form className="toolbar" onSubmit={(e) => e.preventDefault()}>
            <div className="toolbar-field toolbar-grow">
              <label htmlFor="optout-search" className="field-label">
                {t('optouts.search')}
              </label>
              <input
                id="optout-search"
                type="search"
                autoComplete="off"
                spellCheck={false}
                maxLength={100}
                placeholder={t('optouts.searchPlaceholder')}
                value={q}
                onChange={(e) => setQ(e.target.value)}
                data-testid="optout-search"
              />
            </div>
            <div className="toolbar-buttons toolbar-end">
              <button
                type="button"
                className="button button-secondary"
                onClick={exportCsv}
                disabled={exporting}
                aria-busy={exporting}
                data-testid="optout-export"
              >
                {exporting ? t('common.working') : t('optouts.export')}
              </button>
            </div>
          </form>
        </search>
        {Boolean(exportError) && (
          <div className="card-pad">
            <ErrorBanner error={exportError} testId="optout-export-error" />
          </div>
        )}
        {list.loading ? (
          <Loading />
        ) : list.error && list.items.length === 0 ? (
          <div className="card-pad">
            <ErrorBanner error={list.error} onRetry={list.reload} />
          </div>
        ) : list.items.length === 0 ? (
          <EmptyState
            icon="🚫"
            title={query ? t('optouts.emptyFiltered') : t('optouts.empty')}
            testId="optouts-empty"
          >
            <p>{query ? t('optouts.emptyFilteredText', { q: query }) : t('optouts.emptyText')}</p>
          </EmptyState>
        ) : (
          <OptOutTable items={list.items} onRemove={manage ? setRemoving : undefined} />
        )}
        <PagedFooter list={list} testId="optouts-load-more" />
      </section>
      {removing && (
        <RemoveOptOutDialog
          optOut={removing}
          onClose={() => setRemoving(null)}
          onRemoved={() => {
            list.update((items) => items.filter((o) => o.address !== removing.address));
            notify(t('optouts.removed', { address: removing.address }));
            setRemoving(null);
          }}
        />
      )}
    </>
  );
}

function OptOutTable({
  items,
  onRemove,
}: {
  items: OptOut[];
  onRemove?: (optOut: OptOut) => void;
}) {
  const { t } = useI18n();
  const fmt = useMessagingFormat();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="optouts-table">
        <caption className="visually-hidden">{t('optouts.listLabel')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('optouts.colAddress')}</th>
            <th scope="col">{t('optouts.colSource')}</th>
            <th scope="col">{t('optouts.colChannel')}</th>
            <th scope="col">{t('optouts.colDetail')}</th>
            <th scope="col">{t('optouts.colDate')}</th>
            {onRemove && <ActionsHeader />}
          </tr>
        </thead>
        <tbody>
          {items.map((o) => (
            <tr
              key={o.address}
              data-testid="optout-row"
              data-address={o.address}
              data-source={o.source}
            >
              <td className="cell-nowrap">
                <code className="cell-strong">{o.address}</code>
              </td>
              <td>{optOutSourceLabel(t, o.source)}</td>
              <td>
                {o.channel ? (
                  <ChannelBadge channel={o.channel} />
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td className="cell-detail">{o.detail ?? <span className="muted">—</span>}</td>
              <td className="cell-nowrap">{fmt.timestamp(o.createdAt)}</td>
              {onRemove && (
                <RemoveCell
                  onClick={() => onRemove(o)}
                  ariaLabel={t('optouts.removeNamed', { address: o.address })}
                  label={t('optouts.remove')}
                  testId="optout-remove"
                />
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AddOptOutForm({ onAdded }: { onAdded: (optOut: OptOut) => void }) {
  const { t } = useI18n();
  const [address, setAddress] = useState('');
  const [reason, setReason] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const addressRef = useRef<HTMLInputElement>(null);
  const missing = !address.trim();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (missing) {
      addressRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const added = await api.optOuts.add({
        address: address.trim(),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      onAdded(added);
      setAddress('');
      setReason('');
      setSubmitted(false);
      addressRef.current?.focus();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AddFormCard
      titleId="optout-add-title"
      title={t('optouts.addTitle')}
      text={t('optouts.addText')}
    >
      <form className="form" onSubmit={submit} noValidate data-testid="optout-add-form">
        <ErrorBanner error={error} testId="optout-add-error" />
        <div className="form-row">
          <Field
            label={t('optouts.address')}
            hint={t('optouts.addressHint')}
            error={
              (submitted && missing ? t('optouts.addressRequired') : undefined) ??
              fieldError(error, '/address')
            }
          >
            <input
              ref={addressRef}
              type="text"
              autoComplete="off"
              spellCheck={false}
              maxLength={254}
              value={address}
              onChange={(e) => setAddress(e.target.value)}
              data-testid="optout-add-address"
            />
          </Field>
          <OptionalTextField
            label={t('optouts.reason')}
            hint={t('optouts.reasonHint')}
            error={fieldError(error, '/reason')}
            maxLength={500}
            value={reason}
            onChange={setReason}
            testId="optout-add-reason"
          />
          <FormRowSubmit busy={busy} label={t('optouts.addSubmit')} testId="optout-add-submit" />
        </div>
      </form>
    </AddFormCard>
  );
}

function RemoveOptOutDialog({
  optOut,
  onClose,
  onRemoved,
}: {
  optOut: OptOut;
  onClose: () => void;
  onRemoved: () => void;
}) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const tooShort = reason.trim().length < MIN_REASON;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (tooShort) return;
    setBusy(true);
    setError(null);
    try {
      await api.optOuts.remove(optOut.address, reason.trim());
      onRemoved();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('optouts.removeTitle', { address: optOut.address })}
      onClose={onClose}
      role="alertdialog"
      testId="optout-remove-dialog"
      dismissible={!busy}
      description={t('optouts.removeText')}
      footer={
        <CancelSubmitButtons
          busy={busy}
          onCancel={onClose}
          cancelTestId="optout-remove-cancel"
          form="optout-remove-form"
          danger
          submitLabel={t('optouts.removeSubmit')}
          submitTestId="optout-remove-submit"
        />
      }
    >
      <form id="optout-remove-form" className="form" onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        <Field
          label={t('optouts.removeReason')}
          hint={t('optouts.removeReasonHint')}
          error={
            (submitted && tooShort ? t('optouts.removeReasonShort') : undefined) ??
            fieldError(error, '/reason')
          }
        >
          <textarea
            rows={3}
            required
            minLength={MIN_REASON}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-testid="optout-remove-reason"
          />
        </Field>
      </form>
    </Dialog>
  );
}
