import { type ReactNode, useState } from 'react';
import { isApiError } from '../../api';
import { Dialog } from '../../components/Dialog';
import { Badge, ErrorBanner, Loading } from '../../components/Feedback';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../errors';
import { useAsync } from '../../hooks';
import { type MessageKey, useI18n } from '../../i18n';
import type { BillingContract, BillingInvoice, BillingPayment, DunningCase } from '../../types';
import './billing.css';
import { useBillingFormat } from './format';
import {
  contractEventLabel,
  dunningEventLabel,
  dunningStatus,
  invoiceStatus,
  methodLabel,
  noticeChannelLabel,
  originLabel,
  productLabel,
  termStatusLabel,
  vatRegimeLabel,
} from './labels';

/** Hands a downloaded file to the browser. */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A button that downloads a document (PDF, XML); a failure is said in a toast. */
export function DownloadButton({
  load,
  label,
  ariaLabel,
  testId,
  className = 'button button-secondary button-sm',
}: {
  load: () => Promise<{ blob: Blob; filename: string }>;
  label: string;
  ariaLabel?: string;
  testId: string;
  className?: string;
}) {
  const i18n = useI18n();
  const notify = useToast();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className={className}
      disabled={busy}
      aria-busy={busy}
      aria-label={ariaLabel}
      data-testid={testId}
      onClick={async () => {
        setBusy(true);
        try {
          const { blob, filename } = await load();
          saveFile(blob, filename);
        } catch (e) {
          notify(errorMessage(e, i18n));
        } finally {
          setBusy(false);
        }
      }}
    >
      {busy ? i18n.t('common.working') : label}
    </button>
  );
}

export function InvoiceStatusBadge({ invoice }: { invoice: BillingInvoice }) {
  const { t } = useI18n();
  const s = invoiceStatus(t, invoice);
  return (
    <span data-testid="invoice-status" data-status={s.status}>
      <Badge tone={s.tone}>{s.label}</Badge>
    </span>
  );
}

/** The name of a document in buttons and file names: its number, else "brouillon". */
export function useInvoiceName() {
  const { t } = useI18n();
  return (invoice: BillingInvoice): string => invoice.number ?? t('billing.draft');
}

/**
 * A billed period: a whole calendar month as "octobre 2026"; otherwise "du 25 juillet 2026 au
 * 31 juillet 2026" (or, `compact` for tables, "25/07/2026 – 31/07/2026"); one day alone.
 */
export function usePeriodText(compact = false) {
  const { t } = useI18n();
  const f = useBillingFormat();
  return (from: string | null, to: string | null): string => {
    if (!from) return '';
    if (to && from.endsWith('-01') && to.slice(0, 7) === from.slice(0, 7) && to === lastDayOfMonth(from))
      return f.month(from);
    if (!to || to === from) return compact ? f.shortDay(from) : f.day(from);
    return compact
      ? `${f.shortDay(from)} – ${f.shortDay(to)}`
      : t('billing.period', { from: f.day(from), to: f.day(to) });
  };
}

