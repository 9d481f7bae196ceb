import { type MouseEvent, useState } from 'react';
import { api } from '../../api';
import { EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { PagedFooter } from '../../components/FormButtons';
import { RefreshButton } from '../../components/Toolbar';
import { usePaged } from '../../hooks';
import { useI18n } from '../../i18n';
import {
  attributionLabel,
  attributionShort,
  channelLabel,
  FAILED_STATUSES,
  messageStatusLabel,
  routeLabel,
} from '../../labels';
import { parisStartOfDay, shiftDate } from '../../time';
import {
  MESSAGE_CHANNELS,
  MESSAGE_ROUTES,
  MESSAGE_STATUSES,
  type Message,
  type MessageFilters,
} from '../../types';
import {
  ChannelBadge,
  StatusBadge,
  normaliseRecipient,
  useDebounced,
  useMessagingFormat,
} from './shared';
import { StatusChart } from './StatusChart';

interface Draft {
  status: string;
  channel: string;
  route: string;
  to: string;
  fromDate: string;
  untilDate: string;
}

const EMPTY: Draft = { status: '', channel: '', route: '', to: '', fromDate: '', untilDate: '' };

/** The message log: chart, filters, table with "load more"; a row opens the detail. */
export function MessagesTab({
  refreshKey,
  onOpen,
}: {
  /** Changes after a test message is sent: the list and chart reload. */
  refreshKey: number;
  onOpen: (id: string) => void;
}) {
  const { t, formatNumber } = useI18n();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const to = useDebounced(normaliseRecipient(draft.to), 350);
  const [tick, setTick] = useState(0);

  const filters: MessageFilters = {
    status: draft.status || undefined,
    channel: draft.channel || undefined,
    route: draft.route || undefined,
    to: to || undefined,
    from: draft.fromDate ? parisStartOfDay(draft.fromDate) : undefined,
    until: draft.untilDate ? parisStartOfDay(shiftDate(draft.untilDate, 1)) : undefined,
  };
  const filtered = Object.values(filters).some(Boolean);
  const messages = usePaged(
    (cursor) => api.messages.list({ ...filters, cursor }),
    [
      filters.status,
      filters.channel,
      filters.route,
      filters.to,
      filters.from,
      filters.until,
      refreshKey,
      tick,
    ],
  );

  const set = (key: keyof Draft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));

  return (
    <>
      <StatusChart refreshKey={refreshKey + tick} />
      <section className="card card-flush" aria-label={t('messages.listLabel')}>
        <search aria-label={t('messages.filterLabel')}>
          <form
            className="toolbar toolbar-dense"
            onSubmit={(e) => e.preventDefault()}
            data-testid="messages-filter"
          >
            <div className="toolbar-field">
              <label htmlFor="msg-status" className="field-label">
                {t('messages.status')}
              </label>
              <select
                id="msg-status"
                value={draft.status}
                onChange={(e) => set('status')(e.target.value)}
                data-testid="messages-filter-status"
              >
                <option value="">{t('messages.allStatuses')}</option>
                {MESSAGE_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {messageStatusLabel(t, s)}
                  </option>
                ))}
              </select>
            </div>
            <div className="toolbar-field">
              <label htmlFor="msg-channel" className="field-label">
                {t('messages.channel')}
              </label>
              <select
                id="msg-channel"
                value={draft.channel}
                onChange={(e) => set('channel')(e.target.value)}
                data-testid="messages-filter-channel"
              >
                <option value="">{t('messages.allChannels')}</option>
                {MESSAGE_CHANNELS.map((c) => (
                  <option key={c} value={c}>
                    {channelLabel(t, c)}
                  </option>
                ))}
              </select>
            </div>
            <div className="toolbar-field">
              <label htmlFor="msg-route" className="field-label">
                {t('messages.route')}
              </label>
              <select
                id="msg-route"
                value={draft.route}
                onChange={(e) => set('route')(e.target.value)}
                data-testid="messages-filter-route"
              >
                <option value="">{t('messages.allRoutes')}</option>
                {MESSAGE_ROUTES.map((r) => (
                  <option key={r} value={r}>
                    {routeLabel(t, r)}
                  </option>
                ))}
              </select>
            </div>
            <div className="toolbar-field toolbar-grow">
              <label htmlFor="msg-to" className="field-label">
                {t('messages.recipient')}
              </label>
              <input
                id="msg-to"
                type="search"
                autoComplete="off"
                spellCheck={false}
                placeholder={t('messages.recipientPlaceholder')}
                title={t('messages.recipientHint')}
                value={draft.to}
                onChange={(e) => set('to')(e.target.value)}
                data-testid="messages-filter-to"
              />
            </div>
            <div className="toolbar-field toolbar-date">
              <label htmlFor="msg-from" className="field-label">
                {t('messages.fromDate')}
              </label>
              <input
                id="msg-from"
                type="date"
                value={draft.fromDate}
                max={draft.untilDate || undefined}
                onChange={(e) => set('fromDate')(e.target.value)}
                data-testid="messages-filter-from"
              />
            </div>
            <div className="toolbar-field toolbar-date">
              <label htmlFor="msg-until" className="field-label">
                {t('messages.untilDate')}
              </label>
              <input
                id="msg-until"
                type="date"
                value={draft.untilDate}
                min={draft.fromDate || undefined}
                onChange={(e) => set('untilDate')(e.target.value)}
                data-testid="messages-filter-until"
              />
            </div>
            <div className="toolbar-buttons">
              <RefreshButton onClick={() => setTick((n) => n + 1)} testId="messages-refresh" />
              {filtered && (
                <button
                  type="button"
                  className="button button-ghost"
                  onClick={() => setDraft(EMPTY)}
                  data-testid="messages-filter-clear"
                >
                  {t('messages.clear')}
                </button>
              )}
            </div>
          </form>
        </search>
        {messages.loading ? (
          <Loading />
        ) : messages.error && messages.items.length === 0 ? (
          <div className="card-pad">
            <ErrorBanner error={messages.error} onRetry={messages.reload} />
          </div>
        ) : messages.items.length === 0 ? (
          <EmptyState
            icon="✉️"
            title={filtered ? t('messages.emptyFiltered') : t('messages.empty')}
            testId="messages-empty"
          >
            <p>{filtered ? t('messages.emptyFilteredText') : t('messages.emptyText')}</p>
          </EmptyState>
        ) : (
          <>
            <MessageTable messages={messages.items} onOpen={onOpen} />
            <p className="table-count muted small" aria-live="polite">
              {t('messages.count', { count: formatNumber(messages.items.length) })}
            </p>
          </>
        )}
        <PagedFooter list={messages} testId="messages-load-more" />
      </section>
    </>
  );
}

