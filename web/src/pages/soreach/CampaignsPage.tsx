import { useMemo, useState } from 'react';
import { request } from '../../api';
import { Badge, type BadgeTone, EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { PagedFooter } from '../../components/FormButtons';
import { PageHeader } from '../../components/PageHeader';
import { ToolbarSelect } from '../../components/Toolbar';
import { useToast } from '../../components/Toast';
import { useAsync, usePaged } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { usePermissions } from '../../permissions';
import { Link } from '../../router';
import { CAMPAIGN_STATUSES, type Campaign, type CampaignStatus, campaignsApi } from './campaign-api';
import './campaign.css';

export const STATUS_TONE: Record<CampaignStatus, BadgeTone> = {
  draft: 'neutral',
  pending_approval: 'warning',
  scheduled: 'info',
  running: 'info',
  testing: 'info',
  paused: 'warning',
  completed: 'success',
  cancelled: 'danger',
};

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  const { t } = useI18n();
  return (
    <Badge tone={STATUS_TONE[status]} testId={`campaign-status-${status}`}>
      {t(`campaign.status.${status}` as MessageKey)}
    </Badge>
  );
}

/** When a campaign goes (or went) out: its start, its schedule, or "once approved". */
export function campaignWhen(c: Campaign): string | null {
  return c.startedAt ?? c.scheduledAt;
}

/**
 * SoReach › Campaigns: every campaign with its status and counters, as a list or on a month
 * calendar (by the day it is scheduled, started or created).
 */
export function CampaignsPage({ view }: { view: 'list' | 'calendar' }) {
  const { t } = useI18n();
  const { can } = usePermissions();
  return (
    <>
      <PageHeader
        eyebrow={t('nav.soreach')}
        title={t('campaigns.title')}
        description={t('campaigns.description')}
        actions={
          can('campaigns:write') ? (
            <Link to="/soreach/campaigns/new" className="button button-primary" data-testid="campaign-create">
              {t('campaigns.new')}
            </Link>
          ) : undefined
        }
      />
      <div className="campaign-toolbar">
        <nav className="segmented" aria-label={t('campaigns.view')}>
          <Link to="/soreach/campaigns" className="segmented-option" aria-current={view === 'list' ? 'page' : undefined} data-testid="campaigns-view-list">
            {t('campaigns.viewList')}
          </Link>
          <Link to="/soreach/campaigns/calendar" className="segmented-option" aria-current={view === 'calendar' ? 'page' : undefined} data-testid="campaigns-view-calendar">
            {t('campaigns.viewCalendar')}
          </Link>
        </nav>
        {can('settings:manage') && <ApprovalSetting />}
      </div>
      {view === 'list' ? <CampaignList /> : <CampaignCalendar />}
    </>
  );
}

