import { type FormEvent, useState } from 'react';
import { api } from '../../../api';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { Dialog } from '../../../components/Dialog';
import { EmptyState, Loading } from '../../../components/Feedback';
import { Field } from '../../../components/Field';
import { CancelSubmitButtons, PagedFooter } from '../../../components/FormButtons';
import { Menu } from '../../../components/Menu';
import { useToast } from '../../../components/Toast';
import { ToolbarSelect } from '../../../components/Toolbar';
import { errorMessage, fieldError } from '../../../errors';
import { useAsync, usePaged } from '../../../hooks';
import { useI18n } from '../../../i18n';
import type {
  BillingInvoice,
  BillingPaymentStatus,
  NewBillingCharge,
  OperatorTenant,
} from '../../../types';
import { parseEuros, today, useBillingFormat } from '../../billing/format';
import { chargeKindLabel } from '../../billing/labels';
import {
  BillingError,
  DownloadButton,
  InvoiceDetailDialog,
  InvoiceStatusBadge,
  saveFile,
  useInvoiceName,
  usePeriodText,
} from '../../billing/shared';
import { CardError, CardHeader, TenantSelect, useSubmit, useTenantLabels, useTenants } from './common';

type StatusFilter = 'draft' | 'issued';
type KindFilter = 'invoice' | 'credit_note';

