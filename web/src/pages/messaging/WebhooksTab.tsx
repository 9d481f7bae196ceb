import { type FormEvent, Fragment, useId, useState } from 'react';
import { api } from '../../api';
import { CheckboxGroup } from '../../components/CheckboxGroup';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { Badge, EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { CancelSubmitButtons, PagedFooter } from '../../components/FormButtons';
import { OptionalTextField } from '../../components/FormParts';
import { Menu } from '../../components/Menu';
import { SecretDialog } from '../../components/SecretDialog';
import { useToast } from '../../components/Toast';
import { RefreshButton, ToolbarSelect } from '../../components/Toolbar';
import { errorMessage, fieldError } from '../../errors';
import { useAsync, usePaged } from '../../hooks';
import { useI18n } from '../../i18n';
import { deliveryStatus, webhookEventDescription } from '../../labels';
import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  WEBHOOK_EVENTS,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../../types';
import { JsonBlock, useMessagingFormat } from './shared';

type Pending =
  | { kind: 'delete'; endpoint: WebhookEndpoint }
  | { kind: 'reveal'; endpoint: WebhookEndpoint };

/** Webhook endpoints (create, enable, test, secret, delete) and the delivery log with replay. */
export function WebhooksTab() {
  const i18n = useI18n();
  const { t } = i18n;
  const notify = useToast();
  const endpoints = useAsync(() => api.webhooks.list().then((r) => r.data), []);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{
    title: string;
    intro?: string;
    warning: string;
    value: string;
  } | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [deliveriesKey, setDeliveriesKey] = useState(0);
  const list = endpoints.data ?? [];

  const toggle = async (endpoint: WebhookEndpoint) => {
    try {
      const updated = await api.webhooks.update(endpoint.id, { enabled: !endpoint.enabled });
      endpoints.setData((prev) => prev?.map((e) => (e.id === updated.id ? updated : e)));
      notify(
        t(updated.enabled ? 'webhooks.enabledToast' : 'webhooks.disabledToast', {
          url: updated.url,
        }),
      );
    } catch (e) {
      notify(errorMessage(e, i18n));
    }
  };

  const sendTest = async (endpoint: WebhookEndpoint) => {
    try {
      await api.webhooks.test(endpoint.id);
      notify(t('webhooks.testSent', { url: endpoint.url }));
      setDeliveriesKey((n) => n + 1);
    } catch (e) {
      notify(errorMessage(e, i18n));
    }
  };

  const createButton = (
    <button
      type="button"
      className="button button-primary"
      onClick={() => setCreating(true)}
      data-testid="webhook-create"
    >
      {t('webhooks.create')}
    </button>
  );

  return (
    <>
      <p className="tab-intro">{t('webhooks.intro')}</p>
      <section className="card card-flush" aria-labelledby="webhooks-title">
        <div className="card-header">
          <h2 className="card-title" id="webhooks-title">
            {t('webhooks.endpoints')}
          </h2>
          {list.length > 0 && createButton}
        </div>
        {endpoints.loading && !endpoints.data ? (
          <Loading />
        ) : endpoints.error ? (
          <div className="card-pad">
            <ErrorBanner error={endpoints.error} onRetry={endpoints.reload} />
          </div>
        ) : list.length === 0 ? (
          <EmptyState
            icon="🔗"
            title={t('webhooks.empty')}
            action={createButton}
            testId="webhooks-empty"
          >
            <p>{t('webhooks.emptyText')}</p>
          </EmptyState>
        ) : (
          <EndpointTable
            endpoints={list}
            onToggle={toggle}
            onTest={sendTest}
            onReveal={(endpoint) => setPending({ kind: 'reveal', endpoint })}
            onDelete={(endpoint) => setPending({ kind: 'delete', endpoint })}
          />
        )}
      </section>

      <Deliveries endpoints={list} refreshKey={deliveriesKey} />

      {creating && (
        <CreateWebhookDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            endpoints.setData((prev) => [...(prev ?? []), created.endpoint]);
            setCreating(false);
            setSecret({
              title: t('webhooks.secretTitle'),
              intro: t('webhooks.secretIntro', { url: created.endpoint.url }),
              warning: t('webhooks.secretWarning'),
              value: created.secret,
            });
          }}
        />
      )}
      {secret && (
        <SecretDialog
          title={secret.title}
          intro={secret.intro}
          warning={secret.warning}
          items={[{ label: t('webhooks.secret'), value: secret.value, testId: 'secret-value' }]}
          onClose={() => setSecret(null)}
          testId="secret-dialog"
        />
      )}
      {pending?.kind === 'delete' && (
        <ConfirmDialog
          title={t('webhooks.deleteTitle')}
          message={t('webhooks.deleteText', { url: pending.endpoint.url })}
          confirmLabel={t('webhooks.delete')}
          danger
          onClose={() => setPending(null)}
          onConfirm={async () => {
            await api.webhooks.remove(pending.endpoint.id);
            endpoints.setData((prev) => prev?.filter((e) => e.id !== pending.endpoint.id));
            notify(t('webhooks.deleted', { url: pending.endpoint.url }));
          }}
        />
      )}
      {pending?.kind === 'reveal' && (
        <ConfirmDialog
          title={t('webhooks.revealTitle')}
          message={t('webhooks.revealText', { url: pending.endpoint.url })}
          confirmLabel={t('webhooks.reveal')}
          closeOnSuccess={false}
          onClose={() => setPending(null)}
          onConfirm={async () => {
            const { secret: value } = await api.webhooks.secret(pending.endpoint.id);
            setPending(null);
            setSecret({
              title: t('webhooks.secretRevealTitle', { url: pending.endpoint.url }),
              warning: t('webhooks.secretRevealWarning'),
              value,
            });
          }}
        />
      )}
    </>
  );
}

