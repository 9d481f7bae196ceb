import { type FormEvent, useRef, useState } from 'react';
import { api } from '../../../api';
import { Badge, EmptyState, Loading } from '../../../components/Feedback';
import { Field } from '../../../components/Field';
import { FormRowSubmit } from '../../../components/FormParts';
import { useToast } from '../../../components/Toast';
import { fieldError } from '../../../errors';
import { useAsync } from '../../../hooks';
import { useI18n } from '../../../i18n';
import type { BankLine, BillingInvoice, NewBillingPayment, StatementImport } from '../../../types';
import { parseEuros, today, useBillingFormat } from '../../billing/format';
import { bankReasonLabel } from '../../billing/labels';
import { BillingError, PaymentsTable } from '../../billing/shared';
import { CardError, CardHeader, TenantSelect, useSubmit, useTenantLabels, useTenants } from './common';

/** Every open (issued, not fully paid) invoice, for matching by hand. */
async function openInvoices(tenantId?: string): Promise<BillingInvoice[]> {
  const out: BillingInvoice[] = [];
  for (const paymentStatus of ['unpaid', 'partially_paid'] as const) {
    const page = await api.operatorBilling.invoices({
      tenantId,
      status: 'issued',
      kind: 'invoice',
      paymentStatus,
      limit: 200,
    });
    out.push(...page.data);
  }
  return out.sort((a, b) => (a.issueDate ?? '').localeCompare(b.issueDate ?? ''));
}

export function PaymentsTab() {
  const { t } = useI18n();
  const tl = useTenantLabels();
  const tenants = useTenants();
  const [tenantId, setTenantId] = useState('');
  const payments = useAsync(
    () => api.operatorBilling.payments({ tenantId: tenantId || undefined }).then((r) => r.data),
    [tenantId],
  );
  const bankLines = useAsync(() => api.operatorBilling.bankLines().then((r) => r.data), []);
  const refresh = () => {
    payments.reload();
    bankLines.reload();
  };
  const list = payments.data ?? [];
  const [report, setReport] = useState<StatementImport | null>(null);

  return (
    <>
      <p className="tab-intro">{t('billing.op.paymentsIntro')}</p>
      <div className="billing-two-columns">
        <ManualPaymentCard tenants={tenants.data} onRecorded={refresh} />
        <StatementImportCard
          onImported={(r) => {
            setReport(r);
            refresh();
          }}
        />
      </div>
      {report && <StatementReport report={report} onClose={() => setReport(null)} />}
      <BankLinesCard state={bankLines} onResolved={refresh} />
      <section className="card card-flush" aria-labelledby="op-payments-title">
        <CardHeader id="op-payments-title" title={t('billing.payments')} />
        <div className="toolbar">
          <div className="toolbar-field">
            <TenantSelect
              tenants={tenants.data}
              value={tenantId}
              onChange={setTenantId}
              label={tl.label}
              allLabel={tl.all}
              testId="payments-tenant-filter"
            />
          </div>
        </div>
        {payments.loading && !payments.data ? (
          <Loading />
        ) : payments.error ? (
          <CardError error={payments.error} onRetry={payments.reload} />
        ) : list.length === 0 ? (
          <EmptyState title={t('billing.noPayment')} icon="💶" testId="op-payments-empty">
            <p>{t('billing.op.noPaymentText')}</p>
          </EmptyState>
        ) : (
          <PaymentsTable payments={list} showTenant />
        )}
      </section>
    </>
  );
}

