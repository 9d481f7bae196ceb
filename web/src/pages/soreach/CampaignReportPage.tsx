import { useMemo, useState } from 'react';
import { ErrorBanner, Loading } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { useAsync } from '../../hooks';
import { intlLocaleOf, TIME_ZONE, useI18n, type MessageKey } from '../../i18n';
import { Link } from '../../router';
import { Bars, type Bucket } from '../messaging/StatusChart';
import { campaignsApi, type Report, type ReportCounts } from './campaign-api';
import { CampaignStatusBadge } from './CampaignsPage';
import './campaign.css';

const euros = (cents: number, locale: string) => `${(cents / 100).toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`;

/**
 * A campaign's report: targeted, sent, delivered, failed (by reason and who failed, R-3RD),
 * clicks (unique and total), opens, replies (unique and total), opt-outs and cost; the time
 * series (the messages log's bars); the A/B variants side by side; the links; the per-recipient
 * CSV export.
 */
export function CampaignReportPage({ campaignId }: { campaignId: string }) {
  const { t } = useI18n();
  const report = useAsync(() => campaignsApi.report(campaignId), [campaignId]);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);
  if (report.loading && !report.data) return <Loading />;
  if (report.error || !report.data) return <ErrorBanner error={report.error} onRetry={report.reload} />;
  const r = report.data;
  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const { blob, filename } = await campaignsApi.exportCsv(campaignId);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(false);
    }
  };
  return (
    <>
      <PageHeader
        eyebrow={
          <>
            <Link to={`/soreach/campaigns/${campaignId}`}>{t('campaignReport.back')}</Link> · {t('campaignReport.eyebrow')}
          </>
        }
        title={r.campaign.name}
        actions={
          <>
            <CampaignStatusBadge status={r.campaign.status} />
            <button type="button" className="button button-secondary" onClick={report.reload}>
              {t('campaignReport.refresh')}
            </button>
            <button type="button" className="button button-primary" onClick={exportCsv} disabled={exporting} aria-busy={exporting} data-testid="campaign-export">
              {t('campaignReport.export')}
            </button>
          </>
        }
      />
      {exportError ? <ErrorBanner error={exportError} /> : null}
      <Kpis totals={r.totals} />
      <SeriesCard report={r} />
      <WinnerNote report={r} />
      {r.variants.length > 1 && <VariantsTable report={r} />}
      <div className="campaign-report-grid">
        <FailuresCard report={r} />
        <LinksCard report={r} />
      </div>
    </>
  );
}