export function InvoicesTab() {
  const i18n = useI18n();
  const { t } = i18n;
  const f = useBillingFormat();
  const notify = useToast();
  const tl = useTenantLabels();
  const name = useInvoiceName();
  const period = usePeriodText(true);
  const tenants = useTenants();
  const [tenantId, setTenantId] = useState('');
  const [status, setStatus] = useState<StatusFilter | ''>('');
  const [paymentStatus, setPaymentStatus] = useState<BillingPaymentStatus | ''>('');
  const [kind, setKind] = useState<KindFilter | ''>('');
  const [overdue, setOverdue] = useState(false);
  const list = usePaged(
    (cursor) =>
      api.operatorBilling.invoices({
        cursor,
        tenantId: tenantId || undefined,
        status,
        paymentStatus,
        kind,
        overdue,
      }),
    [tenantId, status, paymentStatus, kind, overdue],
  );
  const [openId, setOpenId] = useState<string | null>(null);
  const [crediting, setCrediting] = useState<BillingInvoice | null>(null);
  const [issuing, setIssuing] = useState<BillingInvoice | null>(null);
  const filtered = Boolean(tenantId || status || paymentStatus || kind || overdue);

  const download = async (load: () => Promise<{ blob: Blob; filename: string }>) => {
    try {
      const { blob, filename } = await load();
      saveFile(blob, filename);
    } catch (e) {
      notify(errorMessage(e, i18n));
    }
  };

  return (
    <>
      <p className="tab-intro">{t('billing.op.invoicesIntro')}</p>
      <section className="card card-flush" aria-labelledby="op-invoices-title">
        <CardHeader id="op-invoices-title" title={t('billing.invoices')} />
        <search aria-label={t('billing.op.invoiceFilters')}>
          <form className="toolbar toolbar-dense" onSubmit={(e) => e.preventDefault()}>
            <div className="toolbar-field">
              <TenantSelect
                tenants={tenants.data}
                value={tenantId}
                onChange={setTenantId}
                label={tl.label}
                allLabel={tl.all}
                testId="invoices-tenant-filter"
              />
            </div>
            <ToolbarSelect<StatusFilter>
              id="invoices-status"
              label={t('billing.op.documentStatus')}
              value={status}
              onChange={setStatus}
              allLabel={t('billing.op.allStatuses')}
              options={[
                { value: 'draft', label: t('billing.invoiceStatus.draft') },
                { value: 'issued', label: t('billing.op.issued') },
              ]}
              testId="invoices-status-filter"
            />
            <ToolbarSelect<BillingPaymentStatus>
              id="invoices-payment"
              label={t('billing.op.paymentStatus')}
              value={paymentStatus}
              onChange={setPaymentStatus}
              allLabel={t('billing.op.allStatuses')}
              options={[
                { value: 'unpaid', label: t('billing.invoiceStatus.unpaid') },
                { value: 'partially_paid', label: t('billing.invoiceStatus.partially_paid') },
                { value: 'paid', label: t('billing.invoiceStatus.paid') },
              ]}
              testId="invoices-payment-filter"
            />
            <ToolbarSelect<KindFilter>
              id="invoices-kind"
              label={t('billing.op.kind')}
              value={kind}
              onChange={setKind}
              allLabel={t('billing.op.allKinds')}
              options={[
                { value: 'invoice', label: t('billing.invoice') },
                { value: 'credit_note', label: t('billing.creditNote') },
              ]}
              testId="invoices-kind-filter"
            />
            <label className="checkbox-row billing-toolbar-check">
              <input
                type="checkbox"
                checked={overdue}
                onChange={(e) => setOverdue(e.target.checked)}
                data-testid="invoices-overdue-filter"
              />
              <span>{t('billing.op.overdueOnly')}</span>
            </label>
          </form>
        </search>
        {list.loading ? (
          <Loading />
        ) : list.error && list.items.length === 0 ? (
          <CardError error={list.error} onRetry={list.reload} />
        ) : list.items.length === 0 ? (
          <EmptyState
            title={filtered ? t('billing.op.noInvoiceFiltered') : t('billing.noInvoice')}
            icon="🧾"
            testId="op-invoices-empty"
          >
            <p>{filtered ? t('billing.op.noInvoiceFilteredText') : t('billing.op.noInvoiceText')}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="op-invoices">
              <caption className="visually-hidden">{t('billing.invoices')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('billing.number')}</th>
                  <th scope="col">{t('billing.client')}</th>
                  <th scope="col">{t('billing.issueDate')}</th>
                  <th scope="col">{t('billing.periodLabel')}</th>
                  <th scope="col" className="cell-number">
                    {t('billing.amountHt')}
                  </th>
                  <th scope="col" className="cell-number">
                    {t('billing.amountTtc')}
                  </th>
                  <th scope="col">{t('billing.dueDate')}</th>
                  <th scope="col">{t('billing.status')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((invoice) => (
                  <tr
                    key={invoice.id}
                    data-testid="op-invoice-row"
                    data-id={invoice.id}
                    data-number={invoice.number ?? ''}
                    data-origin={invoice.origin}
                    data-kind={invoice.kind}
                    data-tenant-id={invoice.tenantId}
                  >
                    <td className="cell-strong cell-nowrap">
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setOpenId(invoice.id)}
                        data-testid="op-invoice-open"
                      >
                        {name(invoice)}
                      </button>
                      {invoice.kind === 'credit_note' && (
                        <div className="muted small">{t('billing.creditNote')}</div>
                      )}
                    </td>
                    <td>{invoice.tenantName ?? invoice.tenantId}</td>
                    <td className="cell-nowrap">{f.day(invoice.issueDate) || '—'}</td>
                    <td className="small">{period(invoice.periodStart, invoice.periodEnd)}</td>
                    <td className="cell-number cell-nowrap">{f.euros(invoice.totalHtCents)}</td>
                    <td className="cell-number cell-nowrap">{f.euros(invoice.totalTtcCents)}</td>
                    <td className="cell-nowrap">
                      {invoice.kind === 'invoice' ? f.day(invoice.dueDate) || '—' : '—'}
                    </td>
                    <td>
                      <InvoiceStatusBadge invoice={invoice} />
                      {invoice.paymentStatus === 'partially_paid' && (
                          <div className="muted small">
                            {t('billing.remaining', { amount: f.euros(invoice.amountDueCents) })}
                          </div>
                        )}
                    </td>
                    <td className="cell-actions">
                      <Menu
                        label={t('billing.op.invoiceActions', { number: name(invoice) })}
                        buttonContent={<span aria-hidden="true">⋯</span>}
                        testId="op-invoice-actions"
                        items={[
                          {
                            label: t('billing.op.details'),
                            onSelect: () => setOpenId(invoice.id),
                            testId: 'op-invoice-details',
                          },
                          {
                            label: t('billing.pdf'),
                            hidden: invoice.status !== 'issued',
                            onSelect: () =>
                              void download(() => api.operatorBilling.pdf(invoice.id, name(invoice))),
                            testId: 'op-invoice-pdf',
                          },
                          {
                            label: t('billing.facturX'),
                            hidden: invoice.status !== 'issued',
                            onSelect: () =>
                              void download(() =>
                                api.operatorBilling.facturX(invoice.id, name(invoice)),
                              ),
                            testId: 'op-invoice-facturx',
                          },
                          {
                            label: t('billing.op.issueDraft'),
                            hidden: invoice.status !== 'draft',
                            onSelect: () => setIssuing(invoice),
                            testId: 'op-invoice-issue',
                          },
                          {
                            label: t('billing.op.creditNoteAction'),
                            hidden: invoice.status !== 'issued' || invoice.kind !== 'invoice',
                            onSelect: () => setCrediting(invoice),
                            testId: 'op-invoice-credit',
                          },
                        ]}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <PagedFooter list={list} testId="op-invoices-more" />
      </section>

      <ChargesCard tenants={tenants.data} onInvoiced={list.reload} />

      {openId && (
        <InvoiceDetailDialog
          load={() => api.operatorBilling.invoice(openId)}
          onClose={() => setOpenId(null)}
          actions={(invoice) =>
            invoice.status === 'issued' ? (
              <>
                <DownloadButton
                  load={() => api.operatorBilling.pdf(invoice.id, name(invoice))}
                  label={t('billing.pdf')}
                  testId="invoice-pdf"
                  className="button button-secondary"
                />
                <DownloadButton
                  load={() => api.operatorBilling.facturX(invoice.id, name(invoice))}
                  label={t('billing.facturX')}
                  testId="invoice-facturx"
                  className="button button-secondary"
                />
              </>
            ) : null
          }
        />
      )}
      {crediting && (
        <CreditNoteDialog
          invoice={crediting}
          onClose={() => setCrediting(null)}
          onCreated={(note) => {
            setCrediting(null);
            list.reload();
            notify(t('billing.op.creditNoteCreated', { number: note.number ?? '' }));
          }}
        />
      )}
      {issuing && (
        <ConfirmDialog
          title={t('billing.op.issueDraftTitle', { name: issuing.tenantName ?? '' })}
          message={t('billing.op.issueDraftText', { amount: f.euros(issuing.totalTtcCents) })}
          confirmLabel={t('billing.op.issueDraft')}
          onClose={() => setIssuing(null)}
          onConfirm={async () => {
            const issued = await api.operatorBilling.issueInvoice(issuing.id);
            list.update((items) => items.map((i) => (i.id === issued.id ? issued : i)));
            notify(t('billing.op.invoiceIssued', { number: issued.number ?? '' }));
          }}
        />
      )}
    </>
  );
}

interface CreditLine {
  description: string;
  amount: string;
}

function CreditNoteDialog({
  invoice,
  onClose,
  onCreated,
}: {
  invoice: BillingInvoice;
  onClose: () => void;
  onCreated: (note: BillingInvoice) => void;
}) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const [reason, setReason] = useState('');
  const [mode, setMode] = useState<'full' | 'lines'>('full');
  const [lines, setLines] = useState<CreditLine[]>([{ description: '', amount: '' }]);
  const [local, setLocal] = useState<string | null>(null);
  const submit = useSubmit();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    let parsed: { description: string; amountHtCents: number }[] | undefined;
    if (mode === 'lines') {
      parsed = [];
      for (const line of lines) {
        const cents = parseEuros(line.amount);
        if (!line.description.trim() || cents === null || cents <= 0) {
          setLocal(t('billing.op.creditLineInvalid'));
          return;
        }
        parsed.push({ description: line.description.trim(), amountHtCents: cents });
      }
    }
    setLocal(null);
    void submit.run(async () => {
      onCreated(
        await api.operatorBilling.creditNote(invoice.id, {
          reason: reason.trim(),
          ...(parsed ? { lines: parsed } : {}),
        }),
      );
    });
  };

  return (
    <Dialog
      title={t('billing.op.creditNoteTitle', { number: invoice.number ?? '' })}
      description={t('billing.op.creditNoteText', {
        ht: f.euros(invoice.totalHtCents),
        ttc: f.euros(invoice.totalTtcCents),
        credited: f.euros(invoice.amountCreditedCents),
      })}
      onClose={onClose}
      dismissible={!submit.busy}
      testId="credit-note-dialog"
    >
      <form className="form" onSubmit={onSubmit}>
        <BillingError error={submit.error} testId="credit-note-error" />
        <Field label={t('billing.op.reason')} error={fieldError(submit.error, '/reason')}>
          <textarea
            rows={2}
            required
            minLength={3}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-testid="credit-note-reason"
          />
        </Field>
        <fieldset className="fieldset">
          <legend className="field-label">{t('billing.op.creditNoteScope')}</legend>
          <div className="radio-list">
            {(['full', 'lines'] as const).map((m) => (
              <div key={m} className={`checkbox-card${mode === m ? ' is-checked' : ''}`}>
                <input
                  id={`credit-mode-${m}`}
                  type="radio"
                  name="credit-mode"
                  checked={mode === m}
                  onChange={() => setMode(m)}
                  data-testid={`credit-note-mode-${m}`}
                />
                <label htmlFor={`credit-mode-${m}`}>
                  {t(m === 'full' ? 'billing.op.creditFull' : 'billing.op.creditLines')}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
        {mode === 'lines' && (
          <div className="billing-credit-lines">
            {lines.map((line, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place
              <div key={index} className="form-grid">
                <Field label={t('billing.op.creditLineDescription', { n: index + 1 })}>
                  <input
                    type="text"
                    maxLength={300}
                    value={line.description}
                    onChange={(e) =>
                      setLines((ls) =>
                        ls.map((l, i) => (i === index ? { ...l, description: e.target.value } : l)),
                      )
                    }
                    data-testid="credit-line-description"
                  />
                </Field>
                <Field label={t('billing.op.creditLineAmount')}>
                  <input
                    type="text"
                    inputMode="decimal"
                    value={line.amount}
                    onChange={(e) =>
                      setLines((ls) =>
                        ls.map((l, i) => (i === index ? { ...l, amount: e.target.value } : l)),
                      )
                    }
                    data-testid="credit-line-amount"
                  />
                </Field>
              </div>
            ))}
            <button
              type="button"
              className="button button-secondary button-sm"
              onClick={() => setLines((ls) => [...ls, { description: '', amount: '' }])}
              disabled={lines.length >= 50}
            >
              {t('billing.op.addLine')}
            </button>
            {local && <div className="field-error">{local}</div>}
          </div>
        )}
        <div className="form-actions">
          <CancelSubmitButtons
            busy={submit.busy}
            onCancel={onClose}
            submitLabel={t('billing.op.creditNoteSubmit')}
            submitTestId="credit-note-submit"
          />
        </div>
      </form>
    </Dialog>
  );
}

/** Lines waiting for the next invoice: manual, third-party taxes at cost, AF2M fines. */
function ChargesCard({
  tenants,
  onInvoiced,
}: {
  tenants: OperatorTenant[] | undefined;
  onInvoiced: () => void;
}) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const notify = useToast();
  const charges = useAsync(() => api.operatorBilling.charges().then((r) => r.data), []);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const invoiceNow = useSubmit();
  const list = charges.data ?? [];
  const byTenant = [...new Set(list.map((c) => c.tenantId))];

  return (
    <section className="card card-flush" aria-labelledby="charges-title">
      <CardHeader
        id="charges-title"
        title={t('billing.op.charges')}
        actions={
          <button
            type="button"
            className="button button-secondary"
            onClick={() => setAdding(true)}
            data-testid="charge-add"
          >
            {t('billing.op.addCharge')}
          </button>
        }
      />
      <BillingError error={invoiceNow.error} />
      {charges.loading && !charges.data ? (
        <Loading />
      ) : charges.error ? (
        <CardError error={charges.error} onRetry={charges.reload} />
      ) : list.length === 0 ? (
        <div className="card-pad muted" data-testid="charges-empty">
          {t('billing.op.noCharge')}
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="charges">
            <caption className="visually-hidden">{t('billing.op.charges')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('billing.client')}</th>
                <th scope="col">{t('billing.op.kind')}</th>
                <th scope="col">{t('billing.lineDescription')}</th>
                <th scope="col">{t('billing.op.onDate')}</th>
                <th scope="col" className="cell-number">
                  {t('billing.amountHt')}
                </th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id} data-testid="charge-row">
                  <td>{c.tenantName ?? c.tenantId}</td>
                  <td>{chargeKindLabel(t, c.kind)}</td>
                  <td>{c.description}</td>
                  <td className="cell-nowrap">{f.day(c.onDate)}</td>
                  <td className="cell-number cell-nowrap">{f.euros(c.amountHtCents)}</td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="button button-danger-ghost button-sm"
                      onClick={() => setRemoving(c.id)}
                    >
                      {t('billing.op.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="card-footer billing-footer-actions">
            {byTenant.map((tenantId) => (
              <button
                key={tenantId}
                type="button"
                className="button button-secondary button-sm"
                disabled={invoiceNow.busy}
                onClick={() =>
                  invoiceNow.run(async () => {
                    const invoice = await api.operatorBilling.invoiceChargesNow(tenantId);
                    notify(t('billing.op.invoiceIssued', { number: invoice.number ?? '' }));
                    charges.reload();
                    onInvoiced();
                  })
                }
              >
                {t('billing.op.invoiceNow', {
                  name: list.find((c) => c.tenantId === tenantId)?.tenantName ?? tenantId,
                })}
              </button>
            ))}
          </div>
        </div>
      )}
      {adding && (
        <ChargeDialog
          tenants={tenants}
          onClose={() => setAdding(false)}
          onAdded={() => {
            setAdding(false);
            charges.reload();
          }}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={t('billing.op.removeChargeTitle')}
          message={t('billing.op.removeChargeText')}
          confirmLabel={t('billing.op.remove')}
          danger
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await api.operatorBilling.removeCharge(removing);
            charges.reload();
          }}
        />
      )}
    </section>
  );
}

function ChargeDialog({
  tenants,
  onClose,
  onAdded,
}: {
  tenants: OperatorTenant[] | undefined;
  onClose: () => void;
  onAdded: () => void;
}) {
  const { t } = useI18n();
  const tl = useTenantLabels();
  const [kind, setKind] = useState<NewBillingCharge['kind']>('manual');
  const [tenantId, setTenantId] = useState('');
  const [description, setDescription] = useState('');
  const [onDate, setOnDate] = useState(today());
  const [quantity, setQuantity] = useState('1');
  const [amount, setAmount] = useState('');
  const [local, setLocal] = useState<string | null>(null);
  const submit = useSubmit();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const cents = parseEuros(amount);
    if (cents === null || (kind !== 'manual' && cents <= 0)) {
      setLocal(t('billing.op.badAmount'));
      return;
    }
    setLocal(null);
    // Manual lines carry a unit price in millicents (R-VAT rounding happens on the server).
    const input: NewBillingCharge =
      kind === 'manual'
        ? { kind, tenantId, description: description.trim(), onDate, quantity: quantity.trim().replace(',', '.'), unitPriceMillicents: cents * 1000 }
        : kind === 'passthrough'
          ? { kind, tenantId, description: description.trim(), onDate, costCents: cents }
          : { kind, tenantId, reference: description.trim(), onDate, fineCents: cents };
    void submit.run(async () => {
      await api.operatorBilling.addCharge(input);
      onAdded();
    });
  };

  return (
    <Dialog
      title={t('billing.op.addCharge')}
      onClose={onClose}
      dismissible={!submit.busy}
      testId="charge-dialog"
    >
      <form className="form" onSubmit={onSubmit}>
        <BillingError error={submit.error} />
        <TenantSelect
          tenants={tenants}
          value={tenantId}
          onChange={setTenantId}
          label={tl.label}
          allLabel={tl.choose}
          required
          testId="charge-tenant"
        />
        <Field label={t('billing.op.kind')}>
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value as NewBillingCharge['kind'])}
            data-testid="charge-kind"
          >
            <option value="manual">{t('billing.chargeKind.manual')}</option>
            <option value="passthrough">{t('billing.chargeKind.passthrough')}</option>
            <option value="af2m_fine">{t('billing.chargeKind.af2m_fine')}</option>
          </select>
        </Field>
        <p className="field-hint">
          {t(
            kind === 'manual'
              ? 'billing.op.chargeManualHint'
              : kind === 'passthrough'
                ? 'billing.op.chargePassthroughHint'
                : 'billing.op.chargeAf2mHint',
          )}
        </p>
        <Field
          label={kind === 'af2m_fine' ? t('billing.op.af2mReference') : t('billing.lineDescription')}
          error={fieldError(submit.error, kind === 'af2m_fine' ? '/reference' : '/description')}
        >
          <input
            type="text"
            required
            maxLength={300}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        <div className="form-grid">
          <Field label={t('billing.op.onDate')} error={fieldError(submit.error, '/onDate')}>
            <input type="date" required value={onDate} onChange={(e) => setOnDate(e.target.value)} />
          </Field>
          {kind === 'manual' && (
            <Field label={t('billing.quantity')} error={fieldError(submit.error, '/quantity')}>
              <input
                type="text"
                inputMode="decimal"
                required
                value={quantity}
                onChange={(e) => setQuantity(e.target.value)}
              />
            </Field>
          )}
          <Field
            label={
              kind === 'manual'
                ? t('billing.unitPriceHt')
                : kind === 'passthrough'
                  ? t('billing.op.costAmount')
                  : t('billing.op.fineAmount')
            }
            error={local ?? fieldError(submit.error, kind === 'manual' ? '/unitPriceMillicents' : kind === 'passthrough' ? '/costCents' : '/fineCents')}
          >
            <input
              type="text"
              inputMode="decimal"
              required
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
            />
          </Field>
        </div>
        <div className="form-actions">
          <CancelSubmitButtons
            busy={submit.busy}
            onCancel={onClose}
            submitLabel={t('billing.op.addCharge')}
            submitTestId="charge-submit"
          />
        </div>
      </form>
    </Dialog>
  );
}
