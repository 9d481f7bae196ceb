import { useMemo } from 'react';
import { api } from '../../api';
import { Badge, type BadgeTone, EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { intlLocaleOf, type MessageKey, useI18n } from '../../i18n';
import type { BacklogEntry, ConnectorStatus } from '../../types';
import { ChannelBadge, StatusBadge, useMessagingFormat, usePolling } from './shared';

const POLL_MS = 5000;

const states: Record<string, { key: MessageKey; tone: BadgeTone }> = {
  bound: { key: 'routes.state.bound', tone: 'success' },
  ready: { key: 'routes.state.ready', tone: 'success' },
  connecting: { key: 'routes.state.connecting', tone: 'warning' },
  closed: { key: 'routes.state.closed', tone: 'danger' },
};

/**
 * Routes and their health (`GET /v1/messaging/routes`): the connectors of the server that
 * answered, and the account's backlog. Polled every 5 s while the tab is open and visible.
 */
export function RoutesTab() {
  const { t } = useI18n();
  const health = usePolling(() => api.routes.health(), [], POLL_MS);
  const data = health.data;

  return (
    <>
      <p className="tab-intro">{t('routes.intro')}</p>
      <p className="muted small" data-testid="routes-auto-refresh">
        {t('routes.autoRefresh')}{' '}
        <button
          type="button"
          className="button button-secondary button-sm"
          onClick={health.refresh}
          data-testid="routes-refresh"
        >
          {t('routes.refresh')}
        </button>
      </p>
      {Boolean(health.error) && (
        <ErrorBanner
          error={health.error}
          onRetry={data ? undefined : health.refresh}
          testId="routes-error"
        />
      )}
      {health.loading && !data ? (
        <Loading />
      ) : data ? (
        <>
          <section className="routes-section" aria-labelledby="routes-connectors-title">
            <h2 className="card-title" id="routes-connectors-title">
              {t('routes.connectors')}
            </h2>
            {data.connectors.length === 0 ? (
              <section className="card">
                <EmptyState
                  icon="🔌"
                  title={t('routes.noConnectors')}
                  testId="routes-connectors-empty"
                >
                  <p>{t('routes.noConnectorsText')}</p>
                </EmptyState>
              </section>
            ) : (
              <ul className="connector-grid" data-testid="routes-connectors">
                {data.connectors.map((c) => (
                  <ConnectorCard key={c.id} connector={c} />
                ))}
              </ul>
            )}
          </section>
          <section className="card card-flush" aria-labelledby="routes-backlog-title">
            <div className="card-header">
              <h2 className="card-title" id="routes-backlog-title">
                {t('routes.backlog')}
              </h2>
            </div>
            {data.backlog.length === 0 ? (
              <EmptyState icon="✅" title={t('routes.backlogEmpty')} testId="routes-backlog-empty">
                <p>{t('routes.backlogEmptyText')}</p>
              </EmptyState>
            ) : (
              <BacklogTable items={data.backlog} />
            )}
          </section>
        </>
      ) : null}
    </>
  );
}

function ConnectorCard({ connector }: { connector: ConnectorStatus }) {
  const { t, locale } = useI18n();
  const number = useMemo(() => new Intl.NumberFormat(intlLocaleOf(locale)), [locale]);
  const state = states[connector.state];
  const counters = Object.entries(connector.counters ?? {});
  return (
    <li
      className="card connector-card"
      aria-label={t('routes.connectorLabel', { id: connector.id })}
      data-testid="connector-card"
      data-id={connector.id}
      data-channel={connector.channel}
      data-state={connector.state}
    >
      <div className="connector-head">
        <ChannelBadge channel={connector.channel} />
        <code className="cell-strong connector-id">{connector.id}</code>
        <Badge tone={state?.tone ?? 'neutral'} testId="connector-state">
          {state ? t(state.key) : connector.state}
        </Badge>
      </div>
      {counters.length === 0 ? (
        <p className="muted small">{t('routes.noCounters')}</p>
      ) : (
        <dl
          className="details-meta connector-counters"
          aria-label={t('routes.counters', { id: connector.id })}
          data-testid="connector-counters"
        >
          {counters.map(([name, value]) => (
            <div key={name} className="connector-counter" data-counter={name} data-value={value}>
              <dt>{name}</dt>
              <dd>{number.format(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </li>
  );
}

function BacklogTable({ items }: { items: BacklogEntry[] }) {
  const { t, locale } = useI18n();
  const fmt = useMessagingFormat();
  const number = useMemo(() => new Intl.NumberFormat(intlLocaleOf(locale)), [locale]);
  const now = Date.now();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="routes-backlog">
        <caption className="visually-hidden">{t('routes.backlog')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('routes.colChannel')}</th>
            <th scope="col">{t('routes.colStatus')}</th>
            <th scope="col" className="cell-number">
              {t('routes.colCount')}
            </th>
            <th scope="col">{t('routes.colOldest')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((b) => (
            <tr
              key={`${b.channel}:${b.status}`}
              data-testid="backlog-row"
              data-channel={b.channel}
              data-status={b.status}
              data-count={b.count}
            >
              <td>
                <ChannelBadge channel={b.channel} />
              </td>
              <td>
                <StatusBadge status={b.status} />
              </td>
              <td className="cell-number">{number.format(Number(b.count))}</td>
              <td className="cell-nowrap">
                {b.oldest ? (
                  <time dateTime={b.oldest} title={fmt.timestamp(b.oldest)}>
                    {fmt.relative(b.oldest, now)}
                  </time>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
