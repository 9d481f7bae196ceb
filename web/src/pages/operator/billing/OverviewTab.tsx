import type { ReactNode } from 'react';
import { api } from '../../../api';
import { ErrorBanner, Loading } from '../../../components/Feedback';
import { useAsync } from '../../../hooks';
import { useI18n } from '../../../i18n';
import { Link } from '../../../router';
import type { BillingInvoice, BillingPayment } from '../../../types';
import { type BillingFormat, today, useBillingFormat } from '../../billing/format';

const MAX_INVOICE_PAGES = 5;
const PAYMENT_LIMIT = 500;

interface Overview {
  invoices: BillingInvoice[];
  invoicesCapped: boolean;
  payments: BillingPayment[];
  paymentsCapped: boolean;
  openCases: number;
  drafts: number;
}

async function loadOverview(): Promise<Overview> {
  const invoices: BillingInvoice[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await api.operatorBilling.invoices({ status: 'issued', limit: 200, cursor });
    invoices.push(...page.data);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < MAX_INVOICE_PAGES);
  const [payments, dunning, drafts] = await Promise.all([
    api.operatorBilling.payments({ limit: PAYMENT_LIMIT }),
    api.operatorBilling.dunning(),
    api.operatorBilling.invoices({ status: 'draft', limit: 200 }),
  ]);
  return {
    invoices,
    invoicesCapped: Boolean(cursor),
    payments: payments.data,
    paymentsCapped: payments.data.length >= PAYMENT_LIMIT,
    openCases: dunning.data.filter((c) => c.open).length,
    drafts: drafts.data.length,
  };
}

