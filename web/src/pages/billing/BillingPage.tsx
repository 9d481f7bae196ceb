import { useState } from 'react';
import { api, isApiError } from '../../api';
import { PagedFooter } from '../../components/FormButtons';
import { Badge, EmptyState, ErrorBanner, Loading, WarningBanner } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { useAsync, usePaged } from '../../hooks';
import { useI18n } from '../../i18n';
import type { BillingContract, BillingInvoice, DunningCase } from '../../types';
import { useBillingFormat } from './format';
import { contractStatus, vatRegimeLabel } from './labels';
import {
  ContractFacts,
  ContractHistory,
  DownloadButton,
  DunningFacts,
  DunningTimeline,
  InvoiceDetailDialog,
  InvoiceStatusBadge,
  PaymentsTable,
  SubscriptionsTable,
  useInvoiceName,
  usePeriodText,
} from './shared';

/**
 * Facturation, for the tenant's owners and admins (R-CONFID): the contracts with their tariffs,
 * the invoices (PDF and Factur-X), the payments, and the dunning procedure when one is running.
 * Other roles do not see the menu entry; if one comes here anyway, the API's refusal is shown as
 * an ordinary "no access" page.
 */
export function BillingPage() {
  const { t } = useI18n();
  const contracts = useAsync(() => api.billing.contracts().then((r) => r.data), []);
  const dunning = useAsync(() => api.billing.dunning().then((r) => r.data), []);

  if (isForbidden(contracts.error) || isForbidden(dunning.error)) {
    return (
      <>
        <PageHeader title={t('billing.title')} />
        <section className="card">
          <EmptyState title={t('forbidden.heading')} testId="billing-forbidden">
            <p>{t('billing.forbiddenText')}</p>
          </EmptyState>
        </section>
      </>
    );
  }

  const open = (dunning.data ?? []).filter((c) => c.open);
  return (
    <div className="billing-page" data-testid="billing-page">
      <PageHeader title={t('billing.title')} description={t('billing.description')} />
      {open.map((c) => (
        <DunningCard key={c.id} dunning={c} />
      ))}
      <ContractsSection state={contracts} />
      <InvoicesSection />
      <PaymentsSection />
    </div>
  );
}

function isForbidden(error: unknown): boolean {
  return isApiError(error) && (error.status === 403 || error.code === 'forbidden');
}

function DunningCard({ dunning }: { dunning: DunningCase }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const suspended = dunning.status === 'suspended_nonpayment';
  return (
    <section
      className="card billing-dunning"
      aria-labelledby={`dunning-${dunning.id}`}
      data-testid="billing-dunning"
      data-status={dunning.status}
    >
      <h2 className="card-title" id={`dunning-${dunning.id}`}>
        {suspended ? t('billing.dunningSuspendedTitle') : t('billing.dunningTitle')}
      </h2>
      <WarningBanner>
        {suspended
          ? t('billing.dunningSuspendedText', { amount: f.euros(dunning.amountDueCents) })
          : dunning.regularisationDeadline
            ? t('billing.dunningNoticeText', {
                amount: f.euros(dunning.amountDueCents),
                date: f.day(dunning.regularisationDeadline),
                suspension: f.day(dunning.suspensionEligibleOn),
              })
            : t('billing.dunningOverdueText', { amount: f.euros(dunning.amountDueCents) })}
      </WarningBanner>
      <DunningFacts dunning={dunning} />
      {dunning.overdueInvoices.length > 0 && (
        <p className="billing-dunning-invoices">
          {t('billing.overdueInvoices')}{' '}
          {dunning.overdueInvoices
            .map((i) =>
              t('billing.overdueInvoice', {
                number: i.number ?? '—',
                amount: f.euros(i.amountDueCents),
                date: f.day(i.dueDate),
              }),
            )
            .join(' · ')}
        </p>
      )}
      <h3 className="billing-subtitle">{t('billing.timeline')}</h3>
      <DunningTimeline dunning={dunning} />
    </section>
  );
}