function ManualPaymentCard({
  tenants,
  onRecorded,
}: {
  tenants: Parameters<typeof TenantSelect>[0]['tenants'];
  onRecorded: () => void;
}) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const tl = useTenantLabels();
  const notify = useToast();
  const [tenantId, setTenantId] = useState('');
  const [amount, setAmount] = useState('');
  const [receivedOn, setReceivedOn] = useState(today());
  const [method, setMethod] = useState<NewBillingPayment['method']>('transfer');
  const [reference, setReference] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [local, setLocal] = useState<string | null>(null);
  const open = useAsync(
    () => (tenantId ? openInvoices(tenantId) : Promise.resolve([] as BillingInvoice[])),
    [tenantId],
  );
  const submit = useSubmit();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const cents = parseEuros(amount);
    if (cents === null || cents <= 0) {
      setLocal(t('billing.op.badAmount'));
      return;
    }
    setLocal(null);
    void submit.run(async () => {
      const payment = await api.operatorBilling.recordPayment({
        tenantId,
        amountCents: cents,
        receivedOn,
        method,
        ...(reference.trim() ? { reference: reference.trim() } : {}),
        ...(chosen.length ? { invoiceIds: chosen } : {}),
      });
      notify(t('billing.op.paymentRecorded', { amount: f.euros(payment.amountCents) }));
      setAmount('');
      setReference('');
      setChosen([]);
      open.reload();
      onRecorded();
    });
  };

  return (
    <section className="card" aria-labelledby="manual-payment-title">
      <h2 className="card-title" id="manual-payment-title">
        {t('billing.op.manualPayment')}
      </h2>
      <p className="muted">{t('billing.op.manualPaymentText')}</p>
      <form className="form" onSubmit={onSubmit} data-testid="payment-form">
        <BillingError error={submit.error} testId="payment-error" />
        <TenantSelect
          tenants={tenants}
          value={tenantId}
          onChange={(id) => {
            setTenantId(id);
            setChosen([]);
          }}
          label={tl.label}
          allLabel={tl.choose}
          required
          error={fieldError(submit.error, '/tenantId')}
          testId="payment-tenant"
        />
        <div className="form-grid">
          <Field label={t('billing.amount')} error={local ?? fieldError(submit.error, '/amountCents')}>
            <input
              type="text"
              inputMode="decimal"
              required
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              data-testid="payment-amount"
            />
          </Field>
          <Field label={t('billing.receivedOn')} error={fieldError(submit.error, '/receivedOn')}>
            <input
              type="date"
              required
              max={today()}
              value={receivedOn}
              onChange={(e) => setReceivedOn(e.target.value)}
              data-testid="payment-date"
            />
          </Field>
          <Field label={t('billing.method')}>
            <select
              value={method}
              onChange={(e) => setMethod(e.target.value as NewBillingPayment['method'])}
              data-testid="payment-method"
            >
              <option value="transfer">{t('billing.method.transfer')}</option>
              <option value="sepa">{t('billing.method.sepa')}</option>
              <option value="other">{t('billing.method.other')}</option>
            </select>
          </Field>
          <Field label={t('billing.reference')} optional optionalLabel={t('common.optional')}>
            <input
              type="text"
              maxLength={500}
              value={reference}
              onChange={(e) => setReference(e.target.value)}
              data-testid="payment-reference"
            />
          </Field>
        </div>
        {tenantId && (
          <fieldset className="fieldset" data-testid="payment-invoices">
            <legend className="field-label">{t('billing.op.invoicesToSettle')}</legend>
            <p className="field-hint">{t('billing.op.invoicesToSettleHint')}</p>
            {open.loading ? (
              <Loading />
            ) : (open.data ?? []).length === 0 ? (
              <p className="muted small">{t('billing.op.noOpenInvoice')}</p>
            ) : (
              <div className="billing-check-list">
                {(open.data ?? []).map((invoice) => (
                  <label key={invoice.id} className="checkbox-row">
                    <input
                      type="checkbox"
                      checked={chosen.includes(invoice.id)}
                      onChange={(e) =>
                        setChosen((c) =>
                          e.target.checked ? [...c, invoice.id] : c.filter((x) => x !== invoice.id),
                        )
                      }
                    />
                    <span>
                      {t('billing.op.openInvoiceLine', {
                        number: invoice.number ?? '',
                        due: f.euros(invoice.amountDueCents),
                        date: f.day(invoice.dueDate),
                      })}
                    </span>
                  </label>
                ))}
              </div>
            )}
          </fieldset>
        )}
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={submit.busy}
            aria-busy={submit.busy}
            data-testid="payment-submit"
          >
            {submit.busy ? t('common.working') : t('billing.op.recordPayment')}
          </button>
        </div>
      </form>
    </section>
  );
}

function StatementImportCard({ onImported }: { onImported: (report: StatementImport) => void }) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const submit = useSubmit();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) return;
    void submit.run(async () => {
      const report = await api.operatorBilling.importStatement(file, file.name);
      if (input.current) input.current.value = '';
      onImported(report);
    });
  };

  return (
    <section className="card" aria-labelledby="statement-title">
      <h2 className="card-title" id="statement-title">
        {t('billing.op.statementTitle')}
      </h2>
      <p className="muted">{t('billing.op.statementText')}</p>
      <form className="form-row billing-form-row" onSubmit={onSubmit} data-testid="statement-form">
        <Field label={t('billing.op.statementFile')}>
          <input
            ref={input}
            type="file"
            accept=".csv,text/csv"
            required
            data-testid="statement-file"
          />
        </Field>
        <FormRowSubmit busy={submit.busy} label={t('billing.op.import')} testId="statement-submit" />
      </form>
      <BillingError error={submit.error} testId="statement-error" />
    </section>
  );
}