function ApprovalSetting() {
  const { t } = useI18n();
  const toast = useToast();
  const tenant = useAsync(() => request<{ settings: { campaignApprovalRequired?: boolean } }>('GET', '/v1/tenant'), []);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const checked = Boolean(tenant.data?.settings.campaignApprovalRequired);
  const toggle = async () => {
    setSaving(true);
    setError(null);
    try {
      const updated = await request<{ settings: { campaignApprovalRequired?: boolean } }>('PATCH', '/v1/tenant/settings', { body: { campaignApprovalRequired: !checked } });
      tenant.setData(updated);
      toast(t('campaigns.approvalSaved'));
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };
  return (
    <div className="campaign-approval-setting">
      <label className="checkbox-row">
        <input type="checkbox" checked={checked} disabled={saving || tenant.loading} onChange={toggle} data-testid="campaign-approval-setting" />
        <span>
          {t('campaigns.approvalSetting')}
          <span className="muted small block">{t('campaigns.approvalSettingHint')}</span>
        </span>
      </label>
      {error ? <ErrorBanner error={error} /> : null}
    </div>
  );
}

function CampaignList() {
  const { t, formatNumber, formatDateTime } = useI18n();
  const [status, setStatus] = useState<'' | CampaignStatus>('');
  const list = usePaged((cursor) => campaignsApi.list({ cursor, status }), [status]);
  return (
    <section className="card card-flush" aria-label={t('campaigns.listLabel')}>
      <form className="toolbar toolbar-dense" onSubmit={(e) => e.preventDefault()}>
        <ToolbarSelect
          id="campaign-filter-status"
          label={t('campaigns.filterStatus')}
          value={status}
          onChange={setStatus}
          allLabel={t('campaigns.filterAll')}
          options={CAMPAIGN_STATUSES.map((s) => ({ value: s, label: t(`campaign.status.${s}` as MessageKey) }))}
          testId="campaign-filter-status"
        />
      </form>
      {list.loading ? (
        <Loading />
      ) : list.error && list.items.length === 0 ? (
        <div className="card-pad">
          <ErrorBanner error={list.error} onRetry={list.reload} />
        </div>
      ) : list.items.length === 0 ? (
        <EmptyState icon="📣" title={status ? t('campaigns.emptyFiltered') : t('campaigns.empty')} testId="campaigns-empty">
          {!status && <p>{t('campaigns.emptyText')}</p>}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="campaigns-table">
            <caption className="visually-hidden">{t('campaigns.listLabel')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('campaigns.colName')}</th>
                <th scope="col">{t('campaigns.colChannel')}</th>
                <th scope="col">{t('campaigns.colStatus')}</th>
                <th scope="col">{t('campaigns.colWhen')}</th>
                <th scope="col" className="cell-number">
                  {t('campaigns.colRecipients')}
                </th>
                <th scope="col" className="cell-number">
                  {t('campaigns.colSent')}
                </th>
                <th scope="col" className="cell-number">
                  {t('campaigns.colDelivered')}
                </th>
                <th scope="col" className="cell-number">
                  {t('campaigns.colFailed')}
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr key={c.id} data-testid="campaign-row" data-status={c.status}>
                  <td>
                    <Link to={`/soreach/campaigns/${c.id}`} data-testid="campaign-link">
                      {c.name}
                    </Link>
                  </td>
                  <td>{t(`campaign.channel.${c.channel}` as MessageKey)}</td>
                  <td>
                    <CampaignStatusBadge status={c.status} />
                  </td>
                  <td>{campaignWhen(c) ? formatDateTime(campaignWhen(c)) : <span className="muted">{t('campaigns.asap')}</span>}</td>
                  <td className="cell-number">{formatNumber(c.counters?.recipients ?? c.estimate?.recipients ?? 0)}</td>
                  <td className="cell-number">{formatNumber(c.counters?.sent ?? 0)}</td>
                  <td className="cell-number">{formatNumber(c.counters?.delivered ?? 0)}</td>
                  <td className="cell-number">{formatNumber(c.counters?.failed ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PagedFooter list={list} testId="campaigns-more" />
    </section>
  );
}

/** A Paris month: its first day (UTC noon, so the date never shifts) and the grid's weeks. */
function monthGrid(year: number, month: number): { days: Array<{ date: string; inMonth: boolean }>; from: string; until: string } {
  const first = new Date(Date.UTC(year, month, 1, 12));
  const offset = (first.getUTCDay() + 6) % 7; // Monday first
  const start = new Date(first.getTime() - offset * 86_400_000);
  const days: Array<{ date: string; inMonth: boolean }> = [];
  for (let i = 0; i < 42; i++) {
    const d = new Date(start.getTime() + i * 86_400_000);
    days.push({ date: d.toISOString().slice(0, 10), inMonth: d.getUTCMonth() === month });
  }
  const last = days[days.length - 1]?.date ?? '';
  return { days, from: `${days[0]?.date}T00:00:00+01:00`, until: new Date(Date.parse(`${last}T00:00:00Z`) + 2 * 86_400_000).toISOString() };
}

function parisDay(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

function CampaignCalendar() {
  const { t, locale } = useI18n();
  const now = new Date();
  const [cursor, setCursor] = useState({ year: now.getUTCFullYear(), month: now.getUTCMonth() });
  const grid = useMemo(() => monthGrid(cursor.year, cursor.month), [cursor]);
  const campaigns = useAsync(async () => {
    const all: Campaign[] = [];
    let next: string | null = null;
    do {
      const page = await campaignsApi.list({ cursor: next, from: grid.from, until: grid.until, limit: 200 });
      all.push(...page.data);
      next = page.nextCursor;
    } while (next && all.length < 1000);
    return all;
  }, [grid.from, grid.until]);
  const byDay = useMemo(() => {
    const map = new Map<string, Campaign[]>();
    for (const c of campaigns.data ?? []) {
      const day = parisDay(c.scheduledAt ?? c.startedAt ?? c.createdAt);
      map.set(day, [...(map.get(day) ?? []), c]);
    }
    return map;
  }, [campaigns.data]);
  const monthName = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(cursor.year, cursor.month, 1, 12)));
  const weekdays = Array.from({ length: 7 }, (_, i) => new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 1 + i, 12))));
  const move = (delta: number) => setCursor((c) => ({ year: c.month + delta < 0 ? c.year - 1 : c.month + delta > 11 ? c.year + 1 : c.year, month: (c.month + delta + 12) % 12 }));
  const today = parisDay(now.toISOString());
  return (
    <section className="card" aria-label={t('campaigns.calendarLabel', { month: monthName })} data-testid="campaign-calendar">
      <div className="calendar-header">
        <button type="button" className="button button-secondary" onClick={() => move(-1)} aria-label={t('campaigns.calendarPrev')} data-testid="calendar-prev">
          ‹
        </button>
        <h2 className="card-title calendar-title" aria-live="polite">
          {monthName}
        </h2>
        <button type="button" className="button button-secondary" onClick={() => move(1)} aria-label={t('campaigns.calendarNext')} data-testid="calendar-next">
          ›
        </button>
        <button type="button" className="button button-link" onClick={() => setCursor({ year: now.getUTCFullYear(), month: now.getUTCMonth() })}>
          {t('campaigns.calendarToday')}
        </button>
      </div>
      {campaigns.error ? <ErrorBanner error={campaigns.error} onRetry={campaigns.reload} /> : null}
      <table className="calendar" aria-busy={campaigns.loading}>
        <thead>
          <tr>
            {weekdays.map((d) => (
              <th key={d} scope="col">
                {d}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: 6 }, (_, week) => (
            <tr key={grid.days[week * 7]?.date}>
              {grid.days.slice(week * 7, week * 7 + 7).map((day) => {
                const items = byDay.get(day.date) ?? [];
                return (
                  <td key={day.date} className={`calendar-day${day.inMonth ? '' : ' is-outside'}${day.date === today ? ' is-today' : ''}`} data-date={day.date}>
                    <span className="calendar-date">{Number(day.date.slice(8))}</span>
                    <ul className="calendar-items">
                      {items.slice(0, 3).map((c) => (
                        <li key={c.id}>
                          <Link to={`/soreach/campaigns/${c.id}`} className={`calendar-item tone-${STATUS_TONE[c.status]}`} data-testid="calendar-campaign" title={t(`campaign.status.${c.status}` as MessageKey)}>
                            {c.name}
                          </Link>
                        </li>
                      ))}
                      {items.length > 3 && <li className="muted small">{t('campaigns.calendarMore', { count: items.length - 3 })}</li>}
                    </ul>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