/** "2026-02-01" → "2026-02-28" (civil calendar, no time zone). */
function lastDayOfMonth(date: string): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${date.slice(0, 7)}-${String(d).padStart(2, '0')}`;
}

/** Label/value pairs in the summary grid of a card or dialog. */
export function Facts({
  items,
  compact = true,
  testId,
}: {
  items: { label: string; value: ReactNode; wide?: boolean; testId?: string }[];
  compact?: boolean;
  testId?: string;
}) {
  return (
    <dl className={`summary-grid${compact ? ' summary-grid-compact' : ''}`} data-testid={testId}>
      {items.map((item) => (
        <div key={item.label} className={item.wide ? 'summary-wide' : undefined}>
          <dt>{item.label}</dt>
          <dd data-testid={item.testId}>{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** An invoice (or credit note, or draft) with its lines, totals and legal mentions. */
export function InvoiceDetailDialog({
  load,
  onClose,
  actions,
}: {
  load: () => Promise<BillingInvoice>;
  onClose: () => void;
  /** Buttons for the footer (downloads…), given the loaded invoice. */
  actions?: (invoice: BillingInvoice) => ReactNode;
}) {
  const { t } = useI18n();
  const invoice = useAsync(load, []);
  const data = invoice.data;
  const title = data
    ? t(data.kind === 'credit_note' ? 'billing.creditNoteTitle' : 'billing.invoiceTitle', {
        number: data.number ?? t('billing.draft'),
      })
    : t('billing.invoice');
  return (
    <Dialog
      title={title}
      onClose={onClose}
      size="lg"
      testId="invoice-detail"
      footer={data && actions ? actions(data) : undefined}
    >
      {invoice.loading ? (
        <Loading />
      ) : invoice.error ? (
        <ErrorBanner error={invoice.error} onRetry={invoice.reload} />
      ) : data ? (
        <InvoiceBody invoice={data} />
      ) : null}
    </Dialog>
  );
}

export function InvoiceBody({ invoice }: { invoice: BillingInvoice }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const period = usePeriodText();
  const vatRates = new Set((invoice.lines ?? []).map((line) => line.vatRateBp));
  if (vatRates.size === 0) vatRates.add(invoice.vat.rateBp);
  return (
    <div className="billing-invoice">
      <div className="detail-heading">
        <InvoiceStatusBadge invoice={invoice} />
        <span className="muted">{originLabel(t, invoice.origin)}</span>
        {invoice.tenantName && <span className="muted">· {invoice.tenantName}</span>}
      </div>
      <Facts
        items={[
          { label: t('billing.issueDate'), value: f.day(invoice.issueDate) || '—' },
          {
            label: t('billing.periodLabel'),
            value: period(invoice.periodStart, invoice.periodEnd) || '—',
            wide: true,
          },
          { label: t('billing.dueDate'), value: f.day(invoice.dueDate) || '—' },
          { label: t('billing.paymentMethod'), value: methodLabel(t, invoice.paymentMethod) },
          { label: t('billing.vatRegime'), value: vatRegimeLabel(t, invoice.vat.regime) },
          // A draft or a credit note is not paid: only an issued invoice has a balance.
          ...(invoice.status === 'issued' && invoice.kind === 'invoice'
            ? [
                { label: t('billing.amountPaid'), value: f.euros(invoice.amountPaidCents) },
                {
                  label: t('billing.amountDue'),
                  value: f.euros(invoice.amountDueCents),
                  testId: 'invoice-detail-due',
                },
              ]
            : []),
        ]}
      />
      {invoice.lines && invoice.lines.length > 0 && (
        <div className="table-wrap billing-lines">
          <table className="table table-compact" data-testid="invoice-lines">
            <caption className="visually-hidden">{t('billing.lines')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('billing.lineDescription')}</th>
                <th scope="col" className="cell-number">
                  {t('billing.quantity')}
                </th>
                <th scope="col" className="cell-number">
                  {t('billing.unitPriceHt')}
                </th>
                <th scope="col" className="cell-number">
                  {t('billing.vatRate')}
                </th>
                <th scope="col" className="cell-number">
                  {t('billing.amountHt')}
                </th>
              </tr>
            </thead>
            <tbody>
              {invoice.lines.map((line) => (
                <tr key={line.position} data-testid="invoice-line">
                  <td>
                    {line.description}
                    {line.prorata && (
                      <div className="muted small">
                        {t('billing.prorata', {
                          days: line.prorata.numerator,
                          of: line.prorata.denominator,
                        })}
                      </div>
                    )}
                  </td>
                  <td className="cell-number">{f.quantity(line.quantity)}</td>
                  <td className="cell-number cell-nowrap">
                    {f.unitPrice(line.unitPriceMillicents)}
                  </td>
                  <td className="cell-number cell-nowrap">{f.rate(line.vatRateBp)}</td>
                  <td className="cell-number cell-nowrap">{f.euros(line.amountHtCents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <dl className="billing-totals" data-testid="invoice-totals">
        <div>
          <dt>{t('billing.totalHt')}</dt>
          <dd>{f.euros(invoice.totalHtCents)}</dd>
        </div>
        <div>
          <dt>
            {vatRates.size === 1
              ? t('billing.vatAt', { rate: f.rate([...vatRates.keys()][0] ?? 0) })
              : t('billing.totalVat')}
          </dt>
          <dd>{f.euros(invoice.totalVatCents)}</dd>
        </div>
        <div className="billing-total-strong">
          <dt>{t('billing.totalTtc')}</dt>
          <dd data-testid="invoice-total-ttc">{f.euros(invoice.totalTtcCents)}</dd>
        </div>
      </dl>
      <ul className="billing-mentions">
        {invoice.vat.mention && <li>{invoice.vat.mention}</li>}
        {invoice.kind === 'invoice' && invoice.discount.deadline && invoice.discount.ttcCents > 0 && (
          <li>
            {t('billing.discountMention', {
              date: f.day(invoice.discount.deadline),
              amount: f.euros(invoice.discount.ttcCents),
            })}
          </li>
        )}
        {invoice.latePenalty && (
          <li className="billing-late" data-testid="invoice-late-penalty">
            {t('billing.latePenalty', {
              days: invoice.latePenalty.daysLate,
              interest: f.euros(invoice.latePenalty.interestCents),
              indemnity: f.euros(invoice.latePenalty.indemnityCents),
            })}
          </li>
        )}
        {invoice.notes.map((note) => (
          <li key={note}>{note}</li>
        ))}
      </ul>
    </div>
  );
}

/** The R-DUNNING procedure, step by step, with its dates. */
export function DunningTimeline({ dunning }: { dunning: DunningCase }) {
  const { t, formatDateTime } = useI18n();
  const f = useBillingFormat();
  return (
    <ol className="timeline billing-timeline" data-testid="dunning-timeline">
      {dunning.timeline.map((event, index) => {
        const detail = event.detail as {
          text?: string;
          by?: string;
          regularisationDeadline?: string;
          invoices?: string[];
          on?: string;
          note?: string;
        };
        return (
          <li
            // biome-ignore lint/suspicious/noArrayIndexKey: events have no id; the list only grows
            key={`${event.at}-${event.kind}-${index}`}
            className={`timeline-step billing-event billing-event-${event.kind}`}
            data-testid="dunning-step"
            data-kind={event.kind}
          >
            <span className="timeline-dot" aria-hidden="true" />
            <div className="timeline-head">
              <strong>{dunningEventLabel(t, event.kind)}</strong>
              <time className="muted small" dateTime={event.at}>
                {formatDateTime(event.at)}
              </time>
            </div>
            <ul className="timeline-detail">
              {detail.invoices && detail.invoices.length > 0 && (
                <li>{t('billing.timelineInvoices', { numbers: detail.invoices.join(', ') })}</li>
              )}
              {detail.regularisationDeadline && (
                <li>{t('billing.timelineDeadline', { date: f.day(detail.regularisationDeadline) })}</li>
              )}
              {event.kind === 'note' && detail.text && <li>{detail.text}</li>}
              {detail.note && <li>{detail.note}</li>}
              {detail.by && <li className="muted">{detail.by}</li>}
            </ul>
          </li>
        );
      })}
    </ol>
  );
}

/** Where a dunning case stands: the dates that matter to the client and to SOFY. */
export function DunningFacts({ dunning }: { dunning: DunningCase }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const s = dunningStatus(t, dunning.status);
  const items: { label: string; value: ReactNode; testId?: string }[] = [
    {
      label: t('billing.dunningState'),
      value: <Badge tone={s.tone}>{s.label}</Badge>,
      testId: 'dunning-status',
    },
    {
      label: t('billing.amountOverdue'),
      value: f.euros(dunning.amountDueCents),
      testId: 'dunning-amount',
    },
    { label: t('billing.oldestDueDate'), value: f.day(dunning.dueDate) },
  ];
  if (dunning.noticeSentOn)
    items.push({ label: t('billing.noticeSentOn'), value: f.day(dunning.noticeSentOn) });
  items.push({
    label: t('billing.noticeAcknowledgedOn'),
    value: dunning.noticeAcknowledgedOn
      ? f.day(dunning.noticeAcknowledgedOn)
      : dunning.noticeSentOn
        ? t('billing.notYet')
        : '—',
  });
  if (dunning.regularisationDeadline)
    items.push({
      label: t('billing.regularisationDeadline'),
      value: f.day(dunning.regularisationDeadline),
      testId: 'dunning-deadline',
    });
  if (dunning.suspensionEligibleOn && !dunning.suspendedOn)
    items.push({
      label: t('billing.suspensionFrom'),
      value: f.day(dunning.suspensionEligibleOn),
      testId: 'dunning-suspension-from',
    });
  if (dunning.suspendedOn)
    items.push({ label: t('billing.suspendedOn'), value: f.day(dunning.suspendedOn) });
  if (dunning.paidOn) items.push({ label: t('billing.paidOn'), value: f.day(dunning.paidOn) });
  if (dunning.reactivatedOn)
    items.push({ label: t('billing.reactivatedOn'), value: f.day(dunning.reactivatedOn) });
  return <Facts items={items} />;
}

/** A contract's essentials: products and prices (R-CONFID), licence, term, notice deadline. */
export function ContractFacts({ contract }: { contract: BillingContract }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const notice = contract.term.nextNoticeDeadline;
  const termination = contract.term.termination;
  // R-TERM: the last day to give notice is highlighted when it comes close.
  const soon = notice ? notice.daysLeft <= 60 : false;
  return (
    <>
      <Facts
        items={[
          {
            label: t('billing.licensedPoi'),
            value: (
              <>
                {contract.licence.licensedPoi}
                {contract.licence.pending.map((p) => (
                  <div key={`${p.effectiveOn}-${p.poiCount}`} className="muted small">
                    {t('billing.licencePending', { count: p.poiCount, date: f.day(p.effectiveOn) })}
                  </div>
                ))}
              </>
            ),
            testId: 'contract-poi',
          },
          {
            label: t('billing.term'),
            value: t('billing.termMonths', { months: contract.termMonths }),
          },
          { label: t('billing.startDate'), value: f.day(contract.startDate) },
          {
            label: t('billing.termStatus'),
            value: termStatusLabel(t, contract.term.status),
          },
          {
            label: t('billing.currentPeriod'),
            value: t('billing.period', {
              from: f.day(contract.term.period.from),
              to: f.day(contract.term.period.to),
            }),
            wide: true,
          },
          {
            label: termination ? t('billing.endsOn') : t('billing.renewalOn'),
            value: termination
              ? f.day(termination.lastDay)
              : f.day(notice?.exitOn ?? contract.term.period.endsOn),
            testId: 'contract-renewal',
          },
          {
            label: t('billing.paymentMethod'),
            value:
              contract.paymentMethod === 'sepa' && contract.sepa
                ? `${methodLabel(t, 'sepa')} · ${contract.sepa.rum}${contract.sepa.iban ? ` · ${contract.sepa.iban}` : ''}`
                : methodLabel(t, contract.paymentMethod),
          },
        ]}
      />
      {notice && !termination && (
        <div
          className={`billing-notice${soon ? ' is-soon' : ''}`}
          data-testid="contract-notice-deadline"
          data-deadline={notice.deadline}
        >
          <strong>{t('billing.noticeDeadline', { date: f.day(notice.deadline) })}</strong>
          <span>
            {t('billing.noticeDeadlineText', {
              days: notice.daysLeft,
              exit: f.day(notice.exitOn),
            })}
          </span>
        </div>
      )}
      {termination && (
        <div className="billing-notice is-soon" data-testid="contract-termination">
          <strong>
            {t('billing.terminationRecorded', { date: f.day(termination.lastDay) })}
          </strong>
          <span>
            {t('billing.terminationText', {
              received: f.day(termination.noticeReceivedOn),
              channel: noticeChannelLabel(t, termination.channel),
            })}
          </span>
        </div>
      )}
    </>
  );
}

/** Subscriptions and their monthly prices HT (R-CONFID: owners, admins and SOFY billing only). */
export function SubscriptionsTable({ contract }: { contract: BillingContract }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  if (contract.subscriptions.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="contract-products">
        <caption className="visually-hidden">{t('billing.products')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('billing.product')}</th>
            <th scope="col" className="cell-number">
              {t('billing.unitPriceHt')}
            </th>
            <th scope="col" className="cell-number">
              {t('billing.monthlyHt')}
            </th>
          </tr>
        </thead>
        <tbody>
          {contract.subscriptions.map((s) => (
            <tr key={s.product} data-testid="contract-product" data-product={s.product}>
              <td>{productLabel(t, s.product)}</td>
              <td className="cell-number cell-nowrap">
                {s.perPoi
                  ? t('billing.perPoiMonth', { price: f.euros(s.unitCents) })
                  : t('billing.perMonth', { price: f.euros(s.unitCents) })}
              </td>
              <td className="cell-number cell-nowrap">
                {/* Integer cents × POI count: exact. */}
                {f.euros(s.perPoi ? s.unitCents * contract.licence.licensedPoi : s.unitCents)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The history of a contract: signature, amendments, notices, price revisions, renewals. */
export function ContractHistory({ contract }: { contract: BillingContract }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  if (contract.history.length === 0) return null;
  return (
    <ol className="timeline billing-timeline" data-testid="contract-history">
      {contract.history.map((event, index) => (
        <li
          // biome-ignore lint/suspicious/noArrayIndexKey: events have no id; the list only grows
          key={`${event.onDate}-${event.kind}-${index}`}
          className="timeline-step billing-event"
          data-testid="contract-event"
          data-kind={event.kind}
        >
          <span className="timeline-dot" aria-hidden="true" />
          <div className="timeline-head">
            <strong>{contractEventLabel(t, event.kind)}</strong>
            <span className="muted small">{f.day(event.onDate)}</span>
          </div>
          <ContractEventDetail kind={event.kind} detail={event.detail} />
        </li>
      ))}
    </ol>
  );
}

function ContractEventDetail({ kind, detail }: { kind: string; detail: Record<string, unknown> }) {
  const { t } = useI18n();
  const f = useBillingFormat();
  const d = detail as {
    from?: number;
    to?: number;
    poiCount?: number;
    signatoryName?: string;
    formula?: string;
    receivedOn?: string;
    channel?: string;
  };
  const lines: string[] = [];
  if ((kind === 'poi_raised' || kind === 'poi_reduced' || kind === 'poi_reduction_scheduled') &&
    typeof d.from === 'number' && typeof d.to === 'number')
    lines.push(t('billing.poiFromTo', { from: d.from, to: d.to }));
  if (kind === 'signed' && d.signatoryName) lines.push(t('billing.signedBy', { name: d.signatoryName }));
  if (kind === 'price_revised' && d.formula) lines.push(d.formula);
  if (kind === 'notice_received' && d.channel) lines.push(noticeChannelLabel(t, d.channel));
  if (kind === 'notice_received' && d.receivedOn) lines.push(f.day(d.receivedOn));
  if (lines.length === 0) return null;
  return (
    <ul className="timeline-detail">
      {lines.map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}

const BILLING_ERRORS: Record<string, MessageKey> = {
  invalid_vat_number: 'billing.error.invalid_vat_number',
  invalid_siren: 'billing.error.invalid_siren',
  invalid_iban: 'billing.error.invalid_iban',
  invalid_bic: 'billing.error.invalid_bic',
  invalid_mandate: 'billing.error.invalid_mandate',
  poi_licence_exceeded: 'billing.error.poi_licence_exceeded',
  syntec_index_missing: 'billing.error.syntec_index_missing',
  prenotification_too_late: 'billing.error.prenotification_too_late',
  credit_exceeds_invoice: 'billing.error.credit_exceeds_invoice',
  invalid_bank_statement: 'billing.error.invalid_bank_statement',
  invoice_immutable: 'billing.error.invoice_immutable',
  contract_exists: 'billing.error.contract_exists',
  statement_already_imported: 'billing.error.statement_already_imported',
};

/**
 * The error banner of the billing pages: the billing refusals in the user's language, with the
 * server's precise reason under it (it names the field and the rule); any other error as usual.
 */
export function BillingError({
  error,
  onRetry,
  testId = 'billing-error',
}: {
  error: unknown;
  onRetry?: () => void;
  testId?: string;
}) {
  const { t } = useI18n();
  if (!error) return null;
  // `invalid_state` says why in the server's words (e.g. "No SEPA invoice is waiting…").
  const key = isApiError(error)
    ? (BILLING_ERRORS[error.code] ?? (error.code === 'invalid_state' ? 'error.invalid_state' : undefined))
    : undefined;
  if (!key || !isApiError(error)) return <ErrorBanner error={error} onRetry={onRetry} testId={testId} />;
  const details = error.errors.filter((e) => e.message).map((e) => `${e.path} ${e.message}`.trim());
  return (
    <div className="banner banner-error" role="alert" data-testid={testId} data-code={error.code}>
      <div className="banner-body">
        <p>{t(key)}</p>
        {details.length > 0 ? (
          <ul className="banner-list">
            {details.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        ) : (
          error.detail && <p className="small">{error.detail}</p>
        )}
      </div>
    </div>
  );
}

/** Payments and the invoices they settled (client and operator pages). */
export function PaymentsTable({
  payments,
  showTenant = false,
}: {
  payments: BillingPayment[];
  showTenant?: boolean;
}) {
  const { t } = useI18n();
  const f = useBillingFormat();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="billing-payments">
        <caption className="visually-hidden">{t('billing.payments')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('billing.receivedOn')}</th>
            {showTenant && <th scope="col">{t('billing.client')}</th>}
            <th scope="col">{t('billing.method')}</th>
            <th scope="col">{t('billing.reference')}</th>
            <th scope="col">{t('billing.settledInvoices')}</th>
            <th scope="col" className="cell-number">
              {t('billing.amount')}
            </th>
          </tr>
        </thead>
        <tbody>
          {payments.map((p) => (
            <tr key={p.id} data-testid="billing-payment-row" data-id={p.id}>
              <td className="cell-nowrap">{f.day(p.receivedOn)}</td>
              {showTenant && <td>{p.tenantName ?? p.tenantId}</td>}
              <td>{methodLabel(t, p.method)}</td>
              <td className="small">{p.reference ?? '—'}</td>
              <td className="small">
                {p.allocations.length === 0
                  ? t('billing.unallocated')
                  : p.allocations
                      .map(
                        (a) =>
                          `${a.invoiceNumber ?? '—'} (${f.euros(a.amountCents)}${
                            a.discountCents > 0
                              ? `, ${t('billing.discountTaken', { amount: f.euros(a.discountCents) })}`
                              : ''
                          })`,
                      )
                      .join(', ')}
                {p.amountCents > p.allocatedCents && p.allocations.length > 0 && (
                  <div className="muted">
                    {t('billing.overpaid', { amount: f.euros(p.amountCents - p.allocatedCents) })}
                  </div>
                )}
              </td>
              <td className="cell-number cell-nowrap cell-strong">{f.euros(p.amountCents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
