import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api';
import { ErrorBanner, Loading } from '../../components/Feedback';
import { intlLocaleOf, TIME_ZONE, useI18n } from '../../i18n';
import { messageStatusLabel } from '../../labels';
import { parisDate, parisDateOf, parisStartOfDay, shiftDate } from '../../time';
import { MESSAGE_STATUSES, type Message } from '../../types';

/** The chart reads at most this many messages (5 pages of 200). */
export const CHART_CAP = 1000;
const PAGE = 200;

type Range = '24h' | '7d';

/** One bar of the chart: counts per status (the `fill-<status>` colours). */
export interface Bucket {
  key: string;
  label: string;
  title: string;
  counts: Map<string, number>;
  total: number;
}

interface Loaded {
  messages: Pick<Message, 'status' | 'createdAt'>[];
  capped: boolean;
  /** When the data was read: the buckets end there. */
  at: number;
}

async function loadRange(from: string, signal: AbortSignal): Promise<Omit<Loaded, 'at'>> {
  const messages: Loaded['messages'] = [];
  let cursor: string | null = null;
  do {
    const page = await api.messages.list({ from, cursor, limit: PAGE }, signal);
    for (const m of page.data) messages.push({ status: m.status, createdAt: m.createdAt });
    cursor = page.nextCursor;
  } while (cursor && messages.length < CHART_CAP);
  return { messages: messages.slice(0, CHART_CAP), capped: Boolean(cursor) };
}

const HOUR = 3_600_000;

/**
 * Messages per status over the last 24 hours (by hour) or 7 days (by Paris day), as stacked
 * bars drawn in SVG. Computed from GET /v1/messages pages, capped at CHART_CAP messages.
 */