function EndpointTable({
  endpoints,
  onToggle,
  onTest,
  onReveal,
  onDelete,
}: {
  endpoints: WebhookEndpoint[];
  onToggle: (e: WebhookEndpoint) => void;
  onTest: (e: WebhookEndpoint) => void;
  onReveal: (e: WebhookEndpoint) => void;
  onDelete: (e: WebhookEndpoint) => void;
}) {
  const { t, formatDate } = useI18n();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="webhooks-table">
        <caption className="visually-hidden">{t('webhooks.endpoints')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('webhooks.url')}</th>
            <th scope="col">{t('webhooks.events')}</th>
            <th scope="col">{t('webhooks.state')}</th>
            <th scope="col">{t('webhooks.createdAt')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {endpoints.map((e) => (
            <tr
              key={e.id}
              data-testid="webhook-row"
              data-id={e.id}
              data-url={e.url}
              data-enabled={e.enabled}
            >
              <td>
                <code className="cell-strong url">{e.url}</code>
                {e.description && <div className="muted small">{e.description}</div>}
              </td>
              <td>
                <ul className="chips" aria-label={t('webhooks.events')}>
                  {e.events.map((ev) => (
                    <li key={ev} className="chip" title={webhookEventDescription(t, ev)}>
                      {ev}
                    </li>
                  ))}
                </ul>
              </td>
              <td className="cell-nowrap">
                <Badge tone={e.enabled ? 'success' : 'neutral'} testId="webhook-state">
                  {e.enabled ? t('webhooks.enabled') : t('webhooks.disabled')}
                </Badge>
              </td>
              <td className="cell-nowrap">{formatDate(e.createdAt)}</td>
              <td className="cell-actions">
                <div className="row-actions">
                  <button
                    type="button"
                    className="button button-secondary button-sm"
                    onClick={() => onTest(e)}
                    data-testid="webhook-test"
                  >
                    {t('webhooks.test')}
                  </button>
                  <Menu
                    label={t('webhooks.actionsFor', { url: e.url })}
                    testId="webhook-actions"
                    buttonContent={<span aria-hidden="true">⋯</span>}
                    items={[
                      {
                        label: e.enabled ? t('webhooks.disable') : t('webhooks.enable'),
                        onSelect: () => onToggle(e),
                        testId: 'webhook-toggle',
                      },
                      {
                        label: t('webhooks.reveal'),
                        onSelect: () => onReveal(e),
                        testId: 'webhook-reveal',
                      },
                      {
                        label: t('webhooks.delete'),
                        onSelect: () => onDelete(e),
                        danger: true,
                        testId: 'webhook-delete',
                      },
                    ]}
                  />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** host/path of an endpoint, for a narrow column (the full URL is the cell's title). */
function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return url;
  }
}

function urlProblem(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol !== 'https:' && parsed.protocol !== 'http:';
  } catch {
    return true;
  }
}

function CreateWebhookDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (created: { endpoint: WebhookEndpoint; secret: string }) => void;
}) {
  const { t } = useI18n();
  const baseId = useId();
  const schemaEvents = useAsync(() => api.webhooks.events(), []);
  const events = schemaEvents.data ?? [...WEBHOOK_EVENTS];
  const [url, setUrl] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const errors = {
    url: !url.trim()
      ? t('webhooks.urlRequired')
      : urlProblem(url.trim())
        ? t('webhooks.urlInvalid')
        : undefined,
    events: chosen.length === 0 ? t('webhooks.eventsRequired') : undefined,
  };
  const show = (m: string | undefined) => (submitted ? m : undefined);
  const toggle = (event: string, on: boolean) =>
    setChosen((list) => (on ? [...list, event] : list.filter((e) => e !== event)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.values(errors).some(Boolean)) return;
    setBusy(true);
    setError(null);
    try {
      onCreated(
        await api.webhooks.create({
          url: url.trim(),
          events: events.filter((ev) => chosen.includes(ev)),
          ...(description.trim() ? { description: description.trim() } : {}),
        }),
      );
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('webhooks.createTitle')}
      onClose={onClose}
      size="lg"
      testId="webhook-dialog"
      dismissible={!busy}
      footer={
        <CancelSubmitButtons
          busy={busy}
          onCancel={onClose}
          cancelTestId="webhook-cancel"
          form="webhook-form"
          submitLabel={t('webhooks.submit')}
          submitTestId="webhook-submit"
        />
      }
    >
      <form id="webhook-form" className="form" onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        <Field
          label={t('webhooks.url')}
          hint={t('webhooks.urlHint')}
          error={show(errors.url) ?? fieldError(error, '/url')}
        >
          <input
            type="url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            maxLength={2000}
            placeholder="https://"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            data-testid="webhook-url"
          />
        </Field>
        <CheckboxGroup
          legend={t('webhooks.events')}
          hint={t('webhooks.eventsHint')}
          options={events.map((event, index) => ({
            value: event,
            id: `${baseId}-event-${index}`,
            testId: `webhook-event-${event}`,
            description: webhookEventDescription(t, event),
          }))}
          chosen={chosen}
          onToggle={toggle}
          testId="webhook-events"
          error={show(errors.events)}
          errorId="webhook-events-error"
          serverError={fieldError(error, '/events')}
        />
        <OptionalTextField
          label={t('webhooks.description')}
          hint={t('webhooks.descriptionHint')}
          error={fieldError(error, '/description')}
          maxLength={200}
          value={description}
          onChange={setDescription}
          testId="webhook-description"
        />
      </form>
    </Dialog>
  );
}

function Deliveries({
  endpoints,
  refreshKey,
}: {
  endpoints: WebhookEndpoint[];
  refreshKey: number;
}) {
  const { t } = useI18n();
  const notify = useToast();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [endpointId, setEndpointId] = useState('');
  const [tick, setTick] = useState(0);
  const deliveries = usePaged(
    (cursor) => api.webhooks.deliveries({ cursor, status, endpointId: endpointId || undefined }),
    [status, endpointId, refreshKey, tick],
  );

  const replay = async (delivery: WebhookDelivery) => {
    const copy = await api.webhooks.replay(delivery.id);
    deliveries.update((items) => [copy, ...items]);
    notify(t('deliveries.replayed'));
  };

  return (
    <section className="card card-flush" aria-labelledby="deliveries-title">
      <div className="card-header">
        <h2 className="card-title" id="deliveries-title">
          {t('deliveries.title')}
        </h2>
      </div>
      <search aria-label={t('deliveries.filterLabel')}>
        <form className="toolbar" onSubmit={(e) => e.preventDefault()}>
          <ToolbarSelect<DeliveryStatus>
            id="delivery-status"
            label={t('deliveries.status')}
            value={status}
            onChange={setStatus}
            allLabel={t('deliveries.allStatuses')}
            options={DELIVERY_STATUSES.map((s) => ({ value: s, label: deliveryStatus(t, s).label }))}
            testId="delivery-filter-status"
          />
          <div className="toolbar-field toolbar-grow">
            <label htmlFor="delivery-endpoint" className="field-label">
              {t('deliveries.endpoint')}
            </label>
            <select
              id="delivery-endpoint"
              value={endpointId}
              onChange={(e) => setEndpointId(e.target.value)}
              data-testid="delivery-filter-endpoint"
            >
              <option value="">{t('deliveries.allEndpoints')}</option>
              {endpoints.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.url}
                  {e.description ? ` — ${e.description}` : ''}
                </option>
              ))}
            </select>
          </div>
          <div className="toolbar-buttons">
            <RefreshButton onClick={() => setTick((n) => n + 1)} testId="deliveries-refresh" />
          </div>
        </form>
      </search>
      {deliveries.loading ? (
        <Loading />
      ) : deliveries.error && deliveries.items.length === 0 ? (
        <div className="card-pad">
          <ErrorBanner error={deliveries.error} onRetry={deliveries.reload} />
        </div>
      ) : deliveries.items.length === 0 ? (
        <EmptyState icon="📬" title={t('deliveries.empty')} testId="deliveries-empty">
          <p>{t('deliveries.emptyText')}</p>
        </EmptyState>
      ) : (
        <DeliveryTable items={deliveries.items} endpoints={endpoints} onReplay={replay} />
      )}
      <PagedFooter list={deliveries} testId="deliveries-load-more" />
    </section>
  );
}