function MessageTable({ messages, onOpen }: { messages: Message[]; onOpen: (id: string) => void }) {
  const { t } = useI18n();
  const fmt = useMessagingFormat();
  // The whole row opens the detail for pointer users; the time is the keyboard's button.
  const openRow = (id: string) => (event: MouseEvent<HTMLTableRowElement>) => {
    const target = event.target as HTMLElement;
    if (target.closest('button, a, input, select, textarea')) return;
    if (window.getSelection()?.toString()) return;
    onOpen(id);
  };
  return (
    <div className="table-wrap">
      <table className="table table-messages" data-testid="messages-table">
        <caption className="visually-hidden">{t('messages.listLabel')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('messages.time')}</th>
            <th scope="col">{t('messages.channel')}</th>
            <th scope="col">{t('messages.route')}</th>
            <th scope="col">{t('messages.recipient')}</th>
            <th scope="col">{t('messages.sender')}</th>
            <th scope="col">{t('messages.status')}</th>
            <th scope="col" className="cell-number">
              {t('messages.segments')}
            </th>
            <th scope="col" className="cell-number">
              {t('messages.price')}
            </th>
            <th scope="col">{t('messages.error')}</th>
          </tr>
        </thead>
        <tbody>
          {messages.map((m) => {
            const time = fmt.timestamp(m.createdAt);
            const final = FAILED_STATUSES.includes(m.status);
            const retrying = ['queued', 'scheduled', 'sending'].includes(m.status);
            return (
              <tr
                key={m.id}
                className="row-clickable"
                onClick={openRow(m.id)}
                data-testid="message-row"
                data-id={m.id}
                data-status={m.status}
                data-channel={m.channel}
              >
                <td className="cell-nowrap">
                  <button
                    type="button"
                    className="link-button row-open"
                    onClick={() => onOpen(m.id)}
                    aria-label={t('messages.open', { to: m.to, time })}
                    data-testid="message-open"
                  >
                    <time dateTime={m.createdAt}>{time}</time>
                  </button>
                </td>
                <td>
                  <ChannelBadge channel={m.channel} />
                </td>
                <td>{routeLabel(t, m.route)}</td>
                <td className="cell-nowrap">
                  <code>{m.to}</code>
                </td>
                <td className="cell-sender" title={m.from ?? undefined}>
                  {m.from ?? <span className="muted">—</span>}
                </td>
                <td className="cell-nowrap">
                  <StatusBadge status={m.status} testId="message-status" />
                  {m.fellBack && <div className="muted small">{t('messages.fellBack')}</div>}
                </td>
                <td className="cell-number">{m.segments ?? <span className="muted">—</span>}</td>
                <td className="cell-number cell-nowrap">{fmt.price(m.price)}</td>
                <td className="cell-error">
                  {m.error ? (
                    <div data-testid="message-error" data-code={m.error.code}>
                      <code className={final ? 'error-code' : 'error-code is-transient'}>
                        {m.error.code}
                      </code>
                      {m.error.attribution && (
                        <div
                          className="small"
                          title={attributionLabel(t, m.error.attribution)}
                          data-attribution={m.error.attribution}
                        >
                          {attributionShort(t, m.error.attribution)}
                        </div>
                      )}
                      {retrying && <div className="muted small">{t('messages.retrying')}</div>}
                    </div>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