function Kpis({ totals }: { totals: ReportCounts }) {
  const { t, formatNumber, locale } = useI18n();
  const items: Array<[string, string, string | null, string]> = [
    ['targeted', formatNumber(totals.targeted), null, t('campaignReport.targeted')],
    ['sent', formatNumber(totals.sent), null, t('campaignReport.sent')],
    ['delivered', formatNumber(totals.delivered), t('campaignReport.rate', { rate: totals.deliveryRate }), t('campaignReport.delivered')],
    ['failed', formatNumber(totals.failed), totals.suppressed ? `${t('campaignReport.suppressed')} ${formatNumber(totals.suppressed)}` : null, t('campaignReport.failed')],
    ['clicks', formatNumber(totals.uniqueClicks), t('campaignReport.clicksDetail', { unique: formatNumber(totals.uniqueClicks), total: formatNumber(totals.clicks) }), t('campaignReport.clicks')],
    ['opens', formatNumber(totals.uniqueOpens), null, t('campaignReport.opens')],
    ['replies', formatNumber(totals.uniqueReplies), t('campaignReport.repliesDetail', { unique: formatNumber(totals.uniqueReplies), total: formatNumber(totals.replies) }), t('campaignReport.replies')],
    ['optouts', formatNumber(totals.optOuts), null, t('campaignReport.optOuts')],
    ['cost', euros(totals.cost.cents, locale === 'fr' ? 'fr-FR' : 'en-GB'), null, t('campaignReport.cost')],
  ];
  return (
    <dl className="campaign-kpis" data-testid="campaign-kpis">
      {items.map(([key, value, detail, label]) => (
        <div key={key} className="card campaign-kpi" data-testid={`kpi-${key}`} data-value={value}>
          <dt>{label}</dt>
          <dd>
            <strong>{value}</strong>
            {detail && <span className="muted small block">{detail}</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The time series drawn with the messages log's bars: sent, delivered and failed per bucket, and clicks. */
function SeriesCard({ report }: { report: Report }) {
  const { t, locale } = useI18n();
  const buckets = useMemo(() => {
    const format = new Intl.DateTimeFormat(intlLocaleOf(locale), report.series.bucket === 'hour' ? { day: 'numeric', hour: '2-digit', timeZone: TIME_ZONE } : { day: 'numeric', month: 'short', timeZone: TIME_ZONE });
    const toBuckets = (pick: (p: Report['series']['points'][number]) => Array<[string, number]>): Bucket[] =>
      report.series.points.map((p) => {
        const counts = new Map(pick(p).filter(([, n]) => n > 0));
        const label = format.format(new Date(p.at));
        return { key: p.at, label, title: label, counts, total: [...counts.values()].reduce((a, b) => a + b, 0) };
      });
    return {
      sends: toBuckets((p) => [
        ['submitted', Math.max(0, p.sent - p.delivered - p.failed)],
        ['delivered', p.delivered],
        ['failed', p.failed],
      ]),
      clicks: toBuckets((p) => [['read', p.clicks]]),
    };
  }, [report, locale]);
  const total = (list: Bucket[]) => list.reduce((sum, b) => sum + b.total, 0);
  return (
    <section className="card chart-card" aria-labelledby="campaign-series" data-testid="campaign-series">
      <h2 className="card-title" id="campaign-series">
        {t('campaignReport.chartTitle')}
      </h2>
      <Bars buckets={buckets.sends} statuses={['submitted', 'delivered', 'failed']} total={total(buckets.sends)} busy={false} />
      <ul className="chart-legend">
        <li>
          <span className="legend-swatch fill-submitted" aria-hidden="true" /> {t('campaignReport.seriesSent')}
        </li>
        <li>
          <span className="legend-swatch fill-delivered" aria-hidden="true" /> {t('campaignReport.seriesDelivered')}
        </li>
        <li>
          <span className="legend-swatch fill-failed" aria-hidden="true" /> {t('campaignReport.seriesFailed')}
        </li>
      </ul>
      <h3 className="small-title">{t('campaignReport.seriesClicks')}</h3>
      <Bars buckets={buckets.clicks} statuses={['read']} total={total(buckets.clicks)} busy={false} />
      <p className="muted small chart-note">{t('campaignReport.chartNote')}</p>
    </section>
  );
}

function WinnerNote({ report }: { report: Report }) {
  const { t, formatDateTime } = useI18n();
  const rule = report.winner.rule;
  if (!rule) return null;
  const metric = t(`campaignReport.metric.${rule.metric}` as MessageKey);
  return (
    <p className="card card-pad" data-testid="campaign-winner">
      {report.winner.variant ? t('campaignReport.winner', { variant: report.winner.variant, metric, date: formatDateTime(report.winner.at) }) : t('campaignReport.winnerPending', { hours: rule.afterHours, metric })}
    </p>
  );
}

function VariantsTable({ report }: { report: Report }) {
  const { t, formatNumber } = useI18n();
  return (
    <section className="card card-flush" aria-labelledby="campaign-ab">
      <h2 className="card-title card-pad" id="campaign-ab">
        {t('campaignReport.ab')}
      </h2>
      <div className="table-wrap">
        <table className="table" data-testid="campaign-variants">
          <thead>
            <tr>
              <th scope="col">{t('campaignReport.colVariant')}</th>
              <th scope="col" className="cell-number">
                {t('campaignReport.targeted')}
              </th>
              <th scope="col" className="cell-number">
                {t('campaignReport.sent')}
              </th>
              <th scope="col" className="cell-number">
                {t('campaignReport.delivered')}
              </th>
              <th scope="col" className="cell-number">
                {t('campaignReport.colDeliveryRate')}
              </th>
              <th scope="col" className="cell-number">
                {t('campaignReport.clicks')}
              </th>
              <th scope="col" className="cell-number">
                {t('campaignReport.colClickRate')}
              </th>
              <th scope="col" className="cell-number">
                {t('campaignReport.replies')}
              </th>
              <th scope="col" className="cell-number">
                {t('campaignReport.optOuts')}
              </th>
            </tr>
          </thead>
          <tbody>
            {report.variants.map((v) => (
              <tr key={v.variant} data-testid="campaign-variant-row" className={v.variant === report.winner.variant ? 'is-winner' : undefined}>
                <th scope="row">
                  {v.variant}
                  {v.variant === report.winner.variant ? ' ★' : ''}
                </th>
                <td className="cell-number">{formatNumber(v.targeted)}</td>
                <td className="cell-number">{formatNumber(v.sent)}</td>
                <td className="cell-number">{formatNumber(v.delivered)}</td>
                <td className="cell-number">{t('campaignReport.rate', { rate: v.deliveryRate })}</td>
                <td className="cell-number">{formatNumber(v.uniqueClicks)}</td>
                <td className="cell-number">{t('campaignReport.rate', { rate: v.clickRate })}</td>
                <td className="cell-number" data-testid="campaign-variant-replies" data-value={v.uniqueReplies} title={t('campaignReport.repliesDetail', { unique: formatNumber(v.uniqueReplies), total: formatNumber(v.replies) })}>
                  {formatNumber(v.uniqueReplies)}
                </td>
                <td className="cell-number">{formatNumber(v.optOuts)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function FailuresCard({ report }: { report: Report }) {
  const { t, formatNumber } = useI18n();
  const who = (a: string | null) => t(`campaignReport.who.${a ?? 'none'}` as MessageKey);
  return (
    <section className="card card-flush" aria-labelledby="campaign-failures" data-testid="campaign-failures">
      <h2 className="card-title card-pad" id="campaign-failures">
        {t('campaignReport.failures')}
      </h2>
      {report.failures.length === 0 && report.skipped.length === 0 ? (
        <p className="card-pad muted">{t('campaignReport.noFailures')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('campaignReport.colReason')}</th>
              <th scope="col">{t('campaignReport.colWho')}</th>
              <th scope="col" className="cell-number">
                {t('campaignReport.colCount')}
              </th>
            </tr>
          </thead>
          <tbody>
            {report.failures.map((f) => (
              <tr key={`${f.reason}-${f.attribution}`} data-testid="campaign-failure-row">
                <td>
                  <code>{f.reason}</code>
                </td>
                <td>{who(f.attribution)}</td>
                <td className="cell-number">{formatNumber(f.count)}</td>
              </tr>
            ))}
            {report.skipped.map((s) => (
              <tr key={`skip-${s.reason}`}>
                <td>
                  <code>{s.reason}</code> <span className="muted small">({t('campaignReport.skipped')})</span>
                </td>
                <td>{who('recipient')}</td>
                <td className="cell-number">{formatNumber(s.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function LinksCard({ report }: { report: Report }) {
  const { t, formatNumber } = useI18n();
  return (
    <section className="card card-flush" aria-labelledby="campaign-links">
      <h2 className="card-title card-pad" id="campaign-links">
        {t('campaignReport.links')}
      </h2>
      {report.campaign.links.length === 0 ? (
        <p className="card-pad muted">{t('campaignReport.noLinks')}</p>
      ) : (
        <table className="table" data-testid="campaign-links">
          <thead>
            <tr>
              <th scope="col">{t('campaignReport.colLink')}</th>
              <th scope="col" className="cell-number">
                {t('campaignReport.clicks')}
              </th>
            </tr>
          </thead>
          <tbody>
            {report.campaign.links.map((url, index) => {
              const stats = report.links.find((l) => l.index === index);
              return (
                <tr key={url}>
                  <td className="cell-wrap">{url}</td>
                  <td className="cell-number">{t('campaignReport.clicksDetail', { unique: formatNumber(stats?.uniqueClicks ?? 0), total: formatNumber(stats?.clicks ?? 0) })}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