function DeliveryTable({
  items,
  endpoints,
  onReplay,
}: {
  items: WebhookDelivery[];
  endpoints: WebhookEndpoint[];
  onReplay: (delivery: WebhookDelivery) => Promise<void>;
}) {
  const { t } = useI18n();
  const fmt = useMessagingFormat();
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const [replaying, setReplaying] = useState<string | null>(null);
  const [error, setError] = useState<{ id: string; error: unknown } | null>(null);
  const urls = new Map(endpoints.map((e) => [e.id, e.url]));

  const toggle = (id: string) =>
    setOpen((set) => {
      const next = new Set(set);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const replay = async (d: WebhookDelivery) => {
    setReplaying(d.id);
    setError(null);
    try {
      await onReplay(d);
    } catch (e) {
      setError({ id: d.id, error: e });
    } finally {
      setReplaying(null);
    }
  };

  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="deliveries-table">
        <caption className="visually-hidden">{t('deliveries.title')}</caption>
        <thead>
          <tr>
            <th scope="col" className="cell-toggle">
              <span className="visually-hidden">{t('deliveries.payload')}</span>
            </th>
            <th scope="col">{t('deliveries.time')}</th>
            <th scope="col">{t('deliveries.event')}</th>
            <th scope="col">{t('deliveries.endpoint')}</th>
            <th scope="col">{t('deliveries.status')}</th>
            <th scope="col" className="cell-number">
              {t('deliveries.attempts')}
            </th>
            <th scope="col">{t('deliveries.lastResult')}</th>
            <th scope="col">{t('deliveries.nextAttempt')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('common.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => {
            const expanded = open.has(d.id);
            const detailsId = `delivery-${d.id}`;
            const time = fmt.timestamp(d.createdAt);
            const status = deliveryStatus(t, d.status);
            return (
              <Fragment key={d.id}>
                <tr
                  className={expanded ? 'is-expanded' : undefined}
                  data-testid="delivery-row"
                  data-id={d.id}
                  data-status={d.status}
                  data-event={d.eventType}
                  data-endpoint-id={d.endpointId}
                >
                  <td className="cell-toggle">
                    <button
                      type="button"
                      className="icon-button"
                      aria-expanded={expanded}
                      aria-controls={expanded ? detailsId : undefined}
                      aria-label={t('deliveries.toggle', { event: d.eventType, time })}
                      onClick={() => toggle(d.id)}
                      data-testid="delivery-expand"
                    >
                      <span
                        aria-hidden="true"
                        className={`disclosure${expanded ? ' is-open' : ''}`}
                      >
                        ▸
                      </span>
                    </button>
                  </td>
                  <td className="cell-nowrap">
                    <time dateTime={d.createdAt}>{time}</time>
                  </td>
                  <td>
                    <code className="action-code">{d.eventType}</code>
                  </td>
                  <td className="cell-url" title={urls.get(d.endpointId)}>
                    {urls.get(d.endpointId) ? (
                      <code className="small">{shortUrl(urls.get(d.endpointId) ?? '')}</code>
                    ) : (
                      <span className="muted small">{t('deliveries.deletedEndpoint')}</span>
                    )}
                  </td>
                  <td className="cell-nowrap">
                    <Badge tone={status.tone} testId="delivery-status">
                      {status.label}
                    </Badge>
                  </td>
                  <td className="cell-number">{d.attempts}</td>
                  <td>
                    {d.lastStatusCode !== null ? (
                      <code>{t('deliveries.httpStatus', { code: d.lastStatusCode })}</code>
                    ) : d.attempts > 0 && !d.lastError ? (
                      <span className="muted">{t('deliveries.noAnswer')}</span>
                    ) : d.attempts === 0 ? (
                      <span className="muted">—</span>
                    ) : null}
                    {d.lastError && (
                      <div className="small error-text" data-testid="delivery-error">
                        {d.lastError}
                      </div>
                    )}
                  </td>
                  <td className="cell-nowrap">
                    {d.nextAttemptAt ? (
                      fmt.timestamp(d.nextAttemptAt)
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="button button-secondary button-sm"
                      onClick={() => replay(d)}
                      disabled={replaying === d.id}
                      aria-busy={replaying === d.id}
                      aria-label={t('deliveries.replayNamed', { event: d.eventType, time })}
                      data-testid="delivery-replay"
                    >
                      {replaying === d.id ? t('common.working') : t('deliveries.replay')}
                    </button>
                  </td>
                </tr>
                {error?.id === d.id && (
                  <tr className="details-row">
                    <td colSpan={9}>
                      <ErrorBanner error={error.error} />
                    </td>
                  </tr>
                )}
                {expanded && (
                  <tr className="details-row">
                    <td colSpan={9} id={detailsId} data-testid="delivery-details">
                      <div className="details-grid">
                        <div>
                          <h3 className="details-title">{t('deliveries.payload')}</h3>
                          <JsonBlock value={d.payload} testId="delivery-payload" />
                        </div>
                        <dl className="details-meta">
                          <dt>{t('deliveries.id')}</dt>
                          <dd>
                            <code>{d.id}</code>
                          </dd>
                          <dt>{t('deliveries.attempts')}</dt>
                          <dd>{d.attempts}</dd>
                          {d.deliveredAt && (
                            <>
                              <dt>{t('deliveries.deliveredAt')}</dt>
                              <dd>{fmt.timestamp(d.deliveredAt)}</dd>
                            </>
                          )}
                          {d.nextAttemptAt && (
                            <>
                              <dt>{t('deliveries.nextAttempt')}</dt>
                              <dd>{fmt.timestamp(d.nextAttemptAt)}</dd>
                            </>
                          )}
                          {d.lastError && (
                            <>
                              <dt>{t('deliveries.lastResult')}</dt>
                              <dd>{d.lastError}</dd>
                            </>
                          )}
                        </dl>
                      </div>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