export function StatusChart({ refreshKey }: { refreshKey: number }) {
  const { t, locale, formatNumber } = useI18n();
  const [range, setRange] = useState<Range>('24h');
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey and tick trigger a reload
  useEffect(() => {
    const controller = new AbortController();
    const now = Date.now();
    const from =
      range === '24h'
        ? new Date(Math.floor(now / HOUR) * HOUR - 23 * HOUR).toISOString()
        : parisStartOfDay(shiftDate(parisDate(), -6));
    setLoading(true);
    setError(null);
    loadRange(from, controller.signal)
      .then((loaded) => setData({ ...loaded, at: now }))
      .catch((e: unknown) => {
        if (!(e instanceof DOMException && e.name === 'AbortError')) setError(e);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [range, refreshKey, tick]);

  const buckets = useMemo(() => {
    if (!data) return [];
    const tag = intlLocaleOf(locale);
    const list: Bucket[] = [];
    const index = new Map<string, Bucket>();
    const add = (key: string, label: string, title: string) => {
      const bucket = { key, label, title, counts: new Map<string, number>(), total: 0 };
      list.push(bucket);
      index.set(key, bucket);
    };
    let keyOf: (ms: number) => string;
    if (range === '24h') {
      const hour = new Intl.DateTimeFormat(tag, { hour: '2-digit', timeZone: TIME_ZONE });
      const full = new Intl.DateTimeFormat(tag, {
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: TIME_ZONE,
      });
      const last = Math.floor(data.at / HOUR) * HOUR;
      for (let i = 23; i >= 0; i--) {
        const start = last - i * HOUR;
        add(String(start), hour.format(start), full.format(start));
      }
      keyOf = (ms) => String(Math.floor(ms / HOUR) * HOUR);
    } else {
      const day = new Intl.DateTimeFormat(tag, {
        weekday: 'short',
        day: 'numeric',
        timeZone: 'UTC',
      });
      const long = new Intl.DateTimeFormat(tag, { dateStyle: 'full', timeZone: 'UTC' });
      const today = parisDateOf(data.at);
      for (let i = 6; i >= 0; i--) {
        const date = shiftDate(today, -i);
        const noon = new Date(`${date}T12:00:00Z`);
        add(date, day.format(noon), long.format(noon));
      }
      keyOf = parisDateOf;
    }
    for (const m of data.messages) {
      const bucket = index.get(keyOf(new Date(m.createdAt).getTime()));
      if (!bucket) continue;
      bucket.counts.set(m.status, (bucket.counts.get(m.status) ?? 0) + 1);
      bucket.total += 1;
    }
    return list;
  }, [data, range, locale]);

  const totals = useMemo(() => {
    const map = new Map<string, number>();
    for (const b of buckets) for (const [s, n] of b.counts) map.set(s, (map.get(s) ?? 0) + n);
    return map;
  }, [buckets]);
  const total = [...totals.values()].reduce((a, b) => a + b, 0);
  // Known statuses in lifecycle order, then any the console does not know yet.
  const statuses = [
    ...MESSAGE_STATUSES.filter((s) => totals.has(s)),
    ...[...totals.keys()].filter((s) => !(MESSAGE_STATUSES as readonly string[]).includes(s)),
  ];

  return (
    <section className="card chart-card" aria-labelledby="chart-title" data-testid="status-chart">
      <div className="chart-header">
        <div>
          <h2 className="card-title" id="chart-title">
            {t('chart.title')}
          </h2>
          {data && !loading && (
            <p className="muted small" data-testid="status-chart-total" data-total={total}>
              {t('chart.summary', { total: formatNumber(total) })}
            </p>
          )}
        </div>
        <fieldset className="segmented" data-testid="status-chart-range">
          <legend className="visually-hidden">{t('chart.range')}</legend>
          {(['24h', '7d'] as const).map((r) => (
            <button
              key={r}
              type="button"
              className="segmented-option"
              aria-pressed={range === r}
              onClick={() => setRange(r)}
              data-testid={`status-chart-${r}`}
            >
              {r === '24h' ? t('chart.24h') : t('chart.7d')}
            </button>
          ))}
        </fieldset>
      </div>
      {loading && !data ? (
        <Loading />
      ) : error ? (
        <ErrorBanner error={error} onRetry={() => setTick((n) => n + 1)} />
      ) : (
        <>
          <Bars buckets={buckets} statuses={statuses} total={total} busy={loading} />
          {statuses.length > 0 && (
            <ul className="chart-legend" aria-label={t('chart.title')}>
              {statuses.map((s) => (
                <li key={s} data-status={s} data-count={totals.get(s) ?? 0}>
                  <span className={`legend-swatch fill-${s}`} aria-hidden="true" />
                  {messageStatusLabel(t, s)} <strong>{formatNumber(totals.get(s) ?? 0)}</strong>
                </li>
              ))}
            </ul>
          )}
          {data?.capped && (
            <p className="chart-capped" role="note" data-testid="status-chart-capped">
              {t('chart.capped', { cap: formatNumber(CHART_CAP) })}
            </p>
          )}
        </>
      )}
      <p className="muted small chart-note">{t('chart.note', { cap: formatNumber(CHART_CAP) })}</p>
    </section>
  );
}

const WIDTH = 720;
const HEIGHT = 180;
const LEFT = 34;
const BOTTOM = 22;
const TOP = 8;

function niceMax(n: number): number {
  if (n <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  const steps = [1, 2, 2.5, 5, 10];
  for (const s of steps) if (s * magnitude >= n) return s * magnitude;
  return 10 * magnitude;
}

/** The stacked bars (also drawn by the campaign report, SoReach). */
export function Bars({
  buckets,
  statuses,
  total,
  busy,
}: {
  buckets: Bucket[];
  statuses: string[];
  total: number;
  busy: boolean;
}) {
  const { t, formatNumber } = useI18n();
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.total)));
  const plotH = HEIGHT - TOP - BOTTOM;
  const slot = (WIDTH - LEFT) / Math.max(1, buckets.length);
  const barW = Math.max(4, slot * 0.68);
  const y = (n: number) => TOP + plotH - (n / max) * plotH;
  const labelEvery = buckets.length > 12 ? 3 : 1;
  const summary =
    total === 0
      ? t('chart.empty')
      : statuses
          .map(
            (s) =>
              `${messageStatusLabel(t, s)} ${buckets.reduce((a, b) => a + (b.counts.get(s) ?? 0), 0)}`,
          )
          .join(', ');
  return (
    <div className={`chart${busy ? ' is-busy' : ''}`} aria-busy={busy}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="chart-svg"
        role="img"
        aria-label={`${t('chart.title')} — ${summary}`}
        data-testid="status-chart-svg"
      >
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              x1={LEFT}
              x2={WIDTH}
              y1={y(max * f)}
              y2={y(max * f)}
              className={f === 0 ? 'chart-axis' : 'chart-grid'}
            />
            <text x={LEFT - 6} y={y(max * f) + 4} className="chart-tick" textAnchor="end">
              {formatNumber(max * f)}
            </text>
          </g>
        ))}
        {buckets.map((b, i) => {
          const x = LEFT + i * slot + (slot - barW) / 2;
          let base = 0;
          return (
            <g key={b.key} data-testid="status-chart-bar" data-total={b.total}>
              <title>{t('chart.bar', { label: b.title, count: b.total })}</title>
              {statuses.map((s) => {
                const n = b.counts.get(s) ?? 0;
                if (n === 0) return null;
                const top = y(base + n);
                const h = y(base) - top;
                base += n;
                return (
                  <rect
                    key={s}
                    x={x}
                    y={top}
                    width={barW}
                    height={Math.max(h, 1)}
                    className={`fill-${s}`}
                  >
                    <title>
                      {t('chart.bar', {
                        label: `${b.title}, ${messageStatusLabel(t, s)}`,
                        count: n,
                      })}
                    </title>
                  </rect>
                );
              })}
              {i % labelEvery === 0 && (
                <text x={x + barW / 2} y={HEIGHT - 6} className="chart-tick" textAnchor="middle">
                  {b.label}
                </text>
              )}
            </g>
          );
        })}
        {total === 0 && (
          <text x={(WIDTH + LEFT) / 2} y={HEIGHT / 2} className="chart-empty" textAnchor="middle">
            {t('chart.empty')}
          </text>
        )}
      </svg>
    </div>
  );
}