function ContractsSection({
  state,
}: {
  state: { data: BillingContract[] | undefined; error: unknown; loading: boolean; reload: () => void };
}) {
  const { t } = useI18n();
  const list = state.data ?? [];
  return (
    <section className="billing-section" aria-labelledby="billing-contracts-title">
      <h2 className="billing-section-title" id="billing-contracts-title">
        {t('billing.contracts')}
      </h2>
      {state.loading && !state.data ? (
        <section className="card">
          <Loading />
        </section>
      ) : state.error ? (
        <section className="card">
          <ErrorBanner error={state.error} onRetry={state.reload} />
        </section>
      ) : list.length === 0 ? (
        <section className="card">
          <EmptyState title={t('billing.noContract')} icon="📄" testId="billing-contracts-empty">
            <p>{t('billing.noContractText')}</p>
          </EmptyState>
        </section>
      ) : (
        list.map((contract) => <ContractCard key={contract.id} contract={contract} />)
      )}
    </section>
  );
}

function ContractCard({ contract }: { contract: BillingContract }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const status = contractStatus(t, contract.status);
  const [history, setHistory] = useState(false);
  return (
    <article
      className="card billing-contract"
      data-testid="billing-contract"
      data-id={contract.id}
      aria-labelledby={`contract-${contract.id}`}
    >
      <header className="billing-card-head">
        <div>
          <h3 className="card-title" id={`contract-${contract.id}`}>
            {contract.legalName}
          </h3>
          <p className="muted small">
            {[
              contract.siren ? t('billing.sirenValue', { siren: contract.siren }) : null,
              contract.vatNumber ? t('billing.vatNumberValue', { vat: contract.vatNumber }) : null,
              t('billing.signedOnValue', { date: f.day(contract.signedOn) }),
            ]
              .filter(Boolean)
              .join(' · ')}
          </p>
        </div>
        <Badge tone={status.tone} testId="contract-status">
          {status.label}
        </Badge>
      </header>
      <div className="billing-contract-grid">
        <div>
          <h4 className="billing-subtitle">{t('billing.products')}</h4>
          <SubscriptionsTable contract={contract} />
          <p className="muted small billing-vat-line">
            {contract.vat.mention ?? vatRegimeLabel(t, contract.vat.regime)}
          </p>
        </div>
        <div>
          <h4 className="billing-subtitle">{t('billing.termAndLicence')}</h4>
          <ContractFacts contract={contract} />
        </div>
      </div>
      {contract.history.length > 0 && (
        <div className="billing-history">
          <button
            type="button"
            className="link-button"
            aria-expanded={history}
            onClick={() => setHistory((v) => !v)}
            data-testid="contract-history-toggle"
          >
            {history ? t('billing.hideHistory') : t('billing.showHistory')}
          </button>
          {history && <ContractHistory contract={contract} />}
        </div>
      )}
    </article>
  );
}