/** The 12 months ending with the current one, as YYYY-MM. */
function lastMonths(count: number, todayDate: string): string[] {
  const year = Number(todayDate.slice(0, 4));
  const month = Number(todayDate.slice(5, 7)) - 1;
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const m = year * 12 + month - i;
    out.push(`${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

export interface MonthTotals {
  month: string;
  /** TTC invoiced that month, credit notes deducted (integer cents). */
  invoicedCents: number;
  /** Received that month (integer cents). */
  paidCents: number;
}

/** Invoiced (by issue date) and received (by value date) per month; sums of integer cents. */
export function monthlyTotals(
  invoices: BillingInvoice[],
  payments: BillingPayment[],
  months: string[],
): MonthTotals[] {
  const rows = new Map(months.map((m) => [m, { month: m, invoicedCents: 0, paidCents: 0 }]));
  for (const invoice of invoices) {
    const row = invoice.issueDate ? rows.get(invoice.issueDate.slice(0, 7)) : undefined;
    if (!row) continue;
    row.invoicedCents += invoice.kind === 'credit_note' ? -invoice.totalTtcCents : invoice.totalTtcCents;
  }
  for (const payment of payments) {
    const row = rows.get(payment.receivedOn.slice(0, 7));
    if (row) row.paidCents += payment.amountCents;
  }
  return [...rows.values()];
}

export function OverviewTab() {
  const { t } = useI18n();
  const f = useBillingFormat();
  const data = useAsync(loadOverview, []);
  if (data.loading && !data.data) return <Loading />;
  if (data.error) return <ErrorBanner error={data.error} onRetry={data.reload} />;
  const overview = data.data as Overview;
  const open = overview.invoices.filter((i) => i.kind === 'invoice' && i.paymentStatus !== 'paid');
  const receivable = open.reduce((sum, i) => sum + i.amountDueCents, 0);
  const overdue = open.filter((i) => i.overdue);
  const overdueCents = overdue.reduce((sum, i) => sum + i.amountDueCents, 0);
  const months = monthlyTotals(overview.invoices, overview.payments, lastMonths(12, today()));

  return (
    <>
      <div className="billing-kpis" data-testid="op-billing-kpis">
        <Kpi
          label={t('billing.op.kpiReceivable')}
          value={f.euros(receivable)}
          note={t('billing.op.kpiInvoices', { count: open.length })}
          testId="kpi-receivable"
        />
        <Kpi
          label={t('billing.op.kpiOverdue')}
          value={f.euros(overdueCents)}
          note={t('billing.op.kpiInvoices', { count: overdue.length })}
          tone={overdue.length > 0 ? 'danger' : undefined}
          testId="kpi-overdue"
        />
        <Kpi
          label={t('billing.op.kpiDunning')}
          value={String(overview.openCases)}
          note={<Link to="/operator/billing/dunning">{t('billing.op.kpiDunningLink')}</Link>}
          tone={overview.openCases > 0 ? 'warning' : undefined}
          testId="kpi-dunning"
        />
        <Kpi
          label={t('billing.op.kpiDrafts')}
          value={String(overview.drafts)}
          note={<Link to="/operator/billing/runs">{t('billing.op.kpiDraftsLink')}</Link>}
          testId="kpi-drafts"
        />
      </div>
      <section className="card chart-card" aria-labelledby="billing-chart-title">
        <div className="chart-header">
          <div>
            <h2 className="card-title" id="billing-chart-title">
              {t('billing.op.chartTitle')}
            </h2>
            <p className="muted small">{t('billing.op.chartText')}</p>
          </div>
        </div>
        <InvoicedPaidChart months={months} f={f} />
        {(overview.invoicesCapped || overview.paymentsCapped) && (
          <p className="chart-capped" data-testid="billing-chart-capped">
            {t('billing.op.chartCapped')}
          </p>
        )}
      </section>
    </>
  );
}

function Kpi({
  label,
  value,
  note,
  tone,
  testId,
}: {
  label: string;
  value: string;
  note?: ReactNode;
  tone?: 'danger' | 'warning';
  testId: string;
}) {
  return (
    <div className={`card billing-kpi${tone ? ` is-${tone}` : ''}`} data-testid={testId}>
      <div className="billing-kpi-label">{label}</div>
      <div className="billing-kpi-value">{value}</div>
      {note && <div className="muted small">{note}</div>}
    </div>
  );
}

/** A step of 1, 2 or 5 × 10ⁿ euros giving about four grid lines (display only). */
function niceStep(maxEuros: number): number {
  if (maxEuros <= 0) return 100;
  const raw = maxEuros / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return Math.max(1, (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power);
}

function InvoicedPaidChart({ months, f }: { months: MonthTotals[]; f: BillingFormat }) {
  const { t } = useI18n();
  const width = 760;
  const height = 230;
  const left = 70;
  const right = 8;
  const top = 10;
  const bottom = 26;
  const maxCents = Math.max(0, ...months.flatMap((m) => [m.invoicedCents, m.paidCents]));
  const step = niceStep(maxCents / 100);
  const ceiling = Math.max(step, Math.ceil(maxCents / 100 / step) * step);
  const ticks = Array.from({ length: Math.round(ceiling / step) + 1 }, (_, i) => i * step);
  const plotH = height - top - bottom;
  const groupW = (width - left - right) / months.length;
  const barW = Math.min(22, (groupW - 10) / 2);
  const y = (cents: number) => top + plotH - (Math.max(0, cents) / 100 / ceiling) * plotH;
  const empty = maxCents === 0;

  return (
    <figure className="chart billing-chart" data-testid="billing-chart">
      <svg
        className="chart-svg"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={t('billing.op.chartTitle')}
      >
        {ticks.map((tick) => {
          const ty = top + plotH - (tick / ceiling) * plotH;
          return (
            <g key={tick}>
              <line className="chart-grid" x1={left} x2={width - right} y1={ty} y2={ty} />
              <text className="chart-tick" x={left - 6} y={ty + 3} textAnchor="end">
                {f.wholeEuros(Math.round(tick * 100))}
              </text>
            </g>
          );
        })}
        <line
          className="chart-axis"
          x1={left}
          x2={width - right}
          y1={top + plotH}
          y2={top + plotH}
        />
        {months.map((m, i) => {
          const x = left + i * groupW + (groupW - 2 * barW - 2) / 2;
          return (
            <g key={m.month} data-testid="billing-chart-month" data-month={m.month}>
              <rect
                className="billing-bar-invoiced"
                x={x}
                y={y(m.invoicedCents)}
                width={barW}
                height={top + plotH - y(m.invoicedCents)}
                data-cents={m.invoicedCents}
              >
                <title>
                  {`${f.month(m.month)} — ${t('billing.op.chartInvoiced')} : ${f.euros(m.invoicedCents)}`}
                </title>
              </rect>
              <rect
                className="billing-bar-paid"
                x={x + barW + 2}
                y={y(m.paidCents)}
                width={barW}
                height={top + plotH - y(m.paidCents)}
                data-cents={m.paidCents}
              >
                <title>
                  {`${f.month(m.month)} — ${t('billing.op.chartPaid')} : ${f.euros(m.paidCents)}`}
                </title>
              </rect>
              <text
                className="chart-tick"
                x={left + i * groupW + groupW / 2}
                y={height - 8}
                textAnchor="middle"
              >
                {f.monthShort(m.month)}
              </text>
            </g>
          );
        })}
        {empty && (
          <text className="chart-empty" x={(left + width) / 2} y={top + plotH / 2} textAnchor="middle">
            {t('billing.op.chartEmpty')}
          </text>
        )}
      </svg>
      <figcaption>
        <ul className="chart-legend">
          <li>
            <span className="legend-swatch billing-swatch-invoiced" aria-hidden="true" />
            {t('billing.op.chartInvoiced')}
          </li>
          <li>
            <span className="legend-swatch billing-swatch-paid" aria-hidden="true" />
            {t('billing.op.chartPaid')}
          </li>
        </ul>
      </figcaption>
      <table className="visually-hidden">
        <caption>{t('billing.op.chartTitle')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('billing.op.month')}</th>
            <th scope="col">{t('billing.op.chartInvoiced')}</th>
            <th scope="col">{t('billing.op.chartPaid')}</th>
          </tr>
        </thead>
        <tbody>
          {months.map((m) => (
            <tr key={m.month}>
              <th scope="row">{f.month(m.month)}</th>
              <td>{f.euros(m.invoicedCents)}</td>
              <td>{f.euros(m.paidCents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