/** What an import did: lines read, matched to invoices, left for manual matching, unreadable. */
function StatementReport({ report, onClose }: { report: StatementImport; onClose: () => void }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  // The report names the invoices paid; those still partly due after it are the partial payments.
  const partly = useAsync(
    () =>
      api.operatorBilling
        .invoices({ status: 'issued', kind: 'invoice', paymentStatus: 'partially_paid', limit: 200 })
        .then((page) => new Set(page.data.map((i) => i.number ?? ''))),
    [report.importId],
  );
  const isPartial = (m: StatementImport['matched'][number]) =>
    m.allocations.some((a) => partly.data?.has(a.invoiceNumber));
  const partial = report.matched.filter(isPartial).length;
  return (
    <section className="card card-flush" aria-labelledby="statement-report-title">
      <CardHeader
        id="statement-report-title"
        title={t('billing.op.reportTitle')}
        actions={
          <button type="button" className="button button-secondary button-sm" onClick={onClose}>
            {t('common.close')}
          </button>
        }
      />
      <div className="card-pad">
        <div className="billing-report" data-testid="statement-report">
          <ul className="billing-report-counts">
            <li data-testid="statement-lines">
              {t('billing.op.reportLines', { count: report.lines, fresh: report.fresh })}
            </li>
            <li>
              <Badge tone="success">
                {t('billing.op.reportMatched', { count: report.matched.length - partial })}
              </Badge>
            </li>
            {partial > 0 && (
              <li data-testid="statement-partial">
                <Badge tone="info">{t('billing.op.reportPartial', { count: partial })}</Badge>
              </li>
            )}
            <li>
              <Badge tone={report.unmatched.length ? 'warning' : 'neutral'}>
                {t('billing.op.reportUnmatched', { count: report.unmatched.length })}
              </Badge>
            </li>
            {report.alreadyImported > 0 && (
              <li>
                <Badge tone="neutral">
                  {t('billing.op.reportAlready', { count: report.alreadyImported })}
                </Badge>
              </li>
            )}
            {report.errors.length > 0 && (
              <li>
                <Badge tone="danger">{t('billing.op.reportErrors', { count: report.errors.length })}</Badge>
              </li>
            )}
          </ul>
          {report.matched.length > 0 && (
            <table className="table table-compact" data-testid="statement-matched">
              <caption className="billing-caption">{t('billing.op.matchedLines')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('billing.op.line')}</th>
                  <th scope="col">{t('billing.op.date')}</th>
                  <th scope="col">{t('billing.op.label')}</th>
                  <th scope="col" className="cell-number">
                    {t('billing.amount')}
                  </th>
                  <th scope="col">{t('billing.settledInvoices')}</th>
                </tr>
              </thead>
              <tbody>
                {report.matched.map((m) => {
                  // Received beyond what the invoices owed (a discount is granted, not received).
                  const allocated = m.allocations.reduce((sum, a) => sum + a.amountCents, 0);
                  return (
                    <tr key={m.line} data-testid="statement-matched-row" data-partial={isPartial(m)}>
                      <td>{m.line}</td>
                      <td className="cell-nowrap">{f.shortDay(m.date)}</td>
                      <td className="small">{m.label}</td>
                      <td className="cell-number cell-nowrap">{f.euros(m.amountCents)}</td>
                      <td className="small">
                        {m.allocations
                          .map((a) => `${a.invoiceNumber} (${f.euros(a.amountCents)})`)
                          .join(', ')}
                        {isPartial(m) && <div className="muted">{t('billing.op.partialPayment')}</div>}
                        {allocated < m.amountCents && (
                          <div className="muted">{t('billing.overpaid', { amount: f.euros(m.amountCents - allocated) })}</div>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {report.unmatched.length > 0 && (
            <p className="muted small">{t('billing.op.unmatchedBelow')}</p>
          )}
          {report.errors.length > 0 && (
            <ul className="billing-report-errors" data-testid="statement-errors">
              {report.errors.map((e) => (
                <li key={`${e.line}-${e.reason}`}>
                  {t('billing.op.errorLine', { line: e.line })} {e.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

function BankLinesCard({
  state,
  onResolved,
}: {
  state: { data: BankLine[] | undefined; loading: boolean; error: unknown; reload: () => void };
  onResolved: () => void;
}) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const invoices = useAsync(() => openInvoices(), [state.data]);
  const list = state.data ?? [];
  return (
    <section className="card card-flush" aria-labelledby="bank-lines-title">
      <CardHeader id="bank-lines-title" title={t('billing.op.bankLines')} />
      {state.loading && !state.data ? (
        <Loading />
      ) : state.error ? (
        <CardError error={state.error} onRetry={state.reload} />
      ) : list.length === 0 ? (
        <div className="card-pad muted" data-testid="bank-lines-empty">
          {t('billing.op.noBankLine')}
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="bank-lines">
            <caption className="visually-hidden">{t('billing.op.bankLines')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('billing.op.date')}</th>
                <th scope="col">{t('billing.op.label')}</th>
                <th scope="col" className="cell-number">
                  {t('billing.amount')}
                </th>
                <th scope="col">{t('billing.op.why')}</th>
                <th scope="col">{t('billing.op.resolve')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((line) => (
                <BankLineRow
                  key={line.fingerprint}
                  line={line}
                  invoices={invoices.data ?? []}
                  onResolved={onResolved}
                  f={f}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function BankLineRow({
  line,
  invoices,
  onResolved,
  f,
}: {
  line: BankLine;
  invoices: BillingInvoice[];
  onResolved: () => void;
  f: ReturnType<typeof useBillingFormat>;
}) {
  const { t } = useI18n();
  const notify = useToast();
  const candidates = invoices.filter((i) => line.candidateInvoiceIds.includes(i.id));
  const others = invoices.filter((i) => !line.candidateInvoiceIds.includes(i.id));
  const [chosen, setInvoiceId] = useState('');
  // The first candidate is preselected once the open invoices have loaded.
  const invoiceId = chosen || (candidates[0]?.id ?? '');
  const submit = useSubmit();
  const option = (i: BillingInvoice) => (
    <option key={i.id} value={i.id}>
      {t('billing.op.invoiceOption', {
        number: i.number ?? '',
        client: i.tenantName ?? '',
        due: f.euros(i.amountDueCents),
      })}
    </option>
  );
  return (
    <tr data-testid="bank-line-row" data-fingerprint={line.fingerprint}>
      <td className="cell-nowrap">{f.shortDay(line.date)}</td>
      <td className="small">
        {line.label}
        {line.counterparty && <div className="muted">{line.counterparty}</div>}
      </td>
      <td className="cell-number cell-nowrap">{f.euros(line.amountCents)}</td>
      <td className="small">{bankReasonLabel(t, line.reason)}</td>
      <td>
        <div className="billing-resolve">
          <select
            aria-label={t('billing.op.matchTo')}
            value={invoiceId}
            onChange={(e) => setInvoiceId(e.target.value)}
            data-testid="bank-line-invoice"
          >
            <option value="">{t('billing.op.chooseInvoice')}</option>
            {candidates.length > 0 && (
              <optgroup label={t('billing.op.candidates')}>{candidates.map(option)}</optgroup>
            )}
            {others.length > 0 && (
              <optgroup label={t('billing.op.otherInvoices')}>{others.map(option)}</optgroup>
            )}
          </select>
          <button
            type="button"
            className="button button-primary button-sm"
            disabled={!invoiceId || submit.busy}
            onClick={() =>
              submit.run(async () => {
                await api.operatorBilling.resolveBankLine(line.fingerprint, { invoiceId });
                notify(t('billing.op.lineMatched'));
                onResolved();
              })
            }
            data-testid="bank-line-match"
          >
            {t('billing.op.match')}
          </button>
          <button
            type="button"
            className="button button-ghost button-sm"
            disabled={submit.busy}
            onClick={() =>
              submit.run(async () => {
                await api.operatorBilling.resolveBankLine(line.fingerprint, { ignore: true });
                notify(t('billing.op.lineIgnored'));
                onResolved();
              })
            }
            data-testid="bank-line-ignore"
          >
            {t('billing.op.ignore')}
          </button>
        </div>
        <BillingError error={submit.error} />
      </td>
    </tr>
  );
}