function InvoicesSection() {
  const { t } = useI18n();
  const f = useBillingFormat();
  const period = usePeriodText(true);
  const name = useInvoiceName();
  const list = usePaged((cursor) => api.billing.invoices(cursor), []);
  const [openId, setOpenId] = useState<string | null>(null);

  const downloads = (invoice: BillingInvoice, size: 'sm' | 'md' = 'sm') =>
    invoice.status === 'issued' ? (
      <>
        <DownloadButton
          load={() => api.billing.pdf(invoice.id, name(invoice))}
          label={t('billing.pdf')}
          ariaLabel={t('billing.downloadPdf', { number: name(invoice) })}
          testId="invoice-pdf"
          className={`button button-secondary${size === 'sm' ? ' button-sm' : ''}`}
        />
        <DownloadButton
          load={() => api.billing.facturX(invoice.id, name(invoice))}
          label={t('billing.facturX')}
          ariaLabel={t('billing.downloadFacturX', { number: name(invoice) })}
          testId="invoice-facturx"
          className={`button button-secondary${size === 'sm' ? ' button-sm' : ''}`}
        />
      </>
    ) : null;

  return (
    <section className="billing-section" aria-labelledby="billing-invoices-title">
      <h2 className="billing-section-title" id="billing-invoices-title">
        {t('billing.invoices')}
      </h2>
      <section className="card card-flush">
        {list.loading ? (
          <Loading />
        ) : list.error && list.items.length === 0 ? (
          <div className="card-pad">
            <ErrorBanner error={list.error} onRetry={list.reload} />
          </div>
        ) : list.items.length === 0 ? (
          <EmptyState title={t('billing.noInvoice')} icon="🧾" testId="billing-invoices-empty">
            <p>{t('billing.noInvoiceText')}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="billing-invoices">
              <caption className="visually-hidden">{t('billing.invoices')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('billing.number')}</th>
                  <th scope="col">{t('billing.issueDate')}</th>
                  <th scope="col">{t('billing.periodLabel')}</th>
                  <th scope="col" className="cell-number">
                    {t('billing.amountHt')}
                  </th>
                  <th scope="col" className="cell-number">
                    {t('billing.amountTtc')}
                  </th>
                  <th scope="col">{t('billing.status')}</th>
                  <th scope="col">{t('billing.dueDate')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((invoice) => (
                  <tr
                    key={invoice.id}
                    data-testid="billing-invoice-row"
                    data-id={invoice.id}
                    data-number={invoice.number ?? ''}
                    data-origin={invoice.origin}
                    data-kind={invoice.kind}
                  >
                    <td className="cell-strong cell-nowrap">
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setOpenId(invoice.id)}
                        aria-label={t('billing.openInvoice', { number: name(invoice) })}
                        data-testid="invoice-open"
                      >
                        {name(invoice)}
                      </button>
                      {invoice.kind === 'credit_note' && (
                        <div className="muted small">{t('billing.creditNote')}</div>
                      )}
                    </td>
                    <td className="cell-nowrap" data-testid="invoice-date">
                      {f.day(invoice.issueDate)}
                    </td>
                    <td className="small">{period(invoice.periodStart, invoice.periodEnd)}</td>
                    <td className="cell-number cell-nowrap" data-testid="invoice-ht">
                      {f.euros(invoice.totalHtCents)}
                    </td>
                    <td className="cell-number cell-nowrap" data-testid="invoice-ttc">
                      {f.euros(invoice.totalTtcCents)}
                    </td>
                    <td>
                      <InvoiceStatusBadge invoice={invoice} />
                      {invoice.paymentStatus === 'partially_paid' && (
                        <div className="muted small">
                          {t('billing.remaining', { amount: f.euros(invoice.amountDueCents) })}
                        </div>
                      )}
                    </td>
                    <td className="cell-nowrap" data-testid="invoice-due">
                      {invoice.kind === 'invoice' ? f.day(invoice.dueDate) : '—'}
                    </td>
                    <td className="cell-actions">
                      <div className="row-actions">{downloads(invoice)}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <PagedFooter list={list} testId="billing-invoices-more" />
      </section>
      {openId && (
        <InvoiceDetailDialog
          load={() => api.billing.invoice(openId)}
          onClose={() => setOpenId(null)}
          actions={(invoice) => downloads(invoice, 'md')}
        />
      )}
    </section>
  );
}

function PaymentsSection() {
  const { t } = useI18n();
  const payments = useAsync(() => api.billing.payments().then((r) => r.data), []);
  const list = payments.data ?? [];
  return (
    <section className="billing-section" aria-labelledby="billing-payments-title">
      <h2 className="billing-section-title" id="billing-payments-title">
        {t('billing.payments')}
      </h2>
      <section className="card card-flush">
        {payments.loading && !payments.data ? (
          <Loading />
        ) : payments.error ? (
          <div className="card-pad">
            <ErrorBanner error={payments.error} onRetry={payments.reload} />
          </div>
        ) : list.length === 0 ? (
          <EmptyState title={t('billing.noPayment')} icon="💶" testId="billing-payments-empty">
            <p>{t('billing.noPaymentText')}</p>
          </EmptyState>
        ) : (
          <PaymentsTable payments={list} />
        )}
      </section>
    </section>
  );
}
